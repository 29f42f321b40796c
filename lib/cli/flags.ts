/**
 * The command line's vocabulary: {@linkcode FLAGS} and {@linkcode COMMANDS},
 * read by the parser, the options type, the help and the request body. The
 * parser is ours: `deno-std`'s `parseArgs` reads `--min-distance -1` and
 * `--body -` as flags.
 *
 * @module
 */
import type { ValidationIssue } from "../core/errors.ts";
import type { FileNameFormat } from "../core/types.ts";
import { OBJECT_ID_PATTERN, RULES, SAMPLING_METHODS } from "../core/rules.ts";
import { isObject } from "../core/validate.ts";
import { CliUsageError } from "./errors.ts";

export type CommandName = "trigger" | "select" | "status" | "wait" | "export";

/** The rule a value broke, said after the flag's name. */
type Refusal = { readonly refused: string };

const MAX_CONCURRENCY = 64;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

function show(value: string): string {
  return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
}
const refuse = (rule: string, text: string): Refusal => ({
  refused: `${rule} (got ${show(text)})`,
});

/** Parses a duration: `90s`, `30m`, `2h`, `500ms`; a bare number is seconds. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? "s"] : 0;
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

const untrimmed = (text: string) => text; // spaces are legal in tag names
const upperCase = (text: string) =>
  text.trim().toUpperCase().replaceAll("-", "_");
function number(text: string): number | Refusal {
  return NUMBER.test(text.trim())
    ? Number(text.trim())
    : refuse("must be a number", text);
}
const duration = (text: string): number | Refusal =>
  parseDuration(text) ??
    refuse("must be a positive duration such as 90s, 30m or 2h", text.trim());
const FORMATS = {
  "name": "NAME",
  "read-url": "REDIRECTED_READ_URL",
  "datasource-url": "DATASOURCE_FULL",
} as const satisfies Record<string, FileNameFormat>;
function format(
  text: string,
): (typeof FORMATS)[keyof typeof FORMATS] | Refusal {
  const name = text.trim().toLowerCase() as keyof typeof FORMATS;
  return Object.hasOwn(FORMATS, name)
    ? FORMATS[name]
    : refuse(`must be one of ${Object.keys(FORMATS).join(", ")}`, text.trim());
}
/** An id the library does not check for us (it checks a request's), by its rule. */
function objectId(text: string): string | Refusal {
  const id = text.trim();
  return OBJECT_ID_PATTERN.test(id) ? id : refuse(RULES.objectId, id);
}
function idProblem(label: string, id: string): string | undefined {
  const checked = objectId(id);
  return typeof checked === "string"
    ? undefined
    : `${label} ${checked.refused}`;
}
function concurrency(text: string): number | Refusal {
  const n = number(text);
  const whole = Number.isInteger(n) && +n >= 1 && +n <= MAX_CONCURRENCY;
  return typeof n !== "number" || whole ? n : {
    refused: `must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${n})`,
  };
}

/**
 * One flag: `value` its placeholder (a switch has none), `commands` those
 * that take it (all when absent), `parse` text to value (trimmed text by
 * default), `key` its option's name (else the flag's in camelCase), `path`
 * where the value goes as the library's issues name it (`datasetId`,
 * `body.method`, `options.timeoutMs`), `label` how such an issue names it.
 */
interface FlagSpec {
  readonly value?: string;
  readonly help: string;
  readonly commands?: readonly CommandName[];
  readonly parse?: (text: string) => unknown;
  readonly key?: string;
  readonly default?: unknown;
  readonly path?: string;
  readonly label?: string;
  readonly batchOnly?: true;
}

const REQUEST: readonly CommandName[] = ["trigger", "select"];

/** Every flag the tool knows, by name (without the leading `--`). */
export const FLAGS = {
  // The request.
  "dataset-id": {
    value: "ID",
    help: "the dataset (24 hex digits)",
    commands: [...REQUEST, "export"],
    path: "datasetId",
  },
  "embedding-id": {
    value: "ID",
    help: "the embedding (24 hex digits)",
    commands: REQUEST,
    path: "embeddingId",
  },
  "tag-name": {
    value: "NAME",
    help: "name of the tag the job creates",
    commands: REQUEST,
    parse: untrimmed,
    path: "body.newTagName",
  },
  "method": {
    value: "METHOD",
    help: `${SAMPLING_METHODS.join(", ")} (any case)`,
    commands: REQUEST,
    parse: upperCase,
    path: "body.method",
  },
  "n-samples": {
    value: "N",
    help: "stop at N samples (above 1), a fraction (0, 1], or -1 (off)",
    commands: REQUEST,
    parse: number,
    path: "body.config.stoppingCondition.nSamples",
  },
  "min-distance": {
    value: "D",
    help: "stop before samples get closer than D; -1 (off)",
    commands: REQUEST,
    parse: number,
    path: "body.config.stoppingCondition.minDistance",
  },
  "preselected-tag-id": {
    value: "ID",
    help: "tag of samples already chosen (e.g. labelled)",
    commands: REQUEST,
    path: "body.preselectedTagId",
  },
  "query-tag-id": {
    value: "ID",
    help: "tag of the candidate pool (default: the initial tag)",
    commands: REQUEST,
    path: "body.queryTagId",
  },
  "score-type": {
    value: "NAME",
    help: "active-learning score, e.g. uncertainty_margin",
    commands: REQUEST,
    path: "body.scoreType",
  },
  "row-count": {
    value: "N",
    help: "rows of the embedding (rowCount)",
    commands: REQUEST,
    parse: number,
    path: "body.rowCount",
  },
  "body": {
    value: "FILE|-",
    help:
      "the wire JSON body from a file or stdin; flags may fill in, not contradict",
    commands: REQUEST,
    path: "body",
  },
  // Following the job.
  "wait": { help: "follow the job to its new tag", commands: ["trigger"] },
  "timeout": {
    value: "DURATION",
    help: "give up waiting after e.g. 90s, 30m, 2h (default 6h)",
    commands: ["trigger", "select", "wait"],
    parse: duration,
    key: "timeoutMs",
    path: "options.timeoutMs",
    label: "--timeout (in milliseconds)",
  },
  "dry-run": {
    help: "print the request and an equivalent curl; send nothing",
    commands: REQUEST,
  },
  // After the job: its tag's entries.
  "tag": {
    value: "NAME",
    help: "the tag, by name",
    commands: ["export"],
    parse: untrimmed,
  },
  "tag-id": {
    value: "ID",
    help: "the tag, by id (24 hex digits)",
    commands: ["export"],
    parse: objectId,
  },
  "format": {
    value: "FORMAT",
    help: "name (default), read-url (signed: a credential) or datasource-url",
    commands: ["select", "export"],
    parse: format,
  },
  "output": {
    value: "FILE",
    help: "write to FILE (complete or not at all) instead of stdout",
    commands: ["export"],
  },
  "export": {
    value: "FILE",
    help: "when the job finishes, write the new tag's file names to FILE",
    commands: ["select"],
    key: "exportFile",
  },
  // Batch.
  "batch": {
    value: "FILE|-",
    help: "trigger one job per JSON line {datasetId, embeddingId, body}",
    commands: ["trigger"],
  },
  "concurrency": {
    value: "N",
    help: "batch requests in flight (default 4)",
    commands: ["trigger"],
    parse: concurrency,
    default: 4,
    batchOnly: true,
  },
  "skip-invalid": {
    help: "report invalid batch lines and send the valid ones",
    commands: ["trigger"],
    batchOnly: true,
  },
  // Connection and output, for every command.
  "base-url": {
    value: "URL",
    help:
      "API base URL (default $LIGHTLY_SERVER_LOCATION or https://api.lightly.ai)",
    path: "options.baseUrl",
  },
  "token-file": {
    value: "FILE",
    help: "read the API token (or a JWT) from FILE instead of the environment",
  },
  "insecure-http": {
    help: "allow sending the token over plain http:// to a non-local host",
  },
  "json": {
    help: "print one JSON document on stdout (JSON lines for --batch)",
  },
  "help": { help: "show help" },
} as const satisfies Record<string, FlagSpec>;

/** A flag's name. */
export type FlagName = keyof typeof FLAGS;
type Spec<N extends FlagName> = (typeof FLAGS)[N];
type Camel<S extends string> = S extends `${infer H}-${infer T}`
  ? `${H}${Capitalize<Camel<T>>}`
  : S;
type KeyOf<N extends FlagName> = Spec<N> extends { key: infer K extends string }
  ? K
  : Camel<N>;
/** A switch's is a boolean; a value's is `undefined` unless given or defaulted. */
type ValueOf<F> = F extends { value: string } ?
    | (F extends { parse: (text: string) => infer R } ? Exclude<R, Refusal>
      : string)
    | (F extends { default: unknown } ? never : undefined)
  : boolean;

/** What a command line sets, typed, by option name: the flag's in camelCase, or its `key`. */
export type Options = {
  -readonly [N in FlagName as KeyOf<N>]: ValueOf<Spec<N>>;
};

const NAMES = Object.keys(FLAGS) as FlagName[];
const spec = (name: FlagName): FlagSpec => FLAGS[name];
const keyOf = (name: FlagName) =>
  (spec(name).key ??
    name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())) as keyof Options;

/** One command: `required` flags (not with `--batch`; `--body` stands in for body flags), `usage` when those do not say it all, `check` its rules about flags that go together. */
interface CommandSpec {
  readonly summary: string;
  readonly description: string;
  readonly required?: readonly FlagName[];
  readonly positional?: string;
  readonly usage?: string;
  readonly examples: readonly string[];
  readonly check?: (
    o: Options,
    given: ReadonlySet<FlagName>,
  ) => (string | false | undefined)[];
}

/** The commands, in the order help lists them. */
export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  trigger: {
    summary: "start a sampling job (one, or a --batch of them)",
    description:
      "POSTs one sampling request and prints the new job's id. Every flag is " +
      "checked before anything is sent. With --wait it follows the job to " +
      "the tag it creates; Ctrl-C stops following (the job goes on) and " +
      "prints the command that resumes. With --batch it sends one request " +
      "per JSON line, --concurrency at a time, after checking every line.",
    required: ["dataset-id", "embedding-id", "tag-name", "method"],
    examples: [
      "# 100 samples by coreset, then follow the job to its tag",
      "lightly-sampling trigger --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --embedding-id 89abcdef0123456789abcdef --tag-name coreset-100 \\\n" +
      "    --method coreset --n-samples 100 --wait",
      "# show the request and a curl, send nothing",
      "lightly-sampling trigger --dry-run --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --embedding-id 89abcdef0123456789abcdef --body request.json",
      "# many jobs, 8 at a time, JSON lines out",
      "lightly-sampling trigger --batch jobs.jsonl --concurrency 8 --json",
    ],
    check: (o, given) => [
      o.dryRun && o.wait &&
      "--wait cannot be combined with --dry-run: nothing is sent, so there is no job to follow",
      given.has("timeout") && !o.wait && "--timeout only applies with --wait",
    ],
  },
  select: {
    summary:
      "the whole selection: resolve embedding, check, trigger, wait, fetch the tag",
    description:
      "Runs the workflow of Lightly's own client: picks the latest embedding " +
      "unless --embedding-id is given, refuses a tag name that already " +
      "exists, sets rowCount from the initial tag, triggers the job, follows " +
      "it, and prints the new tag.",
    required: ["dataset-id", "tag-name", "method"],
    examples: [
      "lightly-sampling select --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag-name random-50 --method random --n-samples 50",
      "# the same, and the new tag's file names into selected.txt",
      "lightly-sampling select --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag-name random-50 --method random --n-samples 50 --export selected.txt",
    ],
    check: (_, given) => [
      given.has("format") && !given.has("export") &&
      "--format only applies with --export FILE",
    ],
  },
  status: {
    summary: "show a job's status once",
    description:
      "GETs the job once and prints its status, progress and, when it has " +
      "finished, the new tag's id. Exits 0 whenever the status was read, " +
      "whatever it says.",
    positional: "JOB_ID",
    examples: [
      "lightly-sampling status 65f0c0ffee0123456789abcd",
      "lightly-sampling status 65f0c0ffee0123456789abcd --json | jq -r .status",
    ],
  },
  wait: {
    summary: "follow a job until it ends (resumes an interrupted --wait)",
    description:
      "Polls the job at the pace the server asks for, shows progress on " +
      "stderr, and prints the new tag's id when the job finishes.",
    positional: "JOB_ID",
    examples: ["lightly-sampling wait 65f0c0ffee0123456789abcd --timeout 30m"],
  },
  export: {
    summary: "stream a tag's file names (or read URLs), one per line",
    usage:
      "export --dataset-id ID (--tag NAME | --tag-id ID) [--format FORMAT] [--output FILE]",
    description:
      "Streams the tag's entries in sample order, page by page (failed pages " +
      "are retried), to stdout or to --output FILE. The file is written " +
      "under a temporary name in the same folder and renamed once complete: " +
      "a failed or interrupted export leaves no file. Read URLs are signed " +
      "credentials for your bucket: they go to the output only.",
    required: ["dataset-id"],
    examples: [
      "lightly-sampling export --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag coreset-100 --output selected.txt",
      "# signed read URLs as JSON lines",
      "lightly-sampling export --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag-id 89abcdef0123456789abcdef --format read-url --json",
    ],
    check: (o, given) => [
      // The library checks a request's ids; export sends none before its tag.
      o.datasetId !== undefined && idProblem("--dataset-id", o.datasetId),
      given.has("tag") === given.has("tag-id") &&
      "give the tag as exactly one of --tag NAME and --tag-id ID",
    ],
  },
};

/** The command names, in the order help lists them. */
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** The flags a command takes, in table order: its own and the global ones. */
export function flagsOf(command: CommandName): FlagName[] {
  return NAMES.filter((n) => spec(n).commands?.includes(command) ?? true);
}

/** The outcome of {@linkcode parseCommandLine}. */
export type CommandLine =
  | { kind: "help"; command?: CommandName }
  | { kind: "version"; json: boolean }
  | { kind: "run"; command: CommandName; options: Options; jobId?: string }
  // The command, when recognised, for the help hint.
  | {
    kind: "usage-error";
    problems: string[];
    command?: CommandName;
    json: boolean;
  };

/** A command line that names a command to run. */
export type RunLine = Extract<CommandLine, { kind: "run" }>;

/** Edits from `a` to `b`: insertions, deletions, substitutions and swaps of two neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
          ? d[i - 2][j - 2] + 1
          : Infinity,
      );
    }
  }
  return d[a.length][b.length];
}

/**
 * The known word closest to `word`, when one is close enough to be a typo
 * (at most 2 edits, or a third of the word's length for long words), or
 * when `word` is the start of exactly one known word.
 */
export function closest(
  word: string,
  known: readonly string[],
): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  const [best, distance] = known
    .map((k) => [k, editDistance(lower, k)] as const)
    .reduce((x, y) => y[1] < x[1] ? y : x, ["", Infinity] as const);
  if (distance <= limit) return best;
  const prefixed = known.filter((k) =>
    lower.length >= 2 && k.startsWith(lower)
  );
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Flags that would carry a secret: refused, with the reason and the way. */
const SECRET_FLAGS =
  /^(token|api-?key|api-token|lightly-token|jwt|lightly-jwt|bearer|bearer-token|auth|password|secret)$/i;
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/** Parses and checks a command line; never throws or reads anything: every problem at once in a `usage-error`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // Known flags with their values (a switch's is `undefined` unless `=…`).
  const given = new Map<string, (string | undefined)[]>();
  const positionals: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const shown = eq < 0 ? arg : arg.slice(0, eq);
    const name = shown === "-h" ? "help" : shown.replace(/^--?/, "");
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = argv[i + 1];
    // A value may be `-` (stdin) or a negative number.
    const takesNext = value === undefined && next !== undefined &&
      (!next.startsWith("-") || next === "-" || NEGATIVE_NUMBER.test(next));
    const flag = Object.hasOwn(FLAGS, name) ? spec(name as FlagName) : null;
    if (flag === null && name !== "version") {
      if (takesNext && shown.startsWith("--")) i++; // its value, perhaps a secret
      if (!unknown.includes(shown)) unknown.push(shown);
      continue;
    }
    const isSwitch = flag?.value === undefined;
    if (!isSwitch && takesNext) value = argv[++i];
    given.set(name, [...given.get(name) ?? [], isSwitch ? value : value ?? ""]);
  }
  const json = given.has("json");
  if (given.has("version")) return { kind: "version", json };
  const [first, second] = positionals;
  const isCommand = (word?: string): word is CommandName =>
    word !== undefined && Object.hasOwn(COMMANDS, word);
  if (first === undefined && given.has("help")) return { kind: "help" };
  if (first === "help" && (second === undefined || isCommand(second))) {
    return { kind: "help", command: second as CommandName | undefined };
  }
  const candidate = first === "help" ? second : first;
  if (!isCommand(candidate)) {
    const names = COMMAND_NAMES.join(", ");
    const guess = candidate && closest(candidate, COMMAND_NAMES);
    const problems = [
      candidate === undefined
        ? `no command given (${names.replace(/, (\w+)$/, " or $1")})`
        : `unknown command ${show(candidate)}` +
          (guess ? `; did you mean ${guess}?` : "") + ` (commands: ${names})`,
    ];
    return { kind: "usage-error", problems, json };
  }
  if (given.has("help")) return { kind: "help", command: candidate };
  const secret = unknown.some((u) => SECRET_FLAGS.test(u.replace(/^--?/, "")));
  const problems = unknown.map((u) => unknownFlag(u, flagsOf(candidate)));
  const options = checkFlags(candidate, given, problems);

  // Positional arguments; after a secret flag, one may be the secret itself.
  const rest = positionals.slice(1);
  const positional = COMMANDS[candidate].positional;
  if (positional !== undefined && rest.length === 0) {
    problems.push(`missing ${positional}`);
  } else if (positional !== undefined && !secret) {
    const problem = idProblem(positional, rest[0]);
    if (problem) problems.push(problem);
  }
  const extra = rest[positional === undefined ? 0 : 1];
  if (extra !== undefined) {
    const shown = secret ? "(not shown)" : show(extra);
    const takes = positional === undefined ? "flags only" : `one ${positional}`;
    problems.push(`unexpected argument ${shown} (${candidate} takes ${takes})`);
  }
  if (problems.length > 0) {
    return { kind: "usage-error", problems, command: candidate, json };
  }
  return { kind: "run", command: candidate, options, jobId: rest[0] };
}

function unknownFlag(shown: string, allowed: readonly string[]): string {
  const name = shown.replace(/^--?/, "");
  if (SECRET_FLAGS.test(name)) {
    return `${shown} is not accepted: a secret on the command line ends up in ` +
      `shell history and in the process list. Set LIGHTLY_TOKEN (API token) ` +
      `or LIGHTLY_JWT in the environment, or use --token-file FILE`;
  }
  const guess = closest(name, allowed);
  return `unknown flag ${shown}${guess ? `; did you mean --${guess}?` : ""}`;
}

/** Reads each flag of the table: belongs to the command, given once, a good value; then the modes. */
function checkFlags(
  command: CommandName,
  values: ReadonlyMap<string, readonly (string | undefined)[]>,
  problems: string[],
): Options {
  const allowed = flagsOf(command);
  const options: Record<string, unknown> = {};
  const given = new Set<FlagName>();
  for (const name of NAMES) {
    const flag = spec(name);
    const list = values.get(name);
    if (flag.value === undefined) options[keyOf(name)] = list !== undefined;
    else if (flag.default !== undefined) options[keyOf(name)] = flag.default;
    if (list === undefined) continue;
    given.add(name);
    if (!allowed.includes(name)) {
      const owners = COMMAND_NAMES.filter((c) => flagsOf(c).includes(name));
      problems.push(
        `--${name} is not a flag of ${command}` +
          (owners.length > 0 ? ` (it belongs to ${owners.join(", ")})` : ""),
      );
      continue;
    }
    if (list.length > 1 && flag.value !== undefined) {
      problems.push(`--${name} is given ${list.length} times; give it once`);
    }
    const text = list[list.length - 1];
    if (flag.value === undefined) {
      if (text !== undefined) problems.push(`--${name} takes no value`);
    } else if (text === undefined || text.trim() === "") {
      problems.push(`--${name} needs a value (${flag.value})`);
    } else {
      const value = flag.parse ? flag.parse(text) : text.trim();
      if (typeof value === "object" && value !== null && "refused" in value) {
        problems.push(`--${name} ${(value as Refusal).refused}`);
      } else options[keyOf(name)] = value;
    }
  }
  const o = options as Options;
  const list = (names: FlagName[]) => names.map((n) => `--${n}`).join(", ");
  const { required = [], check } = COMMANDS[command];
  if (o.batch !== undefined) {
    // The request flags: ids, body fields, --body.
    const clash = [...given].filter((n) =>
      spec(n).path !== undefined && !spec(n).path!.startsWith("options.")
    );
    if (clash.length > 0) {
      problems.push(
        `--batch takes every request from its file: drop ${list(clash)}`,
      );
    }
  } else {
    const batchOnly = [...given].filter((n) => spec(n).batchOnly);
    if (batchOnly.length > 0) {
      problems.push(`${list(batchOnly)} only apply with --batch FILE`);
    }
    const needed = required.filter((n) =>
      !given.has(n) &&
      !(o.body !== undefined && spec(n).path?.startsWith("body."))
    );
    if (needed.length > 0) {
      problems.push(
        `missing required flag${needed.length > 1 ? "s" : ""}: ${list(needed)}`,
      );
    }
  }
  for (const problem of check?.(o, given) ?? []) {
    if (problem) problems.push(problem);
  }
  return o;
}

const BODY_FLAGS = NAMES.filter((n) => spec(n).path?.startsWith("body."));
const sourceOf = (o: Options) => o.body === "-" ? "stdin" : o.body;

/**
 * The wire body from the body flags and the `--body` file's JSON: a flag
 * fills in a field the file leaves out, or repeats it; contradicting it is a
 * {@linkcode CliUsageError}, as bad JSON is.
 */
export function composeBody(
  o: Options,
  bodyText?: string,
): Record<string, unknown> {
  const source = sourceOf(o);
  let body: unknown = { config: {} };
  try {
    if (bodyText !== undefined) body = JSON.parse(bodyText);
  } catch (error) {
    throw new CliUsageError([
      `--body ${source}: not valid JSON (${(error as Error).message})`,
    ]);
  }
  if (!isObject(body)) {
    throw new CliUsageError([
      `--body ${source}: must be a JSON object (the wire body: newTagName, method, config, …)`,
    ]);
  }
  const problems: string[] = [];
  for (const name of BODY_FLAGS) {
    const value = o[keyOf(name)];
    if (value === undefined) continue;
    const keys = spec(name).path!.split(".").slice(1);
    const last = keys.pop()!;
    // The object holding the field, made where missing.
    let node: Record<string, unknown> | undefined = body;
    for (const key of keys) {
      const child: unknown = node[key] ??= {};
      node = isObject(child) ? child : undefined;
      if (node === undefined) break;
    }
    const [parent, field] = [keys.join("."), [...keys, last].join(".")];
    const given = JSON.stringify(value);
    const found = JSON.stringify(node?.[last]);
    if (node === undefined) {
      problems.push(
        `--${name} cannot be set: ${parent} in ${source} is not an object`,
      );
    } else if (found === undefined) node[last] = value;
    else if (found !== given) {
      problems.push(
        `--${name} ${given} contradicts ${field} ${found} in ${source}; give one or make them agree`,
      );
    }
  }
  if (problems.length > 0) throw new CliUsageError(problems);
  return body;
}

/** Names an issue's path as the user gave the value: the flag that set it, else the field in the `--body` file. */
function labelFor(path: string, o: Options): string {
  // Body fields come unprefixed (`newTagName`) or as `body.newTagName`.
  const p =
    /^(datasetId|embeddingId|body|\(input\)|)$|^(body|options)\./.test(path)
      ? path
      : `body.${path}`;
  const flag = NAMES.find((n) => spec(n).path === p);
  const named = flag && (spec(flag).label ?? `--${flag}`);
  if (flag && o[keyOf(flag)] !== undefined) return named!;
  if (p.startsWith("body") && o.body !== undefined) {
    return `${p.slice(5) || "(body)"} (in ${sourceOf(o)})`;
  }
  if (p === "options.baseUrl") return "LIGHTLY_SERVER_LOCATION";
  return named ?? path;
}

/** The library's validation issues as problems, one line each, named as the user gave each value (by path without `o`). */
export function issueLines(
  issues: readonly ValidationIssue[],
  o?: Options,
): string[] {
  return issues.map((i) =>
    `${o ? labelFor(i.path, o) : i.path}: ${issueText(i)}`
  );
}

/** An issue's rule, and the value it got when there is one. */
export function issueText(issue: ValidationIssue): string {
  const got = issue.received === undefined ? "" : ` (got ${issue.received})`;
  return `${issue.rule}${got}`;
}
