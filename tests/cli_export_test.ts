import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { bitMaskToIndices } from "../testing.ts";
import {
  baseUrlFlags,
  fakeSignals,
  inProcessStub,
  runCli,
  runInProcess,
  SENTINEL,
} from "./_cli.ts";

function nameOf(i: number): string {
  return `images/${String(Math.floor(i / 1000)).padStart(4, "0")}/sample-${
    String(i).padStart(7, "0")
  }.jpg`;
}

function stubFor(sampleCount = 12_000) {
  return inProcessStub({
    waitTimeTillNextPoll: 0,
    datasets: [{
      sampleCount,
      tags: [{ name: "labelled", samples: [1, 5, 7, sampleCount - 1] }],
    }],
  });
}

function exportFlags(
  stub: { url: string; datasetId: string },
  ...rest: string[]
): string[] {
  return [
    "export",
    ...baseUrlFlags(stub),
    "--dataset-id",
    stub.datasetId,
    ...rest,
  ];
}

async function filesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("cli export streams a tag's file names, one per line, to stdout", async () => {
  await using stub = stubFor();
  const run = await runInProcess(exportFlags(stub, "--tag", "labelled"), {
    fetch: stub.fetch,
  });
  assertEquals(run.code, 0, run.stderr);
  assertEquals(run.stdout, [1, 5, 7, 11_999].map(nameOf).join("\n") + "\n");
  assertStringIncludes(run.stderr, "4 entries of tag labelled");
});

Deno.test("cli export --output writes exactly the tag's entries, in sample order, and reports them", async () => {
  await using stub = stubFor();
  const dir = await Deno.makeTempDir();
  try {
    const output = `${dir}/initial.txt`;
    const run = await runInProcess(
      exportFlags(
        stub,
        "--tag-id",
        stub.initialTagId,
        "--output",
        output,
        "--json",
      ),
      { fetch: stub.fetch },
    );
    assertEquals(run.code, 0, run.stderr);
    const lines = (await Deno.readTextFile(output)).split("\n");
    assertEquals(lines.pop(), "");
    assertEquals(lines.length, 12_000);
    assertEquals(lines, Array.from({ length: 12_000 }, (_, i) => nameOf(i)));
    const doc = JSON.parse(run.stdout);
    assertEquals([doc.entries, doc.tagName, doc.output], [
      12_000,
      "initial-tag",
      output,
    ]);
    assertMatch(run.stderr, /exporting tag initial-tag 5000\/12000/);
    assertEquals(await filesIn(dir), ["initial.txt"], "no temporary file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli export --format read-url --json prints JSON lines; the read URLs reach stdout only", async () => {
  await using stub = stubFor();
  const run = await runInProcess(
    exportFlags(stub, "--tag", "labelled", "--format", "read-url", "--json"),
    { fetch: stub.fetch },
  );
  assertEquals(run.code, 0, run.stderr);
  const docs = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(docs.length, 5);
  const urls = docs.slice(0, 4).map((d) => d.readUrl as string);
  urls.forEach((url, k) =>
    assert(url.includes(`/${nameOf([1, 5, 7, 11_999][k])}?`))
  );
  assertEquals(docs[4].summary.entries, 4);
  const signature = /Signature=(\w+)/.exec(urls[0])![1];
  assertFalse(run.stderr.includes(signature));
  assertFalse(JSON.stringify(stub.requests).includes(signature));
});

Deno.test("cli export of a failed page leaves no file at the destination, exit 1", async () => {
  await using stub = stubFor();
  stub.addFault({
    route: "export",
    nth: 2,
    fault: { kind: "status", status: 404, code: "TAG_UNKNOWN" },
  });
  const dir = await Deno.makeTempDir();
  try {
    const run = await runInProcess(
      exportFlags(
        stub,
        "--tag-id",
        stub.initialTagId,
        "--format",
        "read-url",
        "--output",
        `${dir}/urls.txt`,
      ),
      { fetch: stub.fetch },
    );
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, "TAG_UNKNOWN");
    assertStringIncludes(run.stderr, `nothing was written to ${dir}/urls.txt`);
    assertFalse(/X-Amz-Signature=\w/.test(run.stderr + run.stdout));
    assertEquals(await filesIn(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: Ctrl-C during export --output exits 130 and leaves no file", async () => {
  await using stub = stubFor();
  stub.addFault({ route: "export", nth: 2, fault: { kind: "hang" } });
  const dir = await Deno.makeTempDir();
  try {
    const output = `${dir}/names.txt`;
    const signals = fakeSignals();
    let interrupted = false;
    const run = await runInProcess(
      exportFlags(stub, "--tag", "initial-tag", "--output", output),
      {
        fetch: stub.fetch,
        signals,
        onStderr: (stderr) => {
          if (!interrupted && /5000\/12000/.test(stderr)) {
            interrupted = true; // after the first page, the second hangs
            signals.send("SIGINT");
          }
        },
      },
    );
    assert(interrupted, run.stderr);
    assertEquals(run.code, 130, run.stderr);
    assertStringIncludes(run.stderr, `nothing was written to ${output}`);
    assertEquals(await filesIn(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli export refuses what it can before sending: flags, ids, write permission", async () => {
  await using stub = stubFor();
  const cases: [string[], string][] = [
    [exportFlags(stub), "exactly one of --tag NAME and --tag-id ID"],
    [
      exportFlags(stub, "--tag", "a", "--tag-id", stub.initialTagId),
      "exactly one of",
    ],
    [
      exportFlags(stub, "--tag", "a", "--format", "csv"),
      "--format must be one of name, read-url, datasource-url",
    ],
    [exportFlags(stub, "--tag-id", "nope"), "--tag-id must be a 24-character"],
    [
      exportFlags(stub, "--tag", "a", "--output", "/tmp/x/names.txt"),
      "--allow-write=/tmp/x",
    ],
    [["export", "--tag", "a"], "missing required flag: --dataset-id"],
  ];
  for (const [args, message] of cases) {
    // A permission is only missing in a process that lacks it.
    const run = message.startsWith("--allow-")
      ? await runCli(args, { env: { LIGHTLY_TOKEN: SENTINEL } })
      : await runInProcess(args, { fetch: stub.fetch });
    assertEquals(run.code, 2, `${args.join(" ")}\n${run.stderr}`);
    assertStringIncludes(run.stderr, message);
  }
  assertEquals(stub.requests.length, 0);
});

Deno.test("cli export --tag with an unknown name suggests the closest, exit 1", async () => {
  await using stub = stubFor();
  const run = await runInProcess(exportFlags(stub, "--tag", "labeled"), {
    fetch: stub.fetch,
  });
  assertEquals(run.code, 1, run.stderr);
  assertStringIncludes(
    run.stderr,
    `no tag named "labeled"; did you mean "labelled"?`,
  );
});

Deno.test("cli select --export writes the new tag's file names when the job finishes", async () => {
  await using stub = stubFor(1000);
  const dir = await Deno.makeTempDir();
  try {
    const output = `${dir}/selected.txt`;
    const run = await runInProcess([
      "select",
      ...baseUrlFlags(stub),
      "--dataset-id",
      stub.datasetId,
      "--tag-name",
      "random-37",
      "--method",
      "random",
      "--n-samples",
      "37",
      "--export",
      output,
    ], { fetch: stub.fetch });
    assertEquals(run.code, 0, run.stderr);
    const tag = stub.datasets()[0].tags.find((t) => t.name === "random-37")!;
    assertEquals(
      await Deno.readTextFile(output),
      bitMaskToIndices(tag.bitMaskData).map(nameOf).join("\n") + "\n",
    );
    assertMatch(
      run.stdout,
      new RegExp(`^exported\\s+37 entries to ${output}$`, "m"),
    );
    assertEquals(await filesIn(dir), ["selected.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
