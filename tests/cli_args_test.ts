import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  closest,
  type CommandLine,
  parseCommandLine,
  parseDuration,
} from "../lib/cli/flags.ts";

const IDS = [
  "--dataset-id",
  "0123456789abcdef01234567",
  "--embedding-id",
  "89abcdef0123456789abcdef",
];

function problems(line: CommandLine): string[] {
  assertEquals(line.kind, "usage-error", JSON.stringify(line));
  return (line as { problems: string[] }).problems;
}

function options(line: CommandLine) {
  assertEquals(line.kind, "run", JSON.stringify(line));
  return (line as Extract<CommandLine, { kind: "run" }>).options;
}

Deno.test("parseCommandLine() reads a trigger's flags into typed options", () => {
  const o = options(parseCommandLine([
    "trigger",
    ...IDS,
    "--tag-name",
    "my tag",
    "--method",
    "active-learning",
    "--n-samples",
    "0.5",
    "--min-distance",
    "-1",
    "--row-count=4000",
    "--score-type",
    "uncertainty_margin",
    "--wait",
    "--timeout",
    "30m",
    "--json",
  ]));
  assertEquals(o.datasetId, "0123456789abcdef01234567");
  assertEquals(o.tagName, "my tag");
  assertEquals(o.method, "ACTIVE_LEARNING");
  assertEquals([o.nSamples, o.minDistance, o.rowCount], [0.5, -1, 4000]);
  assertEquals(o.scoreType, "uncertainty_margin");
  assertEquals([o.wait, o.json, o.dryRun], [true, true, false]);
  assertEquals(o.timeoutMs, 30 * 60_000);
  assertEquals(o.concurrency, 4);
});

Deno.test("parseCommandLine() upper-cases --method whatever its case", () => {
  for (const given of ["coreset", "Coreset", "CORESET", "cOrEsEt"]) {
    assertEquals(
      options(
        parseCommandLine([
          "trigger",
          ...IDS,
          "--tag-name",
          "abc",
          "--method",
          given,
        ]),
      )
        .method,
      "CORESET",
    );
  }
});

Deno.test("parseCommandLine() names every missing required flag at once", () => {
  assertEquals(problems(parseCommandLine(["trigger"])), [
    "missing required flags: --dataset-id, --embedding-id, --tag-name, --method",
  ]);
  assertEquals(problems(parseCommandLine(["select", "--method", "random"])), [
    "missing required flags: --dataset-id, --tag-name",
  ]);
});

Deno.test("parseCommandLine() lets --body stand in for the body flags, not for the ids", () => {
  const o = options(parseCommandLine(["trigger", ...IDS, "--body", "-"]));
  assertEquals(o.body, "-");
  assertEquals(problems(parseCommandLine(["trigger", "--body", "b.json"])), [
    "missing required flags: --dataset-id, --embedding-id",
  ]);
});

Deno.test("parseCommandLine() suggests the closest flag for a typo and names the command's flags only", () => {
  const found = problems(
    parseCommandLine([
      "trigger",
      ...IDS,
      "--tag-nmae",
      "x",
      "--methd",
      "random",
    ]),
  );
  assertStringIncludes(
    found[0],
    "unknown flag --tag-nmae; did you mean --tag-name?",
  );
  assertStringIncludes(
    found[1],
    "unknown flag --methd; did you mean --method?",
  );
  assertEquals(
    problems(
      parseCommandLine(["wait", "0123456789abcdef01234567", "--dry-run"]),
    ),
    ["--dry-run is not a flag of wait (it belongs to trigger, select)"],
  );
  assertEquals(
    problems(parseCommandLine(["status", "0123456789abcdef01234567", "--zzz"])),
    ["unknown flag --zzz"],
  );
});

Deno.test("parseCommandLine() refuses flags that would carry a secret, without echoing the value", () => {
  for (const flag of ["--token", "--api-key", "--jwt", "--token=abc"]) {
    const found = problems(
      parseCommandLine([
        "status",
        "0123456789abcdef01234567",
        flag,
        "s3cr3t-value",
      ]),
    );
    assertStringIncludes(
      found[0],
      "is not accepted: a secret on the command line",
    );
    assertStringIncludes(found[0], "--token-file");
    assert(!found.join("\n").includes("s3cr3t-value"));
    assert(!found.join("\n").includes("abc"));
  }
});

Deno.test("parseCommandLine() rejects repeated flags, empty values and bad numbers", () => {
  const found = problems(parseCommandLine([
    "trigger",
    ...IDS,
    "--tag-name",
    "a",
    "--tag-name",
    "b",
    "--method",
    "--n-samples",
    "many",
  ]));
  assertEquals(found, [
    "--tag-name is given 2 times; give it once",
    "--method needs a value (METHOD)",
    '--n-samples must be a number (got "many")',
  ]);
});

Deno.test("parseCommandLine() reads a value after = or as the next word, - and negative numbers included; a switch takes none", () => {
  const o = options(parseCommandLine([
    "trigger",
    "--dataset-id=0123456789abcdef01234567",
    "--embedding-id",
    "89abcdef0123456789abcdef",
    "--body",
    "-",
    "--min-distance",
    "-0.5",
    "--dry-run",
  ]));
  assertEquals([o.datasetId, o.body, o.minDistance, o.dryRun], [
    "0123456789abcdef01234567",
    "-",
    -0.5,
    true,
  ]);
  assertEquals(
    problems(
      parseCommandLine(["status", "0123456789abcdef01234567", "--json=no"]),
    ),
    ["--json takes no value"],
  );
  // After --, everything is positional.
  assertEquals(
    problems(
      parseCommandLine(["status", "0123456789abcdef01234567", "--", "--json"]),
    ),
    ['unexpected argument "--json" (status takes one JOB_ID)'],
  );
});

Deno.test("parseCommandLine() keeps batch flags and request flags apart", () => {
  assertEquals(
    problems(
      parseCommandLine([
        "trigger",
        "--batch",
        "jobs.jsonl",
        "--tag-name",
        "x",
        ...IDS,
      ]),
    ),
    ["--batch takes every request from its file: drop --dataset-id, --embedding-id, --tag-name"],
  );
  assertEquals(
    problems(
      parseCommandLine([
        "trigger",
        ...IDS,
        "--tag-name",
        "abc",
        "--method",
        "random",
        "--skip-invalid",
      ]),
    ),
    ["--skip-invalid only apply with --batch FILE"],
  );
  assertEquals(
    problems(
      parseCommandLine(["trigger", "--batch", "-", "--concurrency", "0"]),
    ),
    ["--concurrency must be a whole number from 1 to 64 (got 0)"],
  );
  assertEquals(
    options(parseCommandLine(["trigger", "--batch", "-", "--concurrency", "8"]))
      .concurrency,
    8,
  );
});

Deno.test("parseCommandLine() takes exactly one JOB_ID for status and wait, an ObjectId", () => {
  const job = "0123456789abcdef01234567";
  assertEquals(parseCommandLine(["wait", job]).kind, "run");
  assertEquals(
    (parseCommandLine(["wait", job]) as { jobId?: string }).jobId,
    job,
  );
  assertEquals(problems(parseCommandLine(["status"])), ["missing JOB_ID"]);
  assertEquals(problems(parseCommandLine(["status", job, "b"])), [
    'unexpected argument "b" (status takes one JOB_ID)',
  ]);
  assertEquals(problems(parseCommandLine(["wait", "abc"])), [
    'JOB_ID must be a 24-character lower-case hex ObjectId (^[a-f0-9]{24}$) (got "abc")',
  ]);
});

Deno.test("parseCommandLine() names export's bad --dataset-id with its other problems, at once", () => {
  assertEquals(problems(parseCommandLine(["export", "--dataset-id", "abc"])), [
    '--dataset-id must be a 24-character lower-case hex ObjectId (^[a-f0-9]{24}$) (got "abc")',
    "give the tag as exactly one of --tag NAME and --tag-id ID",
  ]);
});

Deno.test("parseCommandLine() routes help, version and unknown commands", () => {
  assertEquals(parseCommandLine([]).kind, "usage-error");
  assertEquals(parseCommandLine(["--help"]), { kind: "help" });
  assertEquals(parseCommandLine(["-h"]), { kind: "help" });
  assertEquals(parseCommandLine(["help", "wait"]), {
    kind: "help",
    command: "wait",
  });
  assertEquals(parseCommandLine(["trigger", "--help", "--bogus"]), {
    kind: "help",
    command: "trigger",
  });
  assertEquals(parseCommandLine(["--version", "--json"]), {
    kind: "version",
    json: true,
  });
  assertEquals(problems(parseCommandLine(["selct"])), [
    'unknown command "selct"; did you mean select? (commands: trigger, select, status, wait, export)',
  ]);
  const json = parseCommandLine(["--json", "nope"]);
  assertEquals((json as { json?: boolean }).json, true);
});

Deno.test("parseDuration() reads ms, s, m and h, and a bare number as seconds", () => {
  assertEquals(
    ["500ms", "90s", "30m", "2h", "45", "1.5h"].map(parseDuration),
    [500, 90_000, 1_800_000, 7_200_000, 45_000, 5_400_000],
  );
  for (const bad of ["", "0", "-1s", "soon", "1d", "1 h"]) {
    assertEquals(parseDuration(bad), undefined, bad);
  }
});

Deno.test("closest() suggests near misses and unique prefixes, nothing for strangers", () => {
  const known = ["dataset-id", "embedding-id", "tag-name", "wait"];
  assertEquals(closest("datset-id", known), "dataset-id");
  assertEquals(closest("embed", known), "embedding-id");
  assertEquals(closest("wiat", known), "wait");
  assertEquals(closest("frobnicate", known), undefined);
});
