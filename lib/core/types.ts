// The API's shapes, written by hand so they document themselves; the compiler
// checks that each zod schema of `schemas.ts` produces its type.

/** The sampling method. */
export type SamplingMethod = "ACTIVE_LEARNING" | "CORAL" | "CORESET" | "RANDOM";

/** `config.stoppingCondition`: when the sampling stops. */
export interface StoppingCondition {
  /**
   * A fraction of all samples in (0, 1], a whole number of samples above 1
   * (preselected samples included), or -1 to turn this condition off.
   */
  nSamples?: number;
  /**
   * Stop before the minimum distance between chosen samples falls below
   * this; -1 turns this condition off.
   */
  minDistance?: number;
}

/** `config` of a sampling request; `{}` is valid. */
export interface SamplingConfig {
  /** When the sampling stops. */
  stoppingCondition?: StoppingCondition;
}

/** The wire body of a sampling request (`SamplingCreateRequest`), camelCase. */
export interface SamplingCreateRequest {
  /** Name of the tag the job creates: at least 3 characters, `^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$`. */
  newTagName: string;
  /** The sampling method. */
  method: SamplingMethod;
  /** Stopping condition; `{}` is valid. */
  config: SamplingConfig;
  /** ObjectId of a tag whose samples are already chosen (e.g. labelled). */
  preselectedTagId?: string;
  /** ObjectId of the candidate pool's tag; omitted means the dataset's `initial-tag`. */
  queryTagId?: string;
  /** Name of an active-learning score uploaded for the query tag, e.g. `uncertainty_margin`. */
  scoreType?: string;
  /** Number of rows of the embedding; Lightly's workflow sets the initial tag's `totSize`. */
  rowCount?: number;
}

/** Everything a sampling trigger needs: the two path ids and the wire body. */
export interface SamplingInput {
  /** The dataset's ObjectId. */
  datasetId: string;
  /** The embedding's ObjectId. */
  embeddingId: string;
  /** The wire body. */
  body: SamplingCreateRequest;
}

/** `AsyncTaskData`: the answer to a trigger. Unknown fields are kept. */
export interface AsyncTaskData {
  /** The id of the job the trigger started. */
  jobId: string;
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}

/** `ApiErrorResponse`: the body of a non-2xx answer. Unknown fields are kept. */
export interface ApiErrorResponse {
  /** The server's error code, e.g. `TAG_NAME_EXISTS`; an open set. */
  code: string;
  /** The server's error message. */
  error: string;
  /** The server's request id, for support. */
  requestId?: string;
  /** Labels the server attached to the error. */
  errorLabels?: string[];
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}

/** A job state the API documents; it may add more, so job status is an open string. */
export type JobState =
  | "UNKNOWN"
  | "WAITING"
  | "RUNNING"
  | "FAILED"
  | "FINISHED";

/** `JobStatusMeta`: progress of a job. */
export interface JobStatusMeta {
  /** Units of work in all. */
  total: number;
  /** Units of work done. */
  processed: number;
  /** `USER_WEBAPP`, `USER_PIP` or `INTERNAL`. */
  uploadMethod?: string;
  /** Whether the job is registered. */
  isRegistered?: boolean;
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}

/** `JobStatusDataResult`: what a finished job produced. */
export interface JobResult {
  /** `DATASET_PROCESSING`, `IMAGEMETA`, `EMBEDDING`, `EMBEDDINGS2D` or `SAMPLING`. */
  type: string;
  /** For a sampling job: the id of the new tag. */
  data?: unknown;
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}

/** `JobStatusData`: the answer to `GET /v1/jobs/{jobId}`. Unknown fields are kept. */
export interface JobStatusData {
  /** The job's id. */
  id: string;
  /** The dataset the job works on. */
  datasetId?: string;
  /** A {@linkcode JobState}, or a state the server added later. */
  status: JobState | (string & Record<never, never>);
  /** Progress. */
  meta?: JobStatusMeta;
  /** Seconds the client should wait before polling again. */
  waitTimeTillNextPoll: number;
  /** Unix time in milliseconds. */
  createdAt: number;
  /** Unix time in milliseconds. */
  lastModifiedAt?: number;
  /** Unix time in milliseconds. */
  finishedAt?: number;
  /** The server's error text of a failed job. */
  error?: string;
  /** What the job produced. */
  result?: JobResult;
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}

/** `TagData`: one tag of a dataset. Unknown fields are kept. */
export interface TagData {
  /** The tag's id. */
  id: string;
  /** The dataset's id. */
  datasetId: string;
  /** The tag this one was derived from; `null` for the initial tag. */
  prevTagId: string | null;
  /** The candidate pool the tag was sampled from. */
  queryTagId?: string;
  /** The preselected tag of the sampling that made it. */
  preselectedTagId?: string;
  /** The tag's name. */
  name: string;
  /** Bitmask over the dataset's samples, `^0x[a-f0-9]+$`. */
  bitMaskData: string;
  /** Number of samples in the tag. */
  totSize: number;
  /** Unix time in milliseconds. */
  createdAt: number;
  /** Unix time in milliseconds. */
  lastModifiedAt?: number;
  /** Changes recorded on the tag. */
  changes?: unknown;
  /** The run that made the tag. */
  runId?: string;
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}

/** `DatasetEmbeddingData`: one embedding of a dataset. Unknown fields are kept. */
export interface DatasetEmbeddingData {
  /** The embedding's id. */
  id: string;
  /** The embedding's name. */
  name: string;
  /** Whether the server finished processing it; only processed ones can be sampled. */
  isProcessed: boolean;
  /** Unix time in milliseconds. */
  createdAt: number;
  /** Whether it is a 2-D embedding. */
  is2d?: boolean;
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}

/** What an export entry is: a file name, a datasource URL or a signed read URL. */
export type FileNameFormat = "NAME" | "DATASOURCE_FULL" | "REDIRECTED_READ_URL";

/** How a 2-D embedding was reduced. */
export type DimensionalityReductionMethod = "PCA" | "TSNE" | "UMAP";

/** `Embedding2dData`: a 2-D projection of an embedding. Unknown fields are kept. */
export interface Embedding2dData {
  /** The 2-D embedding's id. */
  id: string;
  /** The dataset's id. */
  datasetId: string;
  /** The embedding it projects. */
  embeddingId: string;
  /** Its name. */
  name: string;
  /** Unix time in milliseconds. */
  createdAt: number;
  /** A {@linkcode DimensionalityReductionMethod}, or one the server added later. */
  dimensionalityReductionMethod:
    | DimensionalityReductionMethod
    | (string & Record<never, never>);
  /** x of each sample, in sample order (the bit order of a tag's `bitMaskData`). */
  coordinatesDimension1?: number[];
  /** y of each sample, in sample order. */
  coordinatesDimension2?: number[];
  /** Fields the server added that this package does not use: kept, never fatal. */
  [key: string]: unknown;
}
