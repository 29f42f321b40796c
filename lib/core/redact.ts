/**
 * Keeping secrets out of everything that can be printed: URLs (the API key
 * travels as `?token=`), headers (`Authorization: Bearer …`) and free text
 * such as the message of an error thrown by `fetch`, which names the URL.
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

/**
 * Replaces the value of every `token` query parameter in a URL (or in any
 * text holding one) with {@linkcode REDACTED}.
 *
 * @param url A URL, or any text that may contain one.
 * @returns The same text with secret query values masked.
 *
 * @example Mask the API key of a request URL
 * ```ts
 * import { redactUrl } from "./redact.ts";
 * redactUrl("https://api.lightly.ai/v1/jobs/1?token=abc"); // "https://api.lightly.ai/v1/jobs/1?token=[REDACTED]"
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(TOKEN_PARAM, `$1${REDACTED}`);
}

/**
 * Whether a header's value is a secret that must never be printed:
 * `Authorization`, `Proxy-Authorization`, cookies, and any header whose name
 * mentions a token, secret, password or API key.
 *
 * @param name A header name, any case.
 * @returns `true` when the value must be masked.
 *
 * @example
 * ```ts
 * import { isSecretHeader } from "./redact.ts";
 * isSecretHeader("Authorization"); // true
 * isSecretHeader("Accept"); // false
 * ```
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
    if (!isSecretHeader(name)) out[name] = value;
    else if (/^bearer\s/i.test(value)) out[name] = `Bearer ${REDACTED}`;
    else out[name] = REDACTED;
  }
  return out;
}

/**
 * Masks secrets in free text: every listed secret — as written,
 * percent-encoded, JSON-escaped (`\"`, `\\`, `\u0026`), HTML-escaped
 * (`&quot;`, `&#39;`, `&#x27;`), and each of those escaped once more — every
 * `token=` query value and every `Bearer` credential.
 *
 * This is the one redaction boundary: every string that leaves this package
 * (error messages, body snippets, the server's own text) passes through it.
 *
 * @param text Any text, e.g. an error message that names a URL.
 * @param secrets Secret values known to the caller; empty ones are ignored.
 * @returns The text with secrets replaced by {@linkcode REDACTED}.
 *
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 * redactText("failed: http://h/?token=s3cret", ["s3cret"]); // "failed: http://h/?token=[REDACTED]"
 * redactText(`{"echo":"a\\"b"}`, [`a"b`]); // '{"echo":"[REDACTED]"}'
 * ```
 */
export function redactText(
  text: string,
  secrets: readonly string[] = [],
): string {
  return maskSecrets(text, secrets).replace(TOKEN_PARAM, `$1${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`);
}

/**
 * The part of {@linkcode redactText} that masks the listed secrets (in every
 * form) and nothing else: for text that legitimately shows `token=` or
 * `Bearer` placeholders, such as a curl command reading `$LIGHTLY_TOKEN`.
 *
 * @param text Any text.
 * @param secrets Secret values; empty ones are ignored.
 * @returns The text with every form of every secret replaced by {@linkcode REDACTED}.
 *
 * @example
 * ```ts
 * import { maskSecrets } from "./redact.ts";
 * maskSecrets(`?token="$LIGHTLY_TOKEN" s%2Fk`, ["s/k"]); // `?token="$LIGHTLY_TOKEN" [REDACTED]`
 * ```
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  const matcher = secretMatcher(secrets);
  return matcher === undefined ? text : text.replace(matcher, REDACTED);
}

/**
 * The first `maxLength` characters of a body, for an error: secrets are
 * masked *before* the cut (so a secret straddling it cannot leave a piece
 * behind), control characters become spaces, and a cut never splits a
 * {@linkcode REDACTED} marker; `…` marks a cut.
 *
 * @param text A response body.
 * @param secrets Secret values known to the caller.
 * @param maxLength How many characters to keep.
 * @returns The redacted, flattened, cut text.
 *
 * @example
 * ```ts
 * import { redactSnippet } from "./redact.ts";
 * redactSnippet("x".repeat(195) + "s3cret-key", ["s3cret-key"], 200);
 * // "xxx…xxx[REDACTED]" (the marker kept whole)
 * ```
 */
export function redactSnippet(
  text: string,
  secrets: readonly string[],
  maxLength = 200,
): string {
  // deno-lint-ignore no-control-regex
  const flat = redactText(text, secrets).replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim();
  if (flat.length <= maxLength) return flat;
  let end = maxLength;
  const marker = flat.lastIndexOf(REDACTED, end - 1);
  if (marker !== -1 && marker + REDACTED.length > end) {
    end = marker + REDACTED.length;
  }
  return end >= flat.length ? flat : flat.slice(0, end) + "…";
}

/** How deep {@linkcode redactValue} copies before it stops. */
const MAX_DEPTH = 32;
/** How many objects and arrays {@linkcode redactValue} copies at most. */
const MAX_NODES = 10_000;
/** What stands for a part of a value too deep (or too large) to copy. */
const TRUNCATED = "[TRUNCATED]";

/**
 * A copy of a JSON-like value (e.g. a job status the server sent) with every
 * string masked by {@linkcode redactText}, object keys included. The walk is
 * iterative and bounded: below 32 levels, or beyond 10 000 objects, a part
 * is replaced by `"[TRUNCATED]"`, so a deep or cyclic value cannot overflow
 * the stack or hide a secret.
 *
 * @param value Anything; numbers, booleans and `null` are kept as they are.
 * @param secrets Secret values known to the caller.
 * @returns The masked copy (the input is not changed).
 *
 * @example
 * ```ts
 * import { redactValue } from "./redact.ts";
 * redactValue({ error: "bad key k3y", k3y: [1] }, ["k3y"]);
 * // { error: "bad key [REDACTED]", "[REDACTED]": [1] }
 * ```
 */
export function redactValue<T>(value: T, secrets: readonly string[] = []): T {
  const mask = (text: string) => redactText(text, secrets);
  if (typeof value === "string") return mask(value) as T;
  if (typeof value !== "object" || value === null) return value;
  const root: object = Array.isArray(value) ? [] : {};
  const stack: [object, object, number][] = [[value, root, 1]];
  let budget = MAX_NODES;
  while (stack.length > 0) {
    const [source, target, depth] = stack.pop()!;
    const isArray = Array.isArray(source);
    for (const key of Object.keys(source)) {
      const item = (source as Record<string, unknown>)[key];
      let copy: unknown = item;
      if (typeof item === "string") copy = mask(item);
      else if (typeof item === "object" && item !== null) {
        if (depth >= MAX_DEPTH || --budget < 0) copy = TRUNCATED;
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
  }
  return root as T;
}

// ----------------------------------------------- matching a secret's forms

/**
 * Encoders a server may apply to text that echoes a secret. Letters in an
 * encoding match in either case (`%2f`/`%2F`, `\u002f`/`\u002F`,
 * `&#x2f;`/`&#X2F;`, `&quot;`/`&QUOT;`), so one of each suffices.
 */
const ENCODERS: readonly ((s: string) => string)[] = [
  (s) => s.replace(SPECIAL, (c) => "%" + hex(c)),
  (s) => s.replace(/ /g, "+"),
  (s) => JSON.stringify(s).slice(1, -1),
  (s) => JSON.stringify(s).slice(1, -1).replace(/\//g, "\\/"),
  (s) => s.replace(SPECIAL, (c) => "\\u00" + hex(c)),
  (s) => s.replace(/[&<>"']/g, (c) => HTML_NAMED[c]),
  (s) => s.replace(/'/g, "&apos;"),
  (s) => s.replace(SPECIAL, (c) => `&#${c.charCodeAt(0)};`),
  (s) => s.replace(SPECIAL, (c) => `&#x${hex(c)};`),
];
const SPECIAL = /[^A-Za-z0-9]/g;
const HTML_NAMED: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function hex(c: string): string {
  return c.charCodeAt(0).toString(16).padStart(2, "0");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/**
 * A pattern for one character of a secret: itself, each encoding of it, and
 * each encoding of those (a JSON string inside an HTML page, a
 * percent-encoded URL inside JSON, …). Letters and digits stand for
 * themselves.
 */
function charPattern(c: string): string {
  if (/^[A-Za-z0-9]$/.test(c)) return c;
  const forms = new Set([c]);
  for (const encode of ENCODERS) forms.add(encode(c));
  for (const form of [...forms]) {
    for (const encode of ENCODERS) forms.add(encode(form));
  }
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  // `c` is no letter, so every letter here belongs to an encoding.
  const anyCase = sorted.map((form) =>
    escapeRegExp(form).replace(
      /[a-z]/gi,
      (l) => `[${l.toLowerCase()}${l.toUpperCase()}]`,
    )
  );
  return `(?:${anyCase.join("|")})`;
}

const CHAR_PATTERNS = new Map<string, string>();
const MATCHERS = new Map<string, RegExp | undefined>();

/** One regular expression matching every form of every secret, longest first. */
function secretMatcher(secrets: readonly string[]): RegExp | undefined {
  const key = secrets.join("\u0000");
  if (MATCHERS.has(key)) return MATCHERS.get(key);
  const sources = [...new Set(secrets)].filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length)
    .map((secret) =>
      Array.from(secret, (c) => {
        let pattern = CHAR_PATTERNS.get(c);
        if (pattern === undefined) {
          pattern = charPattern(c);
          CHAR_PATTERNS.set(c, pattern);
        }
        return pattern;
      }).join("")
    );
  const matcher = sources.length === 0
    ? undefined
    : new RegExp(sources.join("|"), "g");
  // A few clients per process: a small cache, emptied when it fills up.
  if (MATCHERS.size >= 16) MATCHERS.clear();
  MATCHERS.set(key, matcher);
  return matcher;
}

/**
 * The secrets a request carries: the `token` query value (decoded and as
 * sent) and the credential of an `Authorization` header.
 *
 * @param url The request URL.
 * @param headers The request headers.
 * @returns The secret strings, for {@linkcode redactText}.
 *
 * @example
 * ```ts
 * import { secretsOf } from "./redact.ts";
 * secretsOf("http://h/x?token=abc", {}); // ["abc"]
 * ```
 */
export function secretsOf(
  url: string,
  headers: Readonly<Record<string, string>>,
): string[] {
  const secrets: string[] = [];
  const match = /[?&]token=([^&#]*)/.exec(url);
  if (match) {
    secrets.push(match[1]);
    try {
      secrets.push(decodeURIComponent(match[1].replace(/\+/g, " ")));
    } catch { /* a malformed escape: the raw form is masked already */ }
  }
  for (const name of Object.keys(headers)) {
    if (!isSecretHeader(name)) continue;
    const value = headers[name];
    secrets.push(value);
    const bearer = /^bearer\s+(.+)$/i.exec(value);
    if (bearer) secrets.push(bearer[1]);
  }
  return secrets.filter((s) => s.length > 0);
}
