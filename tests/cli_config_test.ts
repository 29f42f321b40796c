import {
  assert,
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  type ConfigSources,
  resolveConfig,
  resumeCommand,
} from "../lib/cli/config.ts";
import { CliUsageError, MissingPermissionError } from "../lib/cli/errors.ts";
import { composeBody, issueLines, type Options } from "../lib/cli/flags.ts";

/**
 * Fake sources: `env` values of `null` are not readable (no permission);
 * `files` are readable files with their content and mode.
 */
function sources(
  env: Record<string, string | null>,
  files: Record<string, { text: string; mode: number }> = {},
): ConfigSources {
  return {
    readEnv(variable) {
      if (env[variable] === null) return { granted: false };
      return { granted: true, value: env[variable] };
    },
    isGranted: (need) => need.name === "read" && need.path in files,
    stat: (path) => ({ size: files[path].text.length, mode: files[path].mode }),
    readTextFile: (path) => files[path].text,
  };
}

Deno.test("resolveConfig() prefers LIGHTLY_TOKEN to LIGHTLY_JWT and --base-url to LIGHTLY_SERVER_LOCATION", () => {
  const config = resolveConfig(
    { baseUrl: "https://flag.example.com/" },
    sources({
      LIGHTLY_TOKEN: "api-key-1",
      LIGHTLY_JWT: "eyJa.eyJb.c",
      LIGHTLY_SERVER_LOCATION: "https://env.example.com",
    }),
  );
  assertEquals(config.baseUrl, "https://flag.example.com");
  assertEquals(config.baseUrlSource, "--base-url");
  assertEquals(config.auth, { apiKey: "api-key-1" });
  assertEquals(config.authSource, "LIGHTLY_TOKEN");
  assertEquals(config.secrets, ["api-key-1"]);

  const fromEnv = resolveConfig(
    {},
    sources({
      LIGHTLY_TOKEN: "",
      LIGHTLY_JWT: "eyJa.eyJb.c",
      LIGHTLY_SERVER_LOCATION: "https://on-prem.example.com:8443///",
    }),
  );
  assertEquals(fromEnv.auth, { bearerToken: "eyJa.eyJb.c" });
  assertEquals(fromEnv.baseUrl, "https://on-prem.example.com:8443");
  assertEquals(fromEnv.host, "on-prem.example.com:8443");

  // A JWT user need not allow LIGHTLY_TOKEN at all.
  const jwtOnly = resolveConfig(
    {},
    sources({
      LIGHTLY_TOKEN: null,
      LIGHTLY_JWT: "eyJa.eyJb.c",
      LIGHTLY_SERVER_LOCATION: "",
    }),
  );
  assertEquals(jwtOnly.auth, { bearerToken: "eyJa.eyJb.c" });
  assertEquals(jwtOnly.baseUrl, "https://api.lightly.ai");
});

Deno.test("resolveConfig() defaults to https://api.lightly.ai", () => {
  const config = resolveConfig({}, sources({ LIGHTLY_TOKEN: "k-123" }));
  assertEquals([config.baseUrl, config.host], [
    "https://api.lightly.ai",
    "api.lightly.ai",
  ]);
});

Deno.test("resolveConfig() sends a token file's JWT as a bearer token and warns when others can read the file", () => {
  const config = resolveConfig(
    { tokenFile: "/run/jwt" },
    sources({}, {
      "/run/jwt": {
        text: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig-_1\n",
        mode: 0o644,
      },
    }),
  );
  assertEquals(config.auth, {
    bearerToken: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig-_1",
  });
  assertEquals(config.authSource, "--token-file");
  assertStringIncludes(config.notes[0], "chmod 600 /run/jwt");
  const key = resolveConfig(
    { tokenFile: "/run/key" },
    sources({}, { "/run/key": { text: "plain-key\n", mode: 0o600 } }),
  );
  assertEquals([key.auth, key.notes], [{ apiKey: "plain-key" }, []]);
  assertThrows(
    () =>
      resolveConfig(
        { tokenFile: "/run/empty" },
        sources({}, { "/run/empty": { text: " \n", mode: 0o600 } }),
      ),
    CliUsageError,
    "--token-file /run/empty is empty",
  );
  const denied = assertThrows(
    () => resolveConfig({ tokenFile: "/elsewhere" }, sources({})),
    MissingPermissionError,
  );
  assertEquals(denied.flags, ["--allow-read=/elsewhere"]);
});

Deno.test("resolveConfig() refuses a token over plain http to another host unless --insecure-http", () => {
  const env = sources({ LIGHTLY_TOKEN: "k-123" });
  assertThrows(
    () => resolveConfig({ baseUrl: "http://lightly.internal" }, env),
    CliUsageError,
    "refusing to send the token over plain http:// to lightly.internal",
  );
  assertEquals(
    resolveConfig(
      { baseUrl: "http://lightly.internal", insecureHttp: true },
      env,
    ).baseUrl,
    "http://lightly.internal",
  );
  for (
    const local of [
      "http://127.0.0.1:8080",
      "http://localhost",
      "http://[::1]:9000",
    ]
  ) {
    assertEquals(resolveConfig({ baseUrl: local }, env).baseUrl, local);
  }
  assertThrows(
    () => resolveConfig({ baseUrl: "ftp://x" }, env),
    CliUsageError,
    "--base-url must use http: or https:",
  );
});

Deno.test("resolveConfig() names every missing --allow-env flag at once", () => {
  const error = assertThrows(
    () =>
      resolveConfig(
        {},
        sources({
          LIGHTLY_TOKEN: null,
          LIGHTLY_JWT: null,
          LIGHTLY_SERVER_LOCATION: null,
        }),
      ),
    MissingPermissionError,
  );
  assertEquals(error.flags, [
    "--allow-env=LIGHTLY_SERVER_LOCATION,LIGHTLY_TOKEN,LIGHTLY_JWT",
  ]);
  const jwtOnly = assertThrows(
    () =>
      resolveConfig(
        { baseUrl: "https://x.example" },
        sources({ LIGHTLY_TOKEN: "", LIGHTLY_JWT: null }),
      ),
    MissingPermissionError,
  );
  assertEquals(jwtOnly.flags, ["--allow-env=LIGHTLY_JWT"]);
  assertStringIncludes(jwtOnly.message, "LIGHTLY_TOKEN is not set");
});

Deno.test("resolveConfig() without any token is a usage error; a dry run shows a placeholder instead", () => {
  assertThrows(
    () => resolveConfig({}, sources({ LIGHTLY_TOKEN: "", LIGHTLY_JWT: "" })),
    CliUsageError,
    "no token: set LIGHTLY_TOKEN",
  );
  const dry = resolveConfig(
    { dryRun: true },
    sources({
      LIGHTLY_TOKEN: null,
      LIGHTLY_JWT: null,
      LIGHTLY_SERVER_LOCATION: null,
    }),
  );
  assertEquals(dry.authSource, "placeholder");
  assertEquals(dry.baseUrl, "https://api.lightly.ai");
  assertEquals(dry.secrets, []);
  assertEquals(dry.notes.length, 2);
  assertStringIncludes(
    dry.notes.join("\n"),
    "--allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT",
  );
});

const NO_FLAGS = {} as Options;

Deno.test("composeBody() builds the wire body from flags, nesting the stopping condition", () => {
  assertEquals(
    composeBody({
      ...NO_FLAGS,
      tagName: "abc",
      method: "CORAL",
      minDistance: 0.2,
      rowCount: 10,
    }),
    {
      config: { stoppingCondition: { minDistance: 0.2 } },
      newTagName: "abc",
      method: "CORAL",
      rowCount: 10,
    },
  );
});

Deno.test("composeBody() lets flags fill in and repeat the --body file, never contradict it", () => {
  const file = JSON.stringify({
    newTagName: "abc",
    method: "RANDOM",
    config: {},
  });
  assertEquals(
    composeBody(
      { ...NO_FLAGS, body: "b.json", tagName: "abc", nSamples: 5 },
      file,
    ),
    {
      newTagName: "abc",
      method: "RANDOM",
      config: { stoppingCondition: { nSamples: 5 } },
    },
  );
  const error = assertThrows(
    () =>
      composeBody({
        ...NO_FLAGS,
        body: "b.json",
        tagName: "xyz",
        method: "CORESET",
      }, file),
    CliUsageError,
  );
  assertEquals(error.problems, [
    '--tag-name "xyz" contradicts newTagName "abc" in b.json; give one or make them agree',
    '--method "CORESET" contradicts method "RANDOM" in b.json; give one or make them agree',
  ]);
  assertThrows(
    () => composeBody({ ...NO_FLAGS, body: "b.json" }, "[1]"),
    CliUsageError,
    "must be a JSON object",
  );
  assertThrows(
    () => composeBody({ ...NO_FLAGS, body: "-" }, "{"),
    CliUsageError,
    "--body stdin: not valid JSON",
  );
});

Deno.test("issueLines() names each problem by the flag or the --body field that gave it", () => {
  const issues = [
    { path: "datasetId", rule: "is required" },
    { path: "config.stoppingCondition.nSamples", rule: "bad", received: "1.5" },
    { path: "body.newTagName", rule: "too short" },
    { path: "options.baseUrl", rule: "no query" },
  ];
  assertEquals(issueLines(issues, { ...NO_FLAGS, nSamples: 1.5 }), [
    "--dataset-id: is required",
    "--n-samples: bad (got 1.5)",
    "--tag-name: too short",
    "LIGHTLY_SERVER_LOCATION: no query",
  ]);
  assertEquals(
    issueLines(issues.slice(2), {
      ...NO_FLAGS,
      body: "req.json",
      baseUrl: "x",
    }),
    [
      "newTagName (in req.json): too short",
      "--base-url: no query",
    ],
  );
});

Deno.test("resumeCommand() repeats the connection flags and permissions, never a secret", () => {
  const base = {
    baseUrl: "http://127.0.0.1:4000",
    host: "127.0.0.1:4000",
    auth: { apiKey: "k-123" },
    secrets: ["k-123"],
    notes: [],
    insecureHttp: false,
  };
  assertEquals(
    resumeCommand("0123456789abcdef01234567", {
      ...base,
      baseUrlSource: "--base-url",
      authSource: "LIGHTLY_TOKEN",
    }, { mainModule: "https://example.com/x/cli.ts" }),
    "deno run --allow-net=127.0.0.1:4000 --allow-env=LIGHTLY_TOKEN https://example.com/x/cli.ts wait 0123456789abcdef01234567 --base-url http://127.0.0.1:4000",
  );
  const fromFile = resumeCommand("0123456789abcdef01234567", {
    ...base,
    baseUrl: "https://api.lightly.ai",
    host: "api.lightly.ai",
    baseUrlSource: "default",
    authSource: "--token-file",
    tokenFile: "/home/me/my token",
  }, { mainModule: "file:///opt/cli.ts" });
  assertEquals(
    fromFile,
    "deno run --allow-net=api.lightly.ai --allow-env=LIGHTLY_SERVER_LOCATION '--allow-read=/home/me/my token' /opt/cli.ts wait 0123456789abcdef01234567 --token-file '/home/me/my token'",
  );
  assert(!fromFile.includes("k-123"));
});
