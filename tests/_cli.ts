/**
 * Running the CLI for its tests: in this process through `main(args, io)`
 * (the stub's in-process fetch, a fake clock, captured streams), or, for
 * the few smoke tests of what only a real process shows (permissions,
 * signals, a terminal, a run by URL), as a fresh `deno run` with exactly
 * the permissions and environment a test gives. Either way the sentinel
 * secrets are checked absent from every output.
 */
import { assert } from "@std/assert";
import {
  type Clock,
  main,
  type OutputStream,
  type SignalSource,
} from "../cli.ts";
import { startLightlyStub, type StubOptions } from "../testing.ts";
import { fakeClock } from "./_clock.ts";

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

/**
 * `--base-url` of a stub; an in-process stub's host (`lightly-stub.invalid`)
 * is not this machine, so it also needs `--insecure-http`.
 */
export function baseUrlFlags(stub: { url: string }): string[] {
  return new URL(stub.url).hostname === "127.0.0.1"
    ? ["--base-url", stub.url]
    : ["--base-url", stub.url, "--insecure-http"];
}

/** The arguments of a valid `trigger` against `stub`. */
export function triggerFlags(
  stub: { url: string; datasetId: string; embeddingId: string },
  tagName: string,
): string[] {
  return [
    "trigger",
    ...baseUrlFlags(stub),
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

/** A stub with no socket, for runs in this process; its token is the sentinel. */
export function inProcessStub(options: StubOptions = {}) {
  return startLightlyStub({
    listen: false,
    token: SENTINEL,
    jwt: SENTINEL_JWT,
    waitingPolls: 0,
    runningPolls: 1,
    ...options,
  });
}

/** A shell-quoted word. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A stream that keeps what is written; not a terminal. `onText` sees the
 * whole text after each write.
 */
export function captureStream(
  onText?: (text: string) => void,
  terminal = false,
): OutputStream & { text(): string } {
  let text = "";
  const decoder = new TextDecoder();
  return {
    writeSync(bytes) {
      text += decoder.decode(bytes, { stream: true });
      onText?.(text);
      return bytes.length;
    },
    isTerminal: () => terminal,
    text: () => text,
  };
}

/** A fake signal source: `send()` delivers a signal to the run. */
export function fakeSignals(): SignalSource & { send(s: Deno.Signal): void } {
  const handlers = new Map<Deno.Signal, Set<() => void>>();
  return {
    addSignalListener(signal, handler) {
      handlers.set(signal, (handlers.get(signal) ?? new Set()).add(handler));
    },
    removeSignalListener(signal, handler) {
      handlers.get(signal)?.delete(handler);
    },
    send(signal) {
      for (const handler of handlers.get(signal) ?? []) handler();
    },
  };
}

/** Options of {@linkcode runInProcess}. */
export interface InProcessOptions {
  /** The fetch requests go through: an in-process stub's, or the real one. */
  fetch?: typeof fetch;
  /** The environment; `{ LIGHTLY_TOKEN: SENTINEL }` by default. */
  env?: Record<string, string>;
  /** Text for stdin. */
  stdin?: string;
  /** The clock; a fake one whose sleeps return at once by default. */
  clock?: Clock;
  /** Where signals come from; none come by default. */
  signals?: SignalSource;
  /** Called with stderr's whole text after each write. */
  onStderr?: (text: string) => void;
  /** Whether stdout and stderr are terminals; not by default. */
  terminal?: boolean;
}

/**
 * Runs the CLI in this process, as `cli.ts` does, with everything it
 * touches injected; the output is checked free of the sentinel secrets.
 */
export async function runInProcess(
  args: string[],
  options: InProcessOptions = {},
): Promise<CliRun> {
  const stdout = captureStream(undefined, options.terminal);
  const stderr = captureStream(options.onStderr, options.terminal);
  const code = await main(args, {
    stdout,
    stderr,
    env: options.env ?? { LIGHTLY_TOKEN: SENTINEL },
    fetch: options.fetch,
    clock: options.clock ?? fakeClock(),
    signals: options.signals ?? fakeSignals(),
    stdin: options.stdin === undefined
      ? undefined
      : ReadableStream.from([new TextEncoder().encode(options.stdin)]),
  });
  const run = { code, stdout: stdout.text(), stderr: stderr.text() };
  assertNoSecret(run.stdout, run.stderr);
  return run;
}
