/**
 * The options of {@linkcode startLightlyStub} and their checked, defaulted
 * form. A bad option throws at once, before anything listens.
 *
 * @module
 */
import type { SamplingCreateRequest } from "../core/types.ts";
import { checkFault, type StubFault } from "./faults.ts";
import type { StubDatasetSeed } from "./seed.ts";

/** A source of the current time, in Unix milliseconds. */
export interface StubClock {
  /** The current time in Unix milliseconds, like `Date.now()`. */
  now(): number;
}

/**
 * Waits `ms` milliseconds; rejects when `signal` aborts (the stub closes).
 *
 * @param ms Milliseconds to wait.
 * @param signal Aborted when the stub closes.
 */
export type StubSleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** A sampling request the stub accepted: what a job was started with. */
export interface StubTrigger {
  /** The dataset of the job. */
  datasetId: string;
  /** The embedding the job samples on. */
  embeddingId: string;
  /** The request body as sent (already validated). */
  body: SamplingCreateRequest;
}

/**
 * A rule that makes matching jobs end `FAILED` instead of `FINISHED`. A
 * failing job still goes through `WAITING` and `RUNNING` first, and its tag
 * name is free again once it failed.
 *
 * @example
 * ```ts
 * import type { StubJobFailure } from "./options.ts";
 * const rule: StubJobFailure = { match: (t) => t.body.method === "CORAL", error: "CORAL is down" };
 * ```
 */
export interface StubJobFailure {
  /**
   * Which jobs fail: those whose `newTagName` equals a string, matches a
   * RegExp, or satisfies a predicate. Decided when the job is triggered.
   *
   * @default {undefined} every job
   */
  match?: string | RegExp | ((trigger: StubTrigger) => boolean);
  /**
   * The job's `error` text.
   *
   * @default {"the sampling job failed (failure injected by the Lightly stub)"}
   */
  error?: string;
  /**
   * Fail only the first matching job, then drop the rule.
   *
   * @default {false}
   */
  once?: boolean;
}

/**
 * Options of {@linkcode startLightlyStub}; every one is optional.
 *
 * @example Fast jobs, a fixed clock, two datasets and a flaky trigger
 * ```ts
 * import type { StubOptions } from "./options.ts";
 *
 * const options: StubOptions = {
 *   waitingPolls: 0,
 *   runningPolls: 2,
 *   waitTimeTillNextPoll: 0,
 *   clock: { now: () => 1_700_000_000_000 },
 *   datasets: [{ sampleCount: 500 }, { embeddings: [{ isProcessed: false }] }],
 *   failJobs: [{ match: /^broken/, error: "worker crashed" }],
 *   faults: [{ route: "trigger", nth: 1, fault: { kind: "status", status: 503, retryAfter: "1" } }],
 * };
 * ```
 */
export interface StubOptions {
  /**
   * Whether to open a socket. With `false` nothing listens (no network
   * permission is needed): `stub.url` is `http://lightly-stub.invalid`, a
   * name that never resolves, and only `stub.fetch` reaches the stub.
   * `hostname` and `port` cannot be given then.
   *
   * @default {true}
   */
  listen?: boolean;
  /**
   * Where to listen: a loopback address only (`127.x.x.x`, `::1` or
   * `localhost`); the stub refuses anything else. Its internal server always
   * listens on 127.0.0.1, so `--allow-net=127.0.0.1` is needed in any case.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The port; `0` picks a free one (read it from `stub.url`).
   *
   * @default {0}
   */
  port?: number;
  /**
   * The API key the stub accepts as `?token=`.
   *
   * @default {a random "stub-token-…" per stub}
   */
  token?: string;
  /**
   * The JWT the stub accepts as `Authorization: Bearer …`.
   *
   * @default {a random JWT-shaped string per stub}
   */
  jwt?: string;
  /**
   * The datasets to start with; the first is `stub.datasetId`.
   *
   * @default {[{}]} one dataset of 1000 samples with two processed embeddings
   */
  datasets?: readonly StubDatasetSeed[];
  /**
   * Poll-count mode (the default): the number of `GET /v1/jobs/{jobId}`
   * answers that say `WAITING` before a job runs.
   *
   * @default {1}
   */
  waitingPolls?: number;
  /**
   * Poll-count mode: the number of answers that say `RUNNING`, with
   * `meta.processed` rising, before the job's next poll ends it.
   *
   * @default {3}
   */
  runningPolls?: number;
  /**
   * Switches to clock mode: a job's state follows `clock.now()` minus its
   * `createdAt` instead of its poll count, and it ends this many
   * milliseconds after it was created (whether polled or not).
   *
   * @default {undefined} poll-count mode
   */
  jobDurationMs?: number;
  /**
   * Clock mode: milliseconds a job stays `WAITING` before it runs.
   *
   * @default {0}
   */
  jobWaitingMs?: number;
  /**
   * The `waitTimeTillNextPoll` every job status carries, in whole seconds.
   *
   * @default {1}
   */
  waitTimeTillNextPoll?: number;
  /**
   * Rules that make matching jobs fail; see also `stub.failNextJob()`.
   *
   * @default {[]}
   */
  failJobs?: readonly StubJobFailure[];
  /**
   * Faults to inject; see also `stub.addFault()`.
   *
   * @default {[]}
   */
  faults?: readonly StubFault[];
  /**
   * The clock behind every `createdAt`, generated id and clock-mode job.
   *
   * @default {Date}
   */
  clock?: StubClock;
  /**
   * How a `latency` fault waits.
   *
   * @default {an abortable setTimeout}
   */
  sleep?: StubSleep;
}

/** Options after checks and defaults. */
export interface ResolvedOptions {
  readonly listen: boolean;
  readonly hostname: string;
  readonly port: number;
  readonly token: string;
  readonly jwt: string;
  readonly datasets: readonly StubDatasetSeed[];
  readonly waitingPolls: number;
  readonly runningPolls: number;
  readonly jobDurationMs: number | undefined;
  readonly jobWaitingMs: number;
  readonly waitTimeTillNextPoll: number;
  readonly failJobs: readonly StubJobFailure[];
  readonly faults: readonly StubFault[];
  readonly clock: StubClock;
  readonly sleep: StubSleep;
}

/** The error text of a job failed by a rule without `error`. */
export const DEFAULT_JOB_ERROR =
  "the sampling job failed (failure injected by the Lightly stub)";

/**
 * Checks `options` and fills in the defaults.
 *
 * @param options What the caller passed.
 * @returns The complete options.
 * @throws {TypeError | RangeError} Naming the option and the rule.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "./options.ts";
 * resolveOptions({ runningPolls: 0 }).waitingPolls; // 1
 * ```
 */
export function resolveOptions(options: StubOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("startLightlyStub(): options must be an object");
  }
  const listen = options.listen ?? true;
  if (typeof listen !== "boolean") {
    throw new TypeError("startLightlyStub(): options.listen must be a boolean");
  }
  if (
    !listen && (options.hostname !== undefined || options.port !== undefined)
  ) {
    throw new TypeError(
      "startLightlyStub(): options.hostname and options.port need listen: true (with listen: false nothing listens)",
    );
  }
  const hostname = options.hostname ?? "127.0.0.1";
  if (!isLoopback(hostname)) {
    throw new RangeError(
      `startLightlyStub(): options.hostname must be a loopback address (127.x.x.x, ::1 or localhost), got ${
        JSON.stringify(hostname)
      }`,
    );
  }
  const failJobs = options.failJobs ?? [];
  failJobs.forEach((rule, i) => checkFailure(rule, `options.failJobs[${i}]`));
  const faults = options.faults ?? [];
  faults.forEach((fault, i) => checkFault(fault, `options.faults[${i}]`));
  const clock = options.clock ?? Date;
  if (typeof clock?.now !== "function") {
    throw new TypeError(
      "startLightlyStub(): options.clock must have a now() method",
    );
  }
  const sleep = options.sleep ?? abortableSleep;
  if (typeof sleep !== "function") {
    throw new TypeError("startLightlyStub(): options.sleep must be a function");
  }
  return {
    listen,
    hostname,
    port: whole(options.port, "port", 0, 65535) ?? 0,
    token: secret(options.token, "token") ?? `stub-token-${randomHex(16)}`,
    jwt: secret(options.jwt, "jwt") ?? randomJwt(),
    datasets: options.datasets ?? [{}],
    waitingPolls: whole(options.waitingPolls, "waitingPolls") ?? 1,
    runningPolls: whole(options.runningPolls, "runningPolls") ?? 3,
    jobDurationMs: whole(options.jobDurationMs, "jobDurationMs"),
    jobWaitingMs: whole(options.jobWaitingMs, "jobWaitingMs") ?? 0,
    waitTimeTillNextPoll:
      whole(options.waitTimeTillNextPoll, "waitTimeTillNextPoll") ?? 1,
    failJobs,
    faults,
    clock,
    sleep,
  };
}

/**
 * Checks a job failure rule.
 *
 * @param rule The rule.
 * @param where Its name in messages, e.g. `options.failJobs[0]`.
 * @throws {TypeError} Naming the field.
 *
 * @example
 * ```ts
 * import { checkFailure } from "./options.ts";
 * checkFailure({ match: /^broken/ }, "rule");
 * ```
 */
export function checkFailure(rule: StubJobFailure, where: string): void {
  if (typeof rule !== "object" || rule === null) {
    throw new TypeError(`startLightlyStub(): ${where} must be an object`);
  }
  const { match, error } = rule;
  if (
    match !== undefined && typeof match !== "string" &&
    typeof match !== "function" && !(match instanceof RegExp)
  ) {
    throw new TypeError(
      `startLightlyStub(): ${where}.match must be a string, a RegExp or a function`,
    );
  }
  if (error !== undefined && typeof error !== "string") {
    throw new TypeError(`startLightlyStub(): ${where}.error must be a string`);
  }
}

function whole(
  value: number | undefined,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(
      `startLightlyStub(): options.${name} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

function secret(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  // Never echo the value: it is a secret.
  if (typeof value !== "string" || !/^[\x21-\x7e]+$/.test(value)) {
    throw new TypeError(
      `startLightlyStub(): options.${name} must be a non-empty string of printable ASCII without spaces`,
    );
  }
  return value;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function randomHex(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64url(text: string): string {
  return btoa(text).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

function randomJwt(): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ sub: "lightly-stub" }));
  return `${header}.${payload}.${base64url(randomHex(32))}`;
}

// deno-std's async/delay.js would do, but testing.ts is imported by URL and
// keeps its dependency list empty: this is the ten lines it needs.
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
