/**
 * The request rules of the Lightly API as plain data and predicates: the
 * patterns, enums, limits and the rule texts every error quotes. No zod here:
 * the builder's path (and so `cli.ts --dry-run`) loads this, not the schemas.
 *
 * @module
 */

/** A MongoDB ObjectId as the Lightly API writes it: 24 lower-case hex digits. */
export const OBJECT_ID_PATTERN: RegExp = /^[a-f0-9]{24}$/;
/** The rule every `newTagName` must match (and be at least 3 characters long). */
export const TAG_NAME_PATTERN: RegExp = /^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$/;
/** The rule every `scoreType` must match (and be at least 1 character long). */
export const SCORE_TYPE_PATTERN: RegExp = /^[a-zA-Z0-9_+=,.@:\/-]*$/;

/** The sampling methods the API knows. */
export const SAMPLING_METHODS: readonly [
  "ACTIVE_LEARNING",
  "CORAL",
  "CORESET",
  "RANDOM",
] = [
  "ACTIVE_LEARNING",
  "CORAL",
  "CORESET",
  "RANDOM",
] as const;

/** The states a job can be in, as the API documents them today. */
export const JOB_STATES: readonly [
  "UNKNOWN",
  "WAITING",
  "RUNNING",
  "FAILED",
  "FINISHED",
] = [
  "UNKNOWN",
  "WAITING",
  "RUNNING",
  "FAILED",
  "FINISHED",
] as const;

/** Names of the rules in {@linkcode RULES}. */
export type RuleName =
  | "objectId"
  | "tagNameLength"
  | "tagNamePattern"
  | "method"
  | "nSamples"
  | "minDistance"
  | "scoreTypeLength"
  | "scoreTypePattern"
  | "rowCount"
  | "unknownField"
  | "required"
  | "object"
  | "string"
  | "number"
  | "unreadable";

/** Rule texts, shared with the fast validator so both speak alike. */
export const RULES: Readonly<Record<RuleName, string>> = {
  objectId: "must be a 24-character lower-case hex ObjectId (^[a-f0-9]{24}$)",
  tagNameLength: "must be at least 3 characters long",
  tagNamePattern:
    "must start with a letter or digit and contain only letters, digits, spaces and . : ; = @ _ - (^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$)",
  method: `must be one of ${SAMPLING_METHODS.join(", ")}`,
  nSamples:
    "must be -1 (off), a fraction in (0, 1], or a whole number of samples above 1",
  minDistance: "must be -1 (off) or a number >= 0",
  scoreTypeLength: "must be at least 1 character long",
  scoreTypePattern:
    "must contain only letters, digits and _ + = , . @ : / - (^[a-zA-Z0-9_+=,.@:\\/-]*$)",
  rowCount: "must be a whole number >= 1",
  unknownField: "is not a known field",
  required: "is required",
  object: "must be an object",
  string: "must be a string",
  number: "must be a finite JSON number",
  unreadable: "could not be read (a getter or Proxy trap threw)",
};

/** Checks that `v` is a valid `nSamples` (see `RULES.nSamples`). */
export function isValidNSamples(v: number): boolean {
  return v === -1 || (v > 0 && v <= 1) ||
    (v > 1 && Number.isSafeInteger(v));
}

/** Checks that `v` is a valid `minDistance` (see `RULES.minDistance`). */
export function isValidMinDistance(v: number): boolean {
  return v === -1 || v >= 0;
}

/** Checks that `v` is a valid `rowCount` (see `RULES.rowCount`). */
export function isValidRowCount(v: number): boolean {
  return v >= 1 && Number.isSafeInteger(v);
}

/**
 * The rule text for a bad `method`, with a hint when only the case is wrong.
 *
 * @param value The offending value.
 * @returns {@linkcode RULES}`.method`, plus `(did you mean CORESET? …)` where it fits.
 *
 * @example
 * ```ts
 * import { methodRule } from "./rules.ts";
 * methodRule("coreset"); // "must be one of … (did you mean CORESET? the API is case-sensitive)"
 * ```
 */
export function methodRule(value: unknown): string {
  const upper = typeof value === "string" ? value.toUpperCase() : "";
  return (SAMPLING_METHODS as readonly string[]).includes(upper)
    ? `${RULES.method} (did you mean ${upper}? the API is case-sensitive)`
    : RULES.method;
}
