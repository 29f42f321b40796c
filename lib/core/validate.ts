/**
 * The one interpreter of the rules table (`rules.ts`). It reads the caller's
 * values once into a plain snapshot — each known field read exactly once,
 * getters and Proxy traps included; a read that throws becomes an issue —
 * and checks only that snapshot, in two modes of one function: early exit
 * (a boolean, allocating nothing: the fast path) and collect-all (every
 * problem with its path, rule and value). Requests are built from the
 * snapshot only, so a caller's object cannot show the check one value and
 * the request another.
 *
 * @module
 */
import {
  describeValue,
  ValidationError,
  type ValidationIssue,
} from "./errors.ts";
import { type Field, Rejected, RULES } from "./rules.ts";

export { describeValue };

/** Where a snapshot object keeps the keys its source had and the table does not. */
const UNKNOWN: unique symbol = Symbol("unknown keys");
/** What stands for an object or array where plain data belongs. */
const AN_ARRAY: readonly never[] = Object.freeze([]);
const AN_OBJECT: Readonly<Record<string, never>> = Object.freeze({});
const NO_CHECKS: readonly never[] = [];

function unreadable(path: string): Rejected {
  return new Rejected([{ path, rule: RULES.unreadable }]);
}

/**
 * Reads `value` once, as `field` describes it, into plain data: strings,
 * numbers, booleans and functions as they are; an object the table knows
 * copied field by field (unknown keys named, never read); any other object
 * or array replaced by an empty stand-in; a custom field by its own reader.
 * A read that throws leaves a {@linkcode Rejected} in its place.
 *
 * @param field The table entry.
 * @param value The caller's value.
 * @returns The snapshot.
 */
export function snapshot(field: Field, value: unknown): unknown {
  if (field.read !== undefined) return field.read(value, field.path);
  if (typeof value !== "object" || value === null || field.keep) return value;
  const source = value as Record<string, unknown>;
  let unknown: string[] | undefined;
  try {
    if (Array.isArray(source)) return AN_ARRAY;
    if (field.fields === undefined) return AN_OBJECT;
    if (field.unknown !== undefined) {
      for (const key in source) {
        if (!field.keys!.has(key)) (unknown ??= []).push(key);
      }
    }
  } catch {
    return unreadable(field.path);
  }
  const out: Record<string | symbol, unknown> = {};
  for (const child of field.fields) {
    let read: unknown;
    try {
      read = snapshot(child, source[child.key]);
    } catch {
      read = unreadable(child.path);
    }
    if (read !== undefined) out[child.key] = read;
  }
  if (unknown !== undefined) out[UNKNOWN] = unknown;
  return out;
}

function report(
  issues: ValidationIssue[] | undefined,
  field: Field,
  rule: string | ((value: unknown) => string),
  value: unknown,
): false {
  issues?.push(
    value === undefined || field.secret
      ? {
        path: field.path,
        rule: typeof rule === "string" ? rule : rule(value),
      }
      : {
        path: field.path,
        rule: typeof rule === "string" ? rule : rule(value),
        received: describeValue(value),
      },
  );
  return false;
}

/**
 * Checks a snapshot against its table entry. Without `issues` it stops at
 * the first problem and allocates nothing; with `issues` it pushes every
 * problem, in table order. Both modes are this one function, so they agree:
 * `check(f, v)` is `true` exactly when `check(f, v, parent, issues)` pushes
 * nothing.
 *
 * @param field The table entry.
 * @param value Its snapshot.
 * @param parent The snapshot of the object holding it (for checks across fields).
 * @param issues Where every problem goes; absent for the early-exit mode.
 * @returns Whether the value passes.
 */
export function check(
  field: Field,
  value: unknown,
  parent: Readonly<Record<string, unknown>> = AN_OBJECT,
  issues?: ValidationIssue[],
): boolean {
  if (value instanceof Rejected) {
    issues?.push(...value.issues);
    return false;
  }
  if (field.read !== undefined) return true;
  if (value === undefined) {
    return !field.required || report(issues, field, RULES.required, value);
  }
  const type = field.type;
  if (type !== undefined && !type.test(value, parent)) {
    return report(issues, field, type.rule, value);
  }
  let ok = true;
  for (const c of field.checks ?? NO_CHECKS) {
    if (!c.test(value, parent)) {
      ok = report(issues, field, c.rule, value);
      if (issues === undefined) return false;
    }
  }
  if (field.fields === undefined || typeof value !== "object") return ok;
  const o = value as Record<string | symbol, unknown>;
  for (const child of field.fields) {
    if (!check(child, o[child.key], o as Record<string, unknown>, issues)) {
      ok = false;
      if (issues === undefined) return false;
    }
  }
  const unknown = o[UNKNOWN] as readonly string[] | undefined;
  if (unknown === undefined) return ok;
  for (const key of unknown) {
    issues?.push({ path: field.prefix + key, rule: field.unknown! });
  }
  return false;
}

/**
 * Reads every value once by its table entry and checks them all together:
 * arguments and options, one error for every problem.
 *
 * @param subject What is validated, for the error's first line.
 * @param fields The table entries.
 * @param values The caller's values, one per entry.
 * @returns The snapshots, one per entry.
 * @throws {ValidationError} Listing every problem of every value.
 */
export function validate(
  subject: string,
  fields: readonly Field[],
  values: readonly unknown[],
): unknown[] {
  const snapshots = fields.map((f, i) => snapshot(f, values[i]));
  if (fields.every((f, i) => check(f, snapshots[i]))) return snapshots;
  const issues: ValidationIssue[] = [];
  fields.forEach((f, i) => check(f, snapshots[i], undefined, issues));
  throw new ValidationError(issues, subject);
}
