// The errors this package throws, told apart by `kind` (`isLightlyError`);
// the base masks every field's secrets.
import { createRedactor } from "./redact.ts";
import type { JobStatusData } from "./types.ts";

const BRAND: unique symbol = Symbol.for(
  "lightly-sampling.LightlyError",
) as never;

/** Each kind of {@linkcode LightlyError}, and the class that has it. */
export interface LightlyErrorKinds {
  /** Bad input or options. */
  validation: ValidationError;
  /** The API said no. */
  api: LightlyApiError;
  /** An answer this package cannot use. */
  "unexpected-response": UnexpectedResponseError;
  /** No answer. */
  network: NetworkError;
  /** A request ran out of time. */
  timeout: TimeoutError;
  /** The caller's signal fired. */
  aborted: AbortedError;
  /** The job ended `FAILED`. */
  "job-failed": SamplingJobFailedError;
  /** A finished job named no tag. */
  "job-result-missing": JobResultMissingError;
  /** A wait ran out of time. */
  deadline: JobDeadlineError;
  /** Polls kept failing. */
  "poll-failed": PollFailedError;
  /** The POST may have been applied. */
  "maybe-applied": SamplingMaybeAppliedError;
  /** A step of `selectSamples` failed. */
  workflow: SelectionStepError;
  /** The command line's usage errors. */
  usage: LightlyError;
  /** The command line's missing permissions. */
  permission: LightlyError;
}

/** The kinds of {@linkcode LightlyError}. */
export type LightlyErrorKind = keyof LightlyErrorKinds;

/** What every {@linkcode LightlyError} may say about its request. */
export type LightlyErrorOptions = {
  /** The underlying error, already free of secrets. */
  cause?: unknown;
  /** HTTP method of the request. */
  method?: string;
  /** The request URL (its `token` is masked). */
  url?: string;
  /** The request's secrets, masked wherever the server may have echoed them; never stored.
   * @default {[]} */
  secrets?: readonly string[];
};

/** What an error class `E`'s constructor takes: its own fields, and the request's {@linkcode LightlyErrorOptions}. */
export type LightlyErrorInit<E extends LightlyError> =
  & Omit<E, keyof LightlyError>
  & LightlyErrorOptions;

/** `METHOD url`: the one way an error names its request. */
function where(o: LightlyErrorOptions): string {
  return o.method && o.url ? `${o.method} ${o.url}` : "The request";
}

/** A value, short, for a message: JSON for primitives (strings cut at 60), a type name otherwise. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const cut = value.slice(0, 60);
    const more = cut === value ? "" : `… (${value.length} chars)`;
    return JSON.stringify(cut) + more;
  }
  if (typeof value === "function" || typeof value === "symbol") {
    return `a ${typeof value}`;
  }
  if (typeof value !== "object" || value === null) return String(value);
  try {
    return Array.isArray(value) ? "an array" : "an object";
  } catch {
    return "an object"; // a revoked Proxy
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The base class of every error this package throws; {@linkcode isLightlyError} tells them apart. */
export class LightlyError extends Error {
  /** Which kind of failure this is. */
  readonly kind: LightlyErrorKind;
  /** HTTP method of the request, when there was one. */
  declare readonly method?: string;
  /** The request URL, secrets masked, when there was one. */
  declare readonly url?: string;

  /** Creates the error; its message and every field (`undefined` ones left out) are masked first.
   * @param init The subclass's own fields, the request, the cause and the secrets to mask. */
  constructor(
    kind: LightlyErrorKind,
    message: string,
    init: LightlyErrorOptions & Readonly<Record<string, unknown>> = {},
  ) {
    const { cause, secrets = [], method, url, ...fields } = init;
    const redactor = createRedactor(secrets);
    super(redactor.text(message), cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.kind = kind;
    for (const [key, value] of Object.entries({ method, url, ...fields })) {
      if (value === undefined) continue;
      Object.defineProperty(this, key, {
        value: redactor.value(value),
        enumerable: true,
      });
    }
  }

  /** Marks instances for {@linkcode isLightlyError} across module copies. */
  get [BRAND](): true {
    return true;
  }

  /** The error's safe fields, for logs and `JSON.stringify`.
   * @returns `name`, `kind`, `message` and the own fields; no stack, no cause. */
  toJSON(): Record<string, unknown> {
    const { name, kind, message } = this;
    return { name, kind, message, ...(this as object) };
  }
}

/**
 * Whether `error` is a {@linkcode LightlyError} (of `kind`, when named), even
 * from another copy of this module; narrows to the kind's class.
 *
 * @example Tell Lightly errors apart
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isLightlyError(error, "api")) console.error(error.status, error.code);
 *   else if (isLightlyError(error)) console.error(error.kind, error.message);
 *   else throw error;
 * }
 * ```
 */
export function isLightlyError<K extends LightlyErrorKind = LightlyErrorKind>(
  error: unknown,
  kind?: K,
): error is LightlyErrorKinds[K] {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<PropertyKey, unknown>;
  return e[BRAND] === true && (kind === undefined || e.kind === kind);
}

/** One problem found in an input: where, which rule, and what was there. */
export interface ValidationIssue {
  /** Dotted path, e.g. `config.stoppingCondition.nSamples` or `options.timeoutMs`. */
  readonly path: string;
  /** The rule that was broken, e.g. `must be at least 3 characters long`. */
  readonly rule: string;
  /** The offending value, shown short; absent for secrets and missing values. */
  readonly received?: string;
}

/** Bad input or options, every problem listed (arguments and options together); nothing was sent. */
export class ValidationError extends LightlyError {
  /** Every problem found. */
  declare readonly issues: readonly ValidationIssue[];

  /** Creates the error from every problem found (at least one) and what was validated. */
  constructor(
    issues: readonly ValidationIssue[],
    subject = "sampling request",
  ) {
    const lines = issues.map(({ path, rule, received }) =>
      `\n  - ${path || "(input)"}: ${rule}${
        received === undefined ? "" : ` (got ${received})`
      }`
    ).join("");
    const count = `${issues.length} problem${issues.length === 1 ? "" : "s"}`;
    const text = `Invalid ${subject} (${count}, nothing was sent):${lines}`;
    super("validation", text, { issues });
  }
}

/** The API answered with a non-2xx status and an `ApiErrorResponse` body. */
export class LightlyApiError extends LightlyError {
  /** The HTTP status. */
  declare readonly status: number;
  /** The server's error code, e.g. `TAG_NAME_EXISTS`; an open set. */
  declare readonly code: string;
  /** The server's error message. */
  declare readonly serverMessage: string;
  /** The server's request id (body `requestId` or `x-request-id` header), for support. */
  declare readonly requestId?: string;
  /** The server's error labels. */
  declare readonly errorLabels?: readonly string[];
  /** The raw `Retry-After` header. */
  declare readonly retryAfter?: string;

  /** Creates the error from what the server said, and about which request. */
  constructor(o: LightlyErrorInit<LightlyApiError>) {
    const id = o.requestId ? ` (request id ${o.requestId})` : "";
    const said = `${o.status} ${o.code}: ${o.serverMessage}${id}`;
    super("api", `${where(o)} answered ${said}`, o);
  }
}

/**
 * The server answered something this package cannot use: a non-2xx without
 * an `ApiErrorResponse` body (a proxy's HTML page, an empty body, a
 * redirect), a 2xx of the wrong shape, or a body over the size cap.
 */
export class UnexpectedResponseError extends LightlyError {
  /** The HTTP status. */
  declare readonly status: number;
  /** Why the response was not understood, e.g. `body is not valid JSON`. */
  declare readonly reason: string;
  /** The response's `Content-Type`. */
  declare readonly contentType?: string;
  /** The first characters of the body, secrets masked. */
  declare readonly bodySnippet?: string;
  /** The server's request id, when a header carried one. */
  declare readonly requestId?: string;
  /** The raw `Retry-After` header. */
  declare readonly retryAfter?: string;

  /** Creates the error from what came back, and why it is unusable. */
  constructor(o: LightlyErrorInit<UnexpectedResponseError>) {
    const type = o.contentType ? ` (${o.contentType})` : "";
    const said = `${o.status}${type} with an unexpected response: ${o.reason}`;
    super("unexpected-response", `${where(o)} answered ${said}`, o);
  }
}

/** The request got no answer (DNS, refused, reset, TLS); `cause` is a sanitized copy of `fetch`'s error. */
export class NetworkError extends LightlyError {
  /** `true` when the connection could not be made: the request certainly did not reach the server. */
  declare readonly connectFailed: boolean;

  /** Creates the error from what failed (e.g. `could not connect (…)`), the request and whether it connected. */
  constructor(message: string, o: LightlyErrorInit<NetworkError>) {
    super("network", `${where(o)} failed: ${message}`, o);
  }
}

/** The request took longer than its `timeoutMs`, headers and body together. */
export class TimeoutError extends LightlyError {
  /** The limit that ran out, in milliseconds. */
  declare readonly timeoutMs: number;

  /** Creates the error from the limit that ran out and the request. */
  constructor(timeoutMs: number, o: LightlyErrorOptions = {}) {
    const text = `${where(o)} timed out after ${timeoutMs} ms`;
    super("timeout", text, { ...o, timeoutMs });
  }
}

/** The caller's `AbortSignal` stopped the work; `cause` is the signal's reason. */
export class AbortedError extends LightlyError {
  /** Creates the error from the signal's reason (`cause`) and the request. */
  constructor(o: LightlyErrorOptions = {}) {
    super("aborted", `${where(o)} was aborted by the caller`, o);
  }
}

/** The sampling job ended `FAILED`; `serverError` is the server's reason. */
export class SamplingJobFailedError extends LightlyError {
  /** The job's last status, secrets masked. */
  declare readonly job: JobStatusData;
  /** The server's `error` text, secrets masked. */
  declare readonly serverError?: string;

  /** Creates the error from the status that said `FAILED`, and the secrets to mask. */
  constructor(job: JobStatusData, o: LightlyErrorOptions = {}) {
    // A caller may build it, or change `job` in `onProgress`: only a text is a reason.
    const serverError = typeof job.error === "string" && job.error !== ""
      ? job.error
      : undefined;
    const reason = serverError ?? "the server gave no reason";
    const text = `Sampling job ${job.id} failed: ${reason}`;
    super("job-failed", text, { ...o, job, serverError });
  }
}

/** The job says `FINISHED` but names no new tag: `result.data` is missing or not an ObjectId. */
export class JobResultMissingError extends LightlyError {
  /** The status that said `FINISHED`, secrets masked. */
  declare readonly job: JobStatusData;

  /** Creates the error from the status that said `FINISHED`, and the secrets to mask. */
  constructor(job: JobStatusData, o: LightlyErrorOptions = {}) {
    const found = job.result === undefined || job.result === null
      ? "it has no result"
      : `result.data is ${describeValue(job.result.data)}, not an ObjectId`;
    const text = `Job ${job.id} finished without the id of the new tag`;
    super("job-result-missing", `${text} (${found})`, { ...o, job });
  }
}

/** The job did not finish within the wait's `timeoutMs`; it goes on: wait again to follow it. */
export class JobDeadlineError extends LightlyError {
  /** The job waited for. */
  declare readonly jobId: string;
  /** The overall deadline that ran out, in milliseconds. */
  declare readonly timeoutMs: number;
  /** The last status received, secrets masked. */
  declare readonly lastJob?: JobStatusData;

  /** Creates the error from the job, the deadline, the last status and the last failure. */
  constructor(o: LightlyErrorInit<JobDeadlineError>) {
    const last = o.lastJob
      ? `last status ${o.lastJob.status}`
      : "no status received";
    const text =
      `Job ${o.jobId} did not finish within ${o.timeoutMs} ms (${last})`;
    super("deadline", `${text}; it may still be running`, o);
  }
}

/** Polling failed too often in a row; `cause` is the last failure. The job may still be running. */
export class PollFailedError extends LightlyError {
  /** The job waited for. */
  declare readonly jobId: string;
  /** How many polls failed in a row. */
  declare readonly failures: number;
  /** The last status received, secrets masked. */
  declare readonly lastJob?: JobStatusData;

  /** Creates the error from the job, the failure count and the last failure (`cause`). */
  constructor(o: LightlyErrorInit<PollFailedError> & { cause: unknown }) {
    const text =
      `Gave up following job ${o.jobId} after ${o.failures} failed polls in a row`;
    super("poll-failed", `${text}; the last: ${causeText(o.cause)}`, o);
  }
}

/**
 * The sampling POST got no clear answer after it may have reached the
 * server, so the job may have started. It was not retried (a second POST
 * could create a second tag): check whether `tagName` exists first.
 */
export class SamplingMaybeAppliedError extends LightlyError {
  /** The `newTagName` of the POST. */
  declare readonly tagName: string;
  /** The dataset the POST was for. */
  declare readonly datasetId: string;

  /** Creates the error from the tag name, the dataset and what went wrong (`cause`, whose request it names). */
  constructor(
    o: LightlyErrorInit<SamplingMaybeAppliedError> & { cause: unknown },
  ) {
    const { tagName, datasetId, cause } = o;
    const request = isLightlyError(cause) ? cause : undefined;
    super(
      "maybe-applied",
      `The sampling request for tag "${tagName}" may have been applied: ${
        causeText(cause)
      }. It was not retried, because a second request could create a second tag. ` +
        `Before trying again, check whether dataset ${datasetId} has a tag named ` +
        `"${tagName}" (listTags(), GET /v1/datasets/${datasetId}/tags).`,
      { ...o, method: request?.method, url: request?.url },
    );
  }
}

/** The steps of `selectSamples`, in order. */
export type SelectionStep =
  | "resolve-embedding"
  | "preflight"
  | "trigger"
  | "wait"
  | "fetch-tag";

/** Why `selectSamples` refused to start, before anything was sent. */
export type SelectionRefusal =
  | "NO_PROCESSED_EMBEDDING"
  | "NO_TAGS"
  | "TAG_NAME_EXISTS"
  | "NO_INITIAL_TAG"
  | "INITIAL_TAG_EMPTY";

/**
 * A step of `selectSamples` failed: `step` names it, `cause` holds the
 * original error, `reason` a preflight refusal, `jobId` the job once it
 * exists (to keep following it with `waitForJob`).
 */
export class SelectionStepError extends LightlyError {
  /** The step that failed. */
  declare readonly step: SelectionStep;
  /** Why a preflight check refused; absent when a call failed. */
  declare readonly reason?: SelectionRefusal;
  /** The job id, once the trigger step returned one. */
  declare readonly jobId?: string;

  /** Creates the error from the step, and the cause or the refusal (with its `detail`: what was wrong). */
  constructor(o: LightlyErrorInit<SelectionStepError> & { detail?: string }) {
    const { step, reason, jobId, detail, cause } = o;
    const head = reason
      ? `selectSamples() refused at step "${step}" (${reason}, nothing was sent)`
      : `selectSamples() failed at step "${step}"`;
    const why = [detail, cause === undefined ? undefined : causeText(cause)];
    const text = `${head}${jobId ? ` [job ${jobId}]` : ""}: ${
      why.filter((s) => s !== undefined).join(": ")
    }`;
    super("workflow", text, { ...o, detail: undefined });
  }
}
