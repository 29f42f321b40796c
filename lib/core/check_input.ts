/**
 * Reading a sampling input once into plain data, and the complete,
 * hand-written validation of that data: every problem, each with its path,
 * rule and offending value. It implements the same rules as
 * `SamplingInputSchema` (zod) without loading zod, so building a request
 * (and `cli.ts --dry-run`) starts fast; a property test proves both agree on
 * validity and on the issues they report.
 *
 * @module
 */
import type { ValidationIssue } from "./errors.ts";
import {
  isValidMinDistance,
  isValidNSamples,
  isValidRowCount,
  methodRule,
  OBJECT_ID_PATTERN,
  RULES,
  SAMPLING_METHODS,
  SCORE_TYPE_PATTERN,
  TAG_NAME_PATTERN,
} from "./rules.ts";
import { describeValue, isArray } from "./validate.ts";

type Issues = ValidationIssue[];
type Fields = Record<string, unknown>;

const INPUT_KEYS: ReadonlySet<string> = new Set([
  "datasetId",
  "embeddingId",
  "body",
]);
const BODY_KEYS: ReadonlySet<string> = new Set([
  "newTagName",
  "method",
  "config",
  "preselectedTagId",
  "queryTagId",
  "scoreType",
  "rowCount",
]);
const CONFIG_KEYS: ReadonlySet<string> = new Set(["stoppingCondition"]);
const STOPPING_CONDITION_KEYS: ReadonlySet<string> = new Set([
  "nSamples",
  "minDistance",
]);

/** What {@linkcode snapshotInput} returns when a read threw. */
export const UNREADABLE: unique symbol = Symbol("unreadable");
type Unreadable = typeof UNREADABLE;

/**
 * Plain data where a value belongs: strings and numbers as they are, an
 * object (invalid there, whatever it holds) as an empty stand-in of its kind.
 */
function plainValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  return isArray(value) ? [] : {};
}

/** Reports the field whose read threw, and gives up the copy. */
function unreadable(issues: Issues, path: string): Unreadable {
  issues.push({ path, rule: RULES.unreadable });
  return UNREADABLE;
}

/**
 * Copies one level of the input with `fill` (which reads each known field
 * once), keeping the names of unknown fields (their values are never read:
 * the name is the problem). A value that is no object is its own copy.
 */
function copyLevel(
  value: unknown,
  path: string,
  known: ReadonlySet<string>,
  issues: Issues,
  fill: (o: Fields, issues: Issues) => Fields | Unreadable,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  let unknown: string[] | undefined;
  try {
    if (Array.isArray(value)) return [];
    for (const key in value) {
      if (!known.has(key)) (unknown ??= []).push(key);
    }
  } catch {
    return unreadable(issues, path);
  }
  const out = fill(value as Fields, issues);
  if (unknown !== undefined && out !== UNREADABLE) {
    for (const key of unknown) {
      // defineProperty: a key named `__proto__` stays a key.
      Object.defineProperty(out, key, {
        value: undefined,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

// Each known field is read once, by name; `at` names the one being read.
// Body fields are named by their wire path, without a `body.` prefix.

function fillStoppingCondition(o: Fields, issues: Issues): Fields | Unreadable {
  let at = "config.stoppingCondition.nSamples";
  try {
    const nSamples = plainValue(o.nSamples);
    at = "config.stoppingCondition.minDistance";
    return { nSamples, minDistance: plainValue(o.minDistance) };
  } catch {
    return unreadable(issues, at);
  }
}

function fillConfig(o: Fields, issues: Issues): Fields | Unreadable {
  let stoppingCondition: unknown;
  try {
    stoppingCondition = o.stoppingCondition;
  } catch {
    return unreadable(issues, "config.stoppingCondition");
  }
  const copied = copyLevel(
    stoppingCondition,
    "config.stoppingCondition",
    STOPPING_CONDITION_KEYS,
    issues,
    fillStoppingCondition,
  );
  return copied === UNREADABLE ? copied : { stoppingCondition: copied };
}

function fillBody(o: Fields, issues: Issues): Fields | Unreadable {
  let at = "newTagName";
  try {
    const newTagName = plainValue(o.newTagName);
    at = "method";
    const method = plainValue(o.method);
    at = "config";
    const config = copyLevel(o.config, at, CONFIG_KEYS, issues, fillConfig);
    if (config === UNREADABLE) return config;
    at = "preselectedTagId";
    const preselectedTagId = plainValue(o.preselectedTagId);
    at = "queryTagId";
    const queryTagId = plainValue(o.queryTagId);
    at = "scoreType";
    const scoreType = plainValue(o.scoreType);
    at = "rowCount";
    const rowCount = plainValue(o.rowCount);
    return {
      newTagName,
      method,
      config,
      preselectedTagId,
      queryTagId,
      scoreType,
      rowCount,
    };
  } catch {
    return unreadable(issues, at);
  }
}

function fillInput(o: Fields, issues: Issues): Fields | Unreadable {
  let at = "datasetId";
  try {
    const datasetId = plainValue(o.datasetId);
    at = "embeddingId";
    const embeddingId = plainValue(o.embeddingId);
    at = "body";
    const body = copyLevel(o.body, at, BODY_KEYS, issues, fillBody);
    return body === UNREADABLE ? body : { datasetId, embeddingId, body };
  } catch {
    return unreadable(issues, at);
  }
}

/**
 * Reads a sampling input once, into plain data: every known field read
 * exactly once (getters and Proxy traps included), strings and numbers as
 * they are, objects copied, an object where a value belongs replaced by an
 * empty one, unknown field names kept with no value. Validate and use only
 * the result: the caller's object cannot show the check one value and the
 * request another.
 *
 * @param input Anything.
 * @param issues Where the first field whose read threw is reported
 *   ({@linkcode RULES}`.unreadable`): then nothing else is read.
 * @returns The plain copy (`input` itself when it is not an object), or
 *   {@linkcode UNREADABLE} when a read threw.
 *
 * @example
 * ```ts
 * import { snapshotInput } from "./check_input.ts";
 * let reads = 0;
 * const input = { get datasetId() { return reads++ === 0 ? "a" : "b"; } };
 * const snapshot = snapshotInput(input, []) as { datasetId: string };
 * [snapshot.datasetId, snapshot.datasetId]; // ["a", "a"]
 * ```
 */
export function snapshotInput(input: unknown, issues: Issues): unknown {
  return copyLevel(input, "", INPUT_KEYS, issues, fillInput);
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function push(issues: Issues, path: string, rule: string, value?: unknown) {
  issues.push(
    value === undefined
      ? { path, rule }
      : { path, rule, received: describeValue(value) },
  );
}

/** Checks that `value` is an object; pushes the type issue otherwise. */
function object(
  issues: Issues,
  path: string,
  value: unknown,
): value is Fields {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return true;
  }
  push(
    issues,
    path,
    value === undefined ? RULES.required : RULES.object,
    value,
  );
  return false;
}

function unknownKeys(
  issues: Issues,
  path: string,
  value: Fields,
  known: ReadonlySet<string>,
  rule: string = RULES.unknownField,
) {
  for (const key in value) {
    if (!known.has(key)) push(issues, join(path, key), rule);
  }
}

function string(
  issues: Issues,
  path: string,
  value: unknown,
  optional: boolean,
): value is string {
  if (typeof value === "string") return true;
  if (value === undefined && optional) return false;
  push(
    issues,
    path,
    value === undefined ? RULES.required : RULES.string,
    value,
  );
  return false;
}

function objectId(
  issues: Issues,
  path: string,
  value: unknown,
  optional: boolean,
) {
  if (string(issues, path, value, optional) && !OBJECT_ID_PATTERN.test(value)) {
    push(issues, path, RULES.objectId, value);
  }
}

function number(
  issues: Issues,
  path: string,
  value: unknown,
  isValid: (v: number) => boolean,
  rule: string,
) {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    push(issues, path, RULES.number, value);
  } else if (!isValid(value)) {
    push(issues, path, rule, value);
  }
}

function method(issues: Issues, value: unknown) {
  if ((SAMPLING_METHODS as readonly unknown[]).includes(value)) return;
  if (value === undefined) return push(issues, "method", RULES.required);
  push(
    issues,
    "method",
    methodRule(value),
    value,
  );
}

function body(issues: Issues, b: Fields) {
  const name = b.newTagName;
  if (string(issues, "newTagName", name, false)) {
    if (name.length < 3) push(issues, "newTagName", RULES.tagNameLength, name);
    if (!TAG_NAME_PATTERN.test(name)) {
      push(issues, "newTagName", RULES.tagNamePattern, name);
    }
  }
  method(issues, b.method);
  if (object(issues, "config", b.config)) {
    const sc = b.config.stoppingCondition;
    const path = "config.stoppingCondition";
    if (sc !== undefined && object(issues, path, sc)) {
      number(
        issues,
        `${path}.nSamples`,
        sc.nSamples,
        isValidNSamples,
        RULES.nSamples,
      );
      number(
        issues,
        `${path}.minDistance`,
        sc.minDistance,
        isValidMinDistance,
        RULES.minDistance,
      );
      unknownKeys(issues, path, sc, STOPPING_CONDITION_KEYS);
    }
    unknownKeys(issues, "config", b.config, CONFIG_KEYS);
  }
  objectId(issues, "preselectedTagId", b.preselectedTagId, true);
  objectId(issues, "queryTagId", b.queryTagId, true);
  const score = b.scoreType;
  if (string(issues, "scoreType", score, true)) {
    if (score.length < 1) {
      push(issues, "scoreType", RULES.scoreTypeLength, score);
    }
    if (!SCORE_TYPE_PATTERN.test(score)) {
      push(issues, "scoreType", RULES.scoreTypePattern, score);
    }
  }
  number(issues, "rowCount", b.rowCount, isValidRowCount, RULES.rowCount);
  unknownKeys(issues, "", b, BODY_KEYS);
}

/**
 * Lists every problem of a sampling input `{ datasetId, embeddingId, body }`.
 * Body fields are named by their wire path (`config.stoppingCondition.nSamples`),
 * path ids by their name (`datasetId`), the input itself by `""`.
 *
 * @param input Plain data: what {@linkcode snapshotInput} returns.
 * @returns The problems found; empty when the input is valid.
 *
 * @example
 * ```ts
 * import { collectInputIssues } from "./check_input.ts";
 * collectInputIssues({ datasetId: "x", embeddingId: "0123456789abcdef01234567", body: {} }).map((i) => i.path);
 * // ["datasetId", "newTagName", "method", "config"]
 * ```
 */
export function collectInputIssues(input: unknown): ValidationIssue[] {
  const issues: Issues = [];
  if (!object(issues, "", input)) return issues;
  objectId(issues, "datasetId", input.datasetId, false);
  objectId(issues, "embeddingId", input.embeddingId, false);
  if (object(issues, "body", input.body)) body(issues, input.body);
  // Body fields are named without a `body.` prefix: a top-level key says so.
  unknownKeys(
    issues,
    "",
    input,
    INPUT_KEYS,
    `${RULES.unknownField} (at the top level, next to body)`,
  );
  return issues;
}
