/**
 * `selectSamples`: the whole sampling workflow in one call — resolve the
 * embedding, check the dataset, trigger, wait, fetch the new tag — with
 * every step's failure reported as a {@linkcode SelectionStepError} that
 * names the step.
 *
 * @module
 */
import { buildSamplingRequest } from "../core/build.ts";
import { ValidationError, type ValidationIssue } from "../core/errors.ts";
import {
  type SelectionRefusal,
  type SelectionStep,
  SelectionStepError,
} from "../core/errors.ts";
import {
  checkWaitOptions,
  type JobOptions,
  waitForJob,
  type WaitOptions,
} from "./wait.ts";
import { getTag, listEmbeddings, listTags } from "./reads.ts";
import { secretsOf } from "../core/redact.ts";
import {
  checkRetryOptions,
  type TriggerRetryOptions,
  triggerSampling,
} from "../core/trigger.ts";
import { isValidRowCount } from "../core/schemas.ts";
import type {
  DatasetEmbeddingData,
  JobStatusData,
  SamplingCreateRequest,
  TagData,
} from "../core/types.ts";

export type { SelectionRefusal, SelectionStep } from "../core/errors.ts";

/** The name of the tag every dataset starts with. */
export const INITIAL_TAG_NAME = "initial-tag";

/** What to select: the dataset, optionally the embedding, and the wire body. */
export interface SelectionInput {
  /** The dataset's ObjectId. */
  datasetId: string;
  /** The embedding's ObjectId; omitted means the newest processed one. */
  embeddingId?: string;
  /**
   * The wire body. `rowCount` omitted means the `totSize` of the dataset's
   * `initial-tag`.
   */
  body: SamplingCreateRequest;
}

/** Options of {@linkcode selectSamples}: the wait's options plus the POST's retry policy and a step callback. */
export interface SelectOptions extends WaitOptions {
  /**
   * The sampling POST's retry policy, or `false` to send it exactly once.
   * Its clock defaults to `clock`.
   *
   * @default {{ maxAttempts: 3, maxRetryAfterMs: 60000 }}
   */
  retry?: TriggerRetryOptions | false;
  /**
   * Called as each step begins.
   *
   * @default {undefined}
   */
  onStep?: (step: SelectionStep) => void;
}

/** What {@linkcode selectSamples} returns. */
export interface SelectionResult {
  /** The sampling job's id. */
  jobId: string;
  /** The new tag's id. */
  tagId: string;
  /** The new tag, as the server describes it. */
  tag: TagData;
  /** The embedding the selection ran on. */
  embeddingId: string;
  /** The `rowCount` sent with the POST. */
  rowCount: number;
  /** The job's final `FINISHED` status. */
  job: JobStatusData;
}

const PLACEHOLDER_ID = "000000000000000000000000";

/**
 * Validates everything before any request: input, client, wait and retry
 * options. Returns the client's secrets, to mask in the server's text.
 */
function checkInput(
  input: SelectionInput,
  options: SelectOptions,
): readonly string[] {
  if (typeof input !== "object" || input === null) {
    throw new ValidationError([{
      path: "(input)",
      rule: "must be an object",
    }], "selection");
  }
  // The builder checks the ids, the body and the client options in one go;
  // a placeholder stands in for an embedding that is resolved later.
  const request = buildSamplingRequest({
    datasetId: input.datasetId,
    embeddingId: input.embeddingId ?? PLACEHOLDER_ID,
    body: input.body,
  }, options);
  const issues: ValidationIssue[] = [];
  checkWaitOptions(options, issues);
  checkRetryOptions(options.retry, "options.retry", issues);
  if (options.onStep !== undefined && typeof options.onStep !== "function") {
    issues.push({ path: "options.onStep", rule: "must be a function" });
  }
  if (issues.length > 0) throw new ValidationError(issues, "options");
  return secretsOf(request.url, request.headers);
}

/** The newest processed embedding: list order is newest first, `createdAt` decides. */
function newestProcessed(
  embeddings: readonly DatasetEmbeddingData[],
): DatasetEmbeddingData | undefined {
  let best: DatasetEmbeddingData | undefined;
  for (const e of embeddings) {
    if (e.isProcessed !== true) continue;
    if (best === undefined || e.createdAt > best.createdAt) best = e;
  }
  return best;
}

async function step<T>(
  name: SelectionStep,
  options: SelectOptions,
  secrets: readonly string[],
  run: () => Promise<T>,
  jobId?: string,
): Promise<T> {
  options.onStep?.(name);
  try {
    return await run();
  } catch (error) {
    throw new SelectionStepError({ step: name, cause: error, jobId, secrets });
  }
}

/**
 * Selects samples, start to finish, like Lightly's `ApiWorkflowClient.selection()`
 * but safe to leave unattended:
 *
 * 1. `resolve-embedding` (only when `embeddingId` is omitted): the newest
 *    processed embedding; refused with `NO_PROCESSED_EMBEDDING` when none.
 * 2. `preflight`: lists the tags once; refuses a dataset without tags
 *    (`NO_TAGS`), a `newTagName` that exists (`TAG_NAME_EXISTS`), and, when
 *    `rowCount` is omitted, a dataset without `initial-tag`
 *    (`NO_INITIAL_TAG`, found by name) or with an empty one
 *    (`INITIAL_TAG_EMPTY`); `rowCount` becomes the initial tag's `totSize`.
 * 3. `trigger`: the POST with its retry policy (see `triggerSampling`).
 * 4. `wait`: `waitForJob` with these options.
 * 5. `fetch-tag`: `getTag` of the new tag.
 *
 * Reads and the POST use `requestTimeoutMs` per request; `timeoutMs` bounds
 * the wait step.
 *
 * @param input The dataset, the optional embedding and the wire body.
 * @param options Host, credentials, wait and retry options, `onStep`, `onProgress`.
 * @returns The job id, the new tag and its id, the embedding id, the rowCount sent and the final job status.
 * @throws {ValidationError} Bad input or options; nothing was sent.
 * @throws {SelectionStepError} A step failed or refused: `step`, `reason` (refusals), `cause` (the original error), `jobId` (once known).
 *
 * @example Select 100 samples with coreset and get the new tag
 * ```ts ignore
 * import { selectSamples } from "./workflow.ts";
 * const { tag } = await selectSamples({
 *   datasetId: "0123456789abcdef01234567",
 *   body: {
 *     newTagName: "coreset-100",
 *     method: "CORESET",
 *     config: { stoppingCondition: { nSamples: 100 } },
 *   },
 * }, { auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! } });
 * console.log(tag.name, tag.totSize);
 * ```
 */
export async function selectSamples(
  input: SelectionInput,
  options: SelectOptions = {},
): Promise<SelectionResult> {
  const secrets = checkInput(input, options);
  const refuse = (
    step: SelectionStep,
    reason: SelectionRefusal,
    detail: string,
  ) => new SelectionStepError({ step, reason, detail, secrets });
  const { datasetId, body } = input;
  const read: JobOptions = {
    baseUrl: options.baseUrl,
    auth: options.auth,
    headers: options.headers,
    fetch: options.fetch,
    signal: options.signal,
    timeoutMs: options.requestTimeoutMs,
  };

  let embeddingId = input.embeddingId;
  if (embeddingId === undefined) {
    const embeddings = await step(
      "resolve-embedding",
      options,
      secrets,
      () => listEmbeddings(datasetId, read),
    );
    const chosen = newestProcessed(embeddings);
    if (chosen === undefined) {
      throw refuse(
        "resolve-embedding",
        "NO_PROCESSED_EMBEDDING",
        `dataset ${datasetId} has no processed embedding (${embeddings.length} in all); pass embeddingId or wait for processing`,
      );
    }
    embeddingId = chosen.id;
  }

  const tags = await step(
    "preflight",
    options,
    secrets,
    () => listTags(datasetId, read),
  );
  if (tags.length === 0) {
    throw refuse(
      "preflight",
      "NO_TAGS",
      `dataset ${datasetId} has no tags; upload samples first`,
    );
  }
  const taken = tags.find((t) => t.name === body.newTagName);
  if (taken !== undefined) {
    throw refuse(
      "preflight",
      "TAG_NAME_EXISTS",
      `dataset ${datasetId} already has a tag named "${body.newTagName}" (id ${taken.id}); choose another newTagName`,
    );
  }
  let rowCount = body.rowCount;
  if (rowCount === undefined) {
    const initial = tags.find((t) => t.name === INITIAL_TAG_NAME);
    if (initial === undefined) {
      throw refuse(
        "preflight",
        "NO_INITIAL_TAG",
        `dataset ${datasetId} has no tag named "${INITIAL_TAG_NAME}" to take rowCount from; pass body.rowCount`,
      );
    }
    if (!isValidRowCount(initial.totSize)) {
      throw refuse(
        "preflight",
        "INITIAL_TAG_EMPTY",
        `the "${INITIAL_TAG_NAME}" of dataset ${datasetId} has totSize ${initial.totSize}, not a usable rowCount`,
      );
    }
    rowCount = initial.totSize;
  }

  const retry = options.retry === false
    ? false
    : { ...options.retry, clock: options.retry?.clock ?? options.clock };
  const resolvedEmbedding = embeddingId;
  const { jobId } = await step(
    "trigger",
    options,
    secrets,
    () =>
      triggerSampling({
        datasetId,
        embeddingId: resolvedEmbedding,
        body: { ...body, rowCount },
      }, { ...read, retry }),
  );

  const waited = await step(
    "wait",
    options,
    secrets,
    () => waitForJob(jobId, options),
    jobId,
  );
  const tag = await step(
    "fetch-tag",
    options,
    secrets,
    () => getTag(datasetId, waited.tagId, read),
    jobId,
  );
  return {
    jobId,
    tagId: waited.tagId,
    tag,
    embeddingId: resolvedEmbedding,
    rowCount,
    job: waited.job,
  };
}
