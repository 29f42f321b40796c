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
import { parseCommandLine } from "./lib/cli/args.ts";
import { CliUsageError } from "./lib/cli/errors.ts";
import { EXIT } from "./lib/cli/exit_codes.ts";
import { commandHelp, helpHint, PROGRAM, toolHelp } from "./lib/cli/help.ts";
import { createOutput } from "./lib/cli/output.ts";
import { VERSION } from "./lib/core/version.ts";

/**
 * Runs the command line and returns the exit code (0 success, 1 refused,
 * 2 usage, 3 transient, 130 / 143 / 129 interrupted by SIGINT / SIGTERM /
 * SIGHUP). Writes to stdout and stderr.
 *
 * @param args The arguments, without the program.
 * @returns The exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 * Deno.exit(await main(["status", "0123456789abcdef01234567", "--json"]));
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const line = parseCommandLine(args);
  switch (line.kind) {
    case "help": {
      const out = createOutput();
      out.text(line.command ? commandHelp(line.command) : toolHelp());
      return EXIT.OK;
    }
    case "version": {
      const out = createOutput({ json: line.json });
      if (line.json) out.result([], { name: PROGRAM, version: VERSION });
      else out.text(`${PROGRAM} ${VERSION}`);
      return EXIT.OK;
    }
    case "usage-error": {
      const out = createOutput({ json: line.json });
      out.error(new CliUsageError(line.problems), EXIT.USAGE, {
        hints: [helpHint(line.command)],
      });
      return EXIT.USAGE;
    }
  }
  // Loaded only when a command runs: help and usage errors stay fast.
  const { runCommand } = await import("./lib/cli/commands.ts");
  return await runCommand(line, createOutput({ json: line.options.json }));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
