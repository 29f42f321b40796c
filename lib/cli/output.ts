/**
 * Everything the command line writes: results on stdout (aligned text for
 * people, or exactly one JSON document with `--json`, JSON lines for a
 * batch), everything else on stderr. Colour only on a terminal and never
 * with `NO_COLOR`. Every byte written passes a last mask of the known
 * secrets, on top of the library's own redaction.
 *
 * @module
 */
import { maskSecrets } from "../redact.ts";

/** A stream to write to: `Deno.stdout` and `Deno.stderr` are ones. */
export interface OutputStream {
  /** Writes some of `bytes`, returning how many. */
  writeSync(bytes: Uint8Array): number;
  /** Whether the stream is a terminal. */
  isTerminal(): boolean;
}

/** One row of a result for people: a label and a value. */
export type Field = readonly [label: string, value: string | undefined];

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
  /** Whether stderr may carry colour. */
  readonly stderrColor: boolean;
  /** Adds secrets to mask in everything written from now on. */
  addSecrets(secrets: readonly string[]): void;
  /** Writes the result: aligned `fields` for people, `data` as JSON. */
  result(fields: readonly Field[], data: unknown): void;
  /** Writes text to stdout as is (people only; ignored with `--json`). */
  text(text: string): void;
  /** Writes one JSON line to stdout (batch outcomes, in either mode). */
  jsonLine(data: unknown): void;
  /** Writes a line to stdout for people (ignored with `--json`). */
  line(text: string): void;
  /** Writes raw text to stderr (progress). */
  progress(text: string): void;
  /** Writes `note: …` to stderr. */
  note(text: string): void;
  /** Writes `warning: …` to stderr. */
  warn(text: string): void;
  /**
   * Reports a failure: `error: …` and `hints` on stderr; with `--json` also
   * `{ "error": …, "exitCode": …, ...extra }` on stdout.
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

/** A colour name of {@linkcode paint}. */
export type Colour = keyof typeof CODES;

/**
 * Wraps `text` in an ANSI colour when `enabled`.
 *
 * @param text The text.
 * @param colour The colour.
 * @param enabled Whether to colour at all.
 * @returns The text, coloured or not.
 *
 * @example
 * ```ts
 * import { paint } from "./output.ts";
 * paint("FAILED", "red", false); // "FAILED"
 * ```
 */
export function paint(text: string, colour: Colour, enabled: boolean): string {
  if (!enabled) return text;
  const [open, close] = CODES[colour];
  return `\x1b[${open}m${text}\x1b[${close}m`;
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
 * Aligns fields in two columns; fields whose value is `undefined` are left out.
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
  return shown.map(([label, value]) =>
    `${paint(label, "dim", colour)}${
      " ".repeat(width - label.length)
    }  ${value}\n`
  ).join("");
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
    stderrColor,
    addSecrets(list) {
      for (const secret of list) {
        if (secret.length < 4) continue; // masking "a" would garble everything
        secrets.add(secret); // maskSecrets masks its encoded forms too
      }
    },
    result(fields, data) {
      if (json) write(stdout, JSON.stringify(data, null, 2) + "\n");
      else write(stdout, formatFields(fields, stdoutColor));
    },
    text(text) {
      if (!json) write(stdout, text.endsWith("\n") ? text : text + "\n");
    },
    jsonLine(data) {
      write(stdout, JSON.stringify(data) + "\n");
    },
    line(text) {
      if (!json) write(stdout, text + "\n");
    },
    progress(text) {
      write(stderr, text);
    },
    note(text) {
      write(stderr, `${paint("note:", "dim", stderrColor)} ${text}\n`);
    },
    warn(text) {
      write(stderr, `${paint("warning:", "yellow", stderrColor)} ${text}\n`);
    },
    error(error, exitCode, extra = {}) {
      const label = paint("error:", "red", stderrColor);
      const lines = errorLines(error).flatMap((l) => l.split("\n"));
      const text = lines.map((l, i) =>
        i === 0 || !/^\s/.test(l) ? `${label} ${l}` : l
      ).join("\n");
      const hints = (extra.hints ?? []).map((h) => `${h}\n`).join("");
      write(stderr, `${text}\n${hints}`);
      if (json) {
        write(
          stdout,
          JSON.stringify(
            { error: errorJson(error), exitCode, ...extra.extra },
            null,
            2,
          ) + "\n",
        );
      }
    },
  };
}
