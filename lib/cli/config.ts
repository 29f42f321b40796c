/**
 * Where the connection settings come from, and the rules that keep the token
 * safe. The token: `--token-file` (a JWT in it is sent as a bearer), else
 * `LIGHTLY_TOKEN` (`?token=`), else `LIGHTLY_JWT` (`Authorization: Bearer`),
 * never a flag. The base URL: `--base-url`, else `LIGHTLY_SERVER_LOCATION`,
 * else the default, as the library's `checkBaseUrl` normalises it. No token
 * over plain `http://` to another machine without `--insecure-http`. A dry
 * run needs no permission (it shows a placeholder). The resume command
 * repeats settings and permissions, never a secret.
 *
 * @module
 */
import { checkBaseUrl, DEFAULT_BASE_URL } from "../core/client.ts";
import type { ValidationIssue } from "../core/errors.ts";
import { CliUsageError, MissingPermissionError } from "./errors.ts";
import type { Options } from "./flags.ts";
import { flagsFor, isGranted, type PermissionNeed } from "./permissions.ts";
import { readEnv } from "./permissions.ts";

const MAX_TOKEN_FILE_BYTES = 64 * 1024;
/** What a dry run shows in place of a token it could not read. */
const PLACEHOLDER_TOKEN = "LIGHTLY_TOKEN";

/** Where settings are read from; tests pass their own. */
export interface ConfigSources {
  /** Reads an environment variable if allowed (see `permissions.ts`). */
  readEnv(variable: string): { granted: boolean; value?: string };
  isGranted(need: PermissionNeed): boolean;
  /** Size and Unix mode (`null` where there is none) of a file. */
  stat(path: string): { size: number; mode: number | null };
  readTextFile(path: string): string;
}

/** The connection settings a command runs with. */
export interface CliConfig {
  /** The base URL without trailing slash. */
  baseUrl: string;
  baseUrlSource: "--base-url" | "LIGHTLY_SERVER_LOCATION" | "default";
  /** The host to grant with `--allow-net`, e.g. `api.lightly.ai`. */
  host: string;
  /** The credentials: a placeholder API token in a dry run without one. */
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
  readEnv,
  isGranted,
  stat: Deno.statSync,
  readTextFile: Deno.readTextFileSync,
};

const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

function fromTokenFile(
  path: string,
  sources: ConfigSources,
  notes: string[],
): { apiKey: string } | { bearerToken: string } {
  if (!sources.isGranted({ name: "read", path })) {
    throw new MissingPermissionError(flagsFor([{ name: "read", path }]));
  }
  let text: string;
  try {
    const { size, mode } = sources.stat(path);
    if (size > MAX_TOKEN_FILE_BYTES) {
      throw new CliUsageError([
        `--token-file ${path}: larger than ${MAX_TOKEN_FILE_BYTES} bytes, not a token file`,
      ]);
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
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Error
      ? error.name
      : "unreadable";
    throw new CliUsageError([`--token-file ${path}: ${why}`]);
  }
  if (text === "") throw new CliUsageError([`--token-file ${path} is empty`]);
  return JWT.test(text) ? { bearerToken: text } : { apiKey: text };
}

/**
 * Resolves the base URL and the token and applies the safety rules.
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
  const missing: PermissionNeed[] = [];
  const dryRun = flags.dryRun === true;

  // Base URL.
  let baseUrl = DEFAULT_BASE_URL;
  let baseUrlSource: CliConfig["baseUrlSource"] = "default";
  if (flags.baseUrl !== undefined) {
    baseUrl = flags.baseUrl;
    baseUrlSource = "--base-url";
  } else {
    const env = sources.readEnv("LIGHTLY_SERVER_LOCATION");
    if (!env.granted) {
      if (dryRun) {
        notes.push(
          `LIGHTLY_SERVER_LOCATION not read (no --allow-env=LIGHTLY_SERVER_LOCATION): showing ${DEFAULT_BASE_URL}`,
        );
      } else missing.push({ name: "env", variable: "LIGHTLY_SERVER_LOCATION" });
    } else if (env.value !== undefined && env.value.trim() !== "") {
      baseUrl = env.value.trim();
      baseUrlSource = "LIGHTLY_SERVER_LOCATION";
    }
  }

  // Token.
  let auth: CliConfig["auth"] | undefined;
  let authSource: CliConfig["authSource"] = "placeholder";
  let unset: string[] = [];
  if (flags.tokenFile !== undefined) {
    auth = fromTokenFile(flags.tokenFile, sources, notes);
    authSource = "--token-file";
  } else {
    const denied: string[] = [];
    for (const variable of ["LIGHTLY_TOKEN", "LIGHTLY_JWT"] as const) {
      const env = sources.readEnv(variable);
      const value = env.value?.trim();
      if (!env.granted) denied.push(variable);
      else if (value) {
        auth = variable === "LIGHTLY_TOKEN"
          ? { apiKey: value }
          : { bearerToken: value };
        authSource = variable;
        break;
      } else unset.push(variable);
    }
    if (auth === undefined && dryRun) {
      notes.push(
        denied.length > 0
          ? `${denied.join(" and ")} not read (no --allow-env=${
            denied.join(",")
          }): showing a placeholder token`
          : "no token set (LIGHTLY_TOKEN, LIGHTLY_JWT): a real run would stop here; showing a placeholder",
      );
      auth = { apiKey: PLACEHOLDER_TOKEN };
      unset = [];
    } else if (auth === undefined && denied.length > 0) {
      for (const variable of denied) missing.push({ name: "env", variable });
    }
  }

  if (missing.length > 0) {
    const flagsNeeded = flagsFor(missing);
    const tokenOnly = missing.every((m) =>
      m.name === "env" && m.variable !== "LIGHTLY_SERVER_LOCATION"
    );
    throw new MissingPermissionError(
      flagsNeeded,
      tokenOnly && unset.length > 0
        ? `no token: ${unset.join(" and ")} ${
          unset.length > 1 ? "are" : "is"
        } not set, and reading the other needs a permission: set ${
          unset[0]
        }, or run again with ${flagsNeeded.join(" ")}`
        : undefined,
    );
  }
  if (auth === undefined) {
    throw new CliUsageError([
      "no token: set LIGHTLY_TOKEN (API token) or LIGHTLY_JWT, or pass --token-file FILE",
    ]);
  }

  // The URL (the library's rule) and the plain-http rule.
  const source = baseUrlSource === "default"
    ? "the default base URL"
    : baseUrlSource;
  const issues: ValidationIssue[] = [];
  const url = checkBaseUrl(baseUrl, issues);
  if (url === undefined) {
    throw new CliUsageError(
      issues.map((i) =>
        `${source} ${i.rule}${
          i.received === undefined ? "" : ` (got ${i.received})`
        }`
      ),
    );
  }
  if (url.cleartext && flags.insecureHttp !== true) {
    throw new CliUsageError([
      `refusing to send the token over plain http:// to ${url.host}: ` +
      `use https://, or pass --insecure-http if this network is trusted`,
    ]);
  }
  const secret = "apiKey" in auth ? auth.apiKey : auth.bearerToken;
  return {
    baseUrl: url.prefix,
    baseUrlSource,
    host: url.host,
    auth,
    authSource,
    ...(flags.tokenFile === undefined ? {} : { tokenFile: flags.tokenFile }),
    insecureHttp: flags.insecureHttp === true,
    secrets: authSource === "placeholder" ? [] : [secret],
    notes,
  };
}

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
