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
