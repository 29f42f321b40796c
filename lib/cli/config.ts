/**
 * The connection settings (docs/cli.md, "Configuration and secrets") and the
 * Deno permissions, asked before anything is touched: a missing one is a line
 * naming the flag to add (exit code 2), never a prompt; a dry run needs none.
 *
 * @module
 */
import { checkBaseUrl, DEFAULT_BASE_URL } from "../core/rules.ts";
import type { ValidationIssue } from "../core/errors.ts";
import { CliUsageError, MissingPermissionError } from "./errors.ts";
import { issueText, type Options } from "./flags.ts";

/** One thing a command needs to be allowed to do. */
type PermissionNeed =
  | { readonly name: "env"; readonly variable: string }
  | { readonly name: "net"; readonly host: string }
  | { readonly name: "read" | "write"; readonly path: string };

/** Whether Deno already granted `need` (a `prompt` state counts as not). */
function isGranted(need: PermissionNeed): boolean {
  return Deno.permissions.querySync(need).state === "granted";
}

/** The `deno run` flags that grant `needs`, one flag per permission kind. */
function flagsFor(needs: readonly PermissionNeed[]): string[] {
  const groups = new Map<string, Set<string>>();
  for (const need of needs) {
    const value = "variable" in need
      ? need.variable
      : "host" in need
      ? need.host
      : need.path;
    groups.set(need.name, (groups.get(need.name) ?? new Set()).add(value));
  }
  return [...groups].map(([name, values]) =>
    `--allow-${name}=${[...values].join(",")}`
  );
}

/** Checks `needs`, throwing one {@linkcode MissingPermissionError} naming every missing flag. */
export function requirePermissions(needs: readonly PermissionNeed[]): void {
  const missing = needs.filter((need) => !isGranted(need));
  if (missing.length > 0) throw new MissingPermissionError(flagsFor(missing));
}

/** The flag to add, read from an error Deno threw for a missing permission. */
export function fromDenoPermissionError(
  error: unknown,
): MissingPermissionError | undefined {
  if (
    !(error instanceof Deno.errors.NotCapable) &&
    !(error instanceof Deno.errors.PermissionDenied)
  ) return undefined;
  const match = /Requires (\w+) access to "([^"]*)"/.exec(error.message);
  const flag = match
    ? `--allow-${match[1]}=${match[2]}`
    : /--allow-[a-z]+/.exec(error.message)?.[0] ?? "--allow-…";
  return new MissingPermissionError([flag]);
}

/** Where settings are read from; tests pass their own. */
export interface ConfigSources {
  /** An environment variable, when reading it is allowed. */
  readEnv(variable: string): { granted: boolean; value?: string };
  isGranted(need: PermissionNeed): boolean;
  /** Size and Unix mode (`null` where there is none) of a file. */
  stat(path: string): { size: number; mode: number | null };
  readTextFile(path: string): string;
}

/** The connection settings a command runs with. */
export interface CliConfig {
  /** Without trailing slash. */
  baseUrl: string;
  baseUrlSource: "--base-url" | "LIGHTLY_SERVER_LOCATION" | "default";
  /** The host to grant with `--allow-net`, e.g. `api.lightly.ai`. */
  host: string;
  /** A placeholder API token in a dry run without one. */
  auth: { apiKey: string } | { bearerToken: string };
  authSource: "LIGHTLY_TOKEN" | "LIGHTLY_JWT" | "--token-file" | "placeholder";
  tokenFile?: string;
  insecureHttp: boolean;
  /** Secret values to mask in any output. */
  secrets: string[];
  /** Warnings for stderr, e.g. a token file other users can read. */
  notes: string[];
}

/** What the library's calls need of the settings: host, credentials, and the run's `fetch`. */
export type Connection = Pick<CliConfig, "baseUrl" | "auth"> & {
  fetch?: typeof fetch;
};

/** The real sources: the process's environment and file system. */
export const DENO_SOURCES: ConfigSources = {
  readEnv: (variable) =>
    isGranted({ name: "env", variable })
      ? { granted: true, value: Deno.env.get(variable) }
      : { granted: false },
  isGranted,
  stat: Deno.statSync,
  readTextFile: Deno.readTextFileSync,
};

const MAX_TOKEN_FILE_BYTES = 64 * 1024;
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

function fromTokenFile(
  path: string,
  sources: ConfigSources,
  notes: string[],
): CliConfig["auth"] {
  if (!sources.isGranted({ name: "read", path })) {
    throw new MissingPermissionError(flagsFor([{ name: "read", path }]));
  }
  const fail = (why: string) =>
    new CliUsageError([`--token-file ${path}${why}`]);
  let text: string;
  try {
    const { size, mode } = sources.stat(path);
    if (size > MAX_TOKEN_FILE_BYTES) {
      throw fail(
        `: larger than ${MAX_TOKEN_FILE_BYTES} bytes, not a token file`,
      );
    }
    if (mode !== null && (mode & 0o077) !== 0) {
      notes.push(
        `${path} can be read by other users; consider: chmod 600 ${path}`,
      );
    }
    text = sources.readTextFile(path).trim();
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    // The message names the path only, never the content.
    throw fail(
      error instanceof Deno.errors.NotFound
        ? ": no such file"
        : `: ${error instanceof Error ? error.name : "unreadable"}`,
    );
  }
  if (text === "") throw fail(" is empty");
  return JWT.test(text) ? { bearerToken: text } : { apiKey: text };
}

/**
 * Resolves the base URL (`--base-url`, `LIGHTLY_SERVER_LOCATION`, default)
 * and the token (`--token-file`, a JWT in it sent as a bearer; else
 * `LIGHTLY_TOKEN`, else `LIGHTLY_JWT`), and refuses a token over plain http
 * to another machine without `--insecure-http`.
 *
 * @throws {MissingPermissionError} Naming every `--allow-…` flag missing (never in a dry run).
 * @throws {CliUsageError} No token, a bad token file or base URL, a token for plain http.
 */
export function resolveConfig(
  flags: Partial<
    Pick<Options, "baseUrl" | "tokenFile" | "insecureHttp" | "dryRun">
  >,
  sources: ConfigSources = DENO_SOURCES,
): CliConfig {
  const notes: string[] = [];
  const missing: string[] = []; // environment variables not granted
  const dryRun = flags.dryRun === true;

  let baseUrl = flags.baseUrl ?? DEFAULT_BASE_URL;
  let baseUrlSource: CliConfig["baseUrlSource"] = "--base-url";
  if (flags.baseUrl === undefined) {
    baseUrlSource = "default";
    const env = sources.readEnv("LIGHTLY_SERVER_LOCATION");
    if (env.granted && env.value?.trim()) {
      baseUrl = env.value.trim();
      baseUrlSource = "LIGHTLY_SERVER_LOCATION";
    } else if (!env.granted && dryRun) {
      notes.push(
        `LIGHTLY_SERVER_LOCATION not read (no --allow-env=LIGHTLY_SERVER_LOCATION): showing ${DEFAULT_BASE_URL}`,
      );
    } else if (!env.granted) {
      missing.push("LIGHTLY_SERVER_LOCATION");
    }
  }

  let auth: CliConfig["auth"] | undefined;
  let authSource: CliConfig["authSource"] = "placeholder";
  const denied: string[] = [];
  const unset: string[] = [];
  if (flags.tokenFile !== undefined) {
    auth = fromTokenFile(flags.tokenFile, sources, notes);
    authSource = "--token-file";
  } else {
    for (const variable of ["LIGHTLY_TOKEN", "LIGHTLY_JWT"] as const) {
      const env = sources.readEnv(variable);
      const value = env.value?.trim();
      if (!env.granted) denied.push(variable);
      else if (!value) unset.push(variable);
      else {
        auth = variable === "LIGHTLY_TOKEN"
          ? { apiKey: value }
          : { bearerToken: value };
        authSource = variable;
        break;
      }
    }
  }
  if (auth === undefined && dryRun) {
    const [names, flag] = [denied.join(" and "), denied.join(",")];
    notes.push(
      denied.length > 0
        ? `${names} not read (no --allow-env=${flag}): showing a placeholder token`
        : "no token set (LIGHTLY_TOKEN, LIGHTLY_JWT): a real run would stop here; showing a placeholder",
    );
    auth = { apiKey: "LIGHTLY_TOKEN" };
  } else if (auth === undefined) {
    missing.push(...denied);
  }

  if (missing.length > 0) {
    const needed = flagsFor(
      missing.map((variable) => ({ name: "env", variable })),
    );
    // One token variable unset, the other not readable: say both.
    throw new MissingPermissionError(
      needed,
      unset.length > 0 && !missing.includes("LIGHTLY_SERVER_LOCATION")
        ? `no token: ${unset[0]} is not set, and reading the other needs a ` +
          `permission: set ${unset[0]}, or run again with ${needed.join(" ")}`
        : undefined,
    );
  }
  if (auth === undefined) {
    throw new CliUsageError([
      "no token: set LIGHTLY_TOKEN (API token) or LIGHTLY_JWT, or pass --token-file FILE",
    ]);
  }

  // The URL by the library's rule, then the plain-http rule.
  const issues: ValidationIssue[] = [];
  const url = checkBaseUrl(baseUrl, issues);
  if (url === undefined) {
    const source = baseUrlSource === "default"
      ? "the default base URL"
      : baseUrlSource;
    throw new CliUsageError(issues.map((i) => `${source} ${issueText(i)}`));
  }
  if (url.cleartext && flags.insecureHttp !== true) {
    throw new CliUsageError([
      `refusing to send the token over plain http:// to ${url.host}: ` +
      `use https://, or pass --insecure-http if this network is trusted`,
    ]);
  }
  return {
    baseUrl: url.prefix,
    baseUrlSource,
    host: url.host,
    auth,
    authSource,
    ...(flags.tokenFile === undefined ? {} : { tokenFile: flags.tokenFile }),
    insecureHttp: flags.insecureHttp === true,
    secrets: authSource === "placeholder" ? [] : Object.values(auth),
    notes,
  };
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg)
    ? arg
    : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The script as the user ran it: a file path relative to the working directory when under it. */
function scriptName(mainModule: string): string {
  if (!mainModule.startsWith("file:")) return mainModule;
  const path = decodeURIComponent(new URL(mainModule).pathname);
  let cwd = "";
  try {
    cwd = Deno.cwd() + "/"; // needs no permission in Deno 2
  } catch { /* keep the absolute path */ }
  return cwd && path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

/** The `deno run … wait <jobId>` that resumes following a job, with this run's permissions and settings. */
export function resumeCommand(
  jobId: string,
  config: CliConfig,
  options: { mainModule?: string } = {},
): string {
  const { authSource, tokenFile } = config;
  const viaFlag = config.baseUrlSource === "--base-url";
  const needs: PermissionNeed[] = [{ name: "net", host: config.host }];
  if (authSource === "LIGHTLY_TOKEN" || authSource === "LIGHTLY_JWT") {
    needs.push({ name: "env", variable: authSource });
  }
  if (!viaFlag) {
    needs.push({ name: "env", variable: "LIGHTLY_SERVER_LOCATION" });
  }
  const tail = ["wait", jobId];
  if (authSource === "--token-file" && tokenFile !== undefined) {
    needs.push({ name: "read", path: tokenFile });
    tail.push("--token-file", tokenFile);
  }
  if (viaFlag) tail.push("--base-url", config.baseUrl);
  if (config.insecureHttp) tail.push("--insecure-http");
  const script = scriptName(options.mainModule ?? Deno.mainModule);
  return ["deno", "run", ...flagsFor(needs), script, ...tail].map(quote)
    .join(" ");
}
