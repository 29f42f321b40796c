// Zod schemas of the API's answers (the only zod importer): lenient, unknown
// fields kept; ids that go into request paths must be ObjectIds.
import { z } from "npm:zod@^4.1.0";
import type {
  ApiErrorResponse,
  AsyncTaskData,
  DatasetEmbeddingData,
  Embedding2dData,
  JobResult,
  JobStatusData,
  JobStatusMeta,
  TagData,
} from "./types.ts";
import { isObjectId, OBJECT_ID_PATTERN, RULES } from "./rules.ts";
import { isObject } from "./validate.ts";

/** The outcome of {@linkcode Schema.safeParse}. */
export type SafeParseResult<T> =
  | { success: true; data: T; error?: undefined }
  | {
    success: false;
    data?: undefined;
    error: {
      issues: readonly {
        code: string;
        path: PropertyKey[];
        message: string;
      }[];
    };
  };

/**
 * The public face of this package's schemas: at run time each is a zod 4
 * schema (cast it to use zod's whole API); its type names only what this
 * package promises, so zod's types stay out of the public API.
 */
export interface Schema<T> {
  /** Returns the valid value or throws zod's error listing every problem. */
  parse(data: unknown): T;
  /** Never throws: `{ success: true, data }` or `{ success: false, error }`. */
  safeParse(data: unknown): SafeParseResult<T>;
}

const objectId = z.string().regex(OBJECT_ID_PATTERN, { error: RULES.objectId });

/** An optional field, dropped when malformed: never fatal for a field the server added. */
function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

const asyncTaskData = z.looseObject({ jobId: objectId });

const jobStatusMeta = z.looseObject({
  total: z.number(),
  processed: z.number(),
  uploadMethod: lenient(z.string()),
  isRegistered: lenient(z.boolean()),
});

const jobResult = z.looseObject({
  type: z.string(),
  data: z.unknown().optional(),
});

const jobStatusData = z.looseObject({
  id: z.string().min(1),
  datasetId: lenient(z.string()),
  status: z.string().min(1),
  meta: lenient(jobStatusMeta),
  waitTimeTillNextPoll: z.number(),
  createdAt: z.number(),
  lastModifiedAt: lenient(z.number()),
  finishedAt: lenient(z.number()),
  error: lenient(z.string()),
  result: lenient(jobResult),
});

const tagData = z.looseObject({
  id: z.string().min(1),
  datasetId: z.string(),
  prevTagId: z.string().nullable(),
  queryTagId: lenient(z.string()),
  preselectedTagId: lenient(z.string()),
  name: z.string(),
  bitMaskData: z.string(),
  totSize: z.number(),
  createdAt: z.number(),
  lastModifiedAt: lenient(z.number()),
  changes: z.unknown().optional(),
  runId: lenient(z.string()),
});

const datasetEmbeddingData = z.looseObject({
  id: objectId,
  name: z.string(),
  isProcessed: z.boolean(),
  createdAt: z.number(),
  is2d: lenient(z.boolean()),
});

// ------------------------------------------------------------ public faces

/** A MongoDB ObjectId: 24 lower-case hex characters. */
export const ObjectIdSchema: Schema<string> = objectId;
/**
 * `AsyncTaskData`: the answer to a trigger. The common answer — an object
 * whose `jobId` is an ObjectId — passes without zod (the trigger's
 * overhead gate); anything else goes to zod, for its issues.
 */
export const AsyncTaskDataSchema: Schema<AsyncTaskData> = {
  parse: (data) => isAsyncTaskData(data) ? data : asyncTaskData.parse(data),
  safeParse: (data) =>
    isAsyncTaskData(data)
      ? { success: true, data }
      : asyncTaskData.safeParse(data) as SafeParseResult<AsyncTaskData>,
};

function isAsyncTaskData(data: unknown): data is AsyncTaskData {
  return isObject(data) && isObjectId(data.jobId);
}
/** `ApiErrorResponse`: the body of a non-2xx answer from the API. */
export const ApiErrorResponseSchema: Schema<ApiErrorResponse> = z.looseObject({
  code: z.string(),
  error: z.string(),
  requestId: lenient(z.string()),
  errorLabels: lenient(z.array(z.string())),
});
/** `JobStatusMeta`: progress of a job. */
export const JobStatusMetaSchema: Schema<JobStatusMeta> = jobStatusMeta;
/** `JobStatusDataResult`: what a finished job produced. */
export const JobResultSchema: Schema<JobResult> = jobResult;
/**
 * `JobStatusData`. `status` is kept as an open string: a state added by the
 * server later is surfaced, not a crash; {@linkcode JOB_STATES} lists the
 * documented ones.
 */
export const JobStatusDataSchema: Schema<JobStatusData> = jobStatusData;
/** `TagData`: one tag of a dataset. */
export const TagDataSchema: Schema<TagData> = tagData;
/** `TagData[]`: the answer to `GET /v1/datasets/{datasetId}/tags`. */
export const TagListSchema: Schema<TagData[]> = z.array(tagData);
/** `DatasetEmbeddingData`: one embedding of a dataset. */
export const DatasetEmbeddingDataSchema: Schema<DatasetEmbeddingData> =
  datasetEmbeddingData;
/** `DatasetEmbeddingData[]`: the answer to `GET /v1/datasets/{datasetId}/embeddings`. */
export const EmbeddingListSchema: Schema<DatasetEmbeddingData[]> = z.array(
  datasetEmbeddingData,
);

const embedding2dData = z.looseObject({
  id: z.string().min(1),
  datasetId: z.string(),
  embeddingId: z.string(),
  name: z.string(),
  createdAt: z.number(),
  dimensionalityReductionMethod: z.string(),
  // The coordinates are what a display uses: checked when present.
  coordinatesDimension1: z.array(z.number()).optional(),
  coordinatesDimension2: z.array(z.number()).optional(),
});

/** `Embedding2dData`: a 2-D projection of an embedding. */
export const Embedding2dDataSchema: Schema<Embedding2dData> = embedding2dData;
/** `Embedding2dData[]`: the answer to `GET …/embeddings/{embeddingId}/2d`. */
export const Embedding2dListSchema: Schema<Embedding2dData[]> = z.array(
  embedding2dData,
);
