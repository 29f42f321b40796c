/**
 * The reads a sampling workflow needs: one tag, a dataset's tags (and one by
 * name), a dataset's embeddings, the 2-D coordinates a selection is drawn
 * over. Ids and options are validated together before anything is sent;
 * answers are validated on the fields this package uses, unknown fields kept.
 *
 * @module
 */
import { getRequest } from "../core/build.ts";
import {
  type Client,
  type ClientOptions,
  prepare,
  type Prepared,
} from "../core/client.ts";
import {
  type HttpOptions,
  type ResponseSchema,
  sendJson,
} from "../core/http.ts";
import { objectId, READ_OPTIONS, TAG_NAME } from "../core/rules.ts";
import {
  Embedding2dListSchema,
  EmbeddingListSchema,
  TagDataSchema,
  TagListSchema,
} from "../core/schemas.ts";
import type { Table } from "../core/validate.ts";
import type {
  DatasetEmbeddingData,
  Embedding2dData,
  TagData,
} from "../core/types.ts";

/** Options of a single read: host, credentials, headers, fetch, signal, per-request timeout. */
export interface JobOptions extends ClientOptions, HttpOptions {}

/** The largest 2-D embedding answer read: 256 MiB (two numbers per sample). */
export const MAX_EMBEDDING_2D_BYTES = 256 * 1024 * 1024;

/** The path ids, as the table checks them. */
export const DATASET_ID = objectId("datasetId");
const TAG_ID = objectId("tagId");
const EMBEDDING_ID = objectId("embeddingId");

/** The options of a read, validated. */
export interface ReadCall {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** GETs an API path for a prepared call and validates the answer: the one read of a JSON document. */
export function readJson<T>(
  call: Prepared<ReadCall>,
  path: string,
  schema: ResponseSchema<T>,
  maxBodyBytes?: number,
): Promise<T> {
  const { client, options } = call;
  return sendJson(getRequest(client, path), schema, {
    ...client.http(options.signal, options.timeoutMs),
    maxBodyBytes,
  });
}

/** Validates a read's ids and options (one error), then GETs `path(ids)`. */
export function readWith<T>(
  client: Client | undefined,
  subject: string,
  options: unknown,
  args: [Table, unknown][],
  path: (ids: readonly unknown[]) => string,
  schema: ResponseSchema<T>,
  maxBodyBytes?: number,
): Promise<T> {
  try {
    const call = prepare<ReadCall>(
      client,
      subject,
      READ_OPTIONS,
      options,
      ...args,
    );
    return readJson(call, path(call.args), schema, maxBodyBytes);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** {@linkcode getTag} for a client or a free call. */
export function getTagWith(
  client: Client | undefined,
  datasetId: unknown,
  tagId: unknown,
  options: unknown,
): Promise<TagData> {
  return readWith(
    client,
    "tag request",
    options,
    [[DATASET_ID, datasetId], [TAG_ID, tagId]],
    ([d, t]) => `/v1/datasets/${d}/tags/${t}`,
    TagDataSchema,
  );
}

/**
 * Reads one tag: `GET /v1/datasets/{datasetId}/tags/{tagId}`.
 *
 * @param datasetId The dataset's ObjectId.
 * @param tagId The tag's ObjectId, e.g. `waitForJob`'s `tagId`.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated `TagData`.
 * @throws {ValidationError | LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   A bad id or option (nothing sent); the API's refusal; as `triggerSampling`.
 *
 * @example
 * ```ts ignore
 * import { getTag } from "./reads.ts";
 * const tag = await getTag("0123456789abcdef01234567", "89abcdef0123456789abcdef", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 * });
 * console.log(tag.name, tag.totSize);
 * ```
 */
export function getTag(
  datasetId: string,
  tagId: string,
  options: JobOptions = {},
): Promise<TagData> {
  return getTagWith(undefined, datasetId, tagId, options);
}

/** {@linkcode listTags} for a client or a free call. */
export function listTagsWith(
  client: Client | undefined,
  datasetId: unknown,
  options: unknown,
): Promise<TagData[]> {
  return readWith(
    client,
    "tag list request",
    options,
    [[DATASET_ID, datasetId]],
    ([d]) => `/v1/datasets/${d}/tags`,
    TagListSchema,
  );
}

/**
 * Lists a dataset's tags: `GET /v1/datasets/{datasetId}/tags`. The initial
 * tag is the one named `initial-tag`.
 *
 * @param datasetId The dataset's ObjectId.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated tags, in the server's order.
 * @throws {ValidationError | LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   A bad id or option (nothing sent); the API's refusal; as `triggerSampling`.
 */
export function listTags(
  datasetId: string,
  options: JobOptions = {},
): Promise<TagData[]> {
  return listTagsWith(undefined, datasetId, options);
}

/** {@linkcode listEmbeddings} for a client or a free call. */
export function listEmbeddingsWith(
  client: Client | undefined,
  datasetId: unknown,
  options: unknown,
): Promise<DatasetEmbeddingData[]> {
  return readWith(
    client,
    "embedding list request",
    options,
    [[DATASET_ID, datasetId]],
    ([d]) => `/v1/datasets/${d}/embeddings`,
    EmbeddingListSchema,
  );
}

/**
 * Lists a dataset's embeddings: `GET /v1/datasets/{datasetId}/embeddings`,
 * newest first as the server sends them. Only `isProcessed` ones can be
 * sampled.
 *
 * @param datasetId The dataset's ObjectId.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated embeddings, in the server's order.
 * @throws {ValidationError | LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   A bad id or option (nothing sent); the API's refusal; as `triggerSampling`.
 */
export function listEmbeddings(
  datasetId: string,
  options: JobOptions = {},
): Promise<DatasetEmbeddingData[]> {
  return listEmbeddingsWith(undefined, datasetId, options);
}

/** {@linkcode findTagByName} for a client or a free call. */
export async function findTagByNameWith(
  client: Client | undefined,
  datasetId: unknown,
  name: unknown,
  options: unknown,
): Promise<TagData | undefined> {
  const tags = await readWith(
    client,
    "tag lookup",
    options,
    [[DATASET_ID, datasetId], [TAG_NAME, name]],
    ([d]) => `/v1/datasets/${d}/tags`,
    TagListSchema,
  );
  return tags.find((tag) => tag.name === name);
}

/**
 * Finds a dataset's tag by name (one `GET /v1/datasets/{datasetId}/tags`),
 * as Lightly's `get_tag_by_name` does.
 *
 * @param datasetId The dataset's ObjectId.
 * @param name The tag's name, e.g. `initial-tag`.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The tag, or `undefined` when the dataset has none of that name.
 * @throws {ValidationError | LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   A bad id or option (nothing sent); the API's refusal; as `triggerSampling`.
 */
export function findTagByName(
  datasetId: string,
  name: string,
  options: JobOptions = {},
): Promise<TagData | undefined> {
  return findTagByNameWith(undefined, datasetId, name, options);
}

/** {@linkcode getEmbeddings2d} for a client or a free call. */
export function getEmbeddings2dWith(
  client: Client | undefined,
  datasetId: unknown,
  embeddingId: unknown,
  options: unknown,
): Promise<Embedding2dData[]> {
  return readWith(
    client,
    "2-D embedding request",
    options,
    [[DATASET_ID, datasetId], [EMBEDDING_ID, embeddingId]],
    ([d, e]) => `/v1/datasets/${d}/embeddings/${e}/2d`,
    Embedding2dListSchema,
    MAX_EMBEDDING_2D_BYTES,
  );
}

/**
 * Reads the 2-D projections of an embedding:
 * `GET /v1/datasets/{datasetId}/embeddings/{embeddingId}/2d`. The
 * coordinates are in sample order, the bit order of a tag's `bitMaskData`;
 * the answer may be large (read up to {@linkcode MAX_EMBEDDING_2D_BYTES}).
 *
 * @param datasetId The dataset's ObjectId.
 * @param embeddingId The embedding's ObjectId.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated `Embedding2dData` list (possibly empty).
 * @throws {ValidationError | LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   A bad id or option (nothing sent); the API's refusal; as `triggerSampling`.
 */
export function getEmbeddings2d(
  datasetId: string,
  embeddingId: string,
  options: JobOptions = {},
): Promise<Embedding2dData[]> {
  return getEmbeddings2dWith(undefined, datasetId, embeddingId, options);
}
