/**
 * The command line's vocabulary in one table: every flag (its value, help,
 * the commands that take it, where its value goes in the request) and every
 * command. The parser, the options type, the help and the request body are
 * all read from it: a new flag is one entry in {@linkcode FLAGS}, a new
 * command one entry in {@linkcode COMMANDS} (and its handler).
 *
 * The parser is written here rather than taken from `deno-std`'s
 * `parseArgs`: that one reads `--min-distance -1` and `--body -` as flags,
 * and every check (unknown and repeated flags, values, modes) would still
 * be ours.
 *
 * @module
 */
import { CliUsageError } from "./errors.ts";
import { closest } from "./suggest.ts";

/** The commands of the tool. */
export type CommandName = "trigger" | "select" | "status" | "wait";

/** A value a flag refuses: the rule, said after the flag's name. */
interface Refusal {
  readonly refused: string;
}

/** The largest `--concurrency` accepted. */
export const MAX_CONCURRENCY = 64;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

function show(value: string): string {
  return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
}

/**
 * Parses a duration: `90s`, `30m`, `2h`, `500ms`; a bare number is seconds.
 *
 * @param text What was given.
 * @returns Milliseconds, or `undefined` when `text` is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? "s"];
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

// Value parsers: the text given, to the option's value or a refusal.
const untrimmed = (text: string) => text; // spaces are legal in tag names
const upperCase = (text: string) =>
  text.trim().toUpperCase().replaceAll("-", "_");
function number(text: string): number | Refusal {
  const value = text.trim();
  return NUMBER.test(value)
    ? Number(value)
    : { refused: `must be a number (got ${show(text)})` };
}
function duration(text: string): number | Refusal {
  return parseDuration(text) ?? {
    refused: `must be a positive duration such as 90s, 30m or 2h (got ${
      show(text.trim())
    })`,
  };
}
function concurrency(text: string): number | Refusal {
  const n = number(text);
  return typeof n !== "number" || (Number.isInteger(n) && n >= 1 &&
      n <= MAX_CONCURRENCY)
    ? n
    : {
      refused: `must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${n})`,
    };
}

/** One flag of the table. */
interface FlagSpec {
  /** Placeholder of the value, e.g. `ID`; a switch has none. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
  /** The commands that take it; every command when absent. */
  readonly commands?: readonly CommandName[];
  /** Turns the text into the option's value; trimmed text by default. */
  readonly parse?: (text: string) => unknown;
  /** The option's name when it is not the flag's name in camelCase. */
  readonly key?: string;
  /** The option's value when the flag is not given. */
  readonly default?: unknown;
  /**
   * Where the value goes, as the library's issues name it: `datasetId`,
   * `body.newTagName` (a field of the request body, which the flag fills
   * in), `options.timeoutMs`.
   */
  readonly path?: string;
  /** How an issue about `path` names the flag, when not `--flag`. */
  readonly label?: string;
  /** Only with `--batch`. */
  readonly batchOnly?: true;
}

const REQUEST: readonly CommandName[] = ["trigger", "select"];

/** Every flag the tool knows, by name (without the leading `--`). */
export const FLAGS = {
  // The request.
  "dataset-id": {
    value: "ID",
    help: "the dataset (24 hex digits)",
    commands: REQUEST,
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
    help: "ACTIVE_LEARNING, CORAL, CORESET or RANDOM (any case)",
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
  "wait": {
    help: "follow the job to its new tag",
    commands: ["trigger"],
  },
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
type ValueOf<F> = F extends { value: string }
  ? F extends { parse: (text: string) => infer R } ? Exclude<R, Refusal>
  : string
  : boolean;
type Always<N extends FlagName> = Spec<N> extends { value: string }
  ? Spec<N> extends { default: unknown } ? true : false
  : true;

/**
 * Everything a command line can set, checked and typed, by option name:
 * the flag's name in camelCase (or its `key`). Switches are always set;
 * values only when given (or defaulted).
 */
export type Options =
  & {
    -readonly [N in FlagName as Always<N> extends true ? KeyOf<N> : never]:
      ValueOf<Spec<N>>;
  }
  & {
    -readonly [N in FlagName as Always<N> extends true ? never : KeyOf<N>]?:
      ValueOf<Spec<N>>;
  };

const NAMES = Object.keys(FLAGS) as FlagName[];
const spec = (name: FlagName): FlagSpec => FLAGS[name];

/** The option a flag sets, e.g. `dataset-id` → `datasetId`. */
export function keyOf(name: FlagName): keyof Options {
  return (spec(name).key ??
    name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())) as keyof Options;
}

/** One command of the tool. */
interface CommandSpec {
  /** One line for the tool's help. */
  readonly summary: string;
  /** A paragraph for the command's help. */
  readonly description: string;
  /** Flags it needs (without `--batch`; `--body` stands in for body flags). */
  readonly required?: readonly FlagName[];
  /** The positional argument, when it takes one. */
  readonly positional?: string;
  /** Examples, one command line each, with a leading comment line allowed. */
  readonly examples: readonly string[];
  /** The command's own rules about flags that go together. */
  readonly check?: (options: Options, given: ReadonlySet<FlagName>) => string[];
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
      ...(o.dryRun && o.wait
        ? [
          "--wait cannot be combined with --dry-run: nothing is sent, so there is no job to follow",
        ]
        : []),
      ...(given.has("timeout") && !o.wait
        ? ["--timeout only applies with --wait"]
        : []),
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
    examples: [
      "lightly-sampling wait 65f0c0ffee0123456789abcd --timeout 30m",
    ],
  },
};

/** The command names, in the order help lists them. */
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/**
 * The flags a command takes, in table order.
 *
 * @param command The command.
 * @returns Its own flags and the global ones.
 */
export function flagsOf(command: CommandName): FlagName[] {
  return NAMES.filter((n) => spec(n).commands?.includes(command) ?? true);
}

/** The outcome of {@linkcode parseCommandLine}. */
export type CommandLine =
  | { kind: "help"; command?: CommandName }
  | { kind: "version"; json: boolean }
  | {
    kind: "run";
    command: CommandName;
    options: Options;
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

/** The flags and positionals of an argument list, before any check. */
interface Words {
  positionals: string[];
  values: Map<FlagName, string[]>;
  switches: Set<string>;
  /** Unknown flags as typed (`--tag-nmae`), with their names. */
  unknown: { shown: string; name: string }[];
  /** Switches given a value (`--wait=no`). */
  valued: string[];
}

function split(argv: readonly string[]): Words {
  const words: Words = {
    positionals: [],
    values: new Map(),
    switches: new Set(),
    unknown: [],
    valued: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      words.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      words.positionals.push(arg);
      continue;
    }
    const dashes = arg.startsWith("--") ? 2 : 1;
    const eq = arg.indexOf("=");
    let name = arg.slice(dashes, eq < 0 ? undefined : eq);
    if (name === "h" && dashes === 1) name = "help";
    let inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = argv[i + 1];
    // A value may be `-` (stdin) or a negative number.
    const takesNext = inline === undefined && next !== undefined &&
      (!next.startsWith("-") || next === "-" || NEGATIVE_NUMBER.test(next));
    if (
      name === "version" ||
      (Object.hasOwn(FLAGS, name) && !("value" in spec(name as FlagName)))
    ) {
      if (inline !== undefined) words.valued.push(name);
      words.switches.add(name);
    } else if (Object.hasOwn(FLAGS, name)) {
      if (takesNext) inline = argv[++i];
      const list = words.values.get(name as FlagName) ?? [];
      list.push(inline ?? "");
      words.values.set(name as FlagName, list);
    } else {
      if (takesNext && dashes === 2) i++; // its value, perhaps a secret
      const shown = `${"-".repeat(dashes)}${name}`;
      if (!words.unknown.some((u) => u.shown === shown)) {
        words.unknown.push({ shown, name });
      }
    }
  }
  return words;
}

function unknownFlagProblem(
  shown: string,
  name: string,
  allowed: readonly string[],
): string {
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
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const words = split(argv);
  const json = words.switches.has("json");
  if (words.switches.has("version")) return { kind: "version", json };
  const [first, second] = words.positionals;
  const help = words.switches.has("help");
  const known = (word?: string): word is CommandName =>
    word !== undefined && Object.hasOwn(COMMANDS, word);
  if (first === undefined) {
    if (help) return { kind: "help" };
    const problems = [
      `no command given (${
        COMMAND_NAMES.join(", ").replace(/, (\w+)$/, " or $1")
      })`,
    ];
    return { kind: "usage-error", problems, json };
  }
  if (first === "help" && (second === undefined || known(second))) {
    return { kind: "help", command: second as CommandName | undefined };
  }
  const candidate = first === "help" ? second! : first;
  if (!known(candidate)) {
    const guess = closest(candidate, COMMAND_NAMES);
    const problems = [
      `unknown command ${show(candidate)}` +
      (guess ? `; did you mean ${guess}?` : "") +
      ` (commands: ${COMMAND_NAMES.join(", ")})`,
    ];
    return { kind: "usage-error", problems, json };
  }
  if (help) return { kind: "help", command: candidate };
  return checkCommand(candidate, words, json);
}

function checkCommand(
  command: CommandName,
  words: Words,
  json: boolean,
): CommandLine {
  const allowed = flagsOf(command);
  const problems = words.unknown.map((u) =>
    unknownFlagProblem(u.shown, u.name, allowed)
  );
  for (const name of words.valued) problems.push(`--${name} takes no value`);
  const options: Record<string, unknown> = {};
  const given = new Set<FlagName>();
  for (const name of NAMES) {
    const flag = spec(name);
    const list = words.values.get(name);
    const isGiven = flag.value === undefined
      ? words.switches.has(name)
      : list !== undefined;
    if (flag.value === undefined) options[keyOf(name)] = isGiven;
    else if (flag.default !== undefined) options[keyOf(name)] = flag.default;
    if (!isGiven) continue;
    given.add(name);
    if (!allowed.includes(name)) {
      const owners = COMMAND_NAMES.filter((c) => flagsOf(c).includes(name));
      problems.push(
        `--${name} is not a flag of ${command}` +
          (owners.length > 0 ? ` (it belongs to ${owners.join(", ")})` : ""),
      );
      continue;
    }
    if (list === undefined) continue;
    if (list.length > 1) {
      problems.push(`--${name} is given ${list.length} times; give it once`);
    }
    const text = list[list.length - 1];
    if (text.trim() === "") {
      problems.push(`--${name} needs a value (${flag.value})`);
      continue;
    }
    const value = flag.parse ? flag.parse(text) : text.trim();
    if (typeof value === "object" && value !== null && "refused" in value) {
      problems.push(`--${name} ${(value as Refusal).refused}`);
    } else options[keyOf(name)] = value;
  }
  const o = options as Options;
  checkModes(command, o, given, problems);

  // Positional arguments; after a secret flag, one may be the secret itself.
  const rest = words.positionals.slice(1);
  const secretGiven = words.unknown.some((u) =>
    SECRET_FLAGS.has(u.name.toLowerCase())
  );
  const shown = (value: string) => secretGiven ? "(not shown)" : show(value);
  const positional = COMMANDS[command].positional;
  if (positional !== undefined && rest.length === 0) {
    problems.push(`missing ${positional}`);
  }
  if (rest.length > (positional === undefined ? 0 : 1)) {
    const extra = rest[positional === undefined ? 0 : 1];
    problems.push(
      `unexpected argument ${shown(extra)} (${command} takes ${
        positional === undefined ? "flags only" : `one ${positional}`
      })`,
    );
  }
  if (problems.length > 0) {
    return { kind: "usage-error", problems, command, json };
  }
  return { kind: "run", command, options: o, jobId: rest[0] };
}

/** Whether a flag fills in part of a request (ids, body fields, `--body`). */
function isRequestFlag(name: FlagName): boolean {
  const path = spec(name).path;
  return path !== undefined && !path.startsWith("options.");
}

function checkModes(
  command: CommandName,
  o: Options,
  given: ReadonlySet<FlagName>,
  problems: string[],
): void {
  const list = (names: FlagName[]) => names.map((n) => `--${n}`).join(", ");
  const { required = [], check } = COMMANDS[command];
  if (o.batch !== undefined) {
    const clash = [...given].filter(isRequestFlag);
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
  if (check) problems.push(...check(o, given));
}

/** Where the `--body` text came from, for messages. */
function bodySource(o: Options): string | undefined {
  return o.body === "-" ? "stdin" : o.body;
}

const BODY_FLAGS = NAMES.filter((n) => spec(n).path?.startsWith("body."));

/**
 * Composes the wire body from the body flags and, with `--body`, the file's
 * JSON: a flag fills in a field the file leaves out, repeats it, or is an
 * error when it says something else.
 *
 * @param o The parsed command line.
 * @param bodyText The `--body` content, when given.
 * @returns The body (not yet validated).
 * @throws {CliUsageError} Bad JSON, a body that is not an object, or a flag
 *   that contradicts the file.
 */
export function composeBody(
  o: Options,
  bodyText?: string,
): Record<string, unknown> {
  const source = bodySource(o);
  let body: Record<string, unknown> = { config: {} };
  if (bodyText !== undefined) {
    try {
      body = JSON.parse(bodyText);
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
  }
  const problems: string[] = [];
  for (const name of BODY_FLAGS) {
    const value = o[keyOf(name)];
    if (value === undefined) continue;
    const keys = spec(name).path!.split(".").slice(1);
    const last = keys.pop()!;
    const node = parentOf(body, keys);
    if (node === undefined) {
      problems.push(
        `--${name} cannot be set: ${
          keys.join(".")
        } in ${source} is not an object`,
      );
      continue;
    }
    const existing = node[last];
    if (existing === undefined) node[last] = value;
    else if (JSON.stringify(existing) !== JSON.stringify(value)) {
      problems.push(
        `--${name} ${JSON.stringify(value)} contradicts ${
          [...keys, last].join(".")
        } ${
          JSON.stringify(existing)
        } in ${source}; give one or make them agree`,
      );
    }
  }
  if (problems.length > 0) throw new CliUsageError(problems);
  return body;
}

/** The object at `keys` in `root`, made where missing; none when in the way. */
function parentOf(
  root: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> | undefined {
  let node = root;
  for (const key of keys) {
    const child = node[key] ??= {};
    if (!isObject(child)) return undefined;
    node = child;
  }
  return node;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An issue's path as the table writes it: body fields under `body.`. */
function tablePath(path: string): string {
  return /^(datasetId|embeddingId|body|\(input\)|)$|^(body|options)\./.test(
      path,
    )
    ? path
    : `body.${path}`;
}

/**
 * Names an issue's path the way the user gave the value: the flag when a
 * flag set it, the field in the `--body` file otherwise.
 *
 * @param path The library's issue path, e.g. `newTagName` or `options.baseUrl`.
 * @param o The parsed command line.
 * @returns E.g. `--tag-name`, or `newTagName (in request.json)`.
 */
export function labelFor(path: string, o: Options): string {
  const p = tablePath(path);
  const flag = NAMES.find((n) => spec(n).path === p);
  const named = flag && (spec(flag).label ?? `--${flag}`);
  if (flag && o[keyOf(flag)] !== undefined) return named!;
  if (p.startsWith("body") && o.body !== undefined) {
    return `${p.slice(5) || "(body)"} (in ${bodySource(o)})`;
  }
  if (p === "options.baseUrl") return "LIGHTLY_SERVER_LOCATION";
  return named ?? path;
}

/**
 * Turns the library's validation issues into usage problems, one line each,
 * named with {@linkcode labelFor}.
 *
 * @param issues The library's issues.
 * @param o The parsed command line.
 * @returns Lines such as `--n-samples: must be … (got 1.5)`.
 */
export function issueLines(
  issues: readonly { path: string; rule: string; received?: string }[],
  o: Options,
): string[] {
  return issues.map((i) =>
    `${labelFor(i.path, o)}: ${i.rule}${
      i.received === undefined ? "" : ` (got ${i.received})`
    }`
  );
}
