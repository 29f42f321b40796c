/**
 * The help texts, the tool's and each command's, read from the tables in
 * `flags.ts`.
 *
 * @module
 */
import {
  COMMAND_NAMES,
  type CommandName,
  COMMANDS,
  type FlagName,
  FLAGS,
  flagsOf,
} from "./flags.ts";

/** The name the tool is installed under (see README, `deno install -n`). */
export const PROGRAM = "lightly-sampling";

const RUN_BY_URL =
  "deno run --allow-net=api.lightly.ai --allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT,LIGHTLY_SERVER_LOCATION cli.ts";

const ENVIRONMENT = [
  [
    "LIGHTLY_TOKEN",
    "API token (sent as ?token=, as Lightly's own client does)",
  ],
  ["LIGHTLY_JWT", "a JWT instead (sent as Authorization: Bearer)"],
  ["LIGHTLY_SERVER_LOCATION", "API base URL when --base-url is not given"],
  ["NO_COLOR", "no colour, even on a terminal"],
] as const;

const EXIT_CODES = [
  ["0", "success"],
  [
    "1",
    "the API, a proxy in front of it (an HTML 4xx page) or the job said no " +
    "(4xx but 408 and 429, FAILED, a refused preflight), or a trigger may " +
    "have been applied (look before retrying)",
  ],
  ["2", "usage or validation error, or a missing permission: nothing was sent"],
  [
    "3",
    "network, timeout, 408, 429 or 5xx, an unreadable answer: retrying may help",
  ],
  [
    "130",
    "interrupted by Ctrl-C (SIGINT); says what was left running and prints " +
    "the command that resumes",
  ],
  ["143", "the same, interrupted by SIGTERM (timeout, kill, docker stop)"],
  ["129", "the same, interrupted by SIGHUP (the terminal closed)"],
] as const;

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function flagText(name: FlagName): string {
  const value = (FLAGS[name] as { value?: string }).value;
  return value ? `--${name} ${value}` : `--${name}`;
}

const flagRows = (names: readonly FlagName[]): [string, string][] =>
  names.map((name) => [flagText(name), FLAGS[name].help]);

const GLOBAL_FLAGS = (Object.keys(FLAGS) as FlagName[]).filter((n) =>
  !("commands" in FLAGS[n])
);

/** The tool's help: commands, common flags, environment, exit codes. */
export function toolHelp(): string {
  return [
    `${PROGRAM}: build and trigger Lightly sampling jobs`,
    "",
    "Usage:",
    `  ${PROGRAM} <command> [flags]`,
    `  ${RUN_BY_URL} <command> [flags]`,
    "",
    "Commands:",
    ...table(COMMAND_NAMES.map((c) => [c, COMMANDS[c].summary])),
    "",
    "Flags for every command:",
    ...table([...flagRows(GLOBAL_FLAGS), ["--version", "print the version"]]),
    "",
    "Environment:",
    ...table(ENVIRONMENT),
    "",
    "Exit codes:",
    ...table(EXIT_CODES),
    "",
    `Run '${PROGRAM} <command> --help' for a command's flags and examples.`,
    "",
  ].join("\n");
}

/** One command's help: usage, description, flags, examples, exit codes. */
export function commandHelp(command: CommandName): string {
  const spec = COMMANDS[command];
  const own = flagsOf(command).filter((n) => !GLOBAL_FLAGS.includes(n));
  const usage = spec.usage ?? [
    command,
    spec.positional,
    ...(spec.required ?? []).map(flagText),
    "[flags]",
  ].filter(Boolean).join(" ");
  return [
    `${PROGRAM} ${command}: ${spec.summary}`,
    "",
    "Usage:",
    `  ${PROGRAM} ${usage}`,
    "",
    // Lines of at most 78 characters, cut at spaces.
    ...spec.description.match(/\S.{0,77}(?=\s|$)/g)!,
    "",
    ...(own.length > 0 ? ["Flags:", ...table(flagRows(own)), ""] : []),
    "Flags for every command:",
    ...table(flagRows(GLOBAL_FLAGS)),
    "",
    "Examples:",
    ...spec.examples.map((e) => e.replace(/^/gm, "  ")),
    "",
    "Exit codes:",
    ...table(EXIT_CODES),
    "",
  ].join("\n");
}

/** A short reminder after a usage error: how to get help. */
export function helpHint(command?: CommandName): string {
  return `Run '${PROGRAM}${command ? ` ${command}` : ""} --help' for usage.`;
}
