/**
 * The small reads a sampling workflow needs: one tag, a dataset's tags (and
 * one by name), a dataset's embeddings. Ids are validated before anything is sent; answers
 * are validated on the fields this package uses, unknown fields kept.
 *
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import { checkObjectIds, getValidated, type JobOptions } from "./wait.ts";
import {
  EmbeddingListSchema,
  TagDataSchema,
  TagListSchema,
} from "../core/schemas.ts";
import type { DatasetEmbeddingData, TagData } from "../core/types.ts";
import { describeValue } from "../core/validate.ts";

function datasetPath(datasetId: string): string {
  return `/v1/datasets/${encodeURIComponent(datasetId)}`;
}

/**
 * Reads one tag: `GET /v1/datasets/{datasetId}/tags/{tagId}`.
 *
 * @param datasetId The dataset's ObjectId.
 * @param tagId The tag's ObjectId, e.g. `waitForJob`'s `tagId`.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated `TagData`.
 * @throws {ValidationError} An id that is not an ObjectId, or bad options; nothing was sent.
 * @throws {LightlyApiError} The API said no (e.g. 404 `TAG_UNKNOWN`).
 * @throws {UnexpectedResponseError | NetworkError | TimeoutError | AbortedError} As `triggerSampling`.
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
  try {
    checkObjectIds({ datasetId, tagId }, "tag request");
  } catch (error) {
    return Promise.reject(error);
  }
  return getValidated(
    `${datasetPath(datasetId)}/tags/${encodeURIComponent(tagId)}`,
    TagDataSchema,
    options,
  );
}

/**
 * Lists a dataset's tags: `GET /v1/datasets/{datasetId}/tags`. The initial
 * tag is the one named `initial-tag`.
 *
 * @param datasetId The dataset's ObjectId.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated tags, in the server's order.
 * @throws {ValidationError} A `datasetId` that is not an ObjectId, or bad options; nothing was sent.
 * @throws {LightlyApiError} The API said no (e.g. 404 `DATASET_UNKNOWN`).
 * @throws {UnexpectedResponseError | NetworkError | TimeoutError | AbortedError} As `triggerSampling`.
 *
 * @example Check whether a tag name is taken
 * ```ts ignore
 * import { listTags } from "./reads.ts";
 * const tags = await listTags("0123456789abcdef01234567", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 * });
 * console.log(tags.some((t) => t.name === "coreset-100"));
 * ```
 */
export function listTags(
  datasetId: string,
  options: JobOptions = {},
): Promise<TagData[]> {
  try {
    checkObjectIds({ datasetId }, "tag list request");
  } catch (error) {
    return Promise.reject(error);
  }
  return getValidated(`${datasetPath(datasetId)}/tags`, TagListSchema, options);
}

/**
 * Lists a dataset's embeddings: `GET /v1/datasets/{datasetId}/embeddings`,
 * newest first as the server sends them. Only `isProcessed` ones can be
 * sampled.
 *
 * @param datasetId The dataset's ObjectId.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated embeddings, in the server's order.
 * @throws {ValidationError} A `datasetId` that is not an ObjectId, or bad options; nothing was sent.
 * @throws {LightlyApiError} The API said no (e.g. 404 `DATASET_UNKNOWN`).
 * @throws {UnexpectedResponseError | NetworkError | TimeoutError | AbortedError} As `triggerSampling`.
 *
 * @example Find the processed embeddings
 * ```ts ignore
 * import { listEmbeddings } from "./reads.ts";
 * const embeddings = await listEmbeddings("0123456789abcdef01234567", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 * });
 * console.log(embeddings.filter((e) => e.isProcessed).map((e) => e.name));
 * ```
 */
export function listEmbeddings(
  datasetId: string,
  options: JobOptions = {},
): Promise<DatasetEmbeddingData[]> {
  try {
    checkObjectIds({ datasetId }, "embedding list request");
  } catch (error) {
    return Promise.reject(error);
  }
  return getValidated(
    `${datasetPath(datasetId)}/embeddings`,
    EmbeddingListSchema,
    options,
  );
}

/**
 * Finds a dataset's tag by name (one `GET /v1/datasets/{datasetId}/tags`),
 * as Lightly's `get_tag_by_name` does.
 *
 * @param datasetId The dataset's ObjectId.
 * @param name The tag's name, e.g. `initial-tag`.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The tag, or `undefined` when the dataset has none of that name.
 * @throws {ValidationError} A `datasetId` that is not an ObjectId, or bad options; nothing was sent.
 * @throws {LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError} As `listTags`.
 *
 * @example
 * ```ts ignore
 * import { findTagByName } from "./reads.ts";
 * const tag = await findTagByName("0123456789abcdef01234567", "coreset-100", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 * });
 * console.log(tag?.id ?? "no such tag");
 * ```
 */
export async function findTagByName(
  datasetId: string,
  name: string,
  options: JobOptions = {},
): Promise<TagData | undefined> {
  if (typeof name !== "string" || name === "") {
    throw new ValidationError([{
      path: "name",
      rule: "must be a non-empty string",
      received: describeValue(name),
    }], "tag lookup");
  }
  const tags = await listTags(datasetId, options);
  return tags.find((tag) => tag.name === name);
}
