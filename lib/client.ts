/** The explicit client: validated connection options, held; its methods are the package's calls without them. */
import * as build from "./core/build.ts";
import * as trigger from "./core/trigger.ts";
import {
  Client,
  type ClientOptions,
  type ClientSnapshot,
  type CreateClientOptions,
  prepare,
} from "./core/client.ts";
import { CLIENT_OPTIONS } from "./core/rules.ts";
import * as exports from "./jobs/export.ts";
import * as reads from "./jobs/reads.ts";
import * as wait from "./jobs/wait.ts";
import * as workflow from "./jobs/workflow.ts";

/** The options a client holds, which its methods do not take. */
export type Held = keyof ClientOptions | "fetch" | "httpClient";

/** A free function as a client's method: the same arguments, without the {@linkcode Held} options. */
export type ClientMethod<F> = F extends (...args: infer A) => infer R
  ? Required<A> extends [...infer Head, infer O]
    ? keyof Omit<O, Held> extends never ? (...args: Head) => R
    : (...args: [...Head, Omit<O, Held>?]) => R
  : never
  : never;

/**
 * A client: validated options, held; each method is the free function of
 * its name without them. Make one with {@linkcode createClient}.
 */
export interface LightlyClient {
  /** {@linkcode buildSamplingRequest} with this client's options. */
  buildSamplingRequest: ClientMethod<typeof build.buildSamplingRequest>;
  /** {@linkcode triggerSampling} with this client's options. */
  triggerSampling: ClientMethod<typeof trigger.triggerSampling>;
  /** {@linkcode triggerSamplingRaw} with this client's options. */
  triggerSamplingRaw: ClientMethod<typeof trigger.triggerSamplingRaw>;
  /** {@linkcode getJobStatus} with this client's options. */
  getJobStatus: ClientMethod<typeof reads.getJobStatus>;
  /** {@linkcode waitForJob} with this client's options. */
  waitForJob: ClientMethod<typeof wait.waitForJob>;
  /** {@linkcode getTag} with this client's options. */
  getTag: ClientMethod<typeof reads.getTag>;
  /** {@linkcode listTags} with this client's options. */
  listTags: ClientMethod<typeof reads.listTags>;
  /** {@linkcode findTagByName} with this client's options. */
  findTagByName: ClientMethod<typeof reads.findTagByName>;
  /** {@linkcode listEmbeddings} with this client's options. */
  listEmbeddings: ClientMethod<typeof reads.listEmbeddings>;
  /** {@linkcode getEmbeddings2d} with this client's options. */
  getEmbeddings2d: ClientMethod<typeof reads.getEmbeddings2d>;
  /** {@linkcode exportTagFilenames} with this client's options. */
  exportTagFilenames: ClientMethod<typeof exports.exportTagFilenames>;
  /** {@linkcode exportTagFileRecords} with this client's options. */
  exportTagFileRecords: ClientMethod<typeof exports.exportTagFileRecords>;
  /** {@linkcode selectSamples} with this client's options. */
  selectSamples: ClientMethod<typeof workflow.selectSamples>;
}

/**
 * Makes a client: validates its options once (like `ky.create`) and holds
 * them, for calls in a loop and for scripts that talk to one API. Nothing
 * is shared between clients.
 *
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
 * ```
 */
export function createClient(options: CreateClientOptions = {}): LightlyClient {
  const tables = { call: CLIENT_OPTIONS, free: CLIENT_OPTIONS };
  const held = prepare<ClientSnapshot>(
    undefined,
    "client options",
    tables,
    options,
  );
  const c = new Client(held.options, true);
  const { READS, readWith } = reads;
  return {
    buildSamplingRequest: (input) => build.buildWith(c, input, undefined),
    triggerSampling: (input, o) => trigger.triggerWith(c, input, o, false),
    triggerSamplingRaw: (input, o) => trigger.triggerWith(c, input, o, true),
    getJobStatus: (jobId, o) => readWith(c, READS.getJobStatus, [jobId], o),
    waitForJob: (jobId, o) => wait.waitWith(c, jobId, o),
    getTag: (d, t, o) => readWith(c, READS.getTag, [d, t], o),
    listTags: (d, o) => readWith(c, READS.listTags, [d], o),
    findTagByName: (d, name, o) =>
      readWith(c, READS.findTagByName, [d, name], o),
    listEmbeddings: (d, o) => readWith(c, READS.listEmbeddings, [d], o),
    getEmbeddings2d: (d, e, o) => readWith(c, READS.getEmbeddings2d, [d, e], o),
    exportTagFilenames: (d, t, o) => exports.exportWith(c, d, t, o, false),
    exportTagFileRecords: (d, t, o) => exports.exportWith(c, d, t, o, true),
    selectSamples: (input, o) => workflow.selectWith(c, input, o),
  };
}
