// The one redaction boundary: `token` values, `Bearer` credentials, secret
// headers and any 8-character run of a secret, as written or escaped.

/** What a redacted secret is replaced with. */
export const REDACTED = "[REDACTED]";

const TOKEN_PARAM =
  /([?&](?:token|access_token|api_key|apikey)=)[^&#\s)"'<>]*/gi;
const BEARER = /\b(Bearer)\s+[^\s"',;)]+/gi;
/** Credentials, cookies, any name with token, secret, password or API key. */
const SECRET_HEADER =
  /^(?:authorization|proxy-authorization|cookie|set-cookie)$|token|secret|password|api-?key/i;

/** Masks every `token`-like query value in a URL (or in any text). */
export function redactUrl(url: string): string {
  return url.replace(TOKEN_PARAM, `$1${REDACTED}`);
}

/** A copy of `headers` with every secret value masked (`Bearer [REDACTED]` for a bearer). */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = !SECRET_HEADER.test(name)
      ? value
      : /^bearer\s/i.test(value)
      ? `Bearer ${REDACTED}`
      : REDACTED;
  }
  return out;
}

/** The secrets a request carries: its `token` value (as sent and decoded) and its secret headers' values. */
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
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    secrets.push(value, /^bearer\s+(.+)$/i.exec(value)?.[1] ?? "");
  }
  return secrets.filter((s) => s.length > 0);
}

/** Masking compiled once for a set of secrets. */
export interface Redactor {
  /** Masks the secrets, in every form, and nothing else. */
  mask(text: string): string;
  /** {@linkcode Redactor.mask}, then `token=` values and `Bearer` credentials. */
  text(text: string): string;
  /** A frozen copy of a JSON-like value, every string (keys too) through `text`. */
  value<T>(value: T): T;
}

/** Compiles the masking of `secrets`: each run of their 8-character pieces, in the text as written or decoded (percent, JSON, HTML) once or twice, becomes one marker. */
export function createRedactor(secrets: readonly string[]): Redactor {
  const mask = compileMask(secrets);
  const text = (s: string) =>
    redactUrl(mask(s)).replace(BEARER, `$1 ${REDACTED}`);
  return { mask, text, value: (value) => copyMasked(value, text) };
}

/** {@linkcode createRedactor}'s `text`, for one text. */
export function redactText(
  text: string,
  secrets: readonly string[] = [],
): string {
  return createRedactor(secrets).text(text);
}

/** A body's first `maxLength` characters, masked before the cut, controls flattened, `…` marking a cut. */
export function redactSnippet(
  text: string,
  secrets: readonly string[],
  maxLength = 200,
): string {
  const flat = redactText(text.slice(0, maxLength + 256), secrets)
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  if (flat.length <= maxLength) return flat;
  // A marker the cut would split is kept whole.
  const marker = flat.lastIndexOf(REDACTED, maxLength - 1);
  const end = marker !== -1 && marker + REDACTED.length > maxLength
    ? marker + REDACTED.length
    : maxLength;
  return end >= flat.length ? flat : flat.slice(0, end) + "…";
}

/** A frozen, masked copy, walked without recursion: 32 levels and 10 000 objects at most, then `"[TRUNCATED]"`. */
function copyMasked<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === "string") return mask(value) as T;
  if (typeof value !== "object" || value === null) return value;
  const root: object = Array.isArray(value) ? [] : {};
  const stack: [object, object, number][] = [[value, root, 1]];
  let budget = 10_000;
  while (stack.length > 0) {
    const [source, target, depth] = stack.pop()!;
    const isArray = Array.isArray(source);
    for (const key of Object.keys(source)) {
      const item = (source as Record<string, unknown>)[key];
      let copy: unknown = typeof item === "string" ? mask(item) : item;
      if (typeof item === "object" && item !== null) {
        if (depth >= 32 || --budget < 0) copy = "[TRUNCATED]";
        else {
          copy = Array.isArray(item) ? [] : {};
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
    Object.freeze(target); // shallow: its children are filled later
  }
  return root as T;
}

// ------------------------------------------------------ the pieces matcher

/** Text decoded by one escape scheme; `starts[i]`: where its character `i` began in the original. */
interface View {
  readonly text: string;
  readonly starts?: Int32Array;
}

/** An escape a server may apply to text that echoes a secret: its first character, its pattern, its decoding. */
type Decoder = readonly [string, RegExp, (match: RegExpExecArray) => string];

const hex = (digits: string) => String.fromCharCode(parseInt(digits, 16));
const HTML_NAMED: Readonly<Record<string, string>> = {
  quot: '"',
  amp: "&",
  lt: "<",
  gt: ">",
  apos: "'",
};
const DECODERS: readonly Decoder[] = [
  ["%", /%([0-9a-fA-F]{2})/g, (m) => hex(m[1])],
  ["\\", /\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (m) => JSON.parse(`"${m[0]}"`)],
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
/** A form's `+` for a space: only for secrets that hold one. */
const FORM: Decoder = [
  "+",
  /%([0-9a-fA-F]{2})|\+/g,
  (m) => m[1] === undefined ? " " : hex(m[1]),
];

/** `view` decoded by one scheme, or `undefined` when it holds no such escape. */
function decode(view: View, [trigger, pattern, decoded]: Decoder) {
  const text = view.text;
  if (!text.includes(trigger)) return undefined;
  const re = new RegExp(pattern); // its own lastIndex
  const starts = new Int32Array(text.length + 1);
  const at = (i: number) => view.starts?.[i] ?? i;
  let out = "", length = 0, from = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    for (let i = from; i < m.index; i++) starts[length++] = at(i);
    const part = decoded(m);
    for (let i = 0; i < part.length; i++) starts[length++] = at(m.index);
    out += text.slice(from, m.index) + part;
    from = m.index + m[0].length;
  }
  if (from === 0) return undefined;
  for (let i = from; i <= text.length; i++) starts[length++] = at(i);
  return { text: out + text.slice(from), starts };
}

/** How many consecutive characters of a secret are a piece of it. */
const PIECE = 8;
const BASE = 31;

/** The pieces of one width by rolling hash; `seen` has a bit per low 16 bits of a hash. */
interface Pieces {
  readonly width: number;
  /** `BASE ** (width - 1)`, 32-bit. */
  readonly top: number;
  readonly byHash: Map<number, string[]>;
  readonly seen: Uint8Array;
}

function hashOf(text: string, from: number, width: number): number {
  let h = 0;
  for (let i = 0; i < width; i++) {
    h = (Math.imul(h, BASE) + text.charCodeAt(from + i)) | 0;
  }
  return h;
}

/** The masking of every piece of `secrets`, in every form, in time linear in the text. */
function compileMask(secrets: readonly string[]): (text: string) => string {
  const tables: Pieces[] = [];
  let decoders = DECODERS;
  for (const secret of secrets) {
    if (secret === "") continue;
    if (secret.includes(" ")) decoders = [...DECODERS, FORM];
    const width = Math.min(PIECE, secret.length);
    let t = tables.find((t) => t.width === width);
    if (t === undefined) {
      const top = BASE ** (width - 1) | 0;
      t = { width, top, byHash: new Map(), seen: new Uint8Array(8192) };
      tables.push(t);
    }
    for (let i = 0; i + width <= secret.length; i++) {
      const h = hashOf(secret, i, width);
      t.seen[(h >>> 3) & 8191] |= 1 << (h & 7);
      const piece = secret.slice(i, i + width), same = t.byHash.get(h) ?? [];
      if (!same.includes(piece)) t.byHash.set(h, [...same, piece]);
    }
  }
  return (text) => {
    if (tables.length === 0) return text;
    const views: View[] = [{ text }];
    for (const first of decoders) {
      const once = decode(views[0], first);
      if (once === undefined) continue;
      views.push(once);
      for (const second of decoders) {
        const twice = decode(once, second);
        if (twice !== undefined) views.push(twice);
      }
    }
    // A byte per character of `text` (and a last 0): 1 where a piece lies.
    const masked = new Uint8Array(text.length + 1);
    for (const view of views) {
      for (const t of tables) find(view, t, masked);
    }
    let out = "", end = 0;
    for (
      let from = masked.indexOf(1);
      from !== -1;
      from = masked.indexOf(1, end)
    ) {
      out += text.slice(end, from) + REDACTED;
      end = masked.indexOf(0, from);
    }
    return end === 0 ? text : out + text.slice(end);
  };
}

/** Marks in `masked` the original characters of each piece found in `view`. */
function find(view: View, t: Pieces, masked: Uint8Array) {
  const { text, starts } = view;
  const { width, top, byHash, seen } = t;
  if (text.length < width) return;
  let h = hashOf(text, 0, width);
  for (let p = 0;; p++) {
    if (
      (seen[(h >>> 3) & 8191] & (1 << (h & 7))) !== 0 &&
      byHash.get(h)?.some((piece) => text.startsWith(piece, p))
    ) {
      if (starts) masked.fill(1, starts[p], starts[p + width]);
      else masked.fill(1, p, p + width);
    }
    if (p + width >= text.length) break;
    h = (Math.imul(h - Math.imul(text.charCodeAt(p), top), BASE) +
      text.charCodeAt(p + width)) | 0;
  }
}
