/**
 * Where the examples run. With `LIGHTLY_TOKEN` set they talk to the real
 * Lightly API (`LIGHTLY_SERVER_LOCATION` overrides the host) on the dataset
 * named by `LIGHTLY_DATASET_ID`; without it they start the embedded stub from
 * `testing.ts`, so they run anywhere with no account and no network.
 */
import type { ClientOptions } from "../mod.ts";
import { startLightlyStub } from "../testing.ts";

/** What an example needs to reach a dataset. */
export interface Target extends AsyncDisposable {
  /** Host and credentials, for every library call. */
  options: ClientOptions;
  /** The dataset to sample from. */
  datasetId: string;
  /** More datasets (the stub seeds three; the real API uses `LIGHTLY_DATASET_IDS`). */
  datasetIds: string[];
  /** A line saying where this ran. */
  banner: string;
}

/** Connects to the real API when `LIGHTLY_TOKEN` is set, else to a new stub. */
export function connect(): Target {
  const token = Deno.env.get("LIGHTLY_TOKEN");
  if (token) {
    const datasetId = Deno.env.get("LIGHTLY_DATASET_ID");
    if (!datasetId) {
      throw new Error(
        "LIGHTLY_TOKEN is set: also set LIGHTLY_DATASET_ID to the dataset to sample",
      );
    }
    const baseUrl = Deno.env.get("LIGHTLY_SERVER_LOCATION")?.replace(
      /\/+$/,
      "",
    );
    const more = Deno.env.get("LIGHTLY_DATASET_IDS")?.split(",").filter(
      Boolean,
    );
    return {
      options: { baseUrl, auth: { apiKey: token } },
      datasetId,
      datasetIds: more?.length ? more : [datasetId],
      banner: `Ran against the Lightly API at ${
        baseUrl ?? "https://api.lightly.ai"
      }.`,
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }
  // Jobs advance one step per poll, and ask to be polled again after 1 s.
  const stub = startLightlyStub({ waitingPolls: 1, runningPolls: 2 });
  const more = [
    stub.addDataset({ sampleCount: 500 }),
    stub.addDataset({ sampleCount: 2500 }),
  ];
  return {
    options: { baseUrl: stub.url, auth: { apiKey: stub.token } },
    datasetId: stub.datasetId,
    datasetIds: [stub.datasetId, ...more.map((d) => d.id)],
    banner:
      "Ran against the embedded Lightly stub (no account, no network). Set LIGHTLY_TOKEN and LIGHTLY_DATASET_ID to run it against the real API.",
    [Symbol.asyncDispose]: () => stub.close(),
  };
}
