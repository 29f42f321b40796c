import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { selectSamples, triggerSampling } from "../mod.ts";
import {
  type LightlyStub,
  startLightlyStub,
  type StubOptions,
} from "../testing.ts";
import {
  call,
  pollToEnd,
  samplingBody,
  samplingPath,
  triggerJob,
} from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

type Mode = "via the socket" | "in process";
const MODES: Mode[] = ["via the socket", "in process"];

/** A fetch for a mode; the socket one opens a fresh connection per request, so a drop reaches the caller. */
interface Wire extends Disposable {
  fetch: typeof fetch;
}

function wire(stub: LightlyStub, mode: Mode): Wire {
  if (mode === "in process") {
    return { fetch: stub.fetch, [Symbol.dispose]() {} };
  }
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  return {
    fetch: (input, init) => fetch(input, { ...init, client }),
    [Symbol.dispose]: () => client.close(),
  };
}

function tagsUrl(stub: LightlyStub): string {
  return `${stub.url}/v1/datasets/${stub.datasetId}/tags?token=${stub.token}`;
}

function triggerInit(name: string): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(samplingBody(name)),
  };
}

function triggerUrl(stub: LightlyStub): string {
  return `${stub.url}${samplingPath(stub)}?token=${stub.token}`;
}

interface Scenario {
  name: string;
  options?: StubOptions;
  run(stub: LightlyStub, fetch: typeof globalThis.fetch): Promise<void>;
}

const SCENARIOS: Scenario[] = [
  {
    name: "a triggered job runs to FINISHED and its new tag can be read",
    options: { waitingPolls: 1, runningPolls: 1 },
    async run(stub, fetch) {
      const jobId = await triggerJob(
        stub,
        samplingBody("both-ways", {
          config: { stoppingCondition: { nSamples: 10 } },
        }),
        {},
        fetch,
      );
      const seen = await pollToEnd(stub, jobId, 10, fetch);
      assertEquals(seen.map((s) => s.status), [
        "WAITING",
        "RUNNING",
        "FINISHED",
      ]);
      const tag = await call(
        stub,
        "GET",
        `/v1/datasets/${stub.datasetId}/tags/${seen[2].result.data}`,
        { fetch },
      );
      assertEquals([tag.json.name, tag.json.totSize], ["both-ways", 10]);
      const embeddings = await call(
        stub,
        "GET",
        `/v1/datasets/${stub.datasetId}/embeddings`,
        { fetch, auth: "bearer" },
      );
      assertEquals(embeddings.json[0].id, stub.embeddingId);
    },
  },
  {
    name:
      "refusals answer as the API does: 401, 404, 405 with Allow, 400 BAD_REQUEST and MALFORMED_REQUEST",
    async run(stub, fetch) {
      const tags = `/v1/datasets/${stub.datasetId}/tags`;
      const noAuth = await call(stub, "GET", tags, { fetch, auth: "none" });
      assertEquals([noAuth.status, noAuth.json.code], [401, "UNAUTHORIZED"]);
      const missing = await call(stub, "GET", "/v2/nothing", { fetch });
      assertEquals([missing.status, missing.json.code], [404, "NOT_FOUND"]);
      const wrong = await call(stub, "DELETE", tags, { fetch });
      assertEquals([wrong.status, wrong.headers.get("allow")], [405, "GET"]);
      const bad = await call(stub, "POST", samplingPath(stub), {
        fetch,
        body: { newTagName: "x", method: "RANDOM", config: {} },
      });
      assertEquals([bad.status, bad.json.code], [400, "BAD_REQUEST"]);
      const raw = await call(stub, "POST", samplingPath(stub), {
        fetch,
        raw: "{oops",
      });
      assertEquals([raw.status, raw.json.code], [400, "MALFORMED_REQUEST"]);
      assertEquals(raw.json.requestId, raw.headers.get("x-request-id"));
    },
  },
  {
    name:
      "answers carry content-length, date, x-request-id and the request's url",
    async run(stub, fetch) {
      const response = await fetch(tagsUrl(stub));
      const text = await response.text();
      assertEquals(
        Number(response.headers.get("content-length")),
        new TextEncoder().encode(text).byteLength,
      );
      assertMatch(response.headers.get("date") ?? "", /GMT$/);
      assertEquals(response.headers.get("content-type"), "application/json");
      assertMatch(response.headers.get("x-request-id") ?? "", /^stub-req-/);
      assertEquals(response.url, tagsUrl(stub));
    },
  },
  {
    name: "the request log masks the token and records what a fetch sends",
    async run(stub, fetch) {
      await call(stub, "POST", samplingPath(stub), {
        fetch,
        body: samplingBody("logged"),
      });
      const [entry] = stub.requests;
      assertEquals(entry.query, { token: "[REDACTED]" });
      assertEquals(entry.body, samplingBody("logged"));
      assertEquals(entry.headers.host, new URL(stub.url).host);
      assertEquals(
        entry.headers["content-length"],
        String(JSON.stringify(samplingBody("logged")).length),
      );
      assertMatch(entry.headers["user-agent"], /^Deno\//);
      assertEquals([entry.route, entry.status], ["trigger", 200]);
    },
  },
  {
    name: "a latency fault waits through the injected sleep, then answers",
    options: {
      sleep: () => Promise.resolve(),
      faults: [{ route: "tags", fault: { kind: "latency", ms: 5000 } }],
    },
    async run(stub, fetch) {
      const reply = await call(
        stub,
        "GET",
        `/v1/datasets/${stub.datasetId}/tags`,
        { fetch },
      );
      assertEquals(reply.status, 200);
      assertEquals(stub.requests[0].faults, ["latency"]);
    },
  },
  {
    name:
      "a status fault answers 503 with Retry-After, then HTML and empty bodies",
    options: {
      faults: [
        {
          route: "tags",
          nth: 1,
          fault: { kind: "status", status: 503, retryAfter: "2" },
        },
        {
          route: "tags",
          nth: 2,
          fault: { kind: "status", status: 502, body: "html" },
        },
        {
          route: "tags",
          nth: 3,
          fault: { kind: "status", status: 504, body: "empty" },
        },
      ],
    },
    async run(stub, fetch) {
      const path = `/v1/datasets/${stub.datasetId}/tags`;
      const json = await call(stub, "GET", path, { fetch });
      assertEquals([json.status, json.headers.get("retry-after")], [503, "2"]);
      assertEquals(json.json.code, "SERVICE_UNAVAILABLE");
      const html = await call(stub, "GET", path, { fetch });
      assertEquals(html.status, 502);
      assertMatch(html.text, /<html>[\s\S]*502 Bad Gateway/);
      const empty = await call(stub, "GET", path, { fetch });
      assertEquals([empty.status, empty.text], [504, ""]);
      assertEquals(empty.headers.get("content-length"), "0");
    },
  },
  {
    name: "a malformed fault answers 200 with JSON that does not parse",
    options: { faults: [{ route: "trigger", fault: { kind: "malformed" } }] },
    async run(stub, fetch) {
      const response = await fetch(triggerUrl(stub), triggerInit("broken"));
      assertEquals(response.status, 200);
      const text = await response.text();
      assertMatch(text, /^\{"jobId":"[a-f0-9]{24}"$/);
      assertEquals(stub.jobs().length, 1);
    },
  },
  {
    name:
      "a truncated fault announces the full length, and reading the body rejects with a TypeError",
    options: { faults: [{ route: "trigger", fault: { kind: "truncated" } }] },
    async run(stub, fetch) {
      const response = await fetch(triggerUrl(stub), triggerInit("cut"));
      assertEquals(response.status, 200);
      assert(Number(response.headers.get("content-length")) > 0);
      await assertRejects(
        () => response.text(),
        TypeError,
        "error reading a body from connection",
      );
      assertEquals(stub.jobs().length, 1, "the request was handled");
    },
  },
  {
    name:
      "a drop fault rejects fetch with a TypeError whose cause says the connection closed",
    options: {
      faults: [{
        route: "trigger",
        nth: 1,
        fault: { kind: "drop", handled: true },
      }],
    },
    async run(stub, fetch) {
      const error = await assertRejects(
        () => fetch(triggerUrl(stub), triggerInit("lost")),
        TypeError,
        "fetch failed",
      );
      assertMatch(
        String((error.cause as Error).message),
        /connection closed before message completed/,
      );
      assertEquals(stub.jobs().length, 1, "handled: the job runs");
      assertEquals(
        stub.requests.map((r) => [r.status, r.faults]),
        [[0, ["drop"]]],
      );
      const retry = await call(stub, "POST", samplingPath(stub), {
        fetch,
        body: samplingBody("lost"),
      });
      assertEquals(retry.json.code, "TAG_NAME_EXISTS");
    },
  },
  {
    name:
      "a hang fault sends half the body; the caller's abort ends the reading",
    options: { faults: [{ route: "tags", fault: { kind: "hang" } }] },
    async run(stub, fetch) {
      const controller = new AbortController();
      const response = await fetch(tagsUrl(stub), {
        signal: controller.signal,
      });
      assertEquals(response.status, 200);
      const reader = response.body!.getReader();
      const first = await reader.read();
      assertMatch(new TextDecoder().decode(first.value), /^\[\{"id":/);
      const rest = reader.read();
      controller.abort();
      const error = await assertRejects(() => rest);
      assertEquals((error as Error).name, "AbortError");
    },
  },
  {
    name:
      "triggerSampling() and selectSamples() of the library work through it",
    options: { waitingPolls: 1, runningPolls: 1 },
    async run(stub, fetch) {
      const options = {
        baseUrl: stub.url,
        auth: { apiKey: stub.token },
        fetch,
        minIntervalMs: 0,
        maxIntervalMs: 1,
      };
      const { jobId } = await triggerSampling({
        datasetId: stub.datasetId,
        embeddingId: stub.embeddingId,
        body: { newTagName: "lib-trigger", method: "CORESET", config: {} },
      }, options);
      assertEquals(stub.jobs()[0].id, jobId);
      const result = await selectSamples({
        datasetId: stub.datasetId,
        body: {
          newTagName: "lib-select",
          method: "RANDOM",
          config: { stoppingCondition: { nSamples: 7 } },
        },
      }, options);
      assertEquals([result.tag.name, result.tag.totSize], ["lib-select", 7]);
    },
  },
];

for (const scenario of SCENARIOS) {
  for (const mode of MODES) {
    Deno.test(`${scenario.name} (${mode})`, async () => {
      await using stub = startLightlyStub(scenario.options);
      using through = wire(stub, mode);
      await scenario.run(stub, through.fetch);
    });
  }
}

Deno.test("both modes leave the same request log and job history for the same calls", async () => {
  const logs = [];
  for (const mode of MODES) {
    const clock = { now: () => 1_700_000_000_000 };
    await using stub = startLightlyStub({
      clock,
      token: "same-token",
      waitingPolls: 0,
      runningPolls: 1,
      faults: [{
        route: "job",
        nth: 1,
        fault: { kind: "status", status: 500 },
      }],
    });
    using through = wire(stub, mode);
    const jobId = await triggerJob(
      stub,
      samplingBody("twin"),
      {},
      through.fetch,
    );
    await call(stub, "GET", `/v1/jobs/${jobId}`, { fetch: through.fetch });
    await pollToEnd(stub, jobId, 10, through.fetch);
    await call(stub, "GET", "/nowhere", { fetch: through.fetch });
    logs.push({
      // The same but for the port in `host`: each stub has its own.
      requests: stub.requests.map((
        { headers: { host: _, ...headers }, ...entry },
      ) => ({ ...entry, headers })),
      jobs: stub.jobs(),
      datasets: stub.datasets(),
    });
  }
  assertEquals(logs[0], logs[1]);
});

Deno.test("startLightlyStub({ listen: false }) answers through stub.fetch only, at a URL that never resolves", async () => {
  await using stub = startLightlyStub({ listen: false });
  assertEquals(stub.url, "http://lightly-stub.invalid");
  const reply = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`, {
    fetch: stub.fetch,
  });
  assertEquals(reply.status, 200);
  assertEquals(reply.json[0].id, stub.initialTagId);
});

Deno.test("startLightlyStub({ listen: false }) refuses hostname and port, and a listen that is not a boolean", () => {
  assertThrows(
    () => startLightlyStub({ listen: false, port: 8080 }),
    TypeError,
    "need listen: true",
  );
  assertThrows(
    () => startLightlyStub({ listen: false, hostname: "127.0.0.1" }),
    TypeError,
    "need listen: true",
  );
  assertThrows(
    () => startLightlyStub({ listen: "no" as unknown as boolean }),
    TypeError,
    "options.listen must be a boolean",
  );
});

Deno.test("stub.fetch refuses a request to another origin with a TypeError", async () => {
  await using stub = startLightlyStub({ listen: false });
  await assertRejects(
    () => stub.fetch("http://127.0.0.1:1/v1/jobs/x"),
    TypeError,
    "answers only http://lightly-stub.invalid",
  );
  assertEquals(stub.requests, []);
});

Deno.test("stub.fetch works next to the socket: both reach the same stub", async () => {
  await using stub = startLightlyStub();
  const jobId = await triggerJob(
    stub,
    samplingBody("shared-state"),
    {},
    stub.fetch,
  );
  const reply = await call(stub, "GET", `/v1/jobs/${jobId}`);
  assertEquals(reply.status, 200, "the socket sees the job stub.fetch started");
  assertEquals(stub.requests.map((r) => r.route), ["trigger", "job"]);
});

Deno.test("stub.fetch rejects at once with the signal's reason when the caller aborts during a latency", async () => {
  await using stub = startLightlyStub({
    listen: false,
    // A latency that ends only when the stub closes.
    sleep: (_ms, signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      ),
    faults: [{ route: "tags", fault: { kind: "latency", ms: 60_000 } }],
  });
  const controller = new AbortController();
  const pending = stub.fetch(tagsUrl(stub), { signal: controller.signal });
  const reason = new Error("caller gave up");
  controller.abort(reason);
  assertEquals(await pending.catch((e) => e), reason);
  const early = new AbortController();
  early.abort();
  await assertRejects(
    () => stub.fetch(tagsUrl(stub), { signal: early.signal }),
    DOMException,
  );
  assertEquals(stub.requests.length, 1, "an aborted call never arrives");
});

Deno.test("close() answers pending in-process calls 503, ends hanging bodies, then refuses like a closed port", async () => {
  const stub = startLightlyStub({
    listen: false,
    sleep: (_ms, signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      ),
    faults: [
      { route: "job", fault: { kind: "latency", ms: 60_000 } },
      { route: "tags", fault: { kind: "hang" } },
    ],
  });
  const waiting = stub.fetch(`${stub.url}/v1/jobs/x?token=${stub.token}`);
  const hanging = await stub.fetch(tagsUrl(stub));
  const body = hanging.text();
  await stub.close();
  const late = await waiting;
  assertEquals(late.status, 503);
  assertEquals((await late.json()).code, "SERVICE_UNAVAILABLE");
  await assertRejects(() => body, TypeError, "error reading a body");
  const error = await assertRejects(
    () => stub.fetch(tagsUrl(stub)),
    TypeError,
    "fetch failed",
  );
  assertMatch((error.cause as Error).message, /Connection refused/);
  assert(!(error.cause as Error).message.includes(stub.token));
});

Deno.test("errors of stub.fetch never name the token", async () => {
  await using stub = startLightlyStub({
    listen: false,
    token: "SENTINEL-in-process-token",
    faults: [{ route: "tags", nth: 1, fault: { kind: "drop" } }],
  });
  const error = await stub.fetch(tagsUrl(stub)).catch((e) => e);
  assert(error instanceof TypeError);
  const shown = `${Deno.inspect(error)} ${(error.cause as Error).message}`;
  assert(!shown.includes(stub.token), shown);
  assertMatch(shown, /token=\[REDACTED\]/);
});

const TESTING = new URL("../testing.ts", import.meta.url).href;
const MOD = new URL("../mod.ts", import.meta.url).href;

function noPermissionScript(listen: boolean): string {
  return `
import { startLightlyStub } from "${TESTING}";
import { selectSamples } from "${MOD}";

await using stub = startLightlyStub({ listen: ${listen}, waitingPolls: 0, runningPolls: 1 });
const result = await selectSamples({
  datasetId: stub.datasetId,
  body: { newTagName: "no-socket", method: "RANDOM", config: { stoppingCondition: { nSamples: 3 } } },
}, { baseUrl: stub.url, auth: { apiKey: stub.token }, fetch: stub.fetch, minIntervalMs: 0, maxIntervalMs: 1 });
console.log("tag " + result.tag.name + " " + result.tag.totSize);
`;
}

async function runWithoutPermissions(
  script: string,
): Promise<{ code: number; out: string }> {
  const work = await Deno.makeTempDir({ prefix: "lightly-stub-in-process-" });
  try {
    await Deno.writeTextFile(`${work}/main.ts`, script);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-prompt", "main.ts"],
      cwd: work,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      out: decoder.decode(output.stdout) + decoder.decode(output.stderr),
    };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

Deno.test("in-process mode opens no socket: a whole selection runs with no permission at all", async (t) => {
  await t.step("listen: false needs no network permission", async () => {
    const run = await runWithoutPermissions(noPermissionScript(false));
    assertEquals(run.code, 0, run.out);
    assertMatch(run.out, /^tag no-socket 3$/m);
  });
  await t.step("the same script with a socket is refused", async () => {
    const run = await runWithoutPermissions(noPermissionScript(true));
    assertNotEquals(run.code, 0, run.out);
    assertMatch(run.out, /NotCapable|net access/);
  });
});
