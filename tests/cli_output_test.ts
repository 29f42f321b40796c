import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  AbortedError,
  isLightlyError,
  JobDeadlineError,
  LightlyApiError,
  NetworkError,
  PollFailedError,
  SamplingJobFailedError,
  SamplingMaybeAppliedError,
  SelectionStepError,
  TimeoutError,
  UnexpectedResponseError,
  ValidationError,
} from "../mod.ts";
import {
  CliUsageError,
  InterruptedError,
  MissingPermissionError,
  UnprintableAnswerError,
} from "../lib/cli/errors.ts";
import { batchPause } from "../lib/cli/batch.ts";
import { classify } from "../lib/core/policy.ts";
import {
  createOutput,
  escapeControl,
  MAX_JSON_DEPTH,
  type OutputStream,
} from "../lib/cli/output.ts";
import {
  createProgress,
  formatCount,
  formatElapsed,
} from "../lib/cli/progress.ts";
import { fromDenoPermissionError } from "../lib/cli/config.ts";

function stream(terminal: boolean): OutputStream & { text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    writeSync(bytes) {
      // Short writes, to check that every byte still gets out.
      const n = Math.min(7, bytes.length);
      chunks.push(bytes.slice(0, n));
      return n;
    },
    isTerminal: () => terminal,
    // Decoded as a whole: a short write may split a character.
    text: () =>
      new TextDecoder().decode(
        new Uint8Array(chunks.flatMap((c) => [...c])),
      ),
  };
}

const JOB = {
  id: "0123456789abcdef01234567",
  status: "FAILED",
  waitTimeTillNextPoll: 1,
  createdAt: 0,
  error: "boom",
};

Deno.test("classify() maps every failure to 1, 2, 3 or 130, a non-JSON 4xx like a JSON one", () => {
  const api = (status: number) =>
    new LightlyApiError({ status, code: "X", serverMessage: "no" });
  const network = new NetworkError("down", { connectFailed: true });
  const cases: [unknown, number][] = [
    [api(400), 1],
    [api(404), 1],
    [api(409), 1],
    [api(408), 3],
    [api(429), 3],
    [api(503), 3],
    [new UnexpectedResponseError({ status: 502, reason: "html" }), 3],
    [new UnexpectedResponseError({ status: 200, reason: "bad shape" }), 3],
    [new UnexpectedResponseError({ status: 429, reason: "html" }), 3],
    // A proxy's HTML 403 (or 401, 404): retrying as is will not help.
    [new UnexpectedResponseError({ status: 403, reason: "html" }), 1],
    [network, 3],
    [new TimeoutError(10), 3],
    [new JobDeadlineError({ jobId: JOB.id, timeoutMs: 1 }), 3],
    [new PollFailedError({ jobId: JOB.id, failures: 5, cause: network }), 3],
    [new SamplingJobFailedError(JOB), 1],
    [
      new SamplingMaybeAppliedError({
        tagName: "t-1",
        datasetId: JOB.id,
        cause: new TimeoutError(1),
      }),
      1,
    ],
    [
      new SelectionStepError({ step: "preflight", reason: "TAG_NAME_EXISTS" }),
      1,
    ],
    [new SelectionStepError({ step: "wait", cause: network }), 3],
    [new SelectionStepError({ step: "wait", cause: new AbortedError() }), 130],
    [new ValidationError([{ path: "x", rule: "y" }]), 2],
    [new CliUsageError(["bad"]), 2],
    [new MissingPermissionError(["--allow-net=x"]), 2],
    [new Deno.errors.NotCapable("Requires net access"), 2],
    [new AbortedError(), 130],
    [new Error("a bug"), 1],
  ];
  for (const [error, code] of cases) {
    assertEquals(classify(error).exitCode, code, (error as Error).message);
  }
});

Deno.test("batchPause() and classify() say which failure pauses a batch and for how long, and which leaves the job running", () => {
  const retry = (attempt: number) => ({
    attempt,
    now: 0,
    maxRetryAfterMs: 60_000,
  });
  const tooMany = (retryAfter?: string) =>
    new LightlyApiError({
      status: 429,
      code: "X",
      serverMessage: "slow down",
      retryAfter,
    });
  // A 429 is refused, not applied: the batch pauses for its Retry-After, at
  // least the backoff, and never longer than the library's cap.
  assertEquals(batchPause(tooMany("2"), retry(1)), 2_000);
  const backoff = batchPause(tooMany(), retry(1))!;
  assert(backoff >= 400 && backoff <= 500, String(backoff));
  assert(batchPause(tooMany("0"), retry(3))! >= 1_600);
  assertEquals(batchPause(tooMany("61"), retry(1)), undefined);
  const proxy = new UnexpectedResponseError({
    status: 429,
    reason: "html",
    retryAfter: "1",
  });
  assertEquals(batchPause(proxy, retry(1)), 1_000);
  // Anything else is never sent again by the batch.
  for (
    const error of [
      new LightlyApiError({ status: 503, code: "X", serverMessage: "down" }),
      new NetworkError("down", { connectFailed: true }),
      new TimeoutError(10),
    ]
  ) {
    assertEquals(batchPause(error, retry(1)), undefined);
  }
  const network = new NetworkError("down", { connectFailed: true });
  const running = [
    new JobDeadlineError({ jobId: JOB.id, timeoutMs: 1 }),
    new PollFailedError({ jobId: JOB.id, failures: 5, cause: network }),
    new SelectionStepError({
      step: "wait",
      cause: new JobDeadlineError({ jobId: JOB.id, timeoutMs: 1 }),
    }),
  ];
  for (const error of running) assertEquals(classify(error).jobMayRun, true);
  for (const error of [network, new SamplingJobFailedError(JOB)]) {
    assertEquals(classify(error).jobMayRun, false);
  }
});

Deno.test("the CLI's errors are the library's LightlyErrors: the guard, kind and safe toJSON", () => {
  const errors = [
    [new CliUsageError(["bad", "worse"]), "usage", {
      problems: ["bad", "worse"],
    }],
    [new MissingPermissionError(["--allow-net=x"]), "permission", {
      flags: ["--allow-net=x"],
    }],
    [new UnprintableAnswerError(64), "unexpected-response", {}],
    [new InterruptedError("stopped"), "aborted", {}],
  ] as const;
  for (const [error, kind, fields] of errors) {
    assert(isLightlyError(error), error.name);
    assertEquals(error.kind, kind);
    assertEquals(error.toJSON(), {
      name: error.name,
      kind,
      message: error.message,
      ...fields,
    });
  }
});

Deno.test("fromDenoPermissionError() turns Deno's error into the flag to add", () => {
  const error = fromDenoPermissionError(
    new Deno.errors.NotCapable(
      'Requires env access to "LIGHTLY_TOKEN", run again with the --allow-env flag',
    ),
  );
  assertEquals(error?.flags, ["--allow-env=LIGHTLY_TOKEN"]);
  assertEquals(
    error?.message,
    "missing Deno permission: run again with --allow-env=LIGHTLY_TOKEN",
  );
  assertEquals(fromDenoPermissionError(new Error("x")), undefined);
});

Deno.test("createOutput() writes people's results aligned, masks known secrets, and colours only a terminal", () => {
  const stdout = stream(true);
  const stderr = stream(false);
  const out = createOutput({ stdout, stderr, noColor: false });
  out.addSecrets(["s3cret/val"]);
  out.result(
    [["job", "abc"], ["status", "RUNNING"], ["skipped", undefined]],
    {},
  );
  out.note("token s3cret/val and s3cret%2Fval leaked?");
  assertEquals(
    stdout.text(),
    "\x1b[2mjob\x1b[22m     abc\n\x1b[2mstatus\x1b[22m  RUNNING\n",
  );
  assertEquals(
    stderr.text(),
    "note: token [REDACTED] and [REDACTED] leaked?\n",
  );

  const plain = stream(true);
  createOutput({ stdout: plain, stderr: stream(true), noColor: true }).result([[
    "a",
    "b",
  ]], {});
  assertEquals(plain.text(), "a  b\n");
});

Deno.test("createOutput({ json: true }) puts exactly one JSON document on stdout, errors included", () => {
  for (const fail of [false, true]) {
    const stdout = stream(false);
    const stderr = stream(false);
    const out = createOutput({ json: true, stdout, stderr, noColor: true });
    out.text("for people only");
    out.note("a note");
    if (fail) {
      out.error(new CliUsageError(["one", "two"]), 2, { hints: ["a hint"] });
    } else out.result([["job", "x"]], { jobId: "x" });
    const doc = JSON.parse(stdout.text());
    if (fail) {
      assertEquals(doc, {
        error: {
          name: "CliUsageError",
          kind: "usage",
          message: "one\ntwo",
          problems: ["one", "two"],
        },
        exitCode: 2,
      });
      assertEquals(
        stderr.text(),
        "note: a note\nerror: one\nerror: two\na hint\n",
      );
    } else {
      assertEquals(doc, { jobId: "x" });
    }
  }
});

Deno.test("createOutput() shows a multi-line library error under one label, with no stack", () => {
  const stderr = stream(false);
  const out = createOutput({ stdout: stream(false), stderr, noColor: true });
  const error = new ValidationError([{ path: "a", rule: "b" }, {
    path: "c",
    rule: "d",
  }]);
  out.error(error, 2);
  assertEquals(
    stderr.text(),
    "error: Invalid sampling request (2 problems, nothing was sent):\n  - a: b\n  - c: d\n",
  );
  assert(!stderr.text().includes(" at "));
});

Deno.test("createProgress() off a terminal writes one timestamped line per change", () => {
  let now = Date.UTC(2025, 0, 2, 3, 4, 5);
  const stderr = stream(false);
  const out = createOutput({ stdout: stream(false), stderr, noColor: false });
  const progress = createProgress({ out, now: () => now });
  const event = {
    jobId: "0123456789abcdef01234567",
    status: "RUNNING",
    processed: 1,
    total: 4,
  };
  progress.update(event);
  now += 1500;
  progress.update(event); // unchanged: no line
  progress.update({ ...event, processed: 2 });
  progress.stop();
  assertEquals(
    stderr.text(),
    "2025-01-02T03:04:05.000Z job 0123456789abcdef01234567 RUNNING 1/4 (25%) (0.0s)\n" +
      "2025-01-02T03:04:06.500Z job 0123456789abcdef01234567 RUNNING 2/4 (50%) (1.5s)\n",
  );
});

Deno.test("createProgress() on a terminal redraws one line in place and clears it when stopped", () => {
  const stderr = stream(true);
  const out = createOutput({ stdout: stream(true), stderr, noColor: true });
  const progress = createProgress({ out, now: () => 0, intervalMs: 60_000 });
  progress.step("checking the dataset's tags");
  progress.update({ jobId: "0123456789abcdef01234567", status: "WAITING" });
  progress.stop();
  progress.update({ jobId: "0123456789abcdef01234567", status: "RUNNING" }); // after stop: nothing
  assertEquals(
    stderr.text(),
    "\r\x1b[2K⠋ checking the dataset's tags… 0.0s" +
      "\r\x1b[2K⠙ job 0123456789abcdef01234567 WAITING 0.0s" +
      "\r\x1b[2K",
  );
});

Deno.test("formatElapsed() is short at every scale", () => {
  assertEquals(
    [0, 850, 9_999, 12_000, 184_000, 3_725_000].map(formatElapsed),
    ["0.0s", "0.8s", "10.0s", "12s", "3m04s", "1h02m"],
  );
  assertStringIncludes(formatElapsed(59_000), "59s");
});

Deno.test("formatCount() keeps the percentage within 0-100 % whatever the server reports, and shows none for a total of 0", () => {
  assertEquals(formatCount({ processed: 40, total: 100 }), "40/100 (40%)");
  assertEquals(formatCount({ processed: 500, total: 1 }), "500/1 (100%)");
  assertEquals(formatCount({ processed: -5, total: 10 }), "-5/10 (0%)");
  assertEquals(formatCount({ processed: 3, total: 0 }), "3/0");
  assertEquals(formatCount({ processed: 0, total: 0 }), "0/0");
});

Deno.test("createOutput() masks a secret in the JSON it writes, where JSON escapes its quotes and backslashes", () => {
  const secret = `Qz7&Kp<Ye>Ws"Vd'Nb\\Mc/Lr%Xt+Hu=Gj9`;
  const stdout = stream(false);
  const stderr = stream(false);
  const out = createOutput({ stdout, stderr, json: true });
  out.addSecrets([secret]);
  out.result([], { job: { error: `bad key ${secret}` } });
  out.jsonLine({ echo: secret });
  const written = stdout.text() + stderr.text();
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    for (const form of [piece, JSON.stringify(piece).slice(1, -1)]) {
      assert(!written.includes(form), `leaks ${form}:\n${written}`);
    }
  }
  assertStringIncludes(written, "[REDACTED]");
});

// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const HOSTILE = "A\x1b]0;owned\x07B\x1b[2J\x9b31m\x7fC\r";

Deno.test("escapeControl() writes out C0 (but tab and newline), DEL and C1 characters", () => {
  assertEquals(
    escapeControl(HOSTILE),
    "A\\x1b]0;owned\\x07B\\x1b[2J\\u009b31m\\x7fC\\x0d",
  );
  assertEquals(
    escapeControl("tab\there\nnewline ü ⠋"),
    "tab\there\nnewline ü ⠋",
  );
});

Deno.test("createOutput() escapes control characters in everything written for people, colours kept", () => {
  const stdout = stream(true);
  const stderr = stream(true);
  const out = createOutput({ stdout, stderr, noColor: false });
  out.result([["status", HOSTILE], [HOSTILE, "x"]], {});
  out.text(HOSTILE);
  out.note(HOSTILE);
  out.error(new Error(HOSTILE), 1, { hints: [HOSTILE] });
  out.error(new CliUsageError([HOSTILE, `  ${HOSTILE}`]), 2);
  const progress = createProgress({ out, now: () => 0, intervalMs: 60_000 });
  progress.update({ jobId: HOSTILE, status: HOSTILE });
  progress.stop();
  // What is left once this module's own sequences are taken out: no control
  // character at all, and every hostile one shown escaped.
  const own = new RegExp(String.raw`\r\u001b\[2K|\u001b\[\d+m`, "g");
  for (const text of [stdout.text(), stderr.text()]) {
    const rest = text.replaceAll(own, "");
    assert(!RAW_CONTROL.test(rest), JSON.stringify(rest));
    assertStringIncludes(rest, "A\\x1b]0;owned\\x07B\\x1b[2J\\u009b31m");
  }
  assertStringIncludes(stderr.text(), "\x1b[31merror:\x1b[39m");
  assertStringIncludes(stderr.text(), "\r\x1b[2K");
});

Deno.test("createOutput({ json: true }) keeps control characters escaped in JSON, DEL and C1 included", () => {
  const stdout = stream(false);
  const out = createOutput({ json: true, stdout, stderr: stream(false) });
  out.jsonLine({ status: HOSTILE });
  out.result([], { [HOSTILE]: HOSTILE });
  const text = stdout.text();
  assert(!RAW_CONTROL.test(text), JSON.stringify(text));
  const [line, doc] = [
    JSON.parse(text.slice(0, text.indexOf("\n"))),
    JSON.parse(text.slice(text.indexOf("\n") + 1)),
  ];
  assertEquals(line, { status: HOSTILE });
  assertEquals(doc, { [HOSTILE]: HOSTILE });
});

Deno.test("createOutput({ json: true }) refuses a result nested too deep as unexpected, and cuts it in an error report", () => {
  let deep: unknown = "bottom";
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const stdout = stream(false);
  const out = createOutput({ json: true, stdout, stderr: stream(false) });
  let refused: unknown;
  try {
    out.result([], { job: { deep } });
  } catch (error) {
    refused = error;
  }
  assertEquals(classify(refused).exitCode, 3);
  assertStringIncludes(String(refused), `deeper than ${MAX_JSON_DEPTH} levels`);
  assertEquals(stdout.text(), ""); // nothing half-written
  out.error(refused, 3, { extra: { job: { deep } } });
  out.jsonLine({ line: 1, job: { deep } });
  const [doc, line] = stdout.text().split("\n}\n");
  assertEquals(JSON.parse(doc + "}").error.kind, "unexpected-response");
  assertStringIncludes(doc, "[nested too deep]");
  assertStringIncludes(
    JSON.parse(line).job.deep.flat(MAX_JSON_DEPTH).join(),
    "[nested too deep]",
  );
});
