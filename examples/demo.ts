/**
 * `deno task demo`: the whole job — trigger, wait, new tag, its files — against the
 * embedded Lightly stub, in a few seconds, with no account and no network.
 *
 *   deno run --allow-net=127.0.0.1 --allow-env=NO_COLOR examples/demo.ts
 */
import { createOutput } from "../lib/cli/output.ts";
import { createProgress } from "../lib/cli/progress.ts";
import { exportTagFilenames, isLightlyError, selectSamples } from "../mod.ts";
import { startLightlyStub } from "../testing.ts";

const progress = createProgress({ out: createOutput() });

// A local server that answers like the Lightly API: one dataset of 1000
// samples with a processed embedding; jobs run for a few polls.
await using stub = startLightlyStub({ waitingPolls: 1, runningPolls: 2 });
const options = { baseUrl: stub.url, auth: { apiKey: stub.token } };

const body = {
  newTagName: "coreset-100",
  method: "CORESET" as const,
  config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
};
console.log(`Selecting 100 samples with CORESET on dataset ${stub.datasetId}.`);

try {
  const result = await selectSamples({ datasetId: stub.datasetId, body }, {
    ...options,
    onStep: (step) => progress.step(step.replace("-", " ")),
    onProgress: (event) => progress.update(event),
  });
  progress.stop();
  const { tag } = result;
  // What the server received, from the stub's request log (secrets masked).
  const sent = stub.requests.find((r) => r.route === "trigger");
  if (sent) {
    const query = Object.entries(sent.query).map(([k, v]) => `${k}=${v}`)
      .join("&");
    console.log(`\nThe server received (token masked):`);
    console.log(`  ${sent.method} ${sent.path}?${query}`);
    for (const name of ["content-type", "user-agent"]) {
      console.log(`  ${name}: ${sent.headers[name]}`);
    }
    console.log(`  ${JSON.stringify(sent.body)}`);
  }
  console.log(`\nJob ${result.jobId} finished. New tag:`);
  console.log(`  name  ${tag.name}`);
  console.log(`  id    ${tag.id}`);
  console.log(`  size  ${tag.totSize} of ${result.rowCount} samples`);
  // The new tag's file names, streamed page by page; the first few suffice here.
  console.log(`\nIts first files:`);
  let shown = 0;
  for await (
    const name of exportTagFilenames(stub.datasetId, tag.id, options)
  ) {
    console.log(`  ${name}`);
    if (++shown === 5) break;
  }
} catch (error) {
  progress.stop();
  console.error(isLightlyError(error) ? error.message : error);
  Deno.exitCode = 1;
}

console.log(
  "\nRan against the embedded Lightly stub. For the real API: export LIGHTLY_TOKEN=… and run " +
    "`deno run --allow-net=api.lightly.ai --allow-env cli.ts select --dataset-id … --tag-name … --method coreset --n-samples 100`.",
);
