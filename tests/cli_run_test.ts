import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { VERSION } from "../mod.ts";
import { startLightlyStub } from "../testing.ts";
import {
  baseUrlFlags,
  inProcessStub,
  runCli,
  runInProcess,
  SENTINEL,
  SENTINEL_JWT,
  triggerFlags,
} from "./_cli.ts";

const TOKEN_ENV = { LIGHTLY_TOKEN: SENTINEL };

function assertOneLine(text: string): void {
  assertEquals(text.trim().split("\n").length, 1, `not one line:\n${text}`);
  assert(!/^\s+at /m.test(text), `a stack trace:\n${text}`);
}

Deno.test("cli trigger POSTs the request once and prints the new job's id, exit 0", async () => {
  await using stub = inProcessStub();
  const run = await runInProcess(triggerFlags(stub, "coreset-10"), {
    fetch: stub.fetch,
  });
  assertEquals(run.code, 0, run.stderr);
  const [job] = stub.jobs();
  assertMatch(run.stdout, new RegExp(`^job\\s+${job.id}$`, "m"));
  assertMatch(run.stdout, /^tag name\s+coreset-10$/m);
  assertEquals(stub.requests.length, 1);
  const [seen] = stub.requests;
  assertEquals([seen.method, seen.route, seen.status], [
    "POST",
    "trigger",
    200,
  ]);
  assertEquals(seen.query.token, "[REDACTED]"); // the API key travelled as ?token=
  assertEquals(seen.body, {
    newTagName: "coreset-10",
    method: "CORESET",
    config: { stoppingCondition: { nSamples: 10 } },
  });
  assertStringIncludes(run.stderr, `wait ${job.id}`);
});

Deno.test("cli trigger --json prints exactly one JSON document on stdout", async () => {
  await using stub = inProcessStub();
  const run = await runInProcess([...triggerFlags(stub, "json-10"), "--json"], {
    fetch: stub.fetch,
  });
  assertEquals(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  assertEquals(doc.jobId, stub.jobs()[0].id);
  assertEquals(doc.tagName, "json-10");
});

Deno.test("cli trigger --wait follows the job to its new tag, with plain progress lines when piped", async () => {
  await using stub = inProcessStub();
  const run = await runInProcess([...triggerFlags(stub, "wait-10"), "--wait"], {
    fetch: stub.fetch,
  });
  assertEquals(run.code, 0, run.stderr);
  const [job] = stub.jobs();
  assertEquals(job.status, "FINISHED");
  assertMatch(run.stdout, new RegExp(`^tag id\\s+${job.tagId}$`, "m"));
  assertMatch(run.stdout, /^status\s+FINISHED$/m);
  // Piped stderr: timestamped lines, no carriage returns, no escapes.
  assertMatch(
    run.stderr,
    /^\d{4}-\d\d-\d\dT[\d:.]+Z job [0-9a-f]{24} RUNNING/m,
  );
  assert(!run.stderr.includes("\r"), "a carriage return on a pipe");
  assert(!run.stderr.includes("\x1b"), "an escape sequence on a pipe");
});

Deno.test("cli trigger --wait --json gives the tag id in one JSON document", async () => {
  await using stub = inProcessStub();
  const run = await runInProcess(
    [...triggerFlags(stub, "wait-json"), "--wait", "--json"],
    { fetch: stub.fetch },
  );
  assertEquals(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  const [job] = stub.jobs();
  assertEquals([doc.jobId, doc.tagId, doc.status], [
    job.id,
    job.tagId,
    "FINISHED",
  ]);
});

Deno.test("cli: every command-line mistake gets one explanation, exit 2, and sends nothing", async () => {
  await using stub = inProcessStub();
  const base = triggerFlags(stub, "ok-name").slice(1);
  const cases: [string[], string[]][] = [
    [["trigger", ...base, "--dataset-di", "x"], [
      "unknown flag --dataset-di; did you mean --dataset-id?",
    ]],
    [["trigger", ...base, "--token", SENTINEL], [
      "--token is not accepted",
      "LIGHTLY_TOKEN",
    ]],
    [["trigger", ...baseUrlFlags(stub)], [
      "missing required flags: --dataset-id, --embedding-id, --tag-name, --method",
    ]],
    [["trigger", ...base, "--n-samples", "1.5", "--tag-name", "x"], [
      "--n-samples is given 2 times",
      "--tag-name is given 2 times",
    ]],
    [[
      "trigger",
      ...baseUrlFlags(stub),
      "--dataset-id",
      "NOT-AN-ID",
      "--embedding-id",
      stub.embeddingId,
      "--tag-name",
      "x",
      "--method",
      "coresat",
      "--n-samples",
      "1.5",
    ], [
      "--dataset-id: must be a 24-character lower-case hex ObjectId",
      "--tag-name: must be at least 3 characters long",
      "--method: must be one of ACTIVE_LEARNING, CORAL, CORESET, RANDOM",
      "--n-samples: must be -1 (off), a fraction in (0, 1], or a whole number",
    ]],
    [["trigger", ...base, "--wait", "--dry-run"], [
      "--wait cannot be combined with --dry-run",
    ]],
    [["trigger", ...base, "--concurrency", "2"], [
      "--concurrency only apply with --batch",
    ]],
    [["status", "not-a-job", ...baseUrlFlags(stub)], [
      "JOB_ID must be a 24-character lower-case hex ObjectId",
    ]],
    [["status", "--wait", stub.datasetId], [
      "--wait is not a flag of status (it belongs to trigger)",
    ]],
    [["stauts", stub.datasetId], [
      'unknown command "stauts"; did you mean status?',
    ]],
    [["trigger", ...base, "--timeout", "soon", "--wait"], [
      "--timeout must be a positive duration",
    ]],
  ];
  const runs = await Promise.all(
    cases.map(([args]) => runInProcess(args, { fetch: stub.fetch })),
  );
  runs.forEach((run, i) => {
    const [args, expected] = cases[i];
    assertEquals(run.code, 2, `${args.join(" ")}\n${run.stderr}`);
    assertEquals(run.stdout, "");
    for (const text of expected) assertStringIncludes(run.stderr, text);
    assert(!/^\s+at /m.test(run.stderr), `a stack trace:\n${run.stderr}`);
  });
  assertEquals(stub.requests, []);
});

Deno.test("cli: a usage error with --json is one JSON document naming every problem", async () => {
  await using stub = inProcessStub();
  const run = await runInProcess(["trigger", ...baseUrlFlags(stub), "--json"], {
    fetch: stub.fetch,
  });
  assertEquals(run.code, 2);
  const doc = JSON.parse(run.stdout);
  assertEquals(doc.exitCode, 2);
  assertEquals(doc.error.kind, "usage");
  assertEquals(doc.error.problems, [
    "missing required flags: --dataset-id, --embedding-id, --tag-name, --method",
  ]);
  assertEquals(stub.requests, []);
});

Deno.test("cli trigger --dry-run runs with no permission at all and sends nothing", async () => {
  await using stub = startLightlyStub({ token: SENTINEL });
  const run = await runCli([
    "trigger",
    "--dry-run",
    "--dataset-id",
    stub.datasetId,
    "--embedding-id",
    stub.embeddingId,
    "--tag-name",
    "dry-10",
    "--method",
    "Random",
    "--min-distance",
    "-1",
  ], { perms: [], env: TOKEN_ENV });
  assertEquals(run.code, 0, run.stderr);
  assertStringIncludes(
    run.stdout,
    `POST https://api.lightly.ai/v1/datasets/${stub.datasetId}/embeddings/${stub.embeddingId}/sampling?token=[REDACTED]`,
  );
  assertStringIncludes(run.stdout, '"method": "RANDOM"');
  assertStringIncludes(run.stdout, '"minDistance": -1');
  assertStringIncludes(run.stdout, `?token='"$LIGHTLY_TOKEN"`);
  assertStringIncludes(run.stderr, "nothing was sent");
  assertStringIncludes(run.stderr, "--allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT");
  assertEquals(stub.requests, []);
});

Deno.test("cli trigger --dry-run --json shows the real base URL and token kind, redacted", async () => {
  await using stub = inProcessStub();
  const run = await runInProcess(
    [...triggerFlags(stub, "dry-json"), "--dry-run", "--json"],
    { fetch: stub.fetch, env: { LIGHTLY_JWT: SENTINEL_JWT } },
  );
  assertEquals(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  assertEquals(doc.dryRun, true);
  assertEquals(doc.request.method, "POST");
  assertEquals(
    doc.request.url,
    `${stub.url}/v1/datasets/${stub.datasetId}/embeddings/${stub.embeddingId}/sampling`,
  );
  assertEquals(doc.request.headers.Authorization, "Bearer [REDACTED]");
  assertStringIncludes(doc.curl, "Bearer $LIGHTLY_JWT");
  assertEquals(stub.requests, []);
});

Deno.test("cli: a missing permission is one line naming the exact flag, exit 2", async () => {
  await using stub = startLightlyStub({ token: SENTINEL });
  const port = new URL(stub.url).port;
  const batch = await Deno.makeTempFile({ suffix: ".jsonl" });
  const [noNet, noEnv, noLocation, noRead] = await Promise.all([
    runCli(triggerFlags(stub, "perm-net"), {
      perms: ["--allow-env"],
      env: TOKEN_ENV,
    }),
    runCli(["status", stub.datasetId, "--base-url", stub.url], {
      perms: ["--allow-net=127.0.0.1"],
      env: TOKEN_ENV,
    }),
    runCli(["status", stub.datasetId], {
      perms: ["--allow-net=127.0.0.1", "--allow-env=LIGHTLY_TOKEN"],
      env: TOKEN_ENV,
    }),
    runCli(["trigger", "--batch", batch, "--base-url", stub.url], {
      env: TOKEN_ENV,
    }),
  ]);
  for (const run of [noNet, noEnv, noLocation, noRead]) {
    assertEquals(run.code, 2, run.stderr);
    assertOneLine(run.stderr);
  }
  assertStringIncludes(noNet.stderr, `--allow-net=127.0.0.1:${port}`);
  assertStringIncludes(noEnv.stderr, "--allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT");
  assertStringIncludes(
    noLocation.stderr,
    "--allow-env=LIGHTLY_SERVER_LOCATION",
  );
  assertStringIncludes(noRead.stderr, `--allow-read=${batch}`);
  assertEquals(stub.requests, []);
  await Deno.remove(batch);
});

Deno.test("cli: the API saying no exits 1 with its code and request id", async () => {
  await using stub = inProcessStub();
  const first = await runInProcess(triggerFlags(stub, "taken-10"), {
    fetch: stub.fetch,
  });
  assertEquals(first.code, 0, first.stderr);
  const second = await runInProcess(triggerFlags(stub, "taken-10"), {
    fetch: stub.fetch,
  });
  assertEquals(second.code, 1);
  assertStringIncludes(second.stderr, "409 TAG_NAME_EXISTS");
  assertMatch(second.stderr, /request id stub-req-\d+/);
  assertEquals(second.stdout, "");
});

Deno.test("cli: a FAILED job exits 1 with the server's reason", async () => {
  await using stub = inProcessStub();
  stub.failNextJob("the embedding is corrupt");
  const run = await runInProcess(
    [...triggerFlags(stub, "fails-10"), "--wait"],
    {
      fetch: stub.fetch,
    },
  );
  assertEquals(run.code, 1, run.stderr);
  assertStringIncludes(run.stderr, "the embedding is corrupt");
});

Deno.test("cli: a 5xx or no answer at all exits 3", async () => {
  await using stub = inProcessStub();
  stub.addFault({
    route: "job",
    nth: 1,
    fault: { kind: "status", status: 503, body: "html" },
  });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = listener.addr.port;
  listener.close();
  const [fiveHundred, refused] = await Promise.all([
    runInProcess(["status", stub.datasetId, ...baseUrlFlags(stub)], {
      fetch: stub.fetch,
    }),
    // Deno's own fetch, to a port nothing listens on.
    runInProcess([
      "status",
      stub.datasetId,
      "--base-url",
      `http://127.0.0.1:${closedPort}`,
    ]),
  ]);
  assertEquals(fiveHundred.code, 3, fiveHundred.stderr);
  assertStringIncludes(fiveHundred.stderr, "503");
  assertEquals(refused.code, 3, refused.stderr);
  assertStringIncludes(refused.stderr, "could not connect");
});

Deno.test("cli status and wait read and follow a job by its id", async () => {
  await using stub = inProcessStub({ runningPolls: 2 });
  const started = await runInProcess(
    [...triggerFlags(stub, "later-10"), "--json"],
    { fetch: stub.fetch },
  );
  const { jobId } = JSON.parse(started.stdout);
  const status = await runInProcess(["status", jobId, ...baseUrlFlags(stub)], {
    fetch: stub.fetch,
  });
  assertEquals(status.code, 0, status.stderr);
  assertMatch(status.stdout, new RegExp(`^job\\s+${jobId}$`, "m"));
  assertMatch(status.stdout, /^status\s+RUNNING$/m);
  assertMatch(status.stdout, /^progress\s+\d+\/\d+ \(\d+%\)$/m);
  const wait = await runInProcess(
    ["wait", jobId, ...baseUrlFlags(stub), "--json"],
    { fetch: stub.fetch },
  );
  assertEquals(wait.code, 0, wait.stderr);
  const doc = JSON.parse(wait.stdout);
  assertEquals([doc.jobId, doc.tagId], [jobId, stub.jobs()[0].tagId]);
  const done = await runInProcess(
    ["status", jobId, ...baseUrlFlags(stub), "--json"],
    { fetch: stub.fetch },
  );
  assertEquals(JSON.parse(done.stdout).status, "FINISHED");
  assertEquals(JSON.parse(done.stdout).tagId, doc.tagId);
});

Deno.test("cli select runs the whole workflow; an existing tag name is refused with exit 1 before any POST", async () => {
  await using stub = inProcessStub();
  const flags = [
    "select",
    ...baseUrlFlags(stub),
    "--dataset-id",
    stub.datasetId,
    "--tag-name",
    "select-25",
    "--method",
    "RANDOM",
    "--n-samples",
    "25",
  ];
  const run = await runInProcess([...flags, "--json"], { fetch: stub.fetch });
  assertEquals(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  assertEquals(doc.tag.name, "select-25");
  assertEquals(doc.tag.totSize, 25);
  assertEquals(doc.embeddingId, stub.embeddingId);
  assertEquals(doc.rowCount, stub.datasets()[0].sampleCount);
  assertEquals(
    stub.requests.find((r) => r.route === "trigger")?.body,
    {
      newTagName: "select-25",
      method: "RANDOM",
      config: { stoppingCondition: { nSamples: 25 } },
      rowCount: stub.datasets()[0].sampleCount,
    },
  );

  stub.requests.length = 0;
  const again = await runInProcess(flags, { fetch: stub.fetch });
  assertEquals(again.code, 1, again.stderr);
  assertStringIncludes(again.stderr, "TAG_NAME_EXISTS");
  assertEquals(stub.requests.filter((r) => r.method === "POST"), []);
});

Deno.test("cli select --dry-run lists the steps and leaves the embedding to be resolved", async () => {
  await using stub = inProcessStub();
  const run = await runInProcess([
    "select",
    "--dry-run",
    ...baseUrlFlags(stub),
    "--dataset-id",
    stub.datasetId,
    "--tag-name",
    "select-dry",
    "--method",
    "coral",
  ], { fetch: stub.fetch });
  assertEquals(run.code, 0, run.stderr);
  assertStringIncludes(
    run.stdout,
    `GET ${stub.url}/v1/datasets/${stub.datasetId}/embeddings`,
  );
  assertStringIncludes(run.stdout, "/embeddings/{embeddingId}/sampling");
  assertStringIncludes(run.stdout, "rowCount is added at run time");
  assertEquals(stub.requests, []);
});

Deno.test("cli: LIGHTLY_SERVER_LOCATION sets the base URL, trailing slash removed", async () => {
  await using stub = inProcessStub();
  const [, , , ...rest] = triggerFlags(stub, "env-url"); // no --base-url
  const run = await runInProcess(["trigger", ...rest, "--json"], {
    fetch: stub.fetch,
    env: { ...TOKEN_ENV, LIGHTLY_SERVER_LOCATION: `${stub.url}/` },
  });
  assertEquals(run.code, 0, run.stderr);
  assertEquals(JSON.parse(run.stdout).jobId, stub.jobs()[0].id);
  assertEquals(stub.requests[0].path.startsWith("/v1/"), true);
});

Deno.test("cli refuses to send a token over plain http to another host unless --insecure-http", async () => {
  const flags = [
    "trigger",
    "--dry-run",
    "--base-url",
    "http://lightly.example.com",
    "--dataset-id",
    "0123456789abcdef01234567",
    "--embedding-id",
    "89abcdef0123456789abcdef",
    "--tag-name",
    "plain-http",
    "--method",
    "random",
  ];
  const [refused, allowed] = await Promise.all([
    runInProcess(flags),
    runInProcess([...flags, "--insecure-http"]),
  ]);
  assertEquals(refused.code, 2);
  assertStringIncludes(
    refused.stderr,
    "refusing to send the token over plain http:// to lightly.example.com",
  );
  assertEquals(allowed.code, 0, allowed.stderr);
  assertStringIncludes(allowed.stdout, "POST http://lightly.example.com/v1/");
});

Deno.test("cli --body - reads the wire JSON from stdin; flags fill in but may not contradict", async () => {
  await using stub = inProcessStub();
  const body = JSON.stringify({
    newTagName: "from-stdin",
    method: "CORESET",
    config: { stoppingCondition: { minDistance: 0.5 } },
  });
  const ids = [
    ...baseUrlFlags(stub),
    "--dataset-id",
    stub.datasetId,
    "--embedding-id",
    stub.embeddingId,
  ];
  const [merged, contradicted] = await Promise.all([
    runInProcess(
      [
        "trigger",
        ...ids,
        "--body",
        "-",
        "--n-samples",
        "20",
        "--dry-run",
        "--json",
      ],
      { fetch: stub.fetch, stdin: body },
    ),
    runInProcess(
      ["trigger", ...ids, "--body", "-", "--tag-name", "other-name"],
      { fetch: stub.fetch, stdin: body },
    ),
  ]);
  assertEquals(merged.code, 0, merged.stderr);
  assertEquals(JSON.parse(merged.stdout).request.body, {
    newTagName: "from-stdin",
    method: "CORESET",
    config: { stoppingCondition: { minDistance: 0.5, nSamples: 20 } },
  });
  assertEquals(contradicted.code, 2);
  assertStringIncludes(
    contradicted.stderr,
    '--tag-name "other-name" contradicts newTagName "from-stdin" in stdin',
  );
  assertEquals(stub.requests, []);
});

Deno.test("cli: the API token and the JWT never appear in any output, whatever happens", async () => {
  await using stub = inProcessStub();
  const dir = await Deno.makeTempDir();
  try {
    const keyFile = `${dir}/token`;
    const jwtFile = `${dir}/jwt`;
    await Deno.writeTextFile(keyFile, `${SENTINEL}\n`, { mode: 0o600 });
    await Deno.writeTextFile(jwtFile, SENTINEL_JWT, { mode: 0o644 });
    const { fetch } = stub;
    // Each run is checked by runInProcess: neither secret in stdout or stderr.
    const first = await runInProcess(
      [...triggerFlags(stub, "secret-1"), "--token-file", keyFile],
      { fetch, env: {} },
    );
    const runs = await Promise.all([
      Promise.resolve(first),
      runInProcess([
        ...triggerFlags(stub, "secret-2"),
        "--token-file",
        jwtFile,
        "--json",
      ], { fetch, env: {} }),
      runInProcess([...triggerFlags(stub, "secret-1"), "--json"], { fetch }), // 409
      runInProcess(
        ["status", stub.datasetId, ...baseUrlFlags(stub), "--json"],
        {
          fetch,
          env: { LIGHTLY_JWT: SENTINEL_JWT }, // 404 JOB_UNKNOWN
        },
      ),
      runInProcess([...triggerFlags(stub, "secret-3"), "--dry-run"], { fetch }),
      runInProcess(
        [...triggerFlags(stub, "secret-4"), `--token=${SENTINEL}`],
        { fetch },
      ),
      runInProcess(["status", stub.datasetId, ...baseUrlFlags(stub)], {
        fetch,
        env: { LIGHTLY_TOKEN: `${SENTINEL}-wrong` }, // 401
      }),
    ]);
    assertEquals(runs.map((r) => r.code), [0, 0, 1, 1, 0, 2, 1]);
    assertEquals(JSON.parse(runs[2].stdout).error.code, "TAG_NAME_EXISTS");
    assertStringIncludes(runs[1].stderr, "can be read by other users");
    const jwtTrigger = stub.requests.find((r) =>
      r.route === "trigger" &&
      (r.body as { newTagName?: string }).newTagName === "secret-2"
    );
    assertEquals(jwtTrigger?.headers.authorization, "Bearer [REDACTED]");
    assertStringIncludes(runs[6].stderr, "401");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli --help explains the tool and each command with examples; --version prints the version", async () => {
  const runs = await Promise.all([
    runInProcess(["--help"]),
    ...["trigger", "select", "status", "wait"].map((c) =>
      runInProcess([c, "--help"])
    ),
    runInProcess(["--version"]),
    runInProcess([]),
  ]);
  const [tool, trigger, select, status, wait, version, bare] = runs;
  assertEquals(tool.code, 0);
  for (
    const text of [
      "trigger",
      "select",
      "status",
      "wait",
      "Exit codes:",
      "130",
      "LIGHTLY_TOKEN",
    ]
  ) {
    assertStringIncludes(tool.stdout, text);
  }
  for (
    const [run, name] of [[trigger, "trigger"], [select, "select"], [
      status,
      "status",
    ], [wait, "wait"]] as const
  ) {
    assertEquals(run.code, 0);
    assertStringIncludes(run.stdout, `lightly-sampling ${name}`);
    assertStringIncludes(run.stdout, "Examples:");
    assertStringIncludes(run.stdout, "Exit codes:");
  }
  assertStringIncludes(trigger.stdout, "--batch FILE|-");
  assertEquals(version.stdout.trim(), `lightly-sampling ${VERSION}`);
  assertEquals(bare.code, 2);
  assertStringIncludes(bare.stderr, "no command given");
});

Deno.test("cli trigger --wait checks --timeout by the library's rule before sending anything, one request or a batch", async () => {
  await using stub = inProcessStub();
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await Deno.writeTextFile(
      file,
      Array.from({ length: 3 }, (_, i) =>
        JSON.stringify({
          datasetId: stub.datasetId,
          embeddingId: stub.embeddingId,
          body: { newTagName: `timeout-${i}`, method: "RANDOM", config: {} },
        })).join("\n"),
    );
    const runs = [];
    for (const timeout of ["1000h", "0.5ms"]) {
      runs.push(
        await runInProcess([
          // With "0.5ms", a bad tag name too: both are named at once.
          ...triggerFlags(stub, timeout === "0.5ms" ? "x" : "timeout-1"),
          "--wait",
          "--timeout",
          timeout,
        ], { fetch: stub.fetch }),
        await runInProcess([
          "trigger",
          "--batch",
          file,
          "--wait",
          "--timeout",
          timeout,
          ...baseUrlFlags(stub),
        ], { fetch: stub.fetch }),
      );
    }
    for (const run of runs) {
      assertEquals(run.code, 2, run.stderr);
      assertStringIncludes(run.stderr, "--timeout (in milliseconds): must be");
    }
    assertStringIncludes(runs[2].stderr, "--tag-name: must be at least 3");
    assertEquals(stub.requests, []);
  } finally {
    await Deno.remove(file);
  }
});
