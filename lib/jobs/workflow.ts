/**
 * `selectSamples`: the whole sampling workflow in one call — resolve the
 * embedding, check the dataset, trigger, wait, fetch the new tag — with
 * every step's failure reported as a {@linkcode SelectionStepError} that
 * names the step.
 *
 * @module
 */
import { type Client, prepare } from "../core/client.ts";
import {
  type SelectionRefusal,
  type SelectionStep,
  SelectionStepError,
} from "../core/errors.ts";
import {
  isValidRowCount,
  SELECT_OPTIONS,
  SELECTION_INPUT,
} from "../core/rules.ts";
import { sendSampling, type TriggerRetryOptions } from "../core/trigger.ts";
import type {
  AsyncTaskData,
  DatasetEmbeddingData,
  JobStatusData,
  SamplingCreateRequest,
  TagData,
} from "../core/types.ts";
import { READS, readWith } from "./reads.ts";
import { type WaitOptions, waitWith } from "./wait.ts";

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
   * @default {{ maxAttempts: 3, maxRetryAfterMs: 60000 }} */
  retry?: TriggerRetryOptions | false;
  /** Called as each step begins.
   * @default {undefined} */
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
export function selectSamples(
  input: SelectionInput,
  options: SelectOptions = {},
): Promise<SelectionResult> {
  return selectWith(undefined, input, options);
}

/** {@linkcode selectSamples} for a client or a free call. */
export async function selectWith(
  client: Client | undefined,
  input: unknown,
  options: unknown,
): Promise<SelectionResult> {
  const call = prepare<SelectOptions>(
    client,
    "selection",
    SELECT_OPTIONS,
    options,
    [SELECTION_INPUT, input],
  );
  // Everything below reads the snapshots: the caller's objects are not read again.
  const { client: c, options: o } = call;
  const { datasetId, embeddingId: given, body } = call
    .args[0] as SelectionInput;
  const secrets = c.secrets;
  const http = { signal: o.signal, timeoutMs: o.requestTimeoutMs };
  async function step<T>(
    name: SelectionStep,
    run: () => Promise<T>,
    jobId?: string,
  ): Promise<T> {
    o.onStep?.(name);
    try {
      return await run();
    } catch (cause) {
      throw new SelectionStepError({ step: name, cause, jobId, secrets });
    }
  }
  const refuse = (
    step: SelectionStep,
    reason: SelectionRefusal,
    detail: string,
  ) => new SelectionStepError({ step, reason, detail, secrets });

  let embeddingId = given;
  if (embeddingId === undefined) {
    const embeddings = await step(
      "resolve-embedding",
      () => readWith(c, READS.listEmbeddings, [datasetId], http),
    );
    // The list is newest first, but `createdAt` decides.
    let newest: DatasetEmbeddingData | undefined;
    for (const e of embeddings) {
      if (e.isProcessed !== true) continue;
      if (newest === undefined || e.createdAt > newest.createdAt) newest = e;
    }
    if (newest === undefined) {
      throw refuse(
        "resolve-embedding",
        "NO_PROCESSED_EMBEDDING",
        `dataset ${datasetId} has no processed embedding (${embeddings.length} in all); pass embeddingId or wait for processing`,
      );
    }
    embeddingId = newest.id;
  }

  const tags = await step(
    "preflight",
    () => readWith(c, READS.listTags, [datasetId], http),
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

  const retry = o.retry === false
    ? false
    : { ...o.retry, clock: o.retry?.clock ?? o.clock };
  const sampled = { datasetId, embeddingId, body: { ...body, rowCount } };
  const { jobId } = await step(
    "trigger",
    () =>
      sendSampling(c, sampled, { ...http, retry }, false) as Promise<
        AsyncTaskData
      >,
  );
  const waited = await step("wait", () => waitWith(c, jobId, o), jobId);
  const { tagId } = waited;
  const tag = await step(
    "fetch-tag",
    () => readWith(c, READS.getTag, [datasetId, tagId], http),
    jobId,
  );
  return { jobId, tagId, tag, embeddingId, rowCount, job: waited.job };
}
