/** The single reads: a job's status, tags, embeddings, 2-D coordinates. */
import { getRequest } from "../core/build.ts";
import {
  type Client,
  type ClientOptions,
  type HttpOptions,
  prepare,
} from "../core/client.ts";
import { type ResponseSchema, sendJson } from "../core/http.ts";
import { objectId, READ_OPTIONS, TAG_NAME } from "../core/rules.ts";
import * as schemas from "../core/schemas.ts";
import type {
  DatasetEmbeddingData,
  Embedding2dData,
  JobStatusData,
  TagData,
} from "../core/types.ts";
import type { Table } from "../core/validate.ts";

/** Options of a single read: the connection's and the request's. */
export interface JobOptions extends ClientOptions, HttpOptions {}

/** A read: its name in errors, its ids (path ids first), its path, its answer, what of it is returned. */
interface Read<T, R = T> {
  readonly subject: string;
  readonly ids: readonly Table[];
  readonly path: (ids: readonly unknown[]) => string;
  readonly schema: ResponseSchema<T>;
  readonly maxBodyBytes?: number;
  readonly pick?: (answer: T, ids: readonly unknown[]) => R;
}

const DATASET_ID = objectId("datasetId");
const tags = (d: unknown) => `/v1/datasets/${d}/tags`;

/** Every read, by the name of its free function. */
export const READS = {
  getJobStatus: {
    subject: "job status request",
    ids: [objectId("jobId")],
    path: ([j]) => `/v1/jobs/${j}`,
    schema: schemas.JobStatusDataSchema,
  } as Read<JobStatusData>,
  getTag: {
    subject: "tag request",
    ids: [DATASET_ID, objectId("tagId")],
    path: ([d, t]) => `${tags(d)}/${t}`,
    schema: schemas.TagDataSchema,
  } as Read<TagData>,
  listTags: {
    subject: "tag list request",
    ids: [DATASET_ID],
    path: ([d]) => tags(d),
    schema: schemas.TagListSchema,
  } as Read<TagData[]>,
  findTagByName: {
    subject: "tag lookup",
    ids: [DATASET_ID, TAG_NAME],
    path: ([d]) => tags(d),
    schema: schemas.TagListSchema,
    pick: (all, [, name]) => all.find((tag) => tag.name === name),
  } as Read<TagData[], TagData | undefined>,
  listEmbeddings: {
    subject: "embedding list request",
    ids: [DATASET_ID],
    path: ([d]) => `/v1/datasets/${d}/embeddings`,
    schema: schemas.EmbeddingListSchema,
  } as Read<DatasetEmbeddingData[]>,
  getEmbeddings2d: {
    subject: "2-D embedding request",
    ids: [DATASET_ID, objectId("embeddingId")],
    path: ([d, e]) => `/v1/datasets/${d}/embeddings/${e}/2d`,
    schema: schemas.Embedding2dListSchema,
    maxBodyBytes: 256 * 1024 * 1024, // two numbers per sample
  } as Read<Embedding2dData[]>,
};

/** A read's id tables, each with its argument, as `prepare` takes them. */
export function pathIds(
  read: { readonly ids: readonly Table[] },
  ids: readonly unknown[],
): [Table, unknown][] {
  return read.ids.map((table, i) => [table, ids[i]]);
}

/** Validates a read's ids and options together (one `ValidationError`), then GETs it: every read goes here. */
export async function readWith<T, R>(
  client: Client | undefined,
  read: Read<T, R>,
  ids: readonly unknown[],
  options: unknown,
): Promise<R> {
  const { client: c, options: o, args } = prepare<JobOptions>(
    client,
    read.subject,
    READ_OPTIONS,
    options,
    ...pathIds(read, ids),
  );
  const answer = await sendJson(
    getRequest(c, read.path(args)),
    read.schema,
    { ...c.http(o.signal, o.timeoutMs), maxBodyBytes: read.maxBodyBytes },
  );
  return read.pick ? read.pick(answer, args) : answer as unknown as R;
}

/**
 * Reads a job's status once: `GET /v1/jobs/{jobId}`, unknown fields and
 * statuses kept. Like every read: a bad id or option throws
 * `ValidationError` (nothing sent); else it throws as `triggerSampling`.
 */
export function getJobStatus(
  jobId: string,
  options: JobOptions = {},
): Promise<JobStatusData> {
  return readWith(undefined, READS.getJobStatus, [jobId], options);
}

/** Reads one tag: `GET /v1/datasets/{datasetId}/tags/{tagId}`; throws as {@linkcode getJobStatus}. */
export function getTag(
  datasetId: string,
  tagId: string,
  options: JobOptions = {},
): Promise<TagData> {
  return readWith(undefined, READS.getTag, [datasetId, tagId], options);
}

/** Lists a dataset's tags: `GET /v1/datasets/{datasetId}/tags`; throws as {@linkcode getJobStatus}. */
export function listTags(
  datasetId: string,
  options: JobOptions = {},
): Promise<TagData[]> {
  return readWith(undefined, READS.listTags, [datasetId], options);
}

/** A dataset's tag of that name, e.g. `initial-tag`, or `undefined` (one {@linkcode listTags}, as Lightly's `get_tag_by_name`). */
export function findTagByName(
  datasetId: string,
  name: string,
  options: JobOptions = {},
): Promise<TagData | undefined> {
  return readWith(undefined, READS.findTagByName, [datasetId, name], options);
}

/** Lists a dataset's embeddings, newest first; only `isProcessed` ones can be sampled: `GET /v1/datasets/{datasetId}/embeddings`. */
export function listEmbeddings(
  datasetId: string,
  options: JobOptions = {},
): Promise<DatasetEmbeddingData[]> {
  return readWith(undefined, READS.listEmbeddings, [datasetId], options);
}

/**
 * Reads an embedding's 2-D projections (up to 256 MiB), in sample order,
 * the bit order of a tag's `bitMaskData`:
 * `GET /v1/datasets/{datasetId}/embeddings/{embeddingId}/2d`.
 */
export function getEmbeddings2d(
  datasetId: string,
  embeddingId: string,
  options: JobOptions = {},
): Promise<Embedding2dData[]> {
  const ids = [datasetId, embeddingId];
  return readWith(undefined, READS.getEmbeddings2d, ids, options);
}
