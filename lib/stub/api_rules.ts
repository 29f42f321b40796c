/**
 * The request rules of the Lightly API as its server applies them, written
 * from the API's documentation and not shared with the client: the stub is
 * an oracle, so it must not inherit the client's stricter checks (or its
 * bugs). Where the API is silent (the range of `nSamples` and `minDistance`,
 * `rowCount`), any JSON number is accepted, as the API's schema does.
 *
 * - Path ids are ObjectIds (`^[a-f0-9]{24}$`); the server answers
 *   `MALFORMED_REQUEST` otherwise.
 * - `SamplingCreateRequest`: required `newTagName` (at least 3 characters,
 *   `^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$`), `method` (one of four) and
 *   `config`; optional `preselectedTagId`, `queryTagId` (ObjectIds),
 *   `scoreType` (at least 1 character, `^[a-zA-Z0-9_+=,.@:\/-]*$`),
 *   `rowCount` (a number). Unknown fields are refused at every level; the
 *   server answers `BAD_REQUEST` naming each broken field.
 *
 * @module
 */

/** A MongoDB ObjectId as the Lightly API writes it: 24 lower-case hex digits. */
export const OBJECT_ID: RegExp = /^[a-f0-9]{24}$/;
/** What a `newTagName` must match (and be at least 3 characters long). */
export const TAG_NAME: RegExp = /^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$/;
const SCORE_TYPE = /^[a-zA-Z0-9_+=,.@:\/-]*$/;
const METHODS = ["ACTIVE_LEARNING", "CORAL", "CORESET", "RANDOM"];

/** The rule text of an ObjectId, for path parameters and seeds. */
export const OBJECT_ID_RULE =
  "must be a 24-character lower-case hex ObjectId (^[a-f0-9]{24}$)";

/** Checks one value; returns the broken rule, or `undefined` when it holds. */
type Check = (value: unknown) => string | undefined;

/** A field of a JSON object: required or not, a value check or nested fields. */
interface Field {
  readonly required?: boolean;
  readonly check?: Check;
  readonly fields?: Fields;
}

type Fields = Readonly<Record<string, Field>>;

function text(min: number, pattern: RegExp, shown: string): Check {
  return (value) =>
    typeof value !== "string"
      ? "must be a string"
      : value.length < min
      ? `must be at least ${min} character${min === 1 ? "" : "s"} long`
      : pattern.test(value)
      ? undefined
      : `must match ${shown}`;
}

const objectId: Check = (value) =>
  typeof value === "string" && OBJECT_ID.test(value)
    ? undefined
    : OBJECT_ID_RULE;

const number: Check = (value) =>
  typeof value === "number" && Number.isFinite(value)
    ? undefined
    : "must be a number";

const method: Check = (value) =>
  METHODS.includes(value as string)
    ? undefined
    : `must be one of ${METHODS.join(", ")}`;

/** `SamplingCreateRequest`, field by field. */
const SAMPLING_CREATE_REQUEST: Fields = {
  newTagName: {
    required: true,
    check: text(3, TAG_NAME, "^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$"),
  },
  method: { required: true, check: method },
  config: {
    required: true,
    fields: {
      stoppingCondition: {
        fields: {
          nSamples: { check: number },
          minDistance: { check: number },
        },
      },
    },
  },
  preselectedTagId: { check: objectId },
  queryTagId: { check: objectId },
  scoreType: { check: text(1, SCORE_TYPE, "^[a-zA-Z0-9_+=,.@:\\/-]*$") },
  rowCount: { check: number },
};

function objectProblems(
  value: unknown,
  fields: Fields,
  path: string,
  problems: string[],
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${path} must be an object`);
    return;
  }
  const record = value as Record<string, unknown>;
  const prefix = path === "body" ? "" : `${path}.`;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(fields, key)) {
      problems.push(`${prefix}${key} is not a known field`);
    }
  }
  for (const [key, field] of Object.entries(fields)) {
    const at = `${prefix}${key}`;
    const child = Object.hasOwn(record, key) ? record[key] : undefined;
    if (child === undefined) {
      if (field.required) problems.push(`${at} is required`);
      continue;
    }
    if (field.fields) objectProblems(child, field.fields, at, problems);
    const broken = field.check?.(child);
    if (broken !== undefined) problems.push(`${at} ${broken}`);
  }
}

/**
 * Every way a parsed body breaks `SamplingCreateRequest`, each as
 * `"<field path> <rule>"`; empty when the body is valid.
 *
 * @param body The parsed JSON body; `undefined` for an empty body.
 * @returns The problems, in field order (unknown fields first per object).
 *
 * @example
 * ```ts
 * import { samplingRequestProblems } from "./api_rules.ts";
 * samplingRequestProblems({ newTagName: "ab", method: "RANDOM", config: {}, x: 1 });
 * // ["x is not a known field", "newTagName must be at least 3 characters long"]
 * ```
 */
export function samplingRequestProblems(body: unknown): string[] {
  if (body === undefined) return ["body is required"];
  const problems: string[] = [];
  objectProblems(body, SAMPLING_CREATE_REQUEST, "body", problems);
  return problems;
}
