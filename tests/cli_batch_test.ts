import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  batchEntries,
  type BatchEntry,
  type BatchOutcome,
  runBatch,
} from "../lib/cli/batch.ts";
import { baseUrlFlags, inProcessStub, runInProcess } from "./_cli.ts";
import { fakeClock } from "./_clock.ts";
import { startLightlyStub } from "../testing.ts";

function line(
  stub: { datasetId: string; embeddingId: string },
  tagName: string,
): string {
  return JSON.stringify({
    datasetId: stub.datasetId,
    embeddingId: stub.embeddingId,
    body: { newTagName: tagName, method: "RANDOM", config: {} },
  });
}

Deno.test("batchEntries() numbers lines from 1, skips blank ones, and reports non-objects", async () => {
  const all: BatchEntry[] = await Array.fromAsync(
    batchEntries('{"a":1}\n\n  \n[1]\n{oops\n{"b":2}\r\n'.split("\n")),
  );
  const entries = all.filter((e) => "value" in e);
  const invalid = all.filter((e) => "problems" in e) as {
    line: number;
    problems: string[];
  }[];
  assertEquals(entries, [{ line: 1, value: { a: 1 } }, {
    line: 6,
    value: { b: 2 },
  }]);
  assertEquals(invalid.map((l) => l.line), [4, 5]);
  assertStringIncludes(invalid[0].problems[0], "must be a JSON object");
  assertStringIncludes(invalid[1].problems[0], "not valid JSON");
});

Deno.test("runBatch() never has more than `concurrency` items in flight and streams outcomes as they end", async () => {
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const ended: number[] = [];
  const finishers = new Map<number, () => void>();
  const outcomes: BatchOutcome<number, number>[] = [];
  const done = runBatch([1, 2, 3, 4, 5], {
    concurrency: 2,
    clock: fakeClock(0),
    pauseFor: () => undefined,
    send: (n) => {
      started.push(n);
      peak = Math.max(peak, ++inFlight);
      return new Promise<number>((resolve) =>
        finishers.set(n, () => {
          inFlight--;
          resolve(n);
        })
      );
    },
    onOutcome: (o) => {
      ended.push(o.item);
      outcomes.push(o);
    },
  });
  await flush();
  assertEquals(started, [1, 2]);
  finishers.get(2)!(); // the second ends first: its outcome does not wait for the first
  await flush();
  assertEquals(ended, [2]);
  assertEquals(started, [1, 2, 3]);
  for (const n of [3, 1, 4, 5]) {
    await flush();
    finishers.get(n)!();
  }
  const run = await done;
  assertEquals(ended, [2, 3, 1, 4, 5]);
  assertEquals(outcomes.map((o) => o.item), ended);
  assertEquals(run.started, 5);
  assertEquals(peak, 2);
});

Deno.test("runBatch() pulls items as workers free up, never the whole input ahead of its outcomes", async () => {
  let pulled = 0;
  let ended = 0;
  let ahead = 0;
  async function* items() {
    for (let n = 1; n <= 50; n++) {
      pulled++;
      ahead = Math.max(ahead, pulled - ended);
      yield n;
    }
  }
  const { started } = await runBatch(items(), {
    concurrency: 3,
    clock: fakeClock(0),
    pauseFor: () => undefined,
    send: async (n) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return n;
    },
    onOutcome: () => ended++,
  });
  assertEquals([started, ended], [50, 50]);
  assert(ahead <= 3, `pulled ${ahead} items ahead of their outcomes`);
});

Deno.test("runBatch() pauses every worker for a 429's Retry-After and sends the refused item again", async () => {
  const clock = fakeClock(0);
  const sentAt: [number, number][] = [];
  let refused = false;
  const outcomes: BatchOutcome<number, number>[] = [];
  await runBatch([1, 2, 3, 4], {
    concurrency: 2,
    clock,
    send: async (n) => {
      sentAt.push([n, clock.now()]);
      await Promise.resolve();
      if (n === 1 && !refused) {
        refused = true;
        throw { kind: "api", status: 429 };
      }
      return n;
    },
    pauseFor: (error) =>
      (error as { status?: number }).status === 429 ? 5_000 : undefined,
    onOutcome: (o) => outcomes.push(o),
  });
  assertEquals(outcomes.length, 4);
  assert(outcomes.every((o) => o.ok));
  const retried = outcomes.find((o) => o.item === 1)!;
  assertEquals(retried.attempts, 2);
  // 1 and 2 went out at once; everything after the 429 (3, 4 and 1 again,
  // from both workers) waited for the gate to open again.
  assertEquals(sentAt.slice(0, 2), [[1, 0], [2, 0]]);
  assertEquals(sentAt.length, 5);
  for (const [n, t] of sentAt.slice(2)) {
    assert(t >= 5_000, `item ${n} sent at ${t}, before the pause ended`);
  }
});

Deno.test("runBatch() gives up on an item after maxAttempts 429s and carries on with the rest", async () => {
  const outcomes: BatchOutcome<string, string>[] = [];
  await runBatch(["a", "b"], {
    concurrency: 1,
    clock: fakeClock(0),
    maxAttempts: 3,
    send: (s) =>
      s === "a" ? Promise.reject({ status: 429 }) : Promise.resolve(s),
    pauseFor: () => 1,
    onOutcome: (o) => outcomes.push(o),
  });
  assertEquals(outcomes.map((o) => [o.item, o.ok, o.attempts]), [
    ["a", false, 3],
    ["b", true, 1],
  ]);
});

Deno.test("runBatch() stops starting items once its signal aborts", async () => {
  const controller = new AbortController();
  const sent: number[] = [];
  const outcomes: BatchOutcome<number, number>[] = [];
  const run = await runBatch([1, 2, 3], {
    concurrency: 1,
    clock: fakeClock(0),
    signal: controller.signal,
    send: (n) => {
      sent.push(n);
      if (n === 1) controller.abort();
      return Promise.resolve(n);
    },
    pauseFor: () => undefined,
    onOutcome: (o) => outcomes.push(o),
  });
  assertEquals(outcomes.length, 1);
  // 2 and 3 were never started.
  assertEquals([run.started, sent], [1, [1]]);
});

Deno.test("runBatch() reports an item stopped during a 429 pause as not sent", async () => {
  const controller = new AbortController();
  // A clock whose sleep lasts until the signal aborts it.
  const clock = fakeClock({ start: 0, hold: true });
  const outcomes: BatchOutcome<string, never>[] = [];
  const run = await runBatch(["a", "b"], {
    concurrency: 1,
    clock,
    signal: controller.signal,
    send: () => Promise.reject({ kind: "api", status: 429 }),
    pauseFor: () => 30_000,
    onPause: () => controller.abort(),
    onOutcome: (o) => outcomes.push(o),
  });
  assertEquals(outcomes.length, 1);
  const [outcome] = outcomes;
  assertEquals(
    [outcome.item, outcome.ok, !outcome.ok && outcome.notSent],
    ["a", false, true],
  );
  assertEquals(outcome.attempts, 1);
  assertEquals(run.started, 1); // "b" was never started
});

Deno.test("cli trigger --batch checks every line first: bad lines are named by number and nothing is sent", async () => {
  await using stub = inProcessStub();
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await Deno.writeTextFile(
      file,
      [
        line(stub, "batch-ok-1"),
        JSON.stringify({
          datasetId: "nope",
          embeddingId: stub.embeddingId,
          body: {},
        }),
        "",
        "not json",
        line(stub, "batch-ok-2"),
      ].join("\n"),
    );
    const run = await runInProcess(
      ["trigger", "--batch", file, ...baseUrlFlags(stub)],
      { fetch: stub.fetch },
    );
    assertEquals(run.code, 2, run.stderr);
    assertStringIncludes(run.stderr, "2 invalid lines, nothing was sent");
    assertStringIncludes(
      run.stderr,
      "line 2: datasetId: must be a 24-character",
    );
    assertStringIncludes(run.stderr, "line 2: newTagName: is required");
    assertStringIncludes(run.stderr, "line 4: not valid JSON");
    assertEquals(stub.requests, []);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("cli trigger --batch --skip-invalid --json streams one JSON line per outcome and a summary", async () => {
  await using stub = inProcessStub();
  const input = [
    line(stub, "stream-1"),
    '{"datasetId": 1}',
    line(stub, "stream-2"),
    line(stub, "stream-3"),
  ].join("\n");
  const run = await runInProcess(
    [
      "trigger",
      "--batch",
      "-",
      "--skip-invalid",
      "--concurrency",
      "2",
      "--json",
      ...baseUrlFlags(stub),
    ],
    { fetch: stub.fetch, stdin: input },
  );
  assertEquals(run.code, 0, run.stderr);
  const docs = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(docs.length, 5);
  assertEquals(docs[0].line, 2);
  assertEquals(docs[0].skipped, true);
  const started = docs.filter((d) => d.ok === true);
  assertEquals(started.map((d) => d.line).sort(), [1, 3, 4]);
  const jobIds = new Set(stub.jobs().map((j) => j.id));
  for (const d of started) assert(jobIds.has(d.jobId), d.jobId);
  assertEquals(docs[4], {
    summary: { lines: 4, ok: 3, failed: 0, skipped: 1, notStarted: 0 },
  });
});

Deno.test("cli trigger --batch pauses for a 429 by the library's rule: at least the backoff, even for Retry-After: 0", async () => {
  await using stub = inProcessStub({
    faults: [{
      route: "trigger",
      nth: 1,
      fault: { kind: "status", status: 429, retryAfter: "0" },
    }],
  });
  const clock = fakeClock(0);
  const run = await runInProcess(
    ["trigger", "--batch", "-", "--json", ...baseUrlFlags(stub)],
    { fetch: stub.fetch, stdin: line(stub, "paused-1"), clock },
  );
  assertEquals(run.code, 0, run.stderr);
  assertEquals(clock.sleeps.length, 1);
  assert(clock.sleeps[0] >= 400, `paused ${clock.sleeps[0]} ms`);
  assertStringIncludes(run.stderr, "the batch pauses for 0.");
});

Deno.test("cli trigger --batch reads a file twice and reports every line exactly once, by its number", async () => {
  await using stub = inProcessStub();
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const lines = Array.from(
      { length: 40 },
      (_, i) => line(stub, `twice-${i}`),
    );
    lines.splice(7, 0, "", "   "); // blank lines keep their numbers
    await Deno.writeTextFile(file, lines.join("\r\n"));
    const run = await runInProcess(
      [
        "trigger",
        "--batch",
        file,
        "--concurrency",
        "8",
        "--json",
        ...baseUrlFlags(stub),
      ],
      { fetch: stub.fetch },
    );
    assertEquals(run.code, 0, run.stderr);
    const docs = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const numbers = docs.filter((d) => d.ok).map((d) => d.line).sort((a, b) =>
      a - b
    );
    const expected = [
      ...Array.from({ length: 7 }, (_, i) => i + 1),
      ...Array.from({ length: 33 }, (_, i) => i + 10),
    ];
    assertEquals(numbers, expected);
    assertEquals(docs.at(-1).summary, {
      lines: 40,
      ok: 40,
      failed: 0,
      skipped: 0,
      notStarted: 0,
    });
    assertEquals(stub.jobs().length, 40);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("cli trigger --batch honours a 429 across the batch, sends the line again, and reports refusals with exit 1", async () => {
  await using stub = inProcessStub({
    faults: [{
      route: "trigger",
      nth: 1,
      fault: { kind: "status", status: 429, retryAfter: "0" },
    }],
  });
  // The first stub job takes "dup-name"; line 3 asks for it again: 409.
  const input = [
    line(stub, "rate-1"),
    line(stub, "rate-2"),
    line(stub, "rate-1"),
  ].join("\n");
  const run = await runInProcess(
    [
      "trigger",
      "--batch",
      "-",
      "--concurrency",
      "1",
      "--json",
      ...baseUrlFlags(stub),
    ],
    { fetch: stub.fetch, stdin: input },
  );
  assertEquals(run.code, 1, run.stderr);
  assertStringIncludes(run.stderr, "429 Too Many Requests; the batch pauses");
  const docs = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const byLine = new Map(docs.filter((d) => d.line).map((d) => [d.line, d]));
  assertEquals(byLine.get(1).ok, true);
  assertEquals(byLine.get(1).attempts, 2);
  assertEquals(byLine.get(2).ok, true);
  assertEquals(byLine.get(3).ok, false);
  assertEquals(byLine.get(3).exitCode, 1);
  assertEquals(byLine.get(3).error.code, "TAG_NAME_EXISTS");
  assertEquals(docs.at(-1).summary.failed, 1);
  assertEquals(stub.requests.filter((r) => r.route === "trigger").length, 4);
});

Deno.test("cli trigger --batch sends every POST through one client on a fresh connection each, and closes it", async () => {
  await using stub = startLightlyStub();
  // The second POST's connection drops after the stub applied it: were it a
  // reused connection, fetch would send that POST again by itself.
  stub.addFault({
    route: "trigger",
    nth: 2,
    fault: { kind: "drop", handled: true },
  });
  const clients = new Set<unknown>();
  const recording = (url: string | URL | Request, init?: RequestInit) => {
    if (init?.method === "POST") {
      clients.add((init as { client?: unknown }).client);
    }
    return fetch(url, init);
  };
  const run = await runInProcess(
    [
      "trigger",
      "--batch",
      "-",
      "--concurrency",
      "1",
      "--json",
      ...baseUrlFlags(stub),
    ],
    {
      fetch: recording as typeof fetch,
      env: { LIGHTLY_TOKEN: stub.token },
      stdin: ["one", "two", "three"].map((t) => line(stub, `fresh-${t}`)).join(
        "\n",
      ),
    },
  );
  assertEquals(run.code, 1, run.stderr);
  const results = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(results.slice(0, 3).map((r) => [r.line, r.ok]), [
    [1, true],
    [2, false],
    [3, true],
  ]);
  assertEquals(
    stub.requests.map((r) => [r.route, r.status]),
    [["trigger", 200], ["trigger", 0], ["trigger", 200]],
    "each POST exactly once",
  );
  assertEquals(clients.size, 1, "one client for the batch's POSTs");
  assert(!clients.has(undefined));
  // The resource sanitizer fails this test if the batch left it open.
});
