/**
 * The command line's vocabulary: every command and every flag, in one table
 * that the parser (`args.ts`) and the help (`help.ts`) both read, so the two
 * cannot drift apart.
 *
 * @module
 */

/** The commands of the tool. */
export type CommandName = "trigger" | "select" | "status" | "wait" | "export";

/**
 * The command names, in the order help lists them.
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./spec.ts";
 * COMMANDS.includes("wait"); // true
 * ```
 */
export const COMMANDS: readonly CommandName[] = [
  "trigger",
  "select",
  "status",
  "wait",
  "export",
];

/** One flag: its value's placeholder (none for a switch) and its help text. */
export interface FlagSpec {
  /** Placeholder of the value, e.g. `ID`; absent for a boolean switch. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
}

/**
 * Every flag the tool knows, by name (without the leading `--`).
 *
 * @example
 * ```ts
 * import { FLAGS } from "./spec.ts";
 * FLAGS["tag-name"].value; // "NAME"
 * ```
 */
export const FLAGS: Readonly<Record<string, FlagSpec>> = {
  // The request.
  "dataset-id": { value: "ID", help: "the dataset (24 hex digits)" },
  "embedding-id": { value: "ID", help: "the embedding (24 hex digits)" },
  "tag-name": { value: "NAME", help: "name of the tag the job creates" },
  "method": {
    value: "METHOD",
    help: "ACTIVE_LEARNING, CORAL, CORESET or RANDOM (any case)",
  },
  "n-samples": {
    value: "N",
    help: "stop at N samples (above 1), a fraction (0, 1], or -1 (off)",
  },
  "min-distance": {
    value: "D",
    help: "stop before samples get closer than D; -1 (off)",
  },
  "preselected-tag-id": {
    value: "ID",
    help: "tag of samples already chosen (e.g. labelled)",
  },
  "query-tag-id": {
    value: "ID",
    help: "tag of the candidate pool (default: the initial tag)",
  },
  "score-type": {
    value: "NAME",
    help: "active-learning score, e.g. uncertainty_margin",
  },
  "row-count": { value: "N", help: "rows of the embedding (rowCount)" },
  "body": {
    value: "FILE|-",
    help:
      "the wire JSON body from a file or stdin; flags may fill in, not contradict",
  },
  // Following the job.
  "wait": { help: "follow the job to its new tag" },
  "timeout": {
    value: "DURATION",
    help: "give up waiting after e.g. 90s, 30m, 2h (default 6h)",
  },
  "dry-run": {
    help: "print the request and an equivalent curl; send nothing",
  },
  // After the job.
  "tag": { value: "NAME", help: "the tag, by name" },
  "tag-id": { value: "ID", help: "the tag, by id (24 hex digits)" },
  "format": {
    value: "FORMAT",
    help: "name (default), read-url (signed: a credential) or datasource-url",
  },
  "output": {
    value: "FILE",
    help: "write to FILE (complete or not at all) instead of stdout",
  },
  "export": {
    value: "FILE",
    help: "when the job finishes, write the new tag's file names to FILE",
  },
  // Batch.
  "batch": {
    value: "FILE|-",
    help: "trigger one job per JSON line {datasetId, embeddingId, body}",
  },
  "concurrency": { value: "N", help: "batch requests in flight (default 4)" },
  "skip-invalid": {
    help: "report invalid batch lines and send the valid ones",
  },
  // Connection and output.
  "base-url": {
    value: "URL",
    help:
      "API base URL (default $LIGHTLY_SERVER_LOCATION or https://api.lightly.ai)",
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
};

/**
 * The flags that fill in the request body, by name, with their wire path.
 *
 * @example
 * ```ts
 * import { BODY_FLAGS } from "./spec.ts";
 * BODY_FLAGS["n-samples"]; // "config.stoppingCondition.nSamples"
 * ```
 */
export const BODY_FLAGS: Readonly<Record<string, string>> = {
  "tag-name": "newTagName",
  "method": "method",
  "n-samples": "config.stoppingCondition.nSamples",
  "min-distance": "config.stoppingCondition.minDistance",
  "preselected-tag-id": "preselectedTagId",
  "query-tag-id": "queryTagId",
  "score-type": "scoreType",
  "row-count": "rowCount",
};

/**
 * The flags whose values are numbers.
 *
 * @example
 * ```ts
 * import { NUMBER_FLAGS } from "./spec.ts";
 * NUMBER_FLAGS.has("row-count"); // true
 * ```
 */
export const NUMBER_FLAGS: ReadonlySet<string> = new Set([
  "n-samples",
  "min-distance",
  "row-count",
  "concurrency",
]);

/**
 * Flags every command takes.
 *
 * @example
 * ```ts
 * import { GLOBAL_FLAGS } from "./spec.ts";
 * GLOBAL_FLAGS.includes("json"); // true
 * ```
 */
export const GLOBAL_FLAGS: readonly string[] = [
  "base-url",
  "token-file",
  "insecure-http",
  "json",
  "help",
];

/** One command: what it does, what it takes, and examples. */
export interface CommandSpec {
  /** One line for the tool's help. */
  readonly summary: string;
  /** The usage line after the program name. */
  readonly usage: string;
  /** A paragraph for the command's help. */
  readonly description: string;
  /** Its own flags (the global ones come on top). */
  readonly flags: readonly string[];
  /** Flags it needs (before `--body` and `--batch` are taken into account). */
  readonly required: readonly string[];
  /** The positional argument, when it takes one. */
  readonly positional?: string;
  /** Examples, one command line each, with a leading comment line allowed. */
  readonly examples: readonly string[];
}

const REQUEST_FLAGS = [
  "dataset-id",
  "embedding-id",
  "tag-name",
  "method",
  "n-samples",
  "min-distance",
  "preselected-tag-id",
  "query-tag-id",
  "score-type",
  "row-count",
  "body",
];

/**
 * The commands, by name.
 *
 * @example
 * ```ts
 * import { COMMAND_SPECS } from "./spec.ts";
 * COMMAND_SPECS.status.positional; // "JOB_ID"
 * ```
 */
export const COMMAND_SPECS: Readonly<Record<CommandName, CommandSpec>> = {
  trigger: {
    summary: "start a sampling job (one, or a --batch of them)",
    usage:
      "trigger --dataset-id ID --embedding-id ID --tag-name NAME --method METHOD [flags]",
    description:
      "POSTs one sampling request and prints the new job's id. Every flag is " +
      "checked before anything is sent. With --wait it follows the job to " +
      "the tag it creates; Ctrl-C stops following (the job goes on) and " +
      "prints the command that resumes. With --batch it sends one request " +
      "per JSON line, --concurrency at a time, after checking every line.",
    flags: [
      ...REQUEST_FLAGS,
      "wait",
      "timeout",
      "dry-run",
      "batch",
      "concurrency",
      "skip-invalid",
    ],
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
  },
  select: {
    summary:
      "the whole selection: resolve embedding, check, trigger, wait, fetch the tag",
    usage:
      "select --dataset-id ID --tag-name NAME --method METHOD [--embedding-id ID] [flags]",
    description:
      "Runs the workflow of Lightly's own client: picks the latest embedding " +
      "unless --embedding-id is given, refuses a tag name that already " +
      "exists, sets rowCount from the initial tag, triggers the job, follows " +
      "it, and prints the new tag.",
    flags: [...REQUEST_FLAGS, "timeout", "dry-run", "export", "format"],
    required: ["dataset-id", "tag-name", "method"],
    examples: [
      "lightly-sampling select --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag-name random-50 --method random --n-samples 50",
      "# the same, and the new tag's file names into selected.txt",
      "lightly-sampling select --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag-name random-50 --method random --n-samples 50 --export selected.txt",
    ],
  },
  status: {
    summary: "show a job's status once",
    usage: "status JOB_ID [flags]",
    description:
      "GETs the job once and prints its status, progress and, when it has " +
      "finished, the new tag's id. Exits 0 whenever the status was read, " +
      "whatever it says.",
    flags: [],
    required: [],
    positional: "JOB_ID",
    examples: [
      "lightly-sampling status 65f0c0ffee0123456789abcd",
      "lightly-sampling status 65f0c0ffee0123456789abcd --json | jq -r .status",
    ],
  },
  wait: {
    summary: "follow a job until it ends (resumes an interrupted --wait)",
    usage: "wait JOB_ID [--timeout DURATION] [flags]",
    description:
      "Polls the job at the pace the server asks for, shows progress on " +
      "stderr, and prints the new tag's id when the job finishes.",
    flags: ["timeout"],
    required: [],
    positional: "JOB_ID",
    examples: [
      "lightly-sampling wait 65f0c0ffee0123456789abcd --timeout 30m",
    ],
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
    flags: ["dataset-id", "tag", "tag-id", "format", "output"],
    required: ["dataset-id"],
    examples: [
      "lightly-sampling export --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag coreset-100 --output selected.txt",
      "# signed read URLs as JSON lines",
      "lightly-sampling export --dataset-id 0123456789abcdef01234567 \\\n" +
      "    --tag-id 89abcdef0123456789abcdef --format read-url --json",
    ],
  },
};

/**
 * The exit codes, for help and README.
 *
 * @example
 * ```ts
 * import { EXIT_CODE_HELP } from "./spec.ts";
 * for (const [code, meaning] of EXIT_CODE_HELP) console.log(code, meaning);
 * ```
 */
export const EXIT_CODE_HELP: readonly (readonly [number, string])[] = [
  [0, "success"],
  [
    1,
    "the API, a proxy in front of it (an HTML 4xx page) or the job said no " +
    "(4xx but 408 and 429, FAILED, a refused preflight), or a trigger may " +
    "have been applied (look before retrying)",
  ],
  [2, "usage or validation error, or a missing permission: nothing was sent"],
  [
    3,
    "network, timeout, 408, 429 or 5xx, an unreadable answer: retrying may help",
  ],
  [
    130,
    "interrupted by Ctrl-C (SIGINT); says what was left running and prints " +
    "the command that resumes",
  ],
  [143, "the same, interrupted by SIGTERM (timeout, kill, docker stop)"],
  [129, "the same, interrupted by SIGHUP (the terminal closed)"],
];
