/**
 * The builder reads each input and option field once: a getter or a Proxy
 * cannot show the check one value and the request another, a read that
 * throws is a validation error naming the field, and no call leaves behind
 * anything that changes where another call's request goes.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  buildSamplingRequest,
  isLightlyError,
  type SamplingInput,
  selectSamples,
  triggerSampling,
  ValidationError,
} from "../mod.ts";
import { RULES } from "../lib/core/rules.ts";
import { json, SENTINEL, startServer, VALID } from "./_server.ts";

const GOOD_JOB = "600d600d600d600d600d600d";
const EVIL_JOB = "e0e0e0e0e0e0e0e0e0e0e0e0";

type Tree = Record<string, unknown>;

function setAt<T>(value: T, path: string, leaf: unknown): T {
  const root = structuredClone(value) as Tree;
  const keys = path.split(".");
  let parent = root;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Tree;
  parent[keys.at(-1)!] = leaf;
  return root as T;
}

/**
 * A copy of `value` whose field at `path` is a getter answering `first` on
 * its first read and `later` on every read after.
 */
function flipAt<T>(value: T, path: string, first: unknown, later: unknown): T {
  return flip(structuredClone(value), path, first, later);
}

/** Like {@linkcode flipAt}, in place (to flip several fields of one object). */
function flip<T>(root: T, path: string, first: unknown, later: unknown): T {
  const keys = path.split(".");
  let parent = root as Tree;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Tree;
  let reads = 0;
  Object.defineProperty(parent, keys.at(-1)!, {
    enumerable: true,
    configurable: true,
    get: () => reads++ === 0 ? first : later,
  });
  return root;
}

/** A copy of `value` whose field at `path` is a getter that throws `SENTINEL`. */
function throwAt<T>(value: T, path: string): T {
  const root = structuredClone(value) as Tree;
  const keys = path.split(".");
  let parent = root;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Tree;
  Object.defineProperty(parent, keys.at(-1)!, {
    enumerable: true,
    configurable: true,
    get: () => {
      throw new Error(`getter says ${SENTINEL}`);
    },
  });
  return root as T;
}

/**
 * A Proxy over `first` that answers every read after the first with
 * `later`'s value (nested objects alike), and lists `later`'s keys after its
 * first listing.
 */
function twoFaced<T extends object>(first: T, later: Tree): T {
  const reads = new Map<PropertyKey, number>();
  let listings = 0;
  const current = () => listings > 1 ? later : first as Tree;
  return new Proxy(first, {
    get(target, key) {
      const n = reads.get(key) ?? 0;
      reads.set(key, n + 1);
      const value = (target as Tree)[key as string];
      if (n > 0) return later[key as string];
      const hostile = later[key as string];
      return typeof value === "object" && value !== null &&
          typeof hostile === "object" && hostile !== null
        ? twoFaced(value, hostile as Tree)
        : value;
    },
    ownKeys() {
      listings++;
      return Reflect.ownKeys(listings > 1 ? later : first);
    },
    getOwnPropertyDescriptor(_target, key) {
      return key in current()
        ? {
          value: undefined,
          enumerable: true,
          configurable: true,
          writable: true,
        }
        : undefined;
    },
  });
}

function validationError(fn: () => unknown): ValidationError {
  return assertThrows(fn, ValidationError) as ValidationError;
}

const ID = "fedcba9876543210fedcba98";
const INJECT = '","isAdmin":true,"x":"';
const OPTIONS = {
  baseUrl: "http://127.0.0.1:9",
  auth: { apiKey: "k-read-once" },
};

Deno.test("buildSamplingRequest() reads each input field once: a getter that answers differently later cannot change the request", () => {
  const cases: [path: string, first: unknown, later: unknown][] = [
    ["datasetId", VALID.datasetId, `../../admin/${VALID.datasetId}`],
    ["embeddingId", VALID.embeddingId, "x/../../../v1/users?"],
    ["body", VALID.body, { ...VALID.body, newTagName: `t${INJECT}` }],
    ["body.newTagName", "coreset-100", `coreset-100${INJECT}`],
    ["body.method", "CORESET", `CORESET${INJECT}`],
    ["body.config", VALID.body.config, {
      stoppingCondition: { nSamples: '1},"isAdmin":{"x":1' },
    }],
    ["body.config.stoppingCondition", { nSamples: 100, minDistance: -1 }, {
      nSamples: '1,"isAdmin":true',
    }],
    ["body.config.stoppingCondition.nSamples", 100, '100,"isAdmin":true'],
    ["body.config.stoppingCondition.minDistance", -1, '-1,"isAdmin":true'],
    ["body.preselectedTagId", ID, `${ID}${INJECT}`],
    ["body.queryTagId", ID, `${ID}${INJECT}`],
    ["body.scoreType", "uncertainty_entropy", `u${INJECT}`],
    ["body.rowCount", 4000, '4000,"isAdmin":true'],
  ];
  const changed: string[] = [];
  for (const [path, first, later] of cases) {
    const built = buildSamplingRequest(
      flipAt(VALID, path, first, later),
      OPTIONS,
    );
    const plain = buildSamplingRequest(setAt(VALID, path, first), OPTIONS);
    if (JSON.stringify(built) !== JSON.stringify(plain)) changed.push(path);
  }
  assertEquals(changed, []);
});

Deno.test("buildSamplingRequest() reads each option once: baseUrl, auth, the API key and headers cannot change between check and use", () => {
  const noHeaders = { baseUrl: "http://127.0.0.1:1111", auth: { apiKey: "k" } };
  const withHeaders = { ...noHeaders, headers: { "X-Trace": "t-1" } };
  const cases: [
    options: object,
    path: string,
    first: unknown,
    later: unknown,
  ][] = [
    [noHeaders, "baseUrl", "http://127.0.0.1:2222", "http://127.0.0.1:6666"],
    [noHeaders, "auth", { apiKey: "k-auth-1" }, { apiKey: "k-evil" }],
    [noHeaders, "auth.apiKey", "k-apikey-1", "k-evil"],
    [{ auth: { bearerToken: "b" } }, "auth.bearerToken", "jwt-1", "jwt-evil"],
    [withHeaders, "headers", { "X-Trace": "t-2" }, { "X-Trace": "evil" }],
    [withHeaders, "headers.X-Trace", "t-3", "t-3\r\nX-Evil: 1"],
  ];
  const changed: string[] = [];
  for (const [options, path, first, later] of cases) {
    const built = buildSamplingRequest(
      VALID,
      flipAt(options, path, first, later),
    );
    const plain = buildSamplingRequest(VALID, setAt(options, path, first));
    if (JSON.stringify(built) !== JSON.stringify(plain)) changed.push(path);
  }
  assertEquals(changed, []);
});

Deno.test("buildSamplingRequest() builds from a Proxy's first answers, however its traps answer later", () => {
  const hostileInput = {
    datasetId: `../../admin/${VALID.datasetId}`,
    embeddingId: "x/../../v1/users?",
    extra: "listed only later",
    body: {
      newTagName: `t${INJECT}`,
      method: `CORESET${INJECT}`,
      rowCount: '1,"isAdmin":true',
      config: { stoppingCondition: { nSamples: '1,"isAdmin":true' } },
    },
  };
  const options = {
    baseUrl: "http://127.0.0.1:2222",
    auth: { apiKey: "k-proxy" },
    headers: { "X-Trace": "t-proxy" },
  };
  const hostileOptions = {
    baseUrl: "http://127.0.0.1:6666",
    auth: { apiKey: "k-evil" },
    headers: { "X-Trace": "evil", "X-Evil": "1" },
  };
  const input = structuredClone(VALID);
  const built = buildSamplingRequest(
    twoFaced(input, hostileInput),
    twoFaced(structuredClone(options), hostileOptions),
  );
  assertEquals(built, buildSamplingRequest(VALID, options));
});

Deno.test("buildSamplingRequest() reports a getter or Proxy trap that throws as a validation error naming the field, never its message", () => {
  const options = { baseUrl: "http://127.0.0.1:1111", auth: { apiKey: "k" } };
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const listingThrows = new Proxy({ ...VALID }, {
    ownKeys() {
      throw new Error(SENTINEL);
    },
  });
  const cases: [input: unknown, options: unknown, path: string][] = [
    [throwAt(VALID, "datasetId"), options, "datasetId"],
    [throwAt(VALID, "body"), options, "body"],
    [throwAt(VALID, "body.newTagName"), options, "newTagName"],
    [throwAt(VALID, "body.config"), options, "config"],
    [
      throwAt(VALID, "body.config.stoppingCondition.nSamples"),
      options,
      "config.stoppingCondition.nSamples",
    ],
    [listingThrows, options, ""],
    [revoked.proxy, options, ""],
    [{ ...VALID, body: revoked.proxy }, options, "body"],
    [VALID, throwAt(options, "baseUrl"), "options.baseUrl"],
    [VALID, throwAt(options, "auth"), "options.auth"],
    [VALID, throwAt(options, "auth.apiKey"), "options.auth.apiKey"],
    [VALID, { ...options, auth: revoked.proxy }, "options.auth"],
    [
      VALID,
      throwAt({ ...options, headers: { "X-Trace": "t" } }, "headers.X-Trace"),
      "options.headers.X-Trace",
    ],
    [VALID, { ...options, headers: revoked.proxy }, "options.headers"],
  ];
  for (const [input, opts, path] of cases) {
    const error = validationError(() =>
      buildSamplingRequest(input as SamplingInput, opts as never)
    );
    assertEquals(
      error.issues.map((i: { path: string; rule: string }) => [i.path, i.rule]),
      [[path, RULES.unreadable]],
      path,
    );
    for (
      const text of [
        error.message,
        String(error.stack),
        JSON.stringify(error),
        Deno.inspect(error, { depth: 10 }),
      ]
    ) assert(!text.includes(SENTINEL), path);
  }
});

Deno.test("triggerSampling() sends what the first reads of the input and options said, and nothing to the host a later read names", async () => {
  await using good = startServer(() => json({ jobId: GOOD_JOB }));
  await using evil = startServer(() => json({ jobId: EVIL_JOB }));
  const input = flipAt(VALID, "datasetId", VALID.datasetId, `../../${ID}`);
  flip(input, "body.newTagName", "coreset-100", `t${INJECT}`);
  const options = { baseUrl: good.url, auth: { apiKey: SENTINEL } };
  flip(options, "baseUrl", good.url, evil.url);
  flip(options, "auth.apiKey", SENTINEL, "k-evil");
  assertEquals(await triggerSampling(input, options), { jobId: GOOD_JOB });
  const expected = buildSamplingRequest(VALID, {
    baseUrl: good.url,
    auth: { apiKey: SENTINEL },
  });
  assertEquals(evil.requests.length, 0);
  assertEquals(good.requests.length, 1);
  const [seen] = good.requests;
  assertEquals(seen.url.href, expected.url);
  assertEquals(seen.url.searchParams.get("token"), SENTINEL);
  assertEquals(seen.body, expected.body);

  // A getter that throws: a validation error, and nothing sent anywhere.
  await assertRejectsValidation(
    triggerSampling(throwAt(VALID, "embeddingId"), { baseUrl: good.url }),
    "embeddingId",
  );
  assertEquals(good.requests.length + evil.requests.length, 1);
});

async function assertRejectsValidation(
  promise: Promise<unknown>,
  path: string,
) {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    assertEquals(error.issues.map((i) => i.path), [path]);
    return;
  }
  throw new Error("expected a ValidationError");
}

Deno.test("triggerSampling() of a plain caller goes to its own host after a caller whose baseUrl getter lied", async () => {
  await using good = startServer(() => json({ jobId: GOOD_JOB }));
  await using evil = startServer(() => json({ jobId: EVIL_JOB }));
  const key = SENTINEL;
  // Any earlier call (here, one with the same key) may have been remembered.
  buildSamplingRequest(VALID, { baseUrl: good.url, auth: { apiKey: key } });
  // The hostile caller: its getter names the evil host while it is checked
  // and used, and the good host whenever it is read after that.
  let reads = 0;
  const hostile = {
    get baseUrl() {
      return ++reads <= 2 ? evil.url : good.url;
    },
    auth: { apiKey: key },
  };
  await triggerSampling(VALID, hostile);
  // A plain caller with the same base URL and key.
  const result = await triggerSampling(VALID, {
    baseUrl: good.url,
    auth: { apiKey: key },
  });
  assertEquals(result, { jobId: GOOD_JOB });
  assertEquals(good.requests.length, 1);
  assertEquals(good.requests[0].url.searchParams.get("token"), key);
  // The evil host saw the hostile caller's own request, never the plain one.
  assertEquals(evil.requests.length, 1);
});

Deno.test("triggerSampling() lists every problem of the input and the options in one error: a bad datasetId, a short tag name, retry.maxAttempts 0 and timeoutMs -1 are four", async () => {
  let fetched = 0;
  const error = await triggerSampling(
    { ...VALID, datasetId: "nope", body: { ...VALID.body, newTagName: "ab" } },
    {
      retry: { maxAttempts: 0 },
      timeoutMs: -1,
      fetch: () => {
        fetched++;
        return Promise.reject(new Error("must not be called"));
      },
    },
  ).catch((e) => e);
  assert(error instanceof ValidationError, String(error));
  assertEquals(error.issues.map((i: { path: string }) => i.path).sort(), [
    "datasetId",
    "newTagName",
    "options.retry.maxAttempts",
    "options.timeoutMs",
  ]);
  assertEquals(fetched, 0);
});

Deno.test("triggerSampling() names the tag and the dataset of the first reads when the POST may have been applied, whatever the getters answer later", async () => {
  await using server = startServer(() =>
    json({ code: "X", error: "boom" }, 500)
  );
  const input = flipAt(VALID, "body.newTagName", "coreset-100", `t${INJECT}`);
  flip(input, "datasetId", VALID.datasetId, `../../${ID}`);
  const error = await triggerSampling(input, {
    baseUrl: server.url,
    retry: false,
  }).catch((e) => e);
  assert(isLightlyError(error, "maybe-applied"), String(error));
  assertEquals([error.tagName, error.datasetId], [
    "coreset-100",
    VALID.datasetId,
  ]);
  assert(!error.message.includes("isAdmin") && !error.message.includes(".."));
});

Deno.test("every option is read once: a throwing getter on retry, fetch, signal or timeoutMs is a validation error naming it, and nothing is sent", async () => {
  await using server = startServer(() => json({ jobId: GOOD_JOB }));
  for (const name of ["retry", "fetch", "signal", "timeoutMs"]) {
    const options = throwAt({ baseUrl: server.url, [name]: undefined }, name);
    const error = await triggerSampling(VALID, options).catch((e) => e);
    assert(error instanceof ValidationError, `${name}: ${error}`);
    assertEquals(
      error.issues.map((i: { path: string; rule: string }) => [i.path, i.rule]),
      [[`options.${name}`, RULES.unreadable]],
    );
    assert(!error.message.includes(SENTINEL));
  }
  // A getter that answers differently later: the first answer is used, once.
  let reads = 0;
  const counted = {
    baseUrl: server.url,
    get timeoutMs() {
      reads++;
      return reads === 1 ? 60_000 : -1;
    },
  };
  assertEquals(await triggerSampling(VALID, counted), { jobId: GOOD_JOB });
  assertEquals(reads, 1);
  assertEquals(server.requests.length, 1);
});

Deno.test("selectSamples() reads its input and options once: what later reads answer changes neither the requests nor the refusals", async () => {
  await using server = startServer((request) => {
    const path = request.url.pathname;
    if (path.endsWith("/tags")) {
      return json([{
        id: ID,
        datasetId: VALID.datasetId,
        prevTagId: null,
        name: "initial-tag",
        bitMaskData: "0x1",
        totSize: 10,
        createdAt: 0,
      }]);
    }
    if (path.endsWith("/sampling")) {
      return json({ code: "X", error: "no" }, 400);
    }
    return json({ code: "NOT_FOUND", error: path }, 404);
  });
  const input = flipAt(
    {
      datasetId: VALID.datasetId,
      embeddingId: VALID.embeddingId,
      body: VALID.body,
    },
    "body.newTagName",
    "coreset-100",
    "initial-tag",
  );
  flip(input, "datasetId", VALID.datasetId, `../../${ID}`);
  const options = flipAt(
    { baseUrl: server.url, auth: { apiKey: SENTINEL } },
    "baseUrl",
    server.url,
    "http://127.0.0.1:9",
  );
  const error = await selectSamples(input, options).catch((e) => e);
  // The POST was sent (the tag name read first is free) and refused: step "trigger".
  assert(isLightlyError(error, "workflow"), String(error));
  assertEquals(error.step, "trigger");
  assertEquals(
    server.requests.map((r) => `${r.method} ${r.url.pathname}`),
    [
      `GET /v1/datasets/${VALID.datasetId}/tags`,
      `POST /v1/datasets/${VALID.datasetId}/embeddings/${VALID.embeddingId}/sampling`,
    ],
  );
  assertEquals(
    JSON.parse(server.requests[1].body).newTagName,
    "coreset-100",
  );
});
