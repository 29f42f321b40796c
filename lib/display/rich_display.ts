/** The value every notebook display returns, and the one way its HTML is made: {@linkcode markup}. */
import { CONTROL_CHARACTERS } from "./format.ts";

/**
 * The symbol Deno's Jupyter kernel looks for on a cell's value
 * (`Symbol.for("Jupyter.display")`): a method returning a MIME bundle.
 *
 * @example Render any object your own way
 * ```ts
 * import { JUPYTER_DISPLAY } from "@lightly-sampling/lightly-sampling/display";
 * const hello = {
 *   [JUPYTER_DISPLAY]: () => ({ "text/html": "<b>hi</b>", "text/plain": "hi" }),
 * };
 * console.log(hello[JUPYTER_DISPLAY]()["text/plain"]); // "hi"
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** The MIME bundle a {@linkcode RichDisplay} hands to Jupyter. */
export interface MimeBundle {
  /** A self-contained HTML fragment; every value in it is escaped. */
  "text/html": string;
  /** The same content as plain text. */
  "text/plain": string;
  /** A Vega-Lite 5 chart, which JupyterLab draws natively (pictures only). */
  "application/vnd.vegalite.v5+json"?: Record<string, unknown>;
}

/**
 * A value that renders as HTML in Jupyter and as text elsewhere: return it
 * from a notebook cell, pass it to `Deno.jupyter.display`, or print it.
 */
export interface RichDisplay {
  /** The HTML fragment (escaped). */
  readonly html: string;
  /** The plain-text rendering (control characters replaced). */
  readonly text: string;
  /** The MIME bundle Deno's Jupyter kernel renders. */
  [JUPYTER_DISPLAY](): MimeBundle;
  /** The plain-text rendering, {@linkcode RichDisplay.text}. */
  toString(): string;
}

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes `&`, `<`, `>`, `"` and `'`: for HTML content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Markup made by {@linkcode markup}: the only value inserted unescaped. */
export class Html {
  constructor(readonly value: string) {}
}

/** The only way markup is made: values escaped unless {@linkcode Html}, arrays item by item, nullish as nothing. */
export function markup(
  strings: TemplateStringsArray,
  ...values: unknown[]
): Html {
  return new Html(
    strings.reduce((out, s, i) => out + render(values[i - 1]) + s),
  );
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null) return "";
  return escapeHtml(textOf(value));
}

/** Any value as short text: strings as they are, other values as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    if (typeof value !== "number") {
      return JSON.stringify(value) ?? String(value);
    }
  } catch { /* a cycle or a bigint */ }
  return String(value);
}

/** A frozen {@linkcode RichDisplay} (control characters replaced), with a Vega-Lite chart when given. */
export function richDisplay(
  content: Html,
  text: string,
  vegaLite?: Record<string, unknown>,
): RichDisplay {
  const safe = text.replace(CONTROL_CHARACTERS, "\uFFFD");
  const bundle: MimeBundle = { "text/html": content.value, "text/plain": safe };
  if (vegaLite) bundle["application/vnd.vegalite.v5+json"] = vegaLite;
  return Object.freeze({
    html: content.value,
    text: safe,
    [JUPYTER_DISPLAY]: () => ({ ...bundle }),
    [Symbol.for("Deno.customInspect")]: () => safe,
    toString: () => safe,
  });
}
