/**
 * The complete, hand-written validation of a sampling input: every problem,
 * each with its path, rule and offending value. It implements the same rules
 * as `SamplingInputSchema` (zod) without loading zod, so building a request
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
import { describeValue } from "./validate.ts";

type Issues = ValidationIssue[];
type Fields = Record<string, unknown>;

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
  known: readonly string[],
  rule: string = RULES.unknownField,
) {
  for (const key in value) {
    if (!known.includes(key)) push(issues, join(path, key), rule);
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
      unknownKeys(issues, path, sc, ["nSamples", "minDistance"]);
    }
    unknownKeys(issues, "config", b.config, ["stoppingCondition"]);
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
  unknownKeys(issues, "", b, [
    "newTagName",
    "method",
    "config",
    "preselectedTagId",
    "queryTagId",
    "scoreType",
    "rowCount",
  ]);
}

/**
 * Lists every problem of a sampling input `{ datasetId, embeddingId, body }`.
 * Body fields are named by their wire path (`config.stoppingCondition.nSamples`),
 * path ids by their name (`datasetId`), the input itself by `""`.
 *
 * @param input Anything.
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
    ["datasetId", "embeddingId", "body"],
    `${RULES.unknownField} (at the top level, next to body)`,
  );
  return issues;
}
