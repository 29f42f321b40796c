/**
 * The explicit client: `createClient(options)` validates the connection
 * options once and holds them; its methods are the package's calls without them.
 *
 * @module
 */
import { buildWith, type SamplingRequest } from "./core/build.ts";
import {
  Client,
  type ClientSnapshot,
  type CreateClientOptions,
} from "./core/client.ts";
import type { HttpOptions } from "./core/http.ts";
import { CLIENT_OPTIONS } from "./core/rules.ts";
import { type TriggerOptions, triggerWith } from "./core/trigger.ts";
import type {
  AsyncTaskData,
  DatasetEmbeddingData,
  Embedding2dData,
  JobStatusData,
  SamplingInput,
  TagData,
} from "./core/types.ts";
import { validate } from "./core/validate.ts";
import {
  type ExportOptions,
  type ExportRecordsOptions,
  exportWith,
  type TagFileRecord,
} from "./jobs/export.ts";
import {
  findTagByNameWith,
  getEmbeddings2dWith,
  getTagWith,
  listEmbeddingsWith,
  listTagsWith,
} from "./jobs/reads.ts";
import {
  getJobStatusWith,
  type WaitOptions,
  type WaitResult,
  waitWith,
} from "./jobs/wait.ts";
import {
  type SelectionInput,
  type SelectionResult,
  type SelectOptions,
  selectWith,
} from "./jobs/workflow.ts";

export type { CreateClientOptions };

/** The options a client holds, which its methods do not take. */
export type Held = "baseUrl" | "auth" | "headers" | "fetch" | "httpClient";

/** Options of one read through a client: the signal, and a timeout of its own. */
export type CallOptions = Omit<HttpOptions, "fetch" | "httpClient">;

/**
 * A client: validated options, held. Make one with {@linkcode createClient}.
 *
 * @example Trigger many selections with one validated client
 * ```ts ignore
 * import { createClient } from "./client.ts";
 * const lightly = createClient({ auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! } });
 * for (const datasetId of ["0123456789abcdef01234567", "0123456789abcdef01234568"]) {
 *   const { tag } = await lightly.selectSamples({
 *     datasetId,
 *     body: { newTagName: "coreset-100", method: "CORESET", config: {} },
 *   });
 *   console.log(datasetId, tag.totSize);
 * }
 * ```
 */
export class LightlyClient {
  readonly #client: Client;

  /** Wraps validated options; use {@linkcode createClient}.
   * @param client The validated options. */
  constructor(client: Client) {
    this.#client = client;
  }

  /** `buildSamplingRequest` with this client's options (see it for the rest). */
  buildSamplingRequest(input: SamplingInput): SamplingRequest {
    return buildWith(this.#client, input, undefined);
  }

  /** `triggerSampling` with this client's options (see it for the rest). */
  async triggerSampling(
    input: SamplingInput,
    options: Omit<TriggerOptions, Held> = {},
  ): Promise<AsyncTaskData> {
    return await triggerWith(this.#client, input, options, false);
  }

  /** `triggerSamplingRaw` with this client's options (see it for the rest). */
  async triggerSamplingRaw(
    input: SamplingInput,
    options: Omit<TriggerOptions, Held> = {},
  ): Promise<Response> {
    return await triggerWith(this.#client, input, options, true);
  }

  /** `getJobStatus` with this client's options (see it for the rest). */
  getJobStatus(
    jobId: string,
    options: CallOptions = {},
  ): Promise<JobStatusData> {
    return getJobStatusWith(this.#client, jobId, options);
  }

  /** `waitForJob` with this client's options (each poll's timeout defaults to the client's; see it for the rest). */
  waitForJob(
    jobId: string,
    options: Omit<WaitOptions, Held> = {},
  ): Promise<WaitResult> {
    return waitWith(this.#client, jobId, options);
  }

  /** `getTag` with this client's options (see it for the rest). */
  getTag(
    datasetId: string,
    tagId: string,
    options: CallOptions = {},
  ): Promise<TagData> {
    return getTagWith(this.#client, datasetId, tagId, options);
  }

  /** `listTags` with this client's options (see it for the rest). */
  listTags(datasetId: string, options: CallOptions = {}): Promise<TagData[]> {
    return listTagsWith(this.#client, datasetId, options);
  }

  /** `findTagByName` with this client's options (see it for the rest). */
  findTagByName(
    datasetId: string,
    name: string,
    options: CallOptions = {},
  ): Promise<TagData | undefined> {
    return findTagByNameWith(this.#client, datasetId, name, options);
  }

  /** `listEmbeddings` with this client's options (see it for the rest). */
  listEmbeddings(
    datasetId: string,
    options: CallOptions = {},
  ): Promise<DatasetEmbeddingData[]> {
    return listEmbeddingsWith(this.#client, datasetId, options);
  }

  /** `getEmbeddings2d` with this client's options (see it for the rest). */
  getEmbeddings2d(
    datasetId: string,
    embeddingId: string,
    options: CallOptions = {},
  ): Promise<Embedding2dData[]> {
    return getEmbeddings2dWith(this.#client, datasetId, embeddingId, options);
  }

  /** `exportTagFilenames` with this client's options (see it for the rest). */
  exportTagFilenames(
    datasetId: string,
    tagId: string,
    options: Omit<ExportOptions, Held> = {},
  ): AsyncIterableIterator<string> {
    return exportWith(this.#client, datasetId, tagId, options, false);
  }

  /** `exportTagFileRecords` with this client's options (see it for the rest). */
  exportTagFileRecords(
    datasetId: string,
    tagId: string,
    options: Omit<ExportRecordsOptions, Held> = {},
  ): AsyncIterableIterator<TagFileRecord> {
    return exportWith(this.#client, datasetId, tagId, options, true);
  }

  /** `selectSamples` with this client's options (see it for the rest). */
  selectSamples(
    input: SelectionInput,
    options: Omit<SelectOptions, Held> = {},
  ): Promise<SelectionResult> {
    return selectWith(this.#client, input, options);
  }
}

/**
 * Makes a client: validates its options once (like `ky.create`) and holds
 * them, for calls in a loop and for scripts that talk to one API. Nothing
 * is shared between clients.
 *
 * @param options Base URL, credentials, headers, `fetch`, request timeout, the POST's retry policy.
 * @returns The client.
 * @throws {ValidationError} Listing every bad option.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * const lightly = createClient({ auth: { apiKey: "MY_TOKEN" }, timeoutMs: 30_000 });
 * const request = lightly.buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * });
 * console.log(request.url);
 * ```
 */
export function createClient(options: CreateClientOptions = {}): LightlyClient {
  const [snapshot] = validate("client options", [CLIENT_OPTIONS], [options]);
  return new LightlyClient(
    new Client((snapshot ?? {}) as ClientSnapshot, true),
  );
}
