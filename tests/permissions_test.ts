/**
 * Proves the library's minimal permission set (README, "Permissions"): a
 * script that runs the whole selection — trigger, wait, read the new tag —
 * needs network access to the API's host and nothing else. The stub runs in
 * this process and stands in for api.lightly.ai; the script runs in a
 * subprocess with `--no-config` (no `deno.json` can grant permissions) and
 * `--no-prompt` (a missing permission throws instead of asking).
 */
import { assertEquals, assertMatch } from "@std/assert";
import { startLightlyStub } from "../testing.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;

const SCRIPT = `
import { selectSamples } from "${MOD}";

const [baseUrl, apiKey, datasetId] = Deno.args;
const result = await selectSamples({
  datasetId,
  body: { newTagName: "permissions-check", method: "RANDOM", config: { stoppingCondition: { nSamples: 5 } } },
}, { baseUrl, auth: { apiKey }, minIntervalMs: 0, maxIntervalMs: 10 });
console.log("tag " + result.tag.name + " " + result.tagId);
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runScript(
  flags: string[],
  args: string[],
  cwd: string,
): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-prompt", ...flags, "main.ts", ...args],
    cwd,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function describe(run: Run): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

Deno.test("the library runs a whole selection with only --allow-net to the API's host", async (t) => {
  await using stub = startLightlyStub();
  const host = new URL(stub.url).host;
  const args = [stub.url, stub.token, stub.datasetId];
  const work = await Deno.makeTempDir({ prefix: "lightly-permissions-" });
  try {
    await Deno.writeTextFile(`${work}/main.ts`, SCRIPT);

    await t.step(`--allow-net=${host} and nothing else is enough`, async () => {
      const run = await runScript([`--allow-net=${host}`], args, work);
      assertEquals(run.code, 0, describe(run));
      assertMatch(
        run.stdout,
        /^tag permissions-check [a-f0-9]{24}$/m,
        describe(run),
      );
    });

    await t.step("without it the same script is refused", async () => {
      const run = await runScript([], args, work);
      assertEquals(run.code, 1, describe(run));
      assertMatch(run.stderr, /NotCapable|net access/, describe(run));
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
