/**
 * Everything the command line writes: results on stdout (text, or JSON), the
 * rest on stderr; colour only on a terminal, never with `NO_COLOR`. Every
 * byte passes a last mask of the known secrets, and text from servers and
 * files is escaped: nothing written can move the cursor or retitle the window.
 *
 * @module
 */
import type { LightlyRequest } from "../core/build.ts";
import { createRedactor } from "../core/redact.ts";
import {
  CONTROL_CHARACTERS,
  formatCurl,
  formatRequest,
  redactRequest,
} from "../display/format.ts";
import { UnprintableAnswerError } from "./errors.ts";

/** A stream to write to: `Deno.stdout` and `Deno.stderr` are ones. */
export interface OutputStream {
  /** Writes some of `bytes`, returning how many. */
  writeSync(bytes: Uint8Array): number;
  /** Whether the stream is a terminal. */
  isTerminal(): boolean;
}

/** One row of a result for people: a label and a value. */
export type Field = readonly [label: string, value: string | undefined];

const CODES = {
  red: [31, 39],
  green: [32, 39],
  cyan: [36, 39],
  dim: [2, 22],
} as const;

/** A piece of text for people, plain or coloured; escaped before it is painted. */
export type Span = string | readonly [text: string, colour: keyof typeof CODES];

const hex = (char: string) => char.charCodeAt(0).toString(16).padStart(2, "0");

/** Escapes what a terminal would act on, so text from a server or a file is shown, never obeyed. */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (char) => char < "\x80" ? `\\x${hex(char)}` : `\\u00${hex(char)}`,
  );
}

function render(spans: readonly Span[], colour: boolean): string {
  return spans.map((span) => {
    if (typeof span === "string") return escapeControl(span);
    const [open, close] = CODES[span[1]];
    const text = escapeControl(span[0]);
    return colour ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  }).join("");
}

/** The deepest nesting JSON output carries: deeper data is refused as a result, cut in an error report. */
export const MAX_JSON_DEPTH = 64;

function toJson(data: unknown, indent: number, cut: boolean): string {
  const depths = new WeakMap<object, number>();
  const text = JSON.stringify(
    data,
    function (this: object, _key: string, value: unknown) {
      if (typeof value !== "object" || value === null) return value;
      const depth = (depths.get(this) ?? 0) + 1;
      if (depth > MAX_JSON_DEPTH) {
        if (cut) return "[nested too deep]";
        throw new UnprintableAnswerError(MAX_JSON_DEPTH);
      }
      depths.set(value, depth);
      return value;
    },
    indent,
  ) ?? "null";
  // JSON.stringify escapes C0 but tab and newline, never DEL and C1.
  return text.replace(CONTROL_CHARACTERS, (char) => `\\u00${hex(char)}`);
}

/** An error's safe fields for JSON: its `toJSON()`, else name and message. */
export function errorJson(error: unknown): Record<string, unknown> {
  const toJSON = (error as { toJSON?: unknown } | null)?.toJSON;
  if (typeof toJSON === "function") return toJSON.call(error);
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { message: String(error) };
}

/** The command line's writer. */
export type Output = ReturnType<typeof createOutput>;

/** Creates the writer for one run: JSON results or text; each stream and `noColor` default to the process's. */
export function createOutput(options: {
  json?: boolean;
  stdout?: OutputStream;
  stderr?: OutputStream;
  noColor?: boolean;
} = {}) {
  const { stdout = Deno.stdout, stderr = Deno.stderr } = options;
  const noColor = options.noColor ?? Deno.noColor;
  const json = options.json === true;
  const stdoutColor = !noColor && stdout.isTerminal();
  const stderrIsTerminal = stderr.isTerminal();
  const stderrColor = !noColor && stderrIsTerminal;
  const secrets: string[] = [];
  let redactor = createRedactor(secrets);
  const encoder = new TextEncoder();
  const broken = new Set<OutputStream>();

  function write(stream: OutputStream, text: string): void {
    if (broken.has(stream)) return;
    let bytes = encoder.encode(redactor.mask(text));
    try {
      while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
    } catch (error) {
      // A closed pipe (`| head`) ends the output quietly, as Unix tools do.
      if (error instanceof Deno.errors.BrokenPipe) broken.add(stream);
      else throw error;
    }
  }

  return {
    /** Whether results are JSON. */
    json,
    /** Whether stderr is a terminal (live progress) or not (plain lines). */
    stderrIsTerminal,
    /** Adds secrets to mask in everything written from now on. */
    addSecrets(list: readonly string[]): void {
      // Masking "a" would garble everything; the mask covers encoded forms too.
      const fresh = list.filter((s) => s.length >= 4 && !secrets.includes(s));
      if (fresh.length === 0) return;
      secrets.push(...new Set(fresh));
      redactor = createRedactor(secrets);
    },
    /** The result: aligned `fields`, or `data` as JSON (refused, unwritten, when too deep). */
    result(fields: readonly Field[], data: unknown): void {
      if (json) return write(stdout, toJson(data, 2, false) + "\n");
      const shown = fields.filter(([, value]) => value !== undefined);
      const width = Math.max(0, ...shown.map(([label]) => label.length));
      const rows = shown.flatMap(([label, value]): Span[] => [
        [label, "dim"],
        `${" ".repeat(width - label.length)}  ${value}\n`,
      ]);
      write(stdout, render(rows, stdoutColor));
    },
    /** Text for people on stdout, ending in a newline (not with `--json`). */
    text(text: string): void {
      if (!json) write(stdout, render([text.replace(/\n?$/, "\n")], false));
    },
    /** One JSON line on stdout, in either mode (cut when too deep). */
    jsonLine(data: unknown): void {
      write(stdout, toJson(data, 0, true) + "\n");
    },
    /** A progress line on stderr: `live` redraws the terminal's line in place (none: clears it). */
    progress(spans: readonly Span[], live: boolean): void {
      const line = render(spans, stderrColor);
      write(stderr, live ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    /** `note: …` on stderr. */
    note(text: string): void {
      write(stderr, render([["note:", "dim"], ` ${text}\n`], stderrColor));
    },
    /** A failure: `error: …` and hints on stderr; with `--json` also `{ error, exitCode, ...extra }` on stdout. */
    error(
      error: unknown,
      exitCode: number,
      extra: { hints?: readonly string[]; extra?: Record<string, unknown> } =
        {},
    ): void {
      const problems = (error as { problems?: unknown })?.problems;
      const lines = (Array.isArray(problems) ? problems.map(String) : [
        error instanceof Error ? error.message : String(error),
      ]).flatMap((l) => l.split("\n"));
      // Indented lines continue the one before, under its label.
      const spans = lines.flatMap((l, i): Span[] =>
        i === 0 || !/^\s/.test(l) ? [["error:", "red"], ` ${l}\n`] : [`${l}\n`]
      );
      const hints = (extra.hints ?? []).map((h) => `${h}\n`);
      write(stderr, render([...spans, ...hints], stderrColor));
      if (json) {
        const doc = { error: errorJson(error), exitCode, ...extra.extra };
        write(stdout, toJson(doc, 2, true) + "\n");
      }
    },
  };
}

/** The request a command would send, secrets masked, and a `curl` reading the token from the environment: for people and for `--json`. */
export function describeDryRun(
  request: LightlyRequest,
  options: {
    steps?: readonly string[];
    replace?: readonly [placeholder: string, shown: string];
    notes?: readonly string[];
  } = {},
): { text: string; json: Record<string, unknown> } {
  const { steps = [], notes = [], replace = ["", ""] } = options;
  const swap = (text: string) => text.replaceAll(...replace);
  const curl = swap(formatCurl(request));
  const redacted = redactRequest(request);
  const text = [
    ...(steps.length > 0
      ? ["# steps:", ...steps.map((s) => `#   ${s}`), ""]
      : []),
    swap(formatRequest(request)),
    "",
    ...notes.map((n) => `# ${n}`),
    `# the same request with curl (the token is read from the environment):`,
    curl,
    "",
  ].join("\n");
  return {
    text,
    json: {
      dryRun: true,
      ...(steps.length > 0 ? { steps } : {}),
      request: { ...redacted, url: swap(redacted.url) },
      ...(notes.length > 0 ? { notes } : {}),
      curl,
    },
  };
}
