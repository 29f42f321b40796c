/**
 * The inputs of a command: files and stdin read within limits and
 * permissions, the request body composed from flags and `--body` (flags
 * may fill in, never silently contradict), and the library's validation
 * issues named the way the user wrote them (`--n-samples`, not
 * `body.config.stoppingCondition.nSamples`).
 *
 * @module
 */
import type { CommandLineOptions } from "./args.ts";
import { CliUsageError, MissingPermissionError } from "./errors.ts";
import { flagsFor, isGranted } from "./permissions.ts";
import { BODY_FLAGS } from "./spec.ts";
import { readTextCapped } from "../core/read_capped.ts";

/**
 * The largest `--body` read, in bytes.
 *
 * @example
 * ```ts ignore
 * import { MAX_BODY_FILE_BYTES, readInput } from "./inputs.ts";
 * const text = await readInput("--body", "request.json", MAX_BODY_FILE_BYTES);
 * ```
 */
export const MAX_BODY_FILE_BYTES = 1024 * 1024;
/**
 * The largest `--batch` file read, in bytes.
 *
 * @example
 * ```ts ignore
 * import { MAX_BATCH_FILE_BYTES, readInput } from "./inputs.ts";
 * const text = await readInput("--batch", "jobs.jsonl", MAX_BATCH_FILE_BYTES);
 * ```
 */
export const MAX_BATCH_FILE_BYTES = 64 * 1024 * 1024;

/** One validation problem, as the library reports it. */
export interface Issue {
  /** Dotted path, e.g. `body.config.stoppingCondition.nSamples`. */
  readonly path: string;
  /** The rule that was broken. */
  readonly rule: string;
  /** A short form of the value, when shown. */
  readonly received?: string;
}

async function readAll(
  stream: ReadableStream<Uint8Array>,
  cap: number,
  what: string,
): Promise<string> {
  const text = await readTextCapped(stream, cap);
  if (text === undefined) {
    throw new CliUsageError([`${what} is larger than ${cap} bytes`]);
  }
  return text;
}

/**
 * Reads a file named by a flag, or stdin for `-`, within a size cap.
 *
 * @param flag The flag, e.g. `--body`, for messages.
 * @param path The file name, or `-`.
 * @param cap The largest size read, in bytes.
 * @returns The text.
 * @throws {MissingPermissionError} Without `--allow-read` for the file.
 * @throws {CliUsageError} A missing, unreadable or too large file.
 *
 * @example
 * ```ts ignore
 * import { readInput } from "./inputs.ts";
 * const text = await readInput("--body", "request.json", 1024 * 1024);
 * ```
 */
export async function readInput(
  flag: string,
  path: string,
  cap: number,
): Promise<string> {
  if (path === "-") return await readAll(Deno.stdin.readable, cap, "stdin");
  if (!isGranted({ name: "read", path })) {
    throw new MissingPermissionError(flagsFor([{ name: "read", path }]));
  }
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw new CliUsageError([`${flag} ${path}: not a file`]);
    if (info.size > cap) {
      throw new CliUsageError([
        `${flag} ${path}: larger than ${cap} bytes`,
      ]);
    }
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new CliUsageError([`${flag} ${path}: ${why}`]);
  }
}

function getPath(root: Record<string, unknown>, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function setPath(
  root: Record<string, unknown>,
  path: string,
  value: unknown,
): boolean {
  const keys = path.split(".");
  let node = root;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    if (child === undefined) node[key] = {};
    else if (
      typeof child !== "object" || child === null || Array.isArray(child)
    ) {
      return false;
    }
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return true;
}

const OPTION_FIELDS: Readonly<Record<string, keyof CommandLineOptions>> = {
  "tag-name": "tagName",
  "method": "method",
  "n-samples": "nSamples",
  "min-distance": "minDistance",
  "preselected-tag-id": "preselectedTagId",
  "query-tag-id": "queryTagId",
  "score-type": "scoreType",
  "row-count": "rowCount",
};

/**
 * Composes the wire body from the body flags and, with `--body`, the file's
 * JSON: a flag fills in a field the file leaves out, repeats it, or is an
 * error when it says something else.
 *
 * @param options The parsed command line.
 * @param bodyText The `--body` content, when given.
 * @returns The body (not yet validated).
 * @throws {CliUsageError} Bad JSON, a body that is not an object, or a flag
 *   that contradicts the file.
 *
 * @example
 * ```ts
 * import { composeBody } from "./inputs.ts";
 * composeBody({ tagName: "coreset-100", method: "CORESET", nSamples: 100 } as never);
 * // { newTagName: "coreset-100", method: "CORESET", config: { stoppingCondition: { nSamples: 100 } } }
 * ```
 */
export function composeBody(
  options: CommandLineOptions,
  bodyText?: string,
): Record<string, unknown> {
  let body: Record<string, unknown>;
  const source = options.body === "-" ? "stdin" : options.body;
  if (bodyText === undefined) {
    body = { config: {} };
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bodyText);
    } catch (error) {
      throw new CliUsageError([
        `--body ${source}: not valid JSON (${
          error instanceof Error ? error.message : error
        })`,
      ]);
    }
    if (
      typeof parsed !== "object" || parsed === null || Array.isArray(parsed)
    ) {
      throw new CliUsageError([
        `--body ${source}: must be a JSON object (the wire body: newTagName, method, config, …)`,
      ]);
    }
    body = parsed as Record<string, unknown>;
  }
  const problems: string[] = [];
  for (const [flag, path] of Object.entries(BODY_FLAGS)) {
    const value = options[OPTION_FIELDS[flag]];
    if (value === undefined) continue;
    const existing = getPath(body, path);
    if (existing !== undefined) {
      if (JSON.stringify(existing) !== JSON.stringify(value)) {
        problems.push(
          `--${flag} ${JSON.stringify(value)} contradicts ${path} ${
            JSON.stringify(existing)
          } in ${source}; give one or make them agree`,
        );
      }
      continue;
    }
    if (!setPath(body, path, value)) {
      problems.push(
        `--${flag} cannot be set: ${
          path.split(".").slice(0, -1).join(".")
        } in ${source} is not an object`,
      );
    }
  }
  if (problems.length > 0) throw new CliUsageError(problems);
  return body;
}

/**
 * Names an issue's path the way the user gave the value: the flag when a
 * flag set it, the field in the `--body` file otherwise.
 *
 * @param path The library's issue path, e.g. `newTagName` or `body.newTagName`.
 * @param options The parsed command line.
 * @returns E.g. `--tag-name`, or `newTagName (in request.json)`.
 *
 * @example
 * ```ts
 * import { labelFor } from "./inputs.ts";
 * labelFor("body.config.stoppingCondition.nSamples", { nSamples: 1.5 } as never); // "--n-samples"
 * ```
 */
export function labelFor(path: string, options: CommandLineOptions): string {
  if (path === "datasetId") return "--dataset-id";
  if (path === "embeddingId") return "--embedding-id";
  if (path === "options.timeoutMs") return "--timeout (in milliseconds)";
  if (path === "options.baseUrl") {
    return options.baseUrl !== undefined
      ? "--base-url"
      : "LIGHTLY_SERVER_LOCATION";
  }
  if (!path.startsWith("options.") && path !== "(input)") {
    // Body fields come unprefixed (`newTagName`) or as `body.newTagName`.
    const field = path === "body" ? "" : path.replace(/^body\./, "");
    for (const [flag, wire] of Object.entries(BODY_FLAGS)) {
      if (
        wire === field && options[OPTION_FIELDS[flag]] !== undefined
      ) return `--${flag}`;
    }
    if (options.body !== undefined) {
      const source = options.body === "-" ? "stdin" : options.body;
      return `${field || "(body)"} (in ${source})`;
    }
    for (const [flag, wire] of Object.entries(BODY_FLAGS)) {
      if (wire === field) return `--${flag}`;
    }
  }
  return path;
}

/**
 * Turns the library's validation issues into usage problems, one line each,
 * named with {@linkcode labelFor}.
 *
 * @param issues The library's issues.
 * @param options The parsed command line.
 * @returns Lines such as `--n-samples: must be … (got 1.5)`.
 *
 * @example
 * ```ts
 * import { issueLines } from "./inputs.ts";
 * issueLines([{ path: "datasetId", rule: "is required" }], {} as never);
 * // ["--dataset-id: is required"]
 * ```
 */
export function issueLines(
  issues: readonly Issue[],
  options: CommandLineOptions,
): string[] {
  return issues.map((i) =>
    `${labelFor(i.path, options)}: ${i.rule}${
      i.received === undefined ? "" : ` (got ${i.received})`
    }`
  );
}
