/**
 * Everything the command line writes: results on stdout (aligned text for
 * people, or exactly one JSON document with `--json`, JSON lines for a
 * batch), everything else on stderr. Colour only on a terminal and never
 * with `NO_COLOR`. Every byte written passes a last mask of the known
 * secrets, on top of the library's own redaction.
 *
 * Text for people comes from servers and files too (job ids, statuses,
 * error messages, JSON key names), so every piece of it passes
 * {@linkcode escapeControl} here, and only then gets this module's own
 * colours and line redraws: nothing written can move the cursor, clear the
 * screen or retitle the window. JSON is escaped by `JSON.stringify`, and
 * DEL and C1 characters, which it leaves as they are, are escaped too.
 *
 * @module
 */
import { maskSecrets } from "../core/redact.ts";
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

/**
 * A piece of text for people: plain, or with a colour. The output escapes
 * the text (see {@linkcode escapeControl}) before it paints it.
 */
export type Span = string | readonly [text: string, colour: Colour];

/** Options of {@linkcode createOutput}. */
export interface OutputOptions {
  /**
   * Print JSON on stdout instead of text.
   *
   * @default {false}
   */
  json?: boolean;
  /**
   * Where results go.
   *
   * @default {Deno.stdout}
   */
  stdout?: OutputStream;
  /**
   * Where progress, notes and errors go.
   *
   * @default {Deno.stderr}
   */
  stderr?: OutputStream;
  /**
   * Never colour (`NO_COLOR`, which Deno reads without a permission).
   *
   * @default {Deno.noColor}
   */
  noColor?: boolean;
}

/** The command line's writer. */
export interface Output {
  /** Whether results are JSON. */
  readonly json: boolean;
  /** Whether stderr is a terminal (live progress) or not (plain lines). */
  readonly stderrIsTerminal: boolean;
  /** Adds secrets to mask in everything written from now on. */
  addSecrets(secrets: readonly string[]): void;
  /**
   * Writes the result: aligned `fields` for people, `data` as JSON. Throws
   * {@linkcode UnprintableAnswerError}, writing nothing, when `data` nests
   * deeper than {@linkcode MAX_JSON_DEPTH}.
   */
  result(fields: readonly Field[], data: unknown): void;
  /** Writes text to stdout as is (people only; ignored with `--json`). */
  text(text: string): void;
  /**
   * Writes one JSON line to stdout (batch outcomes, in either mode); data
   * nested deeper than {@linkcode MAX_JSON_DEPTH} is cut.
   */
  jsonLine(data: unknown): void;
  /** Writes a line to stdout for people (ignored with `--json`). */
  line(text: string): void;
  /**
   * Writes a progress line to stderr: `live` redraws the terminal's current
   * line in place; otherwise the line is written and ended.
   */
  progress(spans: readonly Span[], live: boolean): void;
  /** Clears a live progress line. */
  clearProgress(): void;
  /** Writes `note: …` to stderr. */
  note(text: string): void;
  /** Writes `warning: …` to stderr. */
  warn(text: string): void;
  /**
   * Reports a failure: `error: …` and `hints` on stderr; with `--json` also
   * `{ "error": …, "exitCode": …, ...extra }` on stdout (data nested deeper
   * than {@linkcode MAX_JSON_DEPTH} is cut).
   */
  error(
    error: unknown,
    exitCode: number,
    options?: { hints?: readonly string[]; extra?: Record<string, unknown> },
  ): void;
}

const CODES = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  bold: [1, 22],
  dim: [2, 22],
} as const;

/** A colour of the output's palette. */
export type Colour = keyof typeof CODES;

/** Wraps `text` in an ANSI colour when `enabled`. */
function paint(text: string, colour: Colour, enabled: boolean): string {
  if (!enabled) return text;
  const [open, close] = CODES[colour];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}

// C0 controls but tab and newline, DEL, and the C1 controls.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// What JSON.stringify leaves unescaped of them: DEL and C1.
const RAW_IN_JSON = /[\x7f-\x9f]/g;

function hex(char: string): string {
  return char.charCodeAt(0).toString(16).padStart(2, "0");
}

/**
 * Escapes the control characters of `text` that a terminal would act on —
 * C0 but tab and newline (`\x1b`), DEL (`\x7f`) and C1 (`\u009b`) — so
 * that text from a server or a file is shown, never obeyed.
 *
 * @param text Any text.
 * @returns The text with each such character written out.
 *
 * @example
 * ```ts
 * import { escapeControl } from "./output.ts";
 * escapeControl("RUNNING\x1b]0;owned\x07"); // "RUNNING\\x1b]0;owned\\x07"
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL,
    (char) => char < "\x80" ? `\\x${hex(char)}` : `\\u00${hex(char)}`,
  );
}

/** Escapes each span's text, then paints it. */
function render(spans: readonly Span[], colour: boolean): string {
  return spans.map((span) =>
    typeof span === "string"
      ? escapeControl(span)
      : paint(escapeControl(span[0]), span[1], colour)
  ).join("");
}

/**
 * The deepest nesting JSON output carries. Lightly's answers nest a few
 * levels; data nested deeper is refused as a result and cut in an error
 * report, so that `JSON.stringify` never recurses past it.
 *
 * @example
 * ```ts
 * import { MAX_JSON_DEPTH } from "./output.ts";
 * console.log(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is not printed`);
 * ```
 */
export const MAX_JSON_DEPTH = 64;

/** What stands for data cut at {@linkcode MAX_JSON_DEPTH}. */
const TOO_DEEP = "[nested too deep]";

/**
 * `JSON.stringify` with DEL and C1 escaped as well, and data nested deeper
 * than {@linkcode MAX_JSON_DEPTH} refused (`cut: false`) or replaced by a
 * marker (`cut: true`).
 */
function toJson(data: unknown, indent: number, cut: boolean): string {
  const depths = new WeakMap<object, number>();
  const text = JSON.stringify(
    data,
    function (this: object, _key: string, value: unknown) {
      if (typeof value !== "object" || value === null) return value;
      const depth = (depths.get(this) ?? 0) + 1;
      if (depth > MAX_JSON_DEPTH) {
        if (cut) return TOO_DEEP;
        throw new UnprintableAnswerError(MAX_JSON_DEPTH);
      }
      depths.set(value, depth);
      return value;
    },
    indent,
  ) ?? "null";
  return text.replace(RAW_IN_JSON, (char) => `\\u00${hex(char)}`);
}

/**
 * The colour of a job status, for people.
 *
 * @param status A job status.
 * @returns The colour to show it in.
 *
 * @example
 * ```ts
 * import { statusColour } from "./output.ts";
 * statusColour("FINISHED"); // "green"
 * ```
 */
export function statusColour(status: string): Colour {
  return status === "FINISHED" ? "green" : status === "FAILED" ? "red" : "cyan";
}

/**
 * Aligns fields in two columns; fields whose value is `undefined` are left
 * out, and values are escaped (see {@linkcode escapeControl}).
 *
 * @param fields Labels and values.
 * @param colour Whether labels are dimmed.
 * @returns Lines, each ending with a newline.
 *
 * @example
 * ```ts
 * import { formatFields } from "./output.ts";
 * formatFields([["job", "abc"], ["status", "RUNNING"]], false);
 * // "job     abc\nstatus  RUNNING\n"
 * ```
 */
export function formatFields(
  fields: readonly Field[],
  colour: boolean,
): string {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return render(
    shown.flatMap(([label, value]): Span[] => [
      [label, "dim"],
      `${" ".repeat(width - label.length)}  ${value}\n`,
    ]),
    colour,
  );
}

function masker(secrets: Set<string>): (text: string) => string {
  return (text) => maskSecrets(text, [...secrets]);
}

function errorJson(error: unknown): Record<string, unknown> {
  if (error !== null && typeof error === "object") {
    const toJSON = (error as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      return toJSON.call(error) as Record<string, unknown>;
    }
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message };
  }
  return { message: String(error) };
}

function errorLines(error: unknown): string[] {
  const problems = (error as { problems?: unknown })?.problems;
  if (Array.isArray(problems)) return problems.map(String);
  const message = error instanceof Error ? error.message : String(error);
  return [message];
}

/**
 * Creates the writer for one run.
 *
 * @param options JSON or text, the streams, and colour.
 * @returns The writer.
 *
 * @example
 * ```ts
 * import { createOutput } from "./output.ts";
 * const out = createOutput({ json: false });
 * out.result([["job", "0123456789abcdef01234567"]], { jobId: "0123456789abcdef01234567" });
 * ```
 */
export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? Deno.stdout;
  const stderr = options.stderr ?? Deno.stderr;
  const noColor = options.noColor ?? Deno.noColor;
  const json = options.json === true;
  const stdoutColor = !noColor && stdout.isTerminal();
  const stderrIsTerminal = stderr.isTerminal();
  const stderrColor = !noColor && stderrIsTerminal;
  const secrets = new Set<string>();
  const mask = masker(secrets);
  const encoder = new TextEncoder();
  const broken = new Set<OutputStream>();

  function write(stream: OutputStream, text: string): void {
    if (broken.has(stream)) return;
    let bytes = encoder.encode(mask(text));
    try {
      while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
    } catch (error) {
      // A closed pipe (`| head`) ends the output quietly, as Unix tools do.
      if (error instanceof Deno.errors.BrokenPipe) broken.add(stream);
      else throw error;
    }
  }

  return {
    json,
    stderrIsTerminal,
    addSecrets(list) {
      for (const secret of list) {
        if (secret.length < 4) continue; // masking "a" would garble everything
        secrets.add(secret); // maskSecrets masks its encoded forms too
      }
    },
    result(fields, data) {
      if (json) write(stdout, toJson(data, 2, false) + "\n");
      else write(stdout, formatFields(fields, stdoutColor));
    },
    text(text) {
      if (!json) {
        write(
          stdout,
          render([text.endsWith("\n") ? text : text + "\n"], false),
        );
      }
    },
    jsonLine(data) {
      write(stdout, toJson(data, 0, true) + "\n");
    },
    line(text) {
      if (!json) write(stdout, render([text, "\n"], false));
    },
    progress(spans, live) {
      const line = render(spans, stderrColor);
      write(stderr, live ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    clearProgress() {
      write(stderr, "\r\x1b[2K");
    },
    note(text) {
      write(stderr, render([["note:", "dim"], ` ${text}\n`], stderrColor));
    },
    warn(text) {
      write(
        stderr,
        render([["warning:", "yellow"], ` ${text}\n`], stderrColor),
      );
    },
    error(error, exitCode, extra = {}) {
      const lines = errorLines(error).flatMap((l) => l.split("\n"));
      const spans = lines.flatMap((l, i): Span[] =>
        i === 0 || !/^\s/.test(l) ? [["error:", "red"], ` ${l}\n`] : [`${l}\n`]
      );
      const hints = (extra.hints ?? []).map((h) => `${h}\n`);
      write(stderr, render([...spans, ...hints], stderrColor));
      if (json) {
        write(
          stdout,
          toJson(
            { error: errorJson(error), exitCode, ...extra.extra },
            2,
            true,
          ) +
            "\n",
        );
      }
    },
  };
}
