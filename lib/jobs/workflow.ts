/** {@linkcode selectSamples}: the whole sampling workflow in one call. */
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
import { sendSampling, type TriggerOptions } from "../core/trigger.ts";
import type {
  AsyncTaskData,
  DatasetEmbeddingData,
  SamplingInput,
  TagData,
} from "../core/types.ts";
import { READS, readWith } from "./reads.ts";
import { type WaitOptions, type WaitResult, waitWith } from "./wait.ts";

/** The name of the tag every dataset starts with. */
export const INITIAL_TAG_NAME = "initial-tag";

/** What to select: a sampling input whose `embeddingId` may be omitted (the newest processed one). */
export interface SelectionInput extends Omit<SamplingInput, "embeddingId"> {
  /** The embedding's ObjectId; omitted means the newest processed one. */
  embeddingId?: string;
}

/** Options of {@linkcode selectSamples}: the wait's, the POST's `retry` (whose clock defaults to `clock`), and a step callback. */
export interface SelectOptions
  extends WaitOptions, Pick<TriggerOptions, "retry"> {
  /** Called as each step begins.
   * @default {undefined} */
  onStep?: (step: SelectionStep) => void;
}

/** What {@linkcode selectSamples} returns. */
export interface SelectionResult
  extends Pick<WaitResult, "jobId" | "tagId" | "job"> {
  /** The new tag, as the server describes it. */
  tag: TagData;
  /** The embedding the selection ran on. */
  embeddingId: string;
  /** The `rowCount` sent with the POST. */
  rowCount: number;
}

/**
 * Selects samples, start to finish, like Lightly's `ApiWorkflowClient.selection()`
 * but safe to leave unattended; each step's failure or refusal is a
 * `SelectionStepError` naming it (`step`, `reason`, `cause`, `jobId`):
 *
 * 1. `resolve-embedding` (when `embeddingId` is omitted): the newest
 *    processed embedding, or `NO_PROCESSED_EMBEDDING`.
 * 2. `preflight`: one tag list; refuses `NO_TAGS`, `TAG_NAME_EXISTS`, and,
 *    without `body.rowCount`, `NO_INITIAL_TAG` or `INITIAL_TAG_EMPTY`
 *    (`rowCount` becomes the `initial-tag`'s `totSize`).
 * 3. `trigger`: the POST with its retry policy (see `triggerSampling`).
 * 4. `wait`: `waitForJob` with these options (`timeoutMs` bounds it).
 * 5. `fetch-tag`: `getTag` of the new tag.
 *
 * @throws {ValidationError} Bad input or options; nothing was sent.
 * @throws {SelectionStepError} A step failed or refused.
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
  const { client: c, options: o, args } = prepare<SelectOptions>(
    client,
    "selection",
    SELECT_OPTIONS,
    options,
    [SELECTION_INPUT, input],
  );
  // Everything below reads the snapshots: the caller's objects are not read again.
  const { datasetId, body, ...rest } = args[0] as SelectionInput;
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
    reason: SelectionRefusal,
    detail: string,
    step: SelectionStep = "preflight",
  ) => new SelectionStepError({ step, reason, detail, secrets });

  let embeddingId = rest.embeddingId;
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
        "NO_PROCESSED_EMBEDDING",
        `dataset ${datasetId} has no processed embedding (${embeddings.length} in all); pass embeddingId or wait for processing`,
        "resolve-embedding",
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
      "NO_TAGS",
      `dataset ${datasetId} has no tags; upload samples first`,
    );
  }
  const taken = tags.find((t) => t.name === body.newTagName);
  if (taken !== undefined) {
    throw refuse(
      "TAG_NAME_EXISTS",
      `dataset ${datasetId} already has a tag named "${body.newTagName}" (id ${taken.id}); choose another newTagName`,
    );
  }
  let rowCount = body.rowCount;
  if (rowCount === undefined) {
    const initial = tags.find((t) => t.name === INITIAL_TAG_NAME);
    if (initial === undefined) {
      throw refuse(
        "NO_INITIAL_TAG",
        `dataset ${datasetId} has no tag named "${INITIAL_TAG_NAME}" to take rowCount from; pass body.rowCount`,
      );
    }
    if (!isValidRowCount(initial.totSize)) {
      throw refuse(
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
    () => sendSampling(c, sampled, { ...http, retry }, false),
  ) as AsyncTaskData;
  const { tagId, job } = await step("wait", () => waitWith(c, jobId, o), jobId);
  const tag = await step(
    "fetch-tag",
    () => readWith(c, READS.getTag, [datasetId, tagId], http),
    jobId,
  );
  return { jobId, tagId, tag, embeddingId, rowCount, job };
}
