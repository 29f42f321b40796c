/**
 * SIGTERM and SIGHUP stop a run the way Ctrl-C does (see `cli_tty_test.ts`
 * for SIGINT): the JSON document or the batch summary is printed, and the
 * run exits with 128 + the signal's number. Real signals to a real process
 * for one request; a batch in this process, with a fake signal source.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { startLightlyStub } from "../testing.ts";
import {
  baseUrlFlags,
  fakeSignals,
  inProcessStub,
  runCliUntil,
  runInProcess,
  SENTINEL,
  triggerFlags,
} from "./_cli.ts";
import { fakeClock } from "./_clock.ts";

const TOKEN_ENV = { LIGHTLY_TOKEN: SENTINEL };

Deno.test("cli trigger --wait --json stopped by SIGTERM or SIGHUP prints its JSON document and exits 143 or 129", async () => {
  await using stub = startLightlyStub({
    token: SENTINEL,
    waitingPolls: 0,
    runningPolls: 1_000,
  });
  const stopped = / job [0-9a-f]{24} RUNNING/; // after the first progress line
  const [term, hup] = await Promise.all([
    runCliUntil(
      [...triggerFlags(stub, "sigterm"), "--wait", "--json"],
      stopped,
      "SIGTERM",
      { env: TOKEN_ENV },
    ),
    runCliUntil(
      [...triggerFlags(stub, "sighup"), "--wait", "--json"],
      stopped,
      "SIGHUP",
      { env: TOKEN_ENV },
    ),
  ]);
  for (
    const [run, code, tag] of [[term, 143, "sigterm"], [
      hup,
      129,
      "sighup",
    ]] as const
  ) {
    assertEquals(run.code, code, run.stderr);
    const job = stub.jobs().find((j) => j.request.newTagName === tag)!;
    const doc = JSON.parse(run.stdout);
    assertEquals([doc.exitCode, doc.jobId, doc.error.kind], [
      code,
      job.id,
      "aborted",
    ]);
    assertStringIncludes(doc.resume, ` wait ${job.id}`);
    assertStringIncludes(run.stderr, `job ${job.id} goes on running`);
  }
});

Deno.test("cli trigger --batch stopped by SIGTERM reports every started line, the one paused by a 429 as not sent, a summary, and exits 143", async () => {
  await using stub = inProcessStub({
    runningPolls: 1_000,
    // The second POST to arrive is refused: the batch pauses for 30 s.
    faults: [{
      route: "trigger",
      nth: 2,
      fault: { kind: "status", status: 429, retryAfter: "30" },
    }],
  });
  const input = [1, 2].map((n) =>
    JSON.stringify({
      datasetId: stub.datasetId,
      embeddingId: stub.embeddingId,
      body: { newTagName: `paused-${n}`, method: "RANDOM", config: {} },
    })
  ).join("\n");
  const signals = fakeSignals();
  let sent = false;
  const run = await runInProcess(
    [
      "trigger",
      "--batch",
      "-",
      "--concurrency",
      "2",
      "--wait",
      "--json",
      ...baseUrlFlags(stub),
    ],
    {
      fetch: stub.fetch,
      stdin: input,
      clock: fakeClock({ start: 0, hold: true }),
      signals,
      onStderr: (text) => {
        if (!sent && /the batch pauses/.test(text)) {
          sent = true;
          signals.send("SIGTERM");
        }
      },
    },
  );
  assert(sent, run.stderr);
  assertEquals(run.code, 143, run.stderr);
  const docs = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(docs.at(-1), {
    summary: {
      lines: 2,
      ok: 0,
      failed: 2,
      skipped: 0,
      notStarted: 0,
      interrupted: true,
    },
  });
  const lines = docs.slice(0, -1);
  assertEquals(lines.map((l) => l.exitCode), [143, 143]);
  // Refused with a 429 and stopped while the batch paused: never applied,
  // so "not sent" with the interrupted code (it was reported as 1).
  const paused = lines.filter((l) => l.notSent);
  assertEquals(paused.length, 1, run.stdout);
  assertEquals(paused[0].jobId, undefined);
  // The other one was created and is being followed (or, if the signal won
  // the race with its answer, is reported as interrupted while sending).
  const [job] = stub.jobs();
  const started = lines.find((l) => !l.notSent);
  assert(
    started.jobId === job.id ||
      started.error.message.includes("may or may not have been created"),
    run.stdout,
  );
  assertStringIncludes(run.stderr, "interrupted: 1 line was not sent");
});
