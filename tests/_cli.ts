/**
 * Running `cli.ts` as a subprocess for the CLI tests: a fresh `deno run`
 * with exactly the permissions and environment a test gives, stdout and
 * stderr captured, and the sentinel secret checked absent from both on
 * every run.
 */
import { assert } from "@std/assert";
import { parseCommandLine } from "../lib/cli/args.ts";
import { runCommand } from "../lib/cli/commands.ts";
import { createOutput, type OutputStream } from "../lib/cli/output.ts";

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

/** Starts the CLI with stdout and stderr piped and stdin written and closed. */
async function spawnCli(
  args: string[],
  options: RunOptions,
): Promise<Deno.ChildProcess> {
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
  return child;
}

/** Runs the CLI once; the sentinel is checked absent from every output. */
export async function runCli(
  args: string[],
  options: RunOptions = {},
): Promise<CliRun> {
  const child = await spawnCli(args, options);
  const { code, stdout, stderr } = await child.output();
  const run = {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
  assertNoSecret(run.stdout, run.stderr);
  return run;
}

/**
 * Runs the CLI and sends it `signal` as soon as its stderr matches
 * `when`; the run must get that far. Output is checked as by
 * {@linkcode runCli}.
 */
export async function runCliUntil(
  args: string[],
  when: RegExp,
  signal: Deno.Signal,
  options: RunOptions = {},
): Promise<CliRun> {
  const child = await spawnCli(args, options);
  const stdout = new Response(child.stdout).text();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  let sent = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += value;
    if (!sent && when.test(stderr)) {
      child.kill(signal);
      sent = true;
    }
  }
  const run = { code: (await child.status).code, stdout: await stdout, stderr };
  assertNoSecret(run.stdout, run.stderr);
  assert(sent, `never matched ${when}:\n${stderr}`);
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

/** A stream that keeps what is written; not a terminal. */
export function captureStream(): OutputStream & { text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    writeSync(bytes) {
      chunks.push(bytes.slice());
      return bytes.length;
    },
    isTerminal: () => false,
    text: () =>
      new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
  };
}

/**
 * Runs a command in this process (no subprocess): parsed, run and printed
 * as `cli.ts` does, with the token ({@linkcode SENTINEL}) read from a
 * temporary `--token-file`, output captured and checked free of it. The
 * command line must parse (usage errors of the parser need `runCli`).
 */
export async function runInProcess(args: string[]): Promise<CliRun> {
  const tokenFile = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(tokenFile, SENTINEL, { mode: 0o600 });
    const line = parseCommandLine([...args, "--token-file", tokenFile]);
    if (line.kind !== "run") {
      throw new Error(`not a command to run: ${JSON.stringify(line)}`);
    }
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runCommand(
      line,
      createOutput({ json: line.options.json, stdout, stderr, noColor: true }),
    );
    const run = { code, stdout: stdout.text(), stderr: stderr.text() };
    assertNoSecret(run.stdout, run.stderr);
    return run;
  } finally {
    await Deno.remove(tokenFile);
  }
}
