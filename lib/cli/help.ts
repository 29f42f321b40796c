/**
 * The help texts: the tool's and each command's, with examples, the
 * environment and the exit codes, all read from the table in `spec.ts`.
 *
 * @module
 */
import {
  COMMAND_SPECS,
  type CommandName,
  COMMANDS,
  EXIT_CODE_HELP,
  FLAGS,
  GLOBAL_FLAGS,
} from "./spec.ts";

/**
 * The name the tool is installed under (see README, `deno install -n`).
 *
 * @example
 * ```ts
 * import { PROGRAM } from "./help.ts";
 * console.log(`${PROGRAM} --help`);
 * ```
 */
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

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function flagRows(names: readonly string[]): [string, string][] {
  return names.map((name) => {
    const spec = FLAGS[name];
    const left = spec.value ? `--${name} ${spec.value}` : `--${name}`;
    return [left, spec.help];
  });
}

function exitCodes(): string[] {
  return table(EXIT_CODE_HELP.map(([code, text]) => [String(code), text]));
}

/**
 * The tool's help: commands, common flags, environment, exit codes.
 *
 * @returns Multi-line text ending with a newline.
 *
 * @example
 * ```ts
 * import { toolHelp } from "./help.ts";
 * console.log(toolHelp());
 * ```
 */
export function toolHelp(): string {
  return [
    `${PROGRAM}: build and trigger Lightly sampling jobs`,
    "",
    "Usage:",
    `  ${PROGRAM} <command> [flags]`,
    `  ${RUN_BY_URL} <command> [flags]`,
    "",
    "Commands:",
    ...table(COMMANDS.map((c) => [c, COMMAND_SPECS[c].summary])),
    "",
    "Flags for every command:",
    ...table([...flagRows(GLOBAL_FLAGS), ["--version", "print the version"]]),
    "",
    "Environment:",
    ...table(ENVIRONMENT),
    "",
    "Exit codes:",
    ...exitCodes(),
    "",
    `Run '${PROGRAM} <command> --help' for a command's flags and examples.`,
    "",
  ].join("\n");
}

/**
 * One command's help: usage, description, flags, examples, exit codes.
 *
 * @param command The command.
 * @returns Multi-line text ending with a newline.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./help.ts";
 * console.log(commandHelp("trigger"));
 * ```
 */
export function commandHelp(command: CommandName): string {
  const spec = COMMAND_SPECS[command];
  const lines = [
    `${PROGRAM} ${command}: ${spec.summary}`,
    "",
    "Usage:",
    `  ${PROGRAM} ${spec.usage}`,
    "",
    ...wrap(spec.description, 78),
    "",
  ];
  if (spec.flags.length > 0) {
    lines.push("Flags:", ...table(flagRows(spec.flags)), "");
  }
  lines.push(
    "Flags for every command:",
    ...table(flagRows(GLOBAL_FLAGS)),
    "",
    "Examples:",
    ...spec.examples.map((e) => e.split("\n").map((l) => `  ${l}`).join("\n")),
    "",
    "Exit codes:",
    ...exitCodes(),
    "",
  );
  return lines.join("\n");
}

/**
 * A short reminder after a usage error: how to get help.
 *
 * @param command The command, when one was recognised.
 * @returns One line.
 *
 * @example
 * ```ts
 * import { helpHint } from "./help.ts";
 * helpHint("trigger"); // "Run 'lightly-sampling trigger --help' for usage."
 * ```
 */
export function helpHint(command?: CommandName): string {
  return `Run '${PROGRAM}${command ? ` ${command}` : ""} --help' for usage.`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
