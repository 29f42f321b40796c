/**
 * The command line against a server that answers strangely: control
 * characters in every string, dates out of range, JSON nested very deep,
 * an HTML 403, a job id that is not an ObjectId. Run in this process.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import {
  DATASET,
  EMBEDDING,
  JOB,
  job,
  PATHS,
  reply,
  startJobServer,
  startServer,
} from "./_server.ts";
import { runInProcess } from "./_cli.ts";

// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
/** A window-title change, a screen clear and an 8-bit CSI. */
const HOSTILE = "\x1b]0;owned\x07\x1b[2J\x9b31m";
const SHOWN = "\\x1b]0;owned\\x07\\x1b[2J\\u009b31m";

function assertNoRawControl(...texts: string[]): void {
  for (const text of texts) {
    assert(!RAW_CONTROL.test(text), `a raw control character:\n${text}`);
  }
}

Deno.test("cli status shows the server's strings with control characters escaped, never raw", async () => {
  await using server = startJobServer({
    [`GET ${PATHS.job}`]: [
      job("FINISHED", {
        id: `${JOB}${HOSTILE}`,
        error: `error${HOSTILE}`,
        result: { type: "SAMPLING", data: `tag${HOSTILE}` },
      }),
      job(`RUNNING${HOSTILE}`),
    ],
  }, "in-process");
  const finished = await runInProcess([
    "status",
    JOB,
    "--base-url",
    server.url,
  ], { fetch: server.fetch });
  const running = await runInProcess(
    ["status", JOB, "--base-url", server.url],
    { fetch: server.fetch },
  );
  for (const run of [finished, running]) {
    assertEquals(run.code, 0, run.stderr);
    assertNoRawControl(run.stdout, run.stderr);
  }
  const row = (label: string, value: string) =>
    new RegExp(`^${label} +${value.replaceAll(/[\\[\]]/g, "\\$&")}$`, "m");
  assertMatch(finished.stdout, row("job", `${JOB}${SHOWN}`));
  assertMatch(finished.stdout, row("tag id", `tag${SHOWN}`));
  assertMatch(finished.stdout, row("error", `error${SHOWN}`));
  assertMatch(running.stdout, row("status", `RUNNING${SHOWN}`));
});

Deno.test("cli status --json keeps the server's strings JSON-escaped, C1 included", async () => {
  await using server = startJobServer({
    [`GET ${PATHS.job}`]: job(`RUNNING${HOSTILE}`, { error: HOSTILE }),
  }, "in-process");
  const run = await runInProcess([
    "status",
    JOB,
    "--base-url",
    server.url,
    "--json",
  ], { fetch: server.fetch });
  assertEquals(run.code, 0, run.stderr);
  assertNoRawControl(run.stdout, run.stderr);
  const doc = JSON.parse(run.stdout);
  assertEquals([doc.status, doc.error], [`RUNNING${HOSTILE}`, HOSTILE]);
});

Deno.test("cli: an API error's code and message are shown escaped", async () => {
  await using server = startJobServer({
    [`GET ${PATHS.job}`]: reply({
      code: `JOB_UNKNOWN${HOSTILE}`,
      error: `no such job${HOSTILE}`,
    }, 404),
  }, "in-process");
  const run = await runInProcess(["status", JOB, "--base-url", server.url], {
    fetch: server.fetch,
  });
  assertEquals(run.code, 1, run.stderr);
  assertNoRawControl(run.stdout, run.stderr);
  assertStringIncludes(run.stderr, `JOB_UNKNOWN${SHOWN}`);
  assertStringIncludes(run.stderr, `no such job${SHOWN}`);
});

Deno.test("cli: JSON key names of a --body file are shown escaped in its usage error", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        newTagName: "fine-name",
        method: "RANDOM",
        config: {},
        [`extra${HOSTILE}`]: 1,
      }),
    );
    const run = await runInProcess([
      "trigger",
      "--dry-run",
      "--dataset-id",
      DATASET,
      "--embedding-id",
      EMBEDDING,
      "--body",
      file,
    ]);
    assertEquals(run.code, 2, run.stderr);
    assertNoRawControl(run.stdout, run.stderr);
    assertStringIncludes(run.stderr, `extra${SHOWN}`);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("cli status prints a time out of JavaScript's date range as the number, exit 0", async () => {
  await using server = startJobServer({
    [`GET ${PATHS.job}`]: job("FINISHED", {
      createdAt: 9e15,
      finishedAt: -1e300,
      result: { type: "SAMPLING", data: "bbbbbbbbbbbbbbbbbbbbbbbb" },
    }),
  }, "in-process");
  const run = await runInProcess(["status", JOB, "--base-url", server.url], {
    fetch: server.fetch,
  });
  assertEquals(run.code, 0, run.stderr);
  assertMatch(run.stdout, /^created +9000000000000000$/m);
  assertMatch(run.stdout, /^finished +-1e\+300$/m);
});

Deno.test("cli status --json refuses an answer nested too deep as unexpected: exit 3, one JSON document", async () => {
  const depth = 100_000;
  const body = JSON.stringify({
    id: JOB,
    status: "RUNNING",
    waitTimeTillNextPoll: 1,
    createdAt: 0,
  }).replace(/}$/, `,"extra":${"[".repeat(depth)}${"]".repeat(depth)}}`);
  await using server = startServer(() =>
    new Response(body, { headers: { "content-type": "application/json" } })
  );
  const [json, human] = [
    await runInProcess(["status", JOB, "--base-url", server.url, "--json"]),
    await runInProcess(["status", JOB, "--base-url", server.url]),
  ];
  assertEquals(json.code, 3, json.stderr);
  const doc = JSON.parse(json.stdout);
  assertEquals([doc.exitCode, doc.error.kind], [3, "unexpected-response"]);
  assertStringIncludes(json.stderr, "nested deeper than");
  assertEquals(human.code, 0, human.stderr); // the deep field is not shown
});

Deno.test("cli: a proxy's HTML 403 exits 1 like the API's own 4xx (retrying as is will not help)", async () => {
  await using server = startServer(() =>
    new Response("<html><body>Forbidden by proxy</body></html>", {
      status: 403,
      headers: { "content-type": "text/html" },
    })
  );
  const run = await runInProcess(["status", JOB, "--base-url", server.url]);
  assertEquals(run.code, 1, run.stderr);
  assertStringIncludes(run.stderr, "403");
});

Deno.test("cli trigger --wait: a job id that is not an ObjectId is reported as maybe applied (exit 1), never as nothing sent", async () => {
  const answer = { jobId: `job-${HOSTILE}` };
  await using server = startJobServer({
    [`POST ${PATHS.sampling(EMBEDDING)}`]: reply(answer),
  }, "in-process");
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        datasetId: DATASET,
        embeddingId: EMBEDDING,
        body: { newTagName: "batch-line", method: "RANDOM", config: {} },
      }),
    );
    const single = await runInProcess([
      "trigger",
      "--base-url",
      server.url,
      "--dataset-id",
      DATASET,
      "--embedding-id",
      EMBEDDING,
      "--tag-name",
      "odd-job-id",
      "--method",
      "random",
      "--wait",
    ], { fetch: server.fetch });
    const batch = await runInProcess([
      "trigger",
      "--batch",
      file,
      "--wait",
      "--json",
      "--base-url",
      server.url,
    ], { fetch: server.fetch });
    assertEquals(single.code, 1, single.stderr);
    assertNoRawControl(single.stdout, single.stderr);
    assertStringIncludes(single.stderr, "may have been applied");
    assertStringIncludes(single.stderr, 'a tag named "odd-job-id"');
    assert(!single.stderr.includes("nothing was sent"), single.stderr);

    assertEquals(batch.code, 1, batch.stderr);
    const [line, summary] = batch.stdout.trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assertEquals([line.ok, line.exitCode, line.error.kind], [
      false,
      1,
      "maybe-applied",
    ]);
    assertEquals(summary.summary.failed, 1);
    assertEquals(server.count("POST"), 2);
    assertEquals(server.count("GET"), 0);
  } finally {
    await Deno.remove(file);
  }
});
