/**
 * The shapes of the Lightly API as data: zod schemas of its answers (the
 * ones this package checks every response with) and of the sampling request,
 * and the request rules' patterns and enums. Each schema is typed as a small
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
  JOB_STATES,
  JobResultSchema,
  JobStatusDataSchema,
  JobStatusMetaSchema,
  OBJECT_ID_PATTERN,
  ObjectIdSchema,
  type SafeParseResult,
  SAMPLING_METHODS,
  SamplingConfigSchema,
  SamplingCreateRequestSchema,
  SamplingInputSchema,
  SamplingMethodSchema,
  type Schema,
  SCORE_TYPE_PATTERN,
  StoppingConditionSchema,
  TAG_NAME_PATTERN,
  TagDataSchema,
  TagListSchema,
} from "./lib/core/schemas.ts";
