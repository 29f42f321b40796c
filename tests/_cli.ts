/**
 * Running `cli.ts` as a subprocess for the CLI tests: a fresh `deno run`
 * with exactly the permissions and environment a test gives, stdout and
 * stderr captured, and the sentinel secret checked absent from both on
 * every run.
 */
import { assert } from "@std/assert";

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname;
/** The CLI's entry point. */
export const CLI = `${ROOT}cli.ts`;

/** The API token every CLI test uses: it must never be printed. */
export const SENTINEL = "SENTINEL-cli-t0ken-must-not-leak";
/** A JWT-shaped secret that must never be printed either. */
export const SENTINEL_JWT =
  "eyJhbGciOiJub25lIn0.eyJzZW50aW5lbCI6MX0.SENTINELjwtSig";

/** The permissions of a normal run against the stub. */
export const NET_AND_ENV = [
  "--allow-net=127.0.0.1",
  "--allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT,LIGHTLY_SERVER_LOCATION",
];

/** What a run of the CLI produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode runCli}. */
export interface RunOptions {
  /** `deno run` permission flags; {@linkcode NET_AND_ENV} by default. */
  perms?: string[];
  /** Extra environment variables (the environment is otherwise cleared). */
  env?: Record<string, string>;
  /** Text for stdin. */
  stdin?: string;
}

/** The environment every child needs to find Deno's cache, and nothing else. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The full argument list of a `deno run` of the CLI. */
export function denoArgs(args: string[], perms = NET_AND_ENV): string[] {
  return ["run", "--quiet", "--no-prompt", ...perms, CLI, ...args];
}

/** Asserts the sentinel secrets appear in none of `texts`. */
export function assertNoSecret(...texts: string[]): void {
  for (const text of texts) {
    assert(!text.includes(SENTINEL), `the API token leaked:\n${text}`);
    assert(!text.includes("SENTINELjwtSig"), `the JWT leaked:\n${text}`);
    assert(
      !text.includes(encodeURIComponent(SENTINEL)),
      `the encoded API token leaked:\n${text}`,
    );
  }
}

/** Runs the CLI once; the sentinel is checked absent from every output. */
export async function runCli(
  args: string[],
  options: RunOptions = {},
): Promise<CliRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: denoArgs(args, options.perms),
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv(), NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const run = {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
  assertNoSecret(run.stdout, run.stderr);
  return run;
}

/** The arguments of a valid `trigger` against `stub`. */
export function triggerFlags(
  stub: { url: string; datasetId: string; embeddingId: string },
  tagName: string,
): string[] {
  return [
    "trigger",
    "--base-url",
    stub.url,
    "--dataset-id",
    stub.datasetId,
    "--embedding-id",
    stub.embeddingId,
    "--tag-name",
    tagName,
    "--method",
    "coreset",
    "--n-samples",
    "10",
  ];
}

/** A shell-quoted word. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}
