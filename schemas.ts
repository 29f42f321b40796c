/**
 * The shapes of the Lightly API as data: zod schemas of its answers (the
 * ones this package checks every response with), and the request rules'
 * patterns, enums and texts (the rules table checks requests, without zod). Each schema is typed as a small
 * {@linkcode Schema} (`parse`, `safeParse`); at run time it is a zod 4 schema.
 * Importing this entry point loads zod.
 *
 * @example Check a tag you read some other way
 * ```ts
 * import { TagDataSchema } from "@lightly-sampling/lightly-sampling/schemas";
 *
 * const result = TagDataSchema.safeParse(JSON.parse('{"id": "x"}'));
 * if (!result.success) console.log(result.error.issues.map((i) => i.message));
 * ```
 *
 * @module
 */

export {
  ApiErrorResponseSchema,
  AsyncTaskDataSchema,
  DatasetEmbeddingDataSchema,
  Embedding2dDataSchema,
  Embedding2dListSchema,
  EmbeddingListSchema,
  JobResultSchema,
  JobStatusDataSchema,
  JobStatusMetaSchema,
  ObjectIdSchema,
  type SafeParseResult,
  type Schema,
  TagDataSchema,
  TagListSchema,
} from "./lib/core/schemas.ts";
export {
  JOB_STATES,
  OBJECT_ID_PATTERN,
  SAMPLING_METHODS,
  SCORE_TYPE_PATTERN,
  TAG_NAME_PATTERN,
} from "./lib/core/rules.ts";
