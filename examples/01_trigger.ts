/**
 * Trigger one sampling job and print its id.
 *
 *   deno run --allow-net=127.0.0.1 --allow-env examples/01_trigger.ts
 */
import { listEmbeddings, triggerSampling } from "../mod.ts";
import { connect } from "./_target.ts";

await using target = connect();

// The newest processed embedding of the dataset (the list is newest first).
const embeddings = await listEmbeddings(target.datasetId, target.options);
const embedding = embeddings.find((e) => e.isProcessed);
if (!embedding) throw new Error("the dataset has no processed embedding yet");

// Everything is validated before anything is sent; a mistake throws a
// ValidationError that lists every problem.
const { jobId } = await triggerSampling({
  datasetId: target.datasetId,
  embeddingId: embedding.id,
  body: {
    newTagName: `coreset-${Date.now()}`,
    method: "CORESET",
    config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
  },
}, target.options);

console.log(`Triggered job ${jobId}.`);
console.log(target.banner);
