import { assert, assertEquals } from "@std/assert";
import { startLightlyStub } from "../testing.ts";
import { serveDirectory } from "./_file_server.ts";
import { assertNoSecret, ROOT, SENTINEL, triggerFlags } from "./_cli.ts";

Deno.test("cli.ts run by URL, with no deno.json in sight, triggers and follows a job: its network half loads by URL too", async () => {
  await using stub = startLightlyStub({
    token: SENTINEL,
    waitingPolls: 0,
    runningPolls: 0, // FINISHED at the first poll: no real wait
  });
  await using server = await serveDirectory(ROOT.replace(/\/$/, ""));
  const work = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-config",
        `--allow-import=${server.host}`,
        "--allow-net=127.0.0.1",
        "--allow-env=LIGHTLY_TOKEN",
        `${server.url}/cli.ts`,
        ...triggerFlags(stub, "by-url"),
        "--wait",
        "--json",
      ],
      cwd: work,
      env: {
        DENO_DIR: `${work}/deno_dir`,
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        LIGHTLY_TOKEN: SENTINEL,
      },
      stdin: "null",
    }).output();
    const out = new TextDecoder().decode(stdout);
    const err = new TextDecoder().decode(stderr);
    assertNoSecret(out, err);
    assertEquals(code, 0, err);
    assertEquals(JSON.parse(out).tagId, stub.jobs()[0].tagId);
    const served = new Set(server.served.map((s) => s.path));
    // The dynamic import of mod.ts (the network half) came over HTTP.
    for (
      const path of [
        "/cli.ts",
        "/lib/cli/commands.ts",
        "/mod.ts",
        "/lib/jobs/wait.ts",
      ]
    ) {
      assert(served.has(path), `${path} was not fetched over HTTP`);
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
