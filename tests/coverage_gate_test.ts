import { assertEquals } from "@std/assert";
import { lineCoverage } from "../scripts/coverage_gate.ts";

Deno.test("the coverage gate reads each file's lines found and hit from an lcov report", () => {
  const lcov = [
    "SF:/repo/lib/core/a.ts",
    "FN:1,f",
    "DA:1,1",
    "LF:10",
    "LH:9",
    "end_of_record",
    "SF:/repo/lib/stub/b:c.ts",
    "LH:0",
    "LF:4",
    "end_of_record",
    "",
  ].join("\n");
  assertEquals(lineCoverage(lcov), [
    { file: "/repo/lib/core/a.ts", found: 10, hit: 9 },
    { file: "/repo/lib/stub/b:c.ts", found: 4, hit: 0 },
  ]);
});
