/**
 * One base-URL rule for the library and the command line, and the
 * plain-http guard: a token travels over `http://` only to this machine —
 * exactly `localhost`, `127.0.0.0/8` and `::1` as the URL parser writes them —
 * never to a name that DNS answers for.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { checkBaseUrl } from "../lib/core/rules.ts";
import { type ConfigSources, resolveConfig } from "../lib/cli/config.ts";
import { CliUsageError } from "../lib/cli/errors.ts";
import { SENTINEL } from "./_server.ts";
import { checkProperty, fc } from "./_property.ts";

const TOKEN: ConfigSources = {
  readEnv: (variable) => ({
    granted: true,
    value: variable === "LIGHTLY_TOKEN" ? "k-123" : undefined,
  }),
  isGranted: () => false,
  stat: () => ({ size: 0, mode: null }),
  readTextFile: () => "",
};

/** Not this machine: names a resolver may send to DNS, and other addresses. */
const ELSEWHERE = [
  "http://evil.localhost",
  "http://api.localhost:8080",
  "http://localhost.evil.com",
  "http://127.0.0.1.nip.io",
  "http://localhost.",
  "http://[::ffff:127.0.0.1]",
  "http://[::2]",
  "http://0.0.0.0",
  "http://128.0.0.1",
  "http://lightly.internal",
];

/** This machine, as typed and as the URL parser normalises it. */
const LOOPBACK: [typed: string, prefix: string, host: string][] = [
  ["http://localhost", "http://localhost", "localhost"],
  ["http://LOCALHOST:8080/", "http://localhost:8080", "localhost:8080"],
  ["http://127.0.0.1:9000", "http://127.0.0.1:9000", "127.0.0.1:9000"],
  ["http://127.255.255.254", "http://127.255.255.254", "127.255.255.254"],
  ["http://127.1", "http://127.0.0.1", "127.0.0.1"],
  ["http://2130706433/api/", "http://127.0.0.1/api", "127.0.0.1"],
  ["http://0x7f.1", "http://127.0.0.1", "127.0.0.1"],
  ["http://[::1]:9000", "http://[::1]:9000", "[::1]:9000"],
  ["http://[0:0:0:0:0:0:0:1]", "http://[::1]", "[::1]"],
];

Deno.test("resolveConfig() sends a token over plain http only to localhost, 127.0.0.0/8 and ::1, as the URL parser writes them", () => {
  for (const baseUrl of ELSEWHERE) {
    const host = new URL(baseUrl).host;
    assertThrows(
      () => resolveConfig({ baseUrl }, TOKEN),
      CliUsageError,
      `refusing to send the token over plain http:// to ${host}:`,
      baseUrl,
    );
    assertEquals(
      resolveConfig({ baseUrl, insecureHttp: true }, TOKEN).host,
      host,
      baseUrl,
    );
  }
  for (const [baseUrl, prefix, host] of LOOPBACK) {
    const config = resolveConfig({ baseUrl }, TOKEN);
    assertEquals([config.baseUrl, config.host], [prefix, host], baseUrl);
  }
});

Deno.test("checkBaseUrl() calls cleartext exactly the http: URLs to another machine", () => {
  for (const baseUrl of ELSEWHERE) {
    assertEquals(checkBaseUrl(baseUrl, [])?.cleartext, true, baseUrl);
    const tls = baseUrl.replace(/^http:/, "https:");
    assertEquals(checkBaseUrl(tls, [])?.cleartext, false, tls);
  }
  for (const [baseUrl, prefix] of LOOPBACK) {
    assertEquals(checkBaseUrl(baseUrl, []), {
      prefix,
      host: new URL(baseUrl).host,
      cleartext: false,
    });
  }
  assertEquals(checkBaseUrl(undefined, [])?.prefix, "https://api.lightly.ai");
});

Deno.test("resolveConfig() holds the base URL to the library's rule: credentials, a query or a fragment are refused up front, never echoed", () => {
  const cases: [baseUrl: string, rule: string][] = [
    [`https://user:${SENTINEL}@api.lightly.ai`, "must not carry credentials"],
    [`https://api.lightly.ai/?token=${SENTINEL}`, "must not have a query"],
    ["https://api.lightly.ai/#frag", "must not have a query or fragment"],
    ["ftp://api.lightly.ai", "must use http: or https:"],
    ["api.lightly.ai", "must be an absolute http(s) URL"],
  ];
  for (const [baseUrl, rule] of cases) {
    const error = assertThrows(
      () => resolveConfig({ baseUrl }, TOKEN),
      CliUsageError,
      `--base-url ${rule}`,
      baseUrl,
    ) as CliUsageError;
    assert(!error.message.includes(SENTINEL), baseUrl);
  }
  const fromEnv = assertThrows(
    () =>
      resolveConfig({}, {
        ...TOKEN,
        readEnv: (variable) => ({
          granted: true,
          value: variable === "LIGHTLY_TOKEN"
            ? "k-123"
            : variable === "LIGHTLY_SERVER_LOCATION"
            ? "https://h.example/?x=1"
            : undefined,
        }),
      }),
    CliUsageError,
  ) as CliUsageError;
  assertEquals(fromEnv.problems, [
    'LIGHTLY_SERVER_LOCATION must not have a query or fragment (got "https://h.example/")',
  ]);
});

/** URL-like strings near the parser's edges: case, IDNA labels, IPv4 forms, default and bad ports, dot segments, escapes, empty segments. */
const urlLike = (() => {
  const chars = (set: string, max: number) =>
    fc.string({ unit: fc.constantFrom(...set), maxLength: max });
  const label = fc.oneof(
    chars("abxz09-", 5),
    chars("aA-_0", 3),
    fc.constantFrom("xn--", "xn--a", "localhost", "0x7f", "127", "1"),
  );
  const domain = fc.array(label, { minLength: 1, maxLength: 4 })
    .map((labels) => labels.join("."));
  const octet = fc.oneof(
    fc.nat(300).map(String),
    fc.constantFrom("", "00", "01", "010", "0x7f", "256"),
  );
  const ipv4 = fc.array(octet, { minLength: 3, maxLength: 5 })
    .map((o) => o.join("."));
  const host = fc.oneof(
    domain,
    ipv4,
    fc.constantFrom(
      "localhost",
      "127.0.0.1",
      "api.lightly.ai",
      "[::1]",
      "LocalHost",
    ),
  );
  const port = fc.option(
    fc.oneof(
      fc.constantFrom("80", "443", "8080", "65535", "65536", "99999"),
      fc.constantFrom("", "0", "00080", "0443"),
      fc.nat(70_000).map(String),
    ),
  );
  const segment = fc.oneof(
    chars("aZ0_~-.", 4),
    chars("aZ0_~-", 4),
    fc.constantFrom(".", "..", "%2e", "a%20b", "é", "a b"),
  );
  const path = fc.array(segment, { maxLength: 4 })
    .map((s) => s.map((x) => `/${x}`).join(""));
  const scheme = fc.oneof(
    fc.constantFrom("http", "https"),
    fc.constantFrom("HTTP", "hTTps", "ftp"),
  );
  return fc.tuple(scheme, host, port, path, chars("/", 3))
    .map(([s, h, p, path, slashes]) =>
      `${s}://${h}${p === null ? "" : `:${p}`}${path}${slashes}`
    );
})();

Deno.test("checkBaseUrl() reads each base URL as the URL parser does, the canonical ones without it", (t) => {
  checkProperty(
    fc.property(urlLike, (baseUrl) => {
      const url = URL.parse(baseUrl);
      const got = checkBaseUrl(baseUrl, []);
      if (url === null || !/^https?:$/.test(url.protocol)) {
        return assertEquals(got, undefined, baseUrl);
      }
      assertEquals(got, {
        prefix: (url.origin + url.pathname).replace(/\/+$/, ""),
        host: url.host,
        cleartext: url.protocol === "http:" &&
          !/^(localhost|\[::1\]|127\.\d+\.\d+\.\d+)$/.test(url.hostname),
      }, baseUrl);
    }),
    2_000,
    t,
  );
});
