/**
 * The builder's promises: a frozen, plain, printable request that `fetch`
 * takes as is; the same input always gives the same output; no environment,
 * clock, randomness or network touched while building.
 */
import {
  assert,
  assertEquals,
  assertNotStrictEquals,
  assertThrows,
} from "@std/assert";
import { buildSamplingRequest, ValidationError } from "../mod.ts";
import { USER_AGENT } from "../lib/core/version.ts";
import { buildGetRequest } from "./_get_request.ts";
import { json, SENTINEL, startServer, VALID } from "./_server.ts";

const SAMPLING_PATH =
  `/v1/datasets/${VALID.datasetId}/embeddings/${VALID.embeddingId}/sampling`;

/** Returns the ValidationError `fn` throws; fails otherwise. */
function validationError(fn: () => unknown): ValidationError {
  return assertThrows(fn, ValidationError) as ValidationError;
}

/** Walks a parsed JSON value and lists the paths holding null or undefined. */
function nullishPaths(value: unknown, path = "body"): string[] {
  if (value === null || value === undefined) return [path];
  if (typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) =>
    nullishPaths(v, `${path}.${k}`)
  );
}

/** Runs `fn` with env, clock, randomness and fetch all made to throw. */
function withoutAmbientState<T>(fn: () => T): T {
  const touched: string[] = [];
  const trap = (name: string) => () => {
    touched.push(name);
    throw new Error(`the builder touched ${name}`);
  };
  const env = Deno.env;
  const saved = {
    env,
    dateNow: Date.now,
    Date: globalThis.Date,
    performanceNow: performance.now,
    random: Math.random,
    fetch: globalThis.fetch,
    getRandomValues: crypto.getRandomValues,
    randomUUID: crypto.randomUUID,
  };
  const RealDate = globalThis.Date;
  const TrappedDate = new Proxy(RealDate, {
    construct: trap("new Date()"),
    apply: trap("Date()"),
  });
  try {
    Object.defineProperty(Deno, "env", {
      value: {
        get: trap("Deno.env.get"),
        has: trap("Deno.env.has"),
        toObject: trap("Deno.env.toObject"),
        set: trap("Deno.env.set"),
        delete: trap("Deno.env.delete"),
      },
      configurable: true,
      writable: true,
    });
    Date.now = trap("Date.now");
    globalThis.Date = TrappedDate;
    performance.now = trap("performance.now");
    Math.random = trap("Math.random");
    globalThis.fetch = trap("fetch");
    crypto.getRandomValues = trap("crypto.getRandomValues") as never;
    crypto.randomUUID = trap("crypto.randomUUID") as never;
    return fn();
  } finally {
    Object.defineProperty(Deno, "env", {
      value: saved.env,
      configurable: true,
      writable: true,
      enumerable: true,
    });
    globalThis.Date = saved.Date;
    Date.now = saved.dateNow;
    performance.now = saved.performanceNow;
    Math.random = saved.random;
    globalThis.fetch = saved.fetch;
    crypto.getRandomValues = saved.getRandomValues;
    crypto.randomUUID = saved.randomUUID;
    assertEquals(touched, [], `touched: ${touched.join(", ")}`);
  }
}

Deno.test("buildSamplingRequest() returns a frozen request with frozen headers", () => {
  const request = buildSamplingRequest(VALID, { auth: { apiKey: "k" } });
  assert(Object.isFrozen(request));
  assert(Object.isFrozen(request.headers));
  assertThrows(() => {
    (request as { url: string }).url = "http://evil.example";
  }, TypeError);
  assertThrows(() => {
    (request.headers as Record<string, string>)["X-Evil"] = "1";
  }, TypeError);
  assertEquals(Object.keys(request).sort(), [
    "body",
    "headers",
    "method",
    "url",
  ]);
  assertEquals(Object.getPrototypeOf(request), Object.prototype);
  assertEquals(Object.getPrototypeOf(request.headers), Object.prototype);
  assertEquals(typeof request.body, "string");
});

Deno.test("buildSamplingRequest() never puts null or undefined into the body", () => {
  const request = buildSamplingRequest({
    ...VALID,
    body: {
      ...VALID.body,
      config: { stoppingCondition: { nSamples: undefined, minDistance: 0 } },
      preselectedTagId: undefined,
      queryTagId: undefined,
      scoreType: undefined,
      rowCount: undefined,
    },
  });
  assertEquals(nullishPaths(JSON.parse(request.body)), []);
  assert(!request.body.includes("null"));
  assert(!request.body.includes("undefined"));
  assertEquals(
    request.body,
    '{"newTagName":"coreset-100","method":"CORESET","config":{"stoppingCondition":{"minDistance":0}}}',
  );
});

Deno.test("buildSamplingRequest() gives identical output for the same input", () => {
  const options = { baseUrl: "http://127.0.0.1:9/", auth: { apiKey: "k" } };
  const a = buildSamplingRequest(VALID, options);
  const b = buildSamplingRequest(structuredClone(VALID), { ...options });
  assertEquals(a, b);
  assertEquals(a.body, b.body);
  assertEquals(JSON.stringify(a), JSON.stringify(b));
  // Different options in between do not change what the same input gives.
  buildSamplingRequest(VALID, { auth: { bearerToken: "other" } });
  assertEquals(buildSamplingRequest(VALID, options), a);
});

Deno.test("buildSamplingRequest() neither mutates nor keeps its input", () => {
  const input = structuredClone(VALID);
  const frozen = deepFreeze(structuredClone(VALID));
  const before = JSON.stringify(input);
  const request = buildSamplingRequest(input);
  assertEquals(JSON.stringify(input), before);
  assertEquals(buildSamplingRequest(frozen).body, request.body);
  // Changing the input afterwards does not change the request.
  input.body.newTagName = "changed";
  assert(request.body.includes('"coreset-100"'));
  assertNotStrictEquals(request.headers, {});
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

Deno.test("buildSamplingRequest() reads no environment, clock, randomness or network", () => {
  const bodies = withoutAmbientState(() => [
    // The fast path, then options it has not seen (new URL parsing), then
    // a valid input outside the fast path's shape, then a refused one.
    buildSamplingRequest(VALID).body,
    buildSamplingRequest(VALID, {
      baseUrl: "http://127.0.0.1:4321/x/",
      auth: { bearerToken: "jwt" },
      headers: { "X-Trace": "1" },
    }).body,
    buildSamplingRequest(
      Object.assign(Object.create(null), VALID),
      { auth: { apiKey: "k2" } },
    ).body,
    validationError(() => buildSamplingRequest({ ...VALID, datasetId: "x" }))
      .message,
    buildGetRequest("/v1/jobs/0123456789abcdef01234567", {
      auth: { apiKey: "k3" },
    }).url,
  ]);
  assertEquals(bodies.length, 5);
  assert(bodies[0] === bodies[1] && bodies[1] === bodies[2]);
});

Deno.test("fetch(url, request) sends the built request as is", async () => {
  await using server = startServer(() => json({ jobId: "j" }));
  const request = buildSamplingRequest(VALID, {
    baseUrl: server.url,
    auth: { apiKey: SENTINEL },
    headers: { "X-Trace": "t-1" },
  });
  const response = await fetch(request.url, request);
  assertEquals(await response.json(), { jobId: "j" });
  assertEquals(server.requests.length, 1);
  const [seen] = server.requests;
  assertEquals(seen.method, "POST");
  assertEquals(seen.url.pathname, SAMPLING_PATH);
  assertEquals(seen.url.searchParams.get("token"), SENTINEL);
  assertEquals(seen.body, request.body);
  for (const [name, value] of Object.entries(request.headers)) {
    assertEquals(seen.headers.get(name), value, name);
  }
  // And again: a frozen request is reusable (no "body already used").
  await (await fetch(request.url, request)).body?.cancel();
  assertEquals(server.requests.length, 2);
  assertEquals(server.requests[1].body, request.body);
});

Deno.test("a read's GET has no body or Content-Type", () => {
  const request = buildGetRequest("/v1/jobs/0123456789abcdef01234567");
  assertEquals(request, {
    method: "GET",
    url: "https://api.lightly.ai/v1/jobs/0123456789abcdef01234567",
    headers: { "Accept": "application/json", "User-Agent": USER_AGENT },
  });
  assert(!("body" in request));
  assert(Object.isFrozen(request));
  assert(Object.isFrozen(request.headers));
});

Deno.test("a read's GET applies base URL, API key, bearer token and extra headers", () => {
  const withKey = buildGetRequest("/v1/datasets/d/tags", {
    baseUrl: "http://127.0.0.1:8080/",
    auth: { apiKey: "a+b/c" },
  });
  assertEquals(
    withKey.url,
    "http://127.0.0.1:8080/v1/datasets/d/tags?token=a%2Bb%2Fc",
  );
  assertEquals(withKey.headers["Authorization"], undefined);

  const withBearer = buildGetRequest("/v1/jobs/j", {
    auth: { bearerToken: "jwt" },
    headers: { "X-Trace": "t" },
  });
  assertEquals(withBearer.url, "https://api.lightly.ai/v1/jobs/j");
  assertEquals(withBearer.headers, {
    "Accept": "application/json",
    "User-Agent": USER_AGENT,
    "Authorization": "Bearer jwt",
    "X-Trace": "t",
  });
});

Deno.test("a read's GET appends the token to a path that has a query already", () => {
  const request = buildGetRequest("/v1/datasets/d/tags?limit=5", {
    auth: { apiKey: "k" },
  });
  const url = new URL(request.url);
  assertEquals(url.searchParams.get("limit"), "5");
  assertEquals(url.searchParams.get("token"), "k");
  assertEquals(
    request.url,
    "https://api.lightly.ai/v1/datasets/d/tags?limit=5&token=k",
  );
});

Deno.test("a read's GET is refused for bad options, every problem listed", () => {
  const error = validationError(() =>
    buildGetRequest("/v1/jobs/j", {
      baseUrl: "ftp://h",
      auth: { apiKey: `${SENTINEL}\n` },
    })
  );
  assertEquals(error.issues.map((i) => i.path), [
    "options.baseUrl",
    "options.auth.apiKey",
  ]);
  assert(
    error.message.startsWith("Invalid options (2 problems, nothing was sent)"),
  );
  assert(!error.message.includes(SENTINEL));
});

Deno.test("fetch(url, request) accepts a built GET", async () => {
  await using server = startServer(() => json([]));
  const request = buildGetRequest("/v1/datasets/d/tags", {
    baseUrl: server.url,
    auth: { bearerToken: SENTINEL },
  });
  const response = await fetch(request.url, request);
  assertEquals(await response.json(), []);
  const [seen] = server.requests;
  assertEquals(seen.method, "GET");
  assertEquals(seen.url.pathname, "/v1/datasets/d/tags");
  assertEquals(seen.headers.get("authorization"), `Bearer ${SENTINEL}`);
  assertEquals(seen.headers.get("content-type"), null);
  assertEquals(seen.body, "");
});
