/**
 * The exact command that picks up a job again — printed when Ctrl-C stops
 * a `--wait`, or a wait gives up while the job may still be running.
 *
 * @module
 */
import type { CliConfig } from "./config.ts";

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg)
    ? arg
    : `'${arg.replaceAll("'", `'\\''`)}'`;
}

function scriptName(mainModule: string): string {
  if (!mainModule.startsWith("file:")) return mainModule;
  const path = decodeURIComponent(new URL(mainModule).pathname);
  let cwd: string | undefined;
  try {
    cwd = Deno.cwd(); // needs no permission in Deno 2
  } catch { /* keep the absolute path */ }
  return cwd !== undefined && path.startsWith(cwd + "/")
    ? path.slice(cwd.length + 1)
    : path;
}

/** Options of {@linkcode resumeCommand}. */
export interface ResumeOptions {
  /**
   * The script being run.
   *
   * @default {Deno.mainModule}
   */
  mainModule?: string;
}

/**
 * The `deno run … wait <jobId>` command that resumes following a job, with
 * the permissions and connection flags this run used (never a secret).
 *
 * @param jobId The job to follow.
 * @param config This run's connection settings.
 * @param options The script's URL.
 * @returns One shell command.
 *
 * @example
 * ```ts ignore
 * import { resumeCommand } from "./resume.ts";
 * resumeCommand("0123456789abcdef01234567", config);
 * // "deno run --allow-net=api.lightly.ai --allow-env=LIGHTLY_TOKEN,LIGHTLY_SERVER_LOCATION cli.ts wait 0123456789abcdef01234567"
 * ```
 */
export function resumeCommand(
  jobId: string,
  config: CliConfig,
  options: ResumeOptions = {},
): string {
  const env: string[] = [];
  const args = ["deno", "run", `--allow-net=${config.host}`];
  if (config.authSource === "LIGHTLY_TOKEN") env.push("LIGHTLY_TOKEN");
  if (config.authSource === "LIGHTLY_JWT") env.push("LIGHTLY_JWT");
  if (config.baseUrlSource !== "--base-url") {
    env.push("LIGHTLY_SERVER_LOCATION");
  }
  if (env.length > 0) args.push(`--allow-env=${env.join(",")}`);
  const tail = ["wait", jobId];
  if (config.authSource === "--token-file" && config.tokenFile !== undefined) {
    args.push(`--allow-read=${config.tokenFile}`);
    tail.push("--token-file", config.tokenFile);
  }
  if (config.baseUrlSource === "--base-url") {
    tail.push("--base-url", config.baseUrl);
  }
  if (config.insecureHttp) tail.push("--insecure-http");
  args.push(scriptName(options.mainModule ?? Deno.mainModule), ...tail);
  return args.map(quote).join(" ");
}
