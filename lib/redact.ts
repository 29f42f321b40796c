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
 * Masks secrets in free text: every listed secret (as written and
 * percent-encoded), every `token=` query value and every `Bearer` credential.
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
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of secretForms(secret)) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out.replace(TOKEN_PARAM, `$1${REDACTED}`).replace(
    BEARER,
    `$1 ${REDACTED}`,
  );
}

function secretForms(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const forms = new Set([secret, encoded]);
  // The strict form the builder puts in `?token=` (also encodes ! ' ( ) * ~).
  forms.add(
    encoded.replace(
      /[!'()*~]/g,
      (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
    ),
  );
  forms.add(new URLSearchParams({ t: secret }).toString().slice(2));
  return [...forms].filter((f) => f.length > 0);
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
