/**
 * Trigger a job, follow it with progress until it finishes, read the new tag.
 *
 *   deno run --allow-net=127.0.0.1 --allow-env examples/02_trigger_and_wait.ts
 */
import { getTag, listEmbeddings, triggerSampling, waitForJob } from "../mod.ts";
import { connect } from "./_target.ts";

await using target = connect();

const [embedding] = (await listEmbeddings(target.datasetId, target.options))
  .filter((e) => e.isProcessed);
if (!embedding) throw new Error("the dataset has no processed embedding yet");

const { jobId } = await triggerSampling({
  datasetId: target.datasetId,
  embeddingId: embedding.id,
  body: {
    newTagName: `random-10pct-${Date.now()}`,
    method: "RANDOM",
    config: { stoppingCondition: { nSamples: 0.1 } }, // 10 % of the samples
  },
}, target.options);
console.log(`Job ${jobId} triggered; waiting for it.`);

// Polls at the pace the server asks for (waitTimeTillNextPoll), retries
// transient failures, and gives up after 10 minutes.
const { tagId, polls } = await waitForJob(jobId, {
  ...target.options,
  timeoutMs: 10 * 60_000,
  onProgress: (p) =>
    console.log(
      `  ${p.status.padEnd(8)} ${p.processed ?? 0}/${p.total ?? "?"}  (${
        (p.elapsedMs / 1000).toFixed(1)
      } s)`,
    ),
});

const tag = await getTag(target.datasetId, tagId, target.options);
console.log(
  `Done after ${polls} polls: tag "${tag.name}" (${tag.id}) holds ${tag.totSize} samples.`,
);
console.log(target.banner);
