import { assertEquals } from "@std/assert";
import { collectInputIssues } from "../lib/check_input.ts";
import { isCertainlyValidInput } from "../lib/_fast_check.ts";
import { SamplingInputSchema } from "../lib/schema.ts";
import { fromZodIssues } from "../lib/validate.ts";

/** Mulberry32: a small seeded PRNG, so a failure reproduces from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID = "0123456789abcdef01234567";
const IDS = [
  ID,
  ID.toUpperCase(),
  ID.slice(1),
  ID + "0",
  ID + "\n",
  "",
  42,
  null,
];
const NAMES = [
  "abc",
  "ab",
  "a b",
  " ab",
  "-ab",
  "a.b:c;d=e@f_g-h",
  "abc\n",
  "é-tag",
  'a"b',
  3,
];
const METHODS = [
  "CORESET",
  "RANDOM",
  "CORAL",
  "ACTIVE_LEARNING",
  "coreset",
  "Random",
  "X",
  "",
  1,
];
const NUMBERS = [
  -1,
  0,
  0.5,
  1,
  1.5,
  2,
  100,
  -0.5,
  -2,
  NaN,
  Infinity,
  -Infinity,
  "3",
  true,
  null,
];
const SCORES = ["uncertainty_margin", "a/b", "", "a b", "x\n", 7];
const GOOD_NUMBERS = [-1, 0.5, 1, 2, 100];
const pick = <T>(r: () => number, xs: readonly T[]): T =>
  xs[Math.floor(r() * xs.length)];

/** A valid input with a few fields mutated, dropped or added. */
function generate(r: () => number): unknown {
  const sc: Record<string, unknown> = {};
  if (r() < 0.7) sc.nSamples = pick(r, r() < 0.6 ? GOOD_NUMBERS : NUMBERS);
  if (r() < 0.5) sc.minDistance = pick(r, r() < 0.6 ? [-1, 0, 0.3] : NUMBERS);
  if (r() < 0.05) sc.extra = 1;
  const config: Record<string, unknown> = r() < 0.8
    ? { stoppingCondition: sc }
    : {};
  if (r() < 0.05) config.extra = 1;
  const body: Record<string, unknown> = {
    newTagName: r() < 0.6 ? "coreset-100" : pick(r, NAMES),
    method: r() < 0.6 ? "CORESET" : pick(r, METHODS),
    config: r() < 0.9 ? config : pick(r, [undefined, null, [], "x"]),
  };
  if (r() < 0.3) body.preselectedTagId = pick(r, r() < 0.6 ? [ID] : IDS);
  if (r() < 0.3) body.queryTagId = pick(r, r() < 0.6 ? [ID] : IDS);
  if (r() < 0.3) {
    body.scoreType = pick(r, r() < 0.6 ? ["uncertainty_margin"] : SCORES);
  }
  if (r() < 0.4) body.rowCount = pick(r, r() < 0.6 ? [1, 4000] : NUMBERS);
  if (r() < 0.05) body.extra = "x";
  if (r() < 0.05) delete body.newTagName;
  const input: Record<string, unknown> = {
    datasetId: r() < 0.8 ? ID : pick(r, IDS),
    embeddingId: r() < 0.8 ? ID : pick(r, IDS),
    body: r() < 0.95 ? body : pick(r, [undefined, null, "body"]),
  };
  if (r() < 0.03) input.extra = true;
  return r() < 0.01 ? pick(r, [null, [], "x", 1]) : input;
}

function key(i: { path: string; rule: string; received?: string }): string {
  return `${i.path} | ${i.rule} | ${i.received ?? ""}`;
}

Deno.test("collectInputIssues() reports exactly zod's issues on 10 000 generated inputs", () => {
  const seed = 20261127;
  const r = prng(seed);
  let valid = 0;
  for (let n = 0; n < 10_000; n++) {
    const input = generate(r);
    const zod = SamplingInputSchema.safeParse(input);
    const expected = zod.success
      ? []
      : fromZodIssues(zod.error.issues, input, "body");
    const actual = collectInputIssues(input);
    const message = `seed ${seed}, case ${n}: ${Deno.inspect(input)}`;
    assertEquals(actual.map(key).sort(), expected.map(key).sort(), message);
    if (isCertainlyValidInput(input)) assertEquals(zod.success, true, message);
    if (zod.success) valid++;
  }
  // The generator must exercise both sides of the boundary.
  if (valid < 1_000 || valid > 9_000) {
    throw new Error(`unbalanced corpus: ${valid} valid`);
  }
});
