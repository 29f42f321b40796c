/**
 * The whole selection workflow in one call, like Lightly's
 * `ApiWorkflowClient.selection()` but with a deadline, abort and typed errors:
 * newest processed embedding, a tag name checked for uniqueness before
 * anything is sent, `rowCount` from the `initial-tag`, trigger, wait, new tag.
 *
 *   deno run --allow-net=127.0.0.1 --allow-env examples/03_select_samples.ts
 */
import { isLightlyError, selectSamples } from "../mod.ts";
import { connect } from "./_target.ts";

await using target = connect();

try {
  const result = await selectSamples({
    datasetId: target.datasetId,
    // embeddingId omitted: the newest processed embedding is used.
    body: {
      newTagName: `coreset-200-${Date.now()}`,
      method: "CORESET",
      config: { stoppingCondition: { nSamples: 200 } },
    },
  }, {
    ...target.options,
    timeoutMs: 10 * 60_000,
    onStep: (step) => console.log(`step: ${step}`),
  });
  const { tag } = result;
  console.log(
    `New tag "${tag.name}" (${tag.id}): ${tag.totSize} of ${result.rowCount} samples, job ${result.jobId}.`,
  );
} catch (error) {
  // Each failure names the step it happened in (preflight, trigger, wait, …).
  if (isLightlyError(error, "workflow")) {
    console.error(`failed at ${error.step}: ${error.message}`);
  }
  throw error;
}
console.log(target.banner);
