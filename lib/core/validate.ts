/**
 * Turning zod's findings into {@linkcode ValidationIssue}s that name the field,
 * the rule and the offending value.
 *
 * @module
 */
import type { ValidationIssue } from "./errors.ts";
import { RULES } from "./rules.ts";

/** The subset of a zod issue this module reads. */
interface ZodIssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
}

import { describeValue } from "./errors.ts";
export { describeValue };

/**
 * `Array.isArray`, but `false` for a revoked Proxy (where it throws).
 *
 * @param value Anything.
 * @returns Whether `value` is an array.
 */
export function isArray(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Converts zod issues into {@linkcode ValidationIssue}s, one per problem (an
 * unknown-keys issue becomes one issue per key).
 *
 * @param issues zod's issues.
 * @param root The validated value, to show what was found at each path.
 * @param dropPrefix A leading path segment to drop (e.g. `body`), so paths
 *   read as the wire field names.
 * @returns The issues, in zod's order.
 *
 * @example
 * ```ts
 * import { fromZodIssues } from "./validate.ts";
 * fromZodIssues([{ code: "too_small", path: ["newTagName"], message: "must be at least 3 characters long" }], { newTagName: "ab" });
 * ```
 */
export function fromZodIssues(
  issues: readonly ZodIssueLike[],
  root: unknown,
  dropPrefix?: string,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    const isUnknownKeys = issue.code === "unrecognized_keys";
    const path = dropPrefix !== undefined && issue.path[0] === dropPrefix &&
        (issue.path.length > 1 || isUnknownKeys)
      ? issue.path.slice(1)
      : issue.path;
    const dotted = path.map(String).join(".");
    if (isUnknownKeys && issue.keys) {
      // With a dropped prefix, a top-level key and a key inside the prefix
      // share a path: the rule tells the top-level one apart.
      const rule = dropPrefix !== undefined && issue.path.length === 0
        ? `${RULES.unknownField} (at the top level, next to ${dropPrefix})`
        : RULES.unknownField;
      for (const key of issue.keys) {
        out.push({ path: dotted ? `${dotted}.${key}` : key, rule });
      }
      continue;
    }
    const value = valueAt(root, issue.path);
    out.push({
      path: dotted,
      rule: issue.message,
      received: value === undefined ? undefined : describeValue(value),
    });
  }
  return out;
}
