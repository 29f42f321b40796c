/**
 * What a run touches outside its memory (injectable, so the whole command
 * line runs inside a test's process), its context, and the files or stdin its
 * flags name, read within a size cap.
 *
 * @module
 */
import type { Clock } from "../core/policy.ts";
import type { CliConfig, Connection } from "./config.ts";
import { DENO_SOURCES, resolveConfig } from "./config.ts";
import { CliUsageError } from "./errors.ts";
import type { Options, RunLine } from "./flags.ts";
import type { Output, OutputStream } from "./output.ts";
import { requirePermissions } from "./config.ts";
import type { InterruptWatch, SignalSource } from "./signals.ts";

/** What a run reads, writes and waits on; each part defaults to the real one. */
export interface CliIo {
  /** Standard input, for `--body -` and `--batch -` (`Deno.stdin.readable`). */
  stdin?: ReadableStream<Uint8Array>;
  /** Where results go (`Deno.stdout`). */
  stdout?: OutputStream;
  /** Where progress, notes and errors go (`Deno.stderr`). */
  stderr?: OutputStream;
  /**
   * The environment (`LIGHTLY_TOKEN`, `LIGHTLY_JWT`, `LIGHTLY_SERVER_LOCATION`,
   * `NO_COLOR`) in place of the process's, read without any permission.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** The `fetch` of every request (`globalThis.fetch`); no net permission is checked for one given. */
  fetch?: typeof fetch;
  /** Time for polls, batch pauses and progress (`systemClock`). */
  clock?: Clock;
  /** Where SIGINT, SIGTERM and SIGHUP come from (`Deno`). */
  signals?: SignalSource;
}

/** What a command works with, and what it learned for the report of a failure: the job once named, the POST in flight. */
export interface RunContext {
  readonly line: RunLine;
  readonly options: Options;
  readonly out: Output;
  readonly io: CliIo;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly watch: InterruptWatch;
  config?: CliConfig;
  jobId?: string;
  sending?: { datasetId: string; tagName: string };
}

/** The library's public API, as `mod.ts` exports it. */
export type Library = typeof import("../../mod.ts");

/** Resolves the run's connection settings, kept in `ctx.config`; its secrets are masked from now on. */
export function connect(ctx: RunContext): Connection {
  const env = ctx.io.env; // injected: read without a permission
  const config = resolveConfig(
    ctx.options,
    env === undefined ? DENO_SOURCES : {
      ...DENO_SOURCES,
      readEnv: (v) => ({ granted: true, value: env[v] }),
    },
  );
  ctx.out.addSecrets(config.secrets);
  for (const note of config.notes) ctx.out.note(note);
  ctx.config = config;
  return { baseUrl: config.baseUrl, auth: config.auth, fetch: ctx.io.fetch };
}

/** After {@linkcode connect}, before the first request: the net permission (Deno's fetch only), then `mod.ts` (a dry run never loads it). */
export function goOnline(ctx: RunContext): Promise<Library> {
  if (ctx.io.fetch === undefined) {
    requirePermissions([{ name: "net", host: ctx.config!.host }]);
  }
  return import("../../mod.ts");
}

/** The largest read of each flag's file, in bytes. */
const CAPS = { "--body": 1024 * 1024, "--batch": 64 * 1024 * 1024 };

/** A file or stdin (`name`), whose `lines()` start from the first at each call: a file is read again, stdin's lines are kept. */
export interface Input {
  readonly name: string;
  lines(): AsyncIterable<string>;
}

/** Opens a file named by a flag, or stdin for `-`: permission, kind and size checked before reading. */
export async function openInput(
  flag: keyof typeof CAPS,
  path: string,
  io: CliIo,
): Promise<Input> {
  const cap = CAPS[flag];
  if (path === "-") {
    const stream = io.stdin ?? Deno.stdin.readable;
    let kept: string[] | undefined;
    return {
      name: "stdin",
      async *lines() {
        if (kept !== undefined) return yield* kept;
        kept = [];
        for await (const line of splitLines(stream, cap, "stdin")) {
          kept.push(line);
          yield line;
        }
      },
    };
  }
  requirePermissions([{ name: "read", path }]);
  const fail = (why: string) => new CliUsageError([`${flag} ${path}: ${why}`]);
  const info = await Deno.stat(path).catch((error: Error) => {
    throw fail(
      error instanceof Deno.errors.NotFound ? "no such file" : error.message,
    );
  });
  if (!info.isFile) throw fail("not a file");
  if (info.size > cap) throw fail(`larger than ${cap} bytes`);
  return {
    name: path,
    async *lines() {
      const file = await Deno.open(path);
      yield* splitLines(file.readable, cap, `${flag} ${path}`);
    },
  };
}

/** Splits a byte stream into lines, in one pass, refusing more than `cap` bytes. */
async function* splitLines(
  stream: ReadableStream<Uint8Array>,
  cap: number,
  what: string,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > cap) {
      throw new CliUsageError([`${what} is larger than ${cap} bytes`]);
    }
    const text = decoder.decode(chunk, { stream: true });
    if (!text.includes("\n")) {
      rest += text;
      continue;
    }
    const lines = text.split("\n");
    lines[0] = rest + lines[0];
    rest = lines.pop()!;
    yield* lines;
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}
