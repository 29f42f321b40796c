#!/usr/bin/env -S deno run --allow-net=api.lightly.ai --allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT,LIGHTLY_SERVER_LOCATION
/**
 * `lightly-sampling`: trigger and follow Lightly sampling jobs from the
 * command line — `trigger`, `select`, `status`, `wait` — and `export` what
 * they selected.
 *
 * Thin on purpose: it parses the command line, hands the command to
 * `lib/cli/commands.ts` (which calls the library), and exits with its code.
 * `--help`, `--version` and usage errors load nothing else; `--dry-run`
 * loads the pure builder only, and `mod.ts` (with zod) is loaded when a
 * command is about to go to the network.
 *
 * ```sh
 * deno run --allow-net=api.lightly.ai --allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT,LIGHTLY_SERVER_LOCATION \
 *   cli.ts trigger --dataset-id … --embedding-id … --tag-name coreset-100 --method coreset --wait
 * ```
 *
 * @module
 */
import { CliUsageError, EXIT } from "./lib/cli/errors.ts";
import { parseCommandLine } from "./lib/cli/flags.ts";
import { commandHelp, helpHint, PROGRAM, toolHelp } from "./lib/cli/help.ts";
import type { CliIo } from "./lib/cli/io.ts";
import { createOutput } from "./lib/cli/output.ts";
import { VERSION } from "./lib/core/version.ts";

export type { CliIo } from "./lib/cli/io.ts";
export type { OutputStream } from "./lib/cli/output.ts";
export type { SignalSource } from "./lib/cli/signals.ts";
export type { Clock } from "./lib/core/policy.ts";

/**
 * Runs the command line and returns the exit code (0 success, 1 refused,
 * 2 usage, 3 transient, 130 / 143 / 129 interrupted by SIGINT / SIGTERM /
 * SIGHUP). Everything it touches outside the process can be injected: a
 * test runs the whole tool in its own process, with the stub's in-process
 * `fetch` and a fake clock.
 *
 * @param args The arguments, without the program.
 * @param io Standard streams, environment, fetch, clock and signals; the real ones by default.
 * @returns The exit code.
 *
 * @example Run a dry run in process, capturing stdout
 * ```ts
 * import { main } from "./cli.ts";
 * let stdout = "";
 * const code = await main([
 *   "trigger", "--dry-run", "--dataset-id", "0123456789abcdef01234567",
 *   "--embedding-id", "89abcdef0123456789abcdef", "--tag-name", "random-10",
 *   "--method", "random",
 * ], {
 *   env: { LIGHTLY_TOKEN: "my-token" },
 *   stdout: {
 *     writeSync: (bytes) => (stdout += new TextDecoder().decode(bytes), bytes.length),
 *     isTerminal: () => false,
 *   },
 * });
 * console.log(code, stdout.includes("?token=[REDACTED]")); // 0 true
 * ```
 */
export async function main(
  args: readonly string[],
  io: CliIo = {},
): Promise<number> {
  const line = parseCommandLine(args);
  const out = createOutput({
    json: line.kind === "run" ? line.options.json : "json" in line && line.json,
    stdout: io.stdout,
    stderr: io.stderr,
    noColor: io.env === undefined ? undefined : Boolean(io.env.NO_COLOR),
  });
  switch (line.kind) {
    case "help":
      out.text(line.command ? commandHelp(line.command) : toolHelp());
      return EXIT.OK;
    case "version":
      if (line.json) out.result([], { name: PROGRAM, version: VERSION });
      else out.text(`${PROGRAM} ${VERSION}`);
      return EXIT.OK;
    case "usage-error":
      out.error(new CliUsageError(line.problems), EXIT.USAGE, {
        hints: [helpHint(line.command)],
      });
      return EXIT.USAGE;
  }
  // Loaded only when a command runs: help and usage errors stay fast.
  const { runCommand } = await import("./lib/cli/commands.ts");
  return await runCommand(line, out, io);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
