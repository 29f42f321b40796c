import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { startLightlyStub } from "../testing.ts";
import {
  assertNoSecret,
  baseEnv,
  denoArgs,
  inProcessStub,
  ROOT,
  runCliUntil,
  runInProcess,
  SENTINEL,
  shellQuote,
  triggerFlags,
} from "./_cli.ts";

/** util-linux `script` gives the CLI a pseudo-terminal. */
const HAS_SCRIPT = (() => {
  try {
    return new Deno.Command("script", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs the CLI inside `script -qec … /dev/null`: stdout and stderr are a terminal. */
async function runInTerminal(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const command = [Deno.execPath(), ...denoArgs(args)].map(shellQuote).join(
    " ",
  );
  const { code, stdout, stderr } = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv(), TERM: "xterm", LIGHTLY_TOKEN: SENTINEL, ...env },
    stdin: "null",
  }).output();
  const output = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  assertNoSecret(output);
  return { code, output };
}

Deno.test({
  name:
    "cli --wait on a terminal redraws one live line with a spinner; NO_COLOR keeps it colourless",
  ignore: !HAS_SCRIPT,
  async fn() {
    // FINISHED at the first poll: no real wait (the progress shown on a
    // terminal is checked in process, below).
    await using stub = startLightlyStub({
      token: SENTINEL,
      waitingPolls: 0,
      runningPolls: 0,
    });
    const [coloured, plain] = await Promise.all([
      runInTerminal([...triggerFlags(stub, "tty-colour"), "--wait"], {}),
      runInTerminal([...triggerFlags(stub, "tty-plain"), "--wait"], {
        NO_COLOR: "1",
      }),
    ]);
    for (const run of [coloured, plain]) {
      assertEquals(run.code, 0, run.output);
      // Redrawn in place: carriage return + clear line, again and again.
      assert(
        run.output.split("\r\x1b[2K").length > 3,
        JSON.stringify(run.output),
      );
      const frames = new Set(run.output.match(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g));
      assert(frames.size >= 2, `spinner frames: ${[...frames]}`);
      assertMatch(run.output, /tag id\S*\s+\S*[0-9a-f]{24}/);
      // No plain log lines on a terminal.
      assert(!/^\d{4}-\d\d-\d\dT/m.test(run.output), run.output);
    }
    assertStringIncludes(coloured.output, "\x1b[36m");
    // SGR sequences (colours, dim) end in "m"; NO_COLOR allows none of them.
    const sgr = new RegExp(String.raw`\u001b\[[0-9;]*m`);
    assert(!sgr.test(plain.output), JSON.stringify(plain.output));
    assert(sgr.test(coloured.output));
  },
});

Deno.test("cli --wait on a terminal shows the job's status and progress in the live line", async () => {
  await using stub = inProcessStub({ runningPolls: 2 });
  const run = await runInProcess([
    ...triggerFlags(stub, "tty-progress"),
    "--wait",
  ], {
    fetch: stub.fetch,
    terminal: true,
  });
  assertEquals(run.code, 0, run.stderr);
  assert(run.stderr.split("\r\x1b[2K").length > 3, JSON.stringify(run.stderr));
  assertMatch(run.stderr, /RUNNING[^\r]* \d+\/\d+ \(\d+%\)/);
  assertStringIncludes(run.stderr, "\x1b[36m"); // coloured: no NO_COLOR
  assert(!/^\d{4}-\d\d-\d\dT/m.test(run.stderr), run.stderr);
});

Deno.test("cli: Ctrl-C during --wait exits 130 and prints the exact command that resumes, which works", async () => {
  // One RUNNING poll: interrupted while it waits for the next, the job is
  // still RUNNING; the resumed wait's first poll finds it FINISHED.
  await using stub = startLightlyStub({
    token: SENTINEL,
    waitingPolls: 0,
    runningPolls: 1,
  });
  // Interrupted after the first progress line.
  const { code, stdout, stderr } = await runCliUntil(
    [...triggerFlags(stub, "interrupted"), "--wait", "--json"],
    / job [0-9a-f]{24} RUNNING/,
    "SIGINT",
    { env: { LIGHTLY_TOKEN: SENTINEL } },
  );
  assertEquals(code, 130, stderr);

  const [job] = stub.jobs();
  assertEquals(job.status, "RUNNING");
  assertStringIncludes(stderr, `job ${job.id} goes on running on the server`);
  const resume = /^resume with: (.*)$/m.exec(stderr)?.[1] ?? "";
  assert(resume, stderr);
  assertStringIncludes(resume, ` wait ${job.id}`);
  const doc = JSON.parse(stdout);
  assertEquals([doc.exitCode, doc.jobId, doc.resume], [130, job.id, resume]);
  assertEquals(doc.error.kind, "aborted");

  // The printed command, run as printed, follows the job to its tag.
  const resumed = await new Deno.Command("sh", {
    args: ["-c", resume.replace(/^deno /, `${shellQuote(Deno.execPath())} `)],
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv(), LIGHTLY_TOKEN: SENTINEL, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const resumedOut = new TextDecoder().decode(resumed.stdout);
  const resumedErr = new TextDecoder().decode(resumed.stderr);
  assertNoSecret(resumedOut, resumedErr);
  assertEquals(resumed.code, 0, resumedErr);
  assertMatch(
    resumedOut,
    new RegExp(`^tag id\\s+${stub.jobs()[0].tagId}$`, "m"),
  );
});
