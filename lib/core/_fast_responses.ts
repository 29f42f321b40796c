/**
 * Response validators with a fast path for the common, valid answer: a
 * hand-written check of the fields the package uses, falling back to the zod
 * schema (for its issues) whenever the check says no. Equivalent to the zod
 * schema for every input the check accepts: that schema is a `looseObject`
 * whose only required field is an ObjectId `jobId`.
 *
 * @module
 */
import {
  AsyncTaskDataSchema,
  OBJECT_ID_PATTERN,
  type Schema,
} from "./schemas.ts";
import type { AsyncTaskData } from "./types.ts";

/** `AsyncTaskDataSchema`, with a fast path for `{ jobId: "<ObjectId>" , … }`. */
export const fastAsyncTaskData: Schema<AsyncTaskData> = {
  parse(data: unknown): AsyncTaskData {
    return isAsyncTaskData(data) ? data : AsyncTaskDataSchema.parse(data);
  },
  safeParse(data: unknown) {
    return isAsyncTaskData(data)
      ? { success: true as const, data }
      : AsyncTaskDataSchema.safeParse(data);
  },
};

function isAsyncTaskData(data: unknown): data is AsyncTaskData {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return false;
  }
  const jobId = (data as { jobId?: unknown }).jobId;
  return typeof jobId === "string" && OBJECT_ID_PATTERN.test(jobId);
}
