/**
 * The one redaction boundary: every string that leaves this package — error
 * messages, body snippets, the server's own text, printed requests — passes
 * through it. It masks the `token` query value of a URL, `Bearer`
 * credentials, secret headers, and the request's own secrets: any run of 8
 * or more consecutive characters of one (the whole of a shorter one), as
 * written, percent-, JSON- or HTML-escaped, or escaped twice, so a server
 * that echoes only part of a key, in whatever form, shows none of it.
 *
 * @module
 */

/** What a redacted secret is replaced with. */
export const REDACTED = "[REDACTED]";

const TOKEN_PARAM =
  /([?&](?:token|access_token|api_key|apikey)=)[^&#\s)"'<>]*/gi;
const BEARER = /\b(Bearer)\s+[^\s"',;)]+/gi;
const SECRET_HEADER =
  /^(?:authorization|proxy-authorization|cookie|set-cookie)$|token|secret|password|api-?key/i;
/** How many consecutive characters of a secret are a piece of it. */
const PIECE = 8;

/**
 * Replaces the value of every `token`-like query parameter in a URL (or in
 * any text holding one) with {@linkcode REDACTED}.
 *
 * @param url A URL, or any text that may contain one.
 * @returns The same text with secret query values masked.
 *
 * @example
 * ```ts
 * import { redactUrl } from "./redact.ts";
 * redactUrl("https://api.lightly.ai/v1/jobs/1?token=abc"); // "https://api.lightly.ai/v1/jobs/1?token=[REDACTED]"
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(TOKEN_PARAM, `$1${REDACTED}`);
}

/**
 * Whether a header's value is a secret: `Authorization`,
 * `Proxy-Authorization`, cookies, and any header whose name mentions a
 * token, secret, password or API key.
 */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/**
 * Returns a copy of `headers` with every secret value masked
 * (`Authorization: Bearer [REDACTED]`, others `[REDACTED]`).
 *
 * @param headers Header names and values.
 * @returns A new object, safe to print.
 *
 * @example
 * ```ts
 * import { redactHeaders } from "./redact.ts";
 * redactHeaders({ Authorization: "Bearer eyJ…" }); // { Authorization: "Bearer [REDACTED]" }
 * ```
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    out[name] = !isSecretHeader(name)
      ? value
      : /^bearer\s/i.test(value)
      ? `Bearer ${REDACTED}`
      : REDACTED;
  }
  return out;
}

/**
 * The secrets a request carries: the `token` query value (as sent and
 * decoded) and the value of every secret header (and its bearer credential).
 */
export function secretsOf(
  url: string,
  headers: Readonly<Record<string, string>>,
): string[] {
  const secrets: string[] = [];
  const token = /[?&]token=([^&#]*)/.exec(url)?.[1];
  if (token !== undefined) {
    secrets.push(token);
    try {
      secrets.push(decodeURIComponent(token.replace(/\+/g, " ")));
    } catch { /* a malformed escape: the form as sent is masked */ }
  }
  for (const name of Object.keys(headers)) {
    if (!isSecretHeader(name)) continue;
    secrets.push(headers[name]);
    const bearer = /^bearer\s+(.+)$/i.exec(headers[name])?.[1];
    if (bearer !== undefined) secrets.push(bearer);
  }
  return secrets.filter((s) => s.length > 0);
}

/** Masking compiled once for a set of secrets (a client holds one). */
export interface Redactor {
  /** Masks the secrets, in every form, and nothing else. */
  mask(text: string): string;
  /** {@linkcode Redactor.mask}, then `token=` values and `Bearer` credentials. */
  text(text: string): string;
  /** A copy of a JSON-like value with every string (keys too) passed through `text`. */
  value<T>(value: T): T;
}

/**
 * Compiles the masking of `secrets`: a table of each secret's 8-character
 * pieces, matched by a rolling hash in time linear in the text. The text is
 * read as written and, when it holds escapes, decoded once and twice
 * (percent, JSON, HTML, in every order), each decoded character mapped back
 * to the characters it came from.
 *
 * @param secrets The secrets; empty ones are ignored.
 * @returns The redactor.
 *
 * @example
 * ```ts
 * import { createRedactor } from "./redact.ts";
 * const redactor = createRedactor(["s3cret-key-42"]);
 * redactor.text("echo: %22s3cret-k"); // "echo: %22[REDACTED]" (8 characters of it)
 * redactor.text("echo: key-42"); // "echo: key-42" (fewer than 8)
 * ```
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const pieces = new Pieces(secrets);
  const text = (s: string) =>
    pieces.mask(s).replace(TOKEN_PARAM, `$1${REDACTED}`).replace(
      BEARER,
      `$1 ${REDACTED}`,
    );
  return {
    mask: (s) => pieces.mask(s),
    text,
    value: (value) => copyMasked(value, text),
  };
}

/**
 * Masks secrets in free text (see {@linkcode createRedactor}), then every
 * `token=` query value and every `Bearer` credential.
 *
 * @param text Any text, e.g. an error message that names a URL.
 * @param secrets Secret values known to the caller; empty ones are ignored.
 * @returns The text with secrets replaced by {@linkcode REDACTED}.
 *
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 * redactText("failed: http://h/?token=s3cret", ["s3cret"]); // "failed: http://h/?token=[REDACTED]"
 * ```
 */
export function redactText(
  text: string,
  secrets: readonly string[] = [],
): string {
  return createRedactor(secrets).text(text);
}

/**
 * Masks the listed secrets in every form, and nothing else: for text that
 * shows `token=` or `Bearer` placeholders on purpose, such as a curl command.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return new Pieces(secrets).mask(text);
}

/**
 * The first `maxLength` characters of a body, for an error: secrets are
 * masked *before* the cut, control characters become spaces, and a cut never
 * splits a {@linkcode REDACTED} marker; `…` marks a cut. Only the head of the
 * text is read: 8 characters of a secret, escaped twice, take at most 128
 * more, so a piece that starts before the cut is masked whole up to it.
 */
export function redactSnippet(
  text: string,
  secrets: readonly string[],
  maxLength = 200,
): string {
  const head = text.length > maxLength + 256
    ? text.slice(0, maxLength + 256)
    : text;
  // deno-lint-ignore no-control-regex
  const flat = redactText(head, secrets).replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim();
  if (flat.length <= maxLength) return flat;
  let end = maxLength;
  const marker = flat.lastIndexOf(REDACTED, end - 1);
  if (marker !== -1 && marker + REDACTED.length > end) {
    end = marker + REDACTED.length;
  }
  return end >= flat.length ? flat : flat.slice(0, end) + "…";
}

/**
 * A copy of a JSON-like value (e.g. a job status the server sent) with every
 * string masked by {@linkcode redactText}, object keys included. The walk is
 * iterative and bounded (32 levels, 10 000 objects; beyond, `"[TRUNCATED]"`),
 * so a deep or cyclic value can neither overflow the stack nor hide a secret.
 */
export function redactValue<T>(value: T, secrets: readonly string[] = []): T {
  return createRedactor(secrets).value(value);
}

const MAX_DEPTH = 32;
const MAX_NODES = 10_000;

function copyMasked<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === "string") return mask(value) as T;
  if (typeof value !== "object" || value === null) return value;
  const root: object = Array.isArray(value) ? [] : {};
  const stack: [object, object, number][] = [[value, root, 1]];
  const copies: object[] = [root];
  let budget = MAX_NODES;
  while (stack.length > 0) {
    const [source, target, depth] = stack.pop()!;
    const isArray = Array.isArray(source);
    for (const key of Object.keys(source)) {
      const item = (source as Record<string, unknown>)[key];
      let copy: unknown = item;
      if (typeof item === "string") copy = mask(item);
      else if (typeof item === "object" && item !== null) {
        if (depth >= MAX_DEPTH || --budget < 0) copy = "[TRUNCATED]";
        else {
          copy = Array.isArray(item) ? [] : {};
          copies.push(copy as object);
          stack.push([item, copy as object, depth + 1]);
        }
      }
      // defineProperty: a key "__proto__" stays a plain key.
      Object.defineProperty(target, isArray ? key : mask(key), {
        value: copy,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  for (const copy of copies) Object.freeze(copy);
  return root as T;
}

// ------------------------------------------------------ the pieces matcher

/** Text decoded by one escape scheme, each character mapped to where it began. */
interface View {
  readonly text: string;
  /** `starts[i]`: where decoded character `i` begins in the original text; one more at the end. */
  readonly starts: Int32Array | undefined;
}

type Decode = (match: RegExpExecArray) => string;

/** Escape schemes a server may apply to text that echoes a secret; `+` only with `space`. */
const DECODERS: readonly [trigger: string, RegExp, Decode][] = [
  ["%", /%([0-9a-fA-F]{2})/g, (m) => String.fromCharCode(parseInt(m[1], 16))],
  [
    "\\",
    /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g,
    (m) =>
      m[1] !== undefined
        ? String.fromCharCode(parseInt(m[1], 16))
        : JSON_ESCAPES[m[2]] ?? m[2],
  ],
  [
    "&",
    /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(quot|amp|lt|gt|apos));/gi,
    (m) =>
      m[3] !== undefined
        ? HTML_NAMED[m[3].toLowerCase()]
        : String.fromCodePoint(
          Math.min(0x10ffff, m[1] ? Number(m[1]) : parseInt(m[2], 16)),
        ),
  ],
];
const FORM: [string, RegExp, Decode] = [
  "+",
  /%([0-9a-fA-F]{2})|\+/g,
  (m) => m[1] === undefined ? " " : String.fromCharCode(parseInt(m[1], 16)),
];
const JSON_ESCAPES: Readonly<Record<string, string>> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const HTML_NAMED: Readonly<Record<string, string>> = {
  quot: '"',
  amp: "&",
  lt: "<",
  gt: ">",
  apos: "'",
};

/** `view` decoded by one scheme, or `undefined` when it holds no such escape. */
function decode(
  view: View,
  [trigger, pattern, decodeMatch]: readonly [string, RegExp, Decode],
): View | undefined {
  const text = view.text;
  if (!text.includes(trigger)) return undefined;
  const re = new RegExp(pattern);
  const starts = new Int32Array(text.length + 1);
  const parts: string[] = [];
  let length = 0;
  let from = 0;
  const at = (i: number) => view.starts === undefined ? i : view.starts[i];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    for (let i = from; i < m.index; i++) starts[length++] = at(i);
    const decoded = decodeMatch(m);
    for (let i = 0; i < decoded.length; i++) starts[length++] = at(m.index);
    parts.push(text.slice(from, m.index), decoded);
    from = m.index + m[0].length;
  }
  if (parts.length === 0) return undefined;
  for (let i = from; i < text.length; i++) starts[length++] = at(i);
  starts[length] = at(text.length);
  parts.push(text.slice(from));
  return { text: parts.join(""), starts };
}

const BASE = 31;

/** A secret's pieces of one length, by rolling hash. */
interface PieceTable {
  readonly width: number;
  /** `BASE ** (width - 1)`, 32-bit. */
  readonly top: number;
  readonly byHash: Map<number, string[]>;
  /** One bit per low 16 bits of a piece's hash: most positions stop here. */
  readonly seen: Uint8Array;
}

function hashOf(text: string, from: number, width: number): number {
  let h = 0;
  for (let i = 0; i < width; i++) {
    h = (Math.imul(h, BASE) + text.charCodeAt(from + i)) | 0;
  }
  return h;
}

/** Every piece of every secret, compiled once; masks them in linear time. */
class Pieces {
  readonly #tables: PieceTable[] = [];
  readonly #space: boolean;

  constructor(secrets: readonly string[]) {
    const tables = new Map<number, PieceTable>();
    let space = false;
    for (const secret of new Set(secrets)) {
      if (secret.length === 0) continue;
      space ||= secret.includes(" ");
      const width = Math.min(PIECE, secret.length);
      let table = tables.get(width);
      if (table === undefined) {
        let top = 1;
        for (let i = 1; i < width; i++) top = Math.imul(top, BASE);
        table = { width, top, byHash: new Map(), seen: new Uint8Array(8192) };
        tables.set(width, table);
        this.#tables.push(table);
      }
      for (let i = 0; i + width <= secret.length; i++) {
        const piece = secret.slice(i, i + width);
        const h = hashOf(piece, 0, width);
        table.seen[(h >>> 3) & 8191] |= 1 << (h & 7);
        const same = table.byHash.get(h);
        if (same === undefined) table.byHash.set(h, [piece]);
        else if (!same.includes(piece)) same.push(piece);
      }
    }
    this.#space = space;
  }

  /** Replaces every run of secret pieces, in any form, by one marker. */
  mask(text: string): string {
    if (this.#tables.length === 0) return text;
    const ranges: number[] = [];
    const plain: View = { text, starts: undefined };
    const views = [plain];
    const decoders = this.#space ? [...DECODERS, FORM] : DECODERS;
    for (const first of decoders) {
      const once = decode(plain, first);
      if (once === undefined) continue;
      views.push(once);
      for (const second of decoders) {
        const twice = decode(once, second);
        if (twice !== undefined) views.push(twice);
      }
    }
    for (const view of views) {
      for (const table of this.#tables) this.#find(view, table, ranges);
    }
    if (ranges.length === 0) return text;
    return cutOut(text, ranges);
  }

  /** Pushes `[start, end)` of each run of pieces found in `view`, in original offsets. */
  #find(view: View, table: PieceTable, ranges: number[]): void {
    const { text, starts } = view;
    const { width, top, byHash, seen } = table;
    if (text.length < width) return;
    let h = hashOf(text, 0, width);
    let runStart = -1;
    let runEnd = -1;
    for (let p = 0;; p++) {
      const same = (seen[(h >>> 3) & 8191] & (1 << (h & 7))) === 0
        ? undefined
        : byHash.get(h);
      if (same !== undefined && matches(text, p, same)) {
        if (p > runEnd) {
          if (runStart >= 0) push(ranges, starts, runStart, runEnd);
          runStart = p;
        }
        runEnd = p + width;
      }
      if (p + width >= text.length) break;
      h = (Math.imul(h - Math.imul(text.charCodeAt(p), top), BASE) +
        text.charCodeAt(p + width)) | 0;
    }
    if (runStart >= 0) push(ranges, starts, runStart, runEnd);
  }
}

function matches(text: string, at: number, pieces: readonly string[]): boolean {
  outer: for (const piece of pieces) {
    for (let i = 0; i < piece.length; i++) {
      if (text.charCodeAt(at + i) !== piece.charCodeAt(i)) continue outer;
    }
    return true;
  }
  return false;
}

function push(
  ranges: number[],
  starts: Int32Array | undefined,
  from: number,
  to: number,
): void {
  ranges.push(
    starts === undefined ? from : starts[from],
    starts === undefined ? to : starts[to],
  );
}

/** `text` with each union of `[start, end)` pairs replaced by one marker. */
function cutOut(text: string, flat: number[]): string {
  const pairs: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  let out = "";
  let at = 0;
  let open = -1;
  let end = -1;
  for (const [from, to] of pairs) {
    if (from > end) {
      if (open >= 0) {
        out += text.slice(at, open) + REDACTED;
        at = end;
      }
      open = from;
    }
    end = Math.max(end, to);
  }
  out += text.slice(at, open) + REDACTED + text.slice(end);
  return out;
}
