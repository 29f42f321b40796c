/**
 * Parsing the command line: `parseArgs` from the standard library, then
 * every check that needs no network and no library — unknown flags (with a
 * "did you mean"), flags of another command, repeated flags, missing
 * required flags (all named at once), numbers, durations and conflicts.
 *
 * This is the only file that imports `parseArgs`. The import is a full
 * `npm:` specifier because `cli.ts` is run by URL, where `deno.json` is not
 * read; that build ships no types, so a typed face is declared here.
 *
 * @module
 */
import { parseArgs as untypedParseArgs } from "npm:deno-std@1.4.0/cli/parse_args.js";
import {
  BODY_FLAGS,
  COMMAND_SPECS,
  type CommandName,
  COMMANDS,
  FLAGS,
  GLOBAL_FLAGS,
  NUMBER_FLAGS,
} from "./spec.ts";
import { closest } from "./suggest.ts";

/** The options of `parseArgs` this module uses (see `@std/cli`). */
interface ParseOptions {
  string?: string[];
  boolean?: string[];
  collect?: string[];
  alias?: Record<string, string>;
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}

/** What `parseArgs` returns: positionals in `_`, flags by name. */
interface ParsedArgs {
  _: string[];
  [flag: string]: unknown;
}

const parseArgs = untypedParseArgs as (
  args: string[],
  options: ParseOptions,
) => ParsedArgs;

/** Everything a command line can set, checked and typed. */
export interface CommandLineOptions {
  /** `--dataset-id`. */
  datasetId?: string;
  /** `--embedding-id`. */
  embeddingId?: string;
  /** `--tag-name`. */
  tagName?: string;
  /** `--method`, upper-cased with `-` turned into `_`. */
  method?: string;
  /** `--n-samples`. */
  nSamples?: number;
  /** `--min-distance`. */
  minDistance?: number;
  /** `--preselected-tag-id`. */
  preselectedTagId?: string;
  /** `--query-tag-id`. */
  queryTagId?: string;
  /** `--score-type`. */
  scoreType?: string;
  /** `--row-count`. */
  rowCount?: number;
  /** `--body`: a file name, or `-` for stdin. */
  body?: string;
  /** `--wait`. */
  wait: boolean;
  /** `--timeout`, in milliseconds. */
  timeoutMs?: number;
  /** `--dry-run`. */
  dryRun: boolean;
  /** `--batch`: a file name, or `-` for stdin. */
  batch?: string;
  /** `--concurrency`. */
  concurrency: number;
  /** `--skip-invalid`. */
  skipInvalid: boolean;
  /** `--base-url`. */
  baseUrl?: string;
  /** `--token-file`. */
  tokenFile?: string;
  /** `--insecure-http`. */
  insecureHttp: boolean;
  /** `--json`. */
  json: boolean;
  /** `--tag`: a tag's name. */
  tag?: string;
  /** `--tag-id`. */
  tagId?: string;
  /** `--format`, as the API's `fileNameFormat`. */
  format?: "NAME" | "REDIRECTED_READ_URL" | "DATASOURCE_FULL";
  /** `--output`: a file name. */
  output?: string;
  /** `--export` of `select`: a file name. */
  exportFile?: string;
}

/** The values of `--format`, and the API's `fileNameFormat` each means. */
const FORMATS = {
  "name": "NAME",
  "read-url": "REDIRECTED_READ_URL",
  "datasource-url": "DATASOURCE_FULL",
} as const;

/** The outcome of {@linkcode parseCommandLine}. */
export type CommandLine =
  | { kind: "help"; command?: CommandName }
  | { kind: "version"; json: boolean }
  | {
    kind: "run";
    command: CommandName;
    options: CommandLineOptions;
    /** The positional `JOB_ID` of `status` and `wait`. */
    jobId?: string;
  }
  | {
    kind: "usage-error";
    /** Every problem found, one line each. */
    problems: string[];
    /** The command, when it was recognised (for the help hint). */
    command?: CommandName;
    json: boolean;
  };

/**
 * The default of `--concurrency`.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONCURRENCY, parseCommandLine } from "./args.ts";
 * parseCommandLine(["trigger", "--batch", "-"]); // options.concurrency === DEFAULT_CONCURRENCY
 * ```
 */
export const DEFAULT_CONCURRENCY = 4;
/**
 * The largest `--concurrency` accepted.
 *
 * @example
 * ```ts
 * import { MAX_CONCURRENCY, parseCommandLine } from "./args.ts";
 * parseCommandLine(["trigger", "--batch", "-", "--concurrency", String(MAX_CONCURRENCY + 1)]).kind; // "usage-error"
 * ```
 */
export const MAX_CONCURRENCY = 64;

const VALUE_FLAGS = Object.keys(FLAGS).filter((n) => FLAGS[n].value);
const VALUE_FLAG_SET = new Set(VALUE_FLAGS);
const SWITCHES = [
  ...Object.keys(FLAGS).filter((n) => !FLAGS[n].value),
  "version",
];

/** Flags that would carry a secret: refused, with the reason and the way. */
const SECRET_FLAGS = new Set([
  "token",
  "api-key",
  "apikey",
  "api-token",
  "lightly-token",
  "jwt",
  "lightly-jwt",
  "bearer",
  "bearer-token",
  "auth",
  "password",
  "secret",
]);

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * `parseArgs` reads `--min-distance -1` as a flag `-1` and `--body -` as a
 * flag without value: join such a value to its flag (`--min-distance=-1`).
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (
      arg.startsWith("--") && !arg.includes("=") &&
      VALUE_FLAG_SET.has(arg.slice(2)) && next !== undefined &&
      (next === "-" || NEGATIVE_NUMBER.test(next))
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Parses a duration: `90s`, `30m`, `2h`, `500ms`; a bare number is seconds.
 *
 * @param text What was given.
 * @returns Milliseconds, or `undefined` when `text` is not a positive duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./args.ts";
 * parseDuration("30m"); // 1800000
 * parseDuration("soon"); // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? "s"];
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

function show(value: string): string {
  return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
}

function commandsWith(flag: string): CommandName[] {
  return COMMANDS.filter((c) => COMMAND_SPECS[c].flags.includes(flag));
}

function unknownFlagProblem(shown: string, name: string, allowed: string[]) {
  if (SECRET_FLAGS.has(name.toLowerCase())) {
    return `${shown} is not accepted: a secret on the command line ends up in ` +
      `shell history and in the process list. Set LIGHTLY_TOKEN (API token) ` +
      `or LIGHTLY_JWT in the environment, or use --token-file FILE`;
  }
  const guess = closest(name.replace(/^-+/, ""), allowed);
  return guess === undefined
    ? `unknown flag ${shown}`
    : `unknown flag ${shown}; did you mean --${guess}?`;
}

/**
 * Parses and checks a command line. Never throws and never reads anything:
 * every problem comes back at once in a `usage-error`.
 *
 * @param argv The arguments after the program, e.g. `Deno.args`.
 * @returns Help, version, a command to run, or every usage problem found.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./args.ts";
 * const line = parseCommandLine(["status", "0123456789abcdef01234567", "--json"]);
 * line.kind; // "run"
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const unknown: { shown: string; name: string }[] = [];
  const parsed = parseArgs(joinDashValues(argv), {
    string: [...VALUE_FLAGS, "_"],
    boolean: SWITCHES,
    collect: VALUE_FLAGS,
    alias: { h: "help" },
    unknown: (arg, key) => {
      if (key === undefined) return true; // a positional argument
      const shown = arg.startsWith("--") ? `--${key}` : `-${key}`;
      if (!unknown.some((u) => u.shown === shown)) {
        unknown.push({ shown, name: key });
      }
      return false;
    },
  });
  const json = parsed.json === true;
  const positionals = parsed._.map(String);
  if (parsed.version === true) return { kind: "version", json };

  const first = positionals[0];
  if (first === undefined) {
    if (parsed.help === true) return { kind: "help" };
    return {
      kind: "usage-error",
      problems: [`no command given (${COMMANDS.join(", ")})`],
      json,
    };
  }
  if (first === "help") {
    const topic = positionals[1];
    if (topic === undefined) return { kind: "help" };
    if ((COMMANDS as readonly string[]).includes(topic)) {
      return { kind: "help", command: topic as CommandName };
    }
  }
  const candidate = first === "help" ? positionals[1] : first;
  if (!(COMMANDS as readonly string[]).includes(candidate)) {
    const guess = closest(candidate, COMMANDS);
    return {
      kind: "usage-error",
      problems: [
        `unknown command ${show(candidate)}` +
        (guess ? `; did you mean ${guess}?` : "") +
        ` (commands: ${COMMANDS.join(", ")})`,
      ],
      json,
    };
  }
  const command = first as CommandName;
  if (parsed.help === true) return { kind: "help", command };
  return checkCommand(command, parsed, positionals.slice(1), unknown, json);
}

function checkCommand(
  command: CommandName,
  parsed: ParsedArgs,
  rest: string[],
  unknown: { shown: string; name: string }[],
  json: boolean,
): CommandLine {
  const spec = COMMAND_SPECS[command];
  const allowed = [...spec.flags, ...GLOBAL_FLAGS];
  const problems: string[] = [];

  for (const u of unknown) {
    problems.push(unknownFlagProblem(u.shown, u.name, allowed));
  }

  // Which flags were given, and their (single) values.
  const given = new Set<string>();
  const values = new Map<string, string>();
  for (const name of VALUE_FLAGS) {
    const list = parsed[name] as string[] | undefined;
    if (list === undefined || list.length === 0) continue;
    given.add(name);
    if (list.length > 1) {
      problems.push(`--${name} is given ${list.length} times; give it once`);
    }
    values.set(name, list[list.length - 1]);
  }
  for (const name of SWITCHES) {
    if (parsed[name] === true) given.add(name);
  }
  for (const name of given) {
    if (allowed.includes(name) || name === "version") continue;
    const owners = commandsWith(name);
    problems.push(
      `--${name} is not a flag of ${command}` +
        (owners.length > 0 ? ` (it belongs to ${owners.join(", ")})` : ""),
    );
  }

  const options: CommandLineOptions = {
    wait: parsed.wait === true,
    dryRun: parsed["dry-run"] === true,
    skipInvalid: parsed["skip-invalid"] === true,
    insecureHttp: parsed["insecure-http"] === true,
    json,
    concurrency: DEFAULT_CONCURRENCY,
  };
  const numbers = new Map<string, number>();
  for (const [name, raw] of values) {
    if (!allowed.includes(name)) continue;
    const value = raw.trim();
    if (value === "") {
      problems.push(`--${name} needs a value (${FLAGS[name].value})`);
      continue;
    }
    if (NUMBER_FLAGS.has(name)) {
      if (!NUMBER.test(value)) {
        problems.push(`--${name} must be a number (got ${show(raw)})`);
      } else numbers.set(name, Number(value));
    }
  }
  applyValues(options, values, numbers, problems);
  checkModes(command, options, given, problems);

  // Positional arguments; after a secret flag, one may be the secret itself.
  const secretGiven = unknown.some((u) =>
    SECRET_FLAGS.has(u.name.toLowerCase())
  );
  const shown = (value: string) => secretGiven ? "(not shown)" : show(value);
  let jobId: string | undefined;
  if (spec.positional !== undefined) {
    if (rest.length === 0) problems.push(`missing ${spec.positional}`);
    else jobId = rest[0];
    if (rest.length > 1) {
      problems.push(
        `unexpected argument ${
          shown(rest[1])
        } (${command} takes one ${spec.positional})`,
      );
    }
  } else if (rest.length > 0) {
    problems.push(
      `unexpected argument ${shown(rest[0])} (${command} takes flags only)`,
    );
  }

  if (problems.length > 0) {
    return { kind: "usage-error", problems, command, json };
  }
  return { kind: "run", command, options, jobId };
}

function applyValues(
  options: CommandLineOptions,
  values: Map<string, string>,
  numbers: Map<string, number>,
  problems: string[],
): void {
  const text = (name: string) => {
    const v = values.get(name)?.trim();
    return v === "" ? undefined : v;
  };
  options.datasetId = text("dataset-id");
  options.embeddingId = text("embedding-id");
  options.tagName = values.get("tag-name") || undefined; // spaces are legal in tag names
  const method = text("method");
  options.method = method?.toUpperCase().replaceAll("-", "_");
  options.nSamples = numbers.get("n-samples");
  options.minDistance = numbers.get("min-distance");
  options.preselectedTagId = text("preselected-tag-id");
  options.queryTagId = text("query-tag-id");
  options.scoreType = text("score-type");
  options.rowCount = numbers.get("row-count");
  options.body = text("body");
  options.batch = text("batch");
  options.baseUrl = text("base-url");
  options.tokenFile = text("token-file");
  options.tag = values.get("tag") || undefined; // spaces are legal in tag names
  options.tagId = text("tag-id");
  options.output = text("output");
  options.exportFile = text("export");
  const format = text("format");
  if (format !== undefined) {
    options.format = FORMATS[format.toLowerCase() as keyof typeof FORMATS];
    if (options.format === undefined) {
      problems.push(
        `--format must be one of ${Object.keys(FORMATS).join(", ")} (got ${
          show(format)
        })`,
      );
    }
  }
  const timeout = text("timeout");
  if (timeout !== undefined) {
    options.timeoutMs = parseDuration(timeout);
    if (options.timeoutMs === undefined) {
      problems.push(
        `--timeout must be a positive duration such as 90s, 30m or 2h (got ${
          show(timeout)
        })`,
      );
    }
  }
  const concurrency = numbers.get("concurrency");
  if (concurrency !== undefined) {
    if (
      !Number.isInteger(concurrency) || concurrency < 1 ||
      concurrency > MAX_CONCURRENCY
    ) {
      problems.push(
        `--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${concurrency})`,
      );
    } else options.concurrency = concurrency;
  }
  for (const key of Object.keys(options) as (keyof CommandLineOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
}

function checkModes(
  command: CommandName,
  options: CommandLineOptions,
  given: Set<string>,
  problems: string[],
): void {
  const list = (names: string[]) => names.map((n) => `--${n}`).join(", ");
  if (command === "export") {
    if (!given.has("dataset-id")) {
      problems.push("missing required flag: --dataset-id");
    }
    if (given.has("tag") === given.has("tag-id")) {
      problems.push(
        "give the tag as exactly one of --tag NAME and --tag-id ID",
      );
    }
    return;
  }
  if (command === "select" && given.has("format") && !given.has("export")) {
    problems.push("--format only applies with --export FILE");
  }
  if (command !== "trigger" && command !== "select") return;
  if (options.batch !== undefined) {
    const clash = [...given].filter((n) =>
      n === "body" || n === "dataset-id" || n === "embedding-id" ||
      n in BODY_FLAGS
    );
    if (clash.length > 0) {
      problems.push(
        `--batch takes every request from its file: drop ${list(clash)}`,
      );
    }
  } else {
    const batchOnly = ["concurrency", "skip-invalid"].filter((n) =>
      given.has(n)
    );
    if (batchOnly.length > 0) {
      problems.push(`${list(batchOnly)} only apply with --batch FILE`);
    }
    const needed = COMMAND_SPECS[command].required.filter((n) =>
      !given.has(n) &&
      !(options.body !== undefined && n in BODY_FLAGS)
    );
    if (needed.length > 0) {
      problems.push(
        `missing required flag${needed.length > 1 ? "s" : ""}: ${list(needed)}`,
      );
    }
  }
  if (command === "trigger") {
    if (options.dryRun && options.wait) {
      problems.push(
        "--wait cannot be combined with --dry-run: nothing is sent, so there is no job to follow",
      );
    }
    if (given.has("timeout") && !options.wait) {
      problems.push("--timeout only applies with --wait");
    }
  }
}
