/**
 * One selection per dataset, at most two at a time, each outcome printed as
 * it finishes; one dataset failing does not stop the others.
 *
 *   deno run --allow-net=127.0.0.1 --allow-env examples/04_many_datasets.ts
 */
// deno-std ships pooledMap as JavaScript without types: name the one we use.
import { pooledMap as untypedPooledMap } from "@std/async/pool";
import { selectSamples } from "../mod.ts";
import { connect } from "./_target.ts";

const pooledMap: <T, R>(
  limit: number,
  items: Iterable<T>,
  run: (item: T) => Promise<R>,
) => AsyncIterable<R> = untypedPooledMap;

await using target = connect();
const runId = Date.now();

const outcomes = pooledMap(2, target.datasetIds, async (datasetId) => {
  try {
    const { tag } = await selectSamples({
      datasetId,
      body: {
        newTagName: `random-50-${runId}`,
        method: "RANDOM",
        config: { stoppingCondition: { nSamples: 50 } },
      },
    }, { ...target.options, timeoutMs: 10 * 60_000 });
    return `${datasetId}: tag ${tag.id} with ${tag.totSize} samples`;
  } catch (error) {
    return `${datasetId}: failed: ${(error as Error).message}`;
  }
});

for await (const line of outcomes) console.log(line);
console.log(target.banner);
