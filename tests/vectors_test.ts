/**
 * Literal request vectors written from docs/lightly-api.md §1–2 (not generated
 * by the code under test): each valid input has its exact wire body, each
 * invalid one the exact (path, rule) pairs of its ValidationError.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  buildSamplingRequest,
  type ClientOptions,
  isLightlyError,
  ValidationError,
} from "../mod.ts";
import { RULES } from "../lib/core/rules.ts";
import { USER_AGENT } from "../lib/core/version.ts";
import { SAMPLING_METHODS } from "../schemas.ts";
import { SENTINEL } from "./_server.ts";

const D = "0123456789abcdef01234567";
const E = "89abcdef0123456789abcdef";
const T = "fedcba9876543210fedcba98";
const Q = "00000000000000000000ffff";
const URL_ = `https://api.lightly.ai/v1/datasets/${D}/embeddings/${E}/sampling`;

/** The two valid path ids around a literal body. */
function sampling(body: unknown): unknown {
  return { datasetId: D, embeddingId: E, body };
}

interface ValidVector {
  name: string;
  input: unknown;
  body: string;
}

interface InvalidVector {
  name: string;
  input: unknown;
  /** Every expected [path, rule] pair, in any order; nothing else allowed. */
  issues: [string, string][];
}

const TOP_UNKNOWN = `${RULES.unknownField} (at the top level, next to body)`;
const hint = (m: string) =>
  `${RULES.method} (did you mean ${m}? the API is case-sensitive)`;

/** Throws unless `fn` throws a ValidationError; returns it. */
function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ValidationError)) {
      throw new Error(`expected a ValidationError, got ${error}`);
    }
    assert(isLightlyError(error, "validation"));
    assertEquals(error.kind, "validation");
    return error;
  }
  throw new Error("expected a ValidationError, nothing was thrown");
}

function assertIssues(
  error: ValidationError,
  expected: [string, string][],
): void {
  const got = error.issues.map((i) => [i.path, i.rule]);
  const key = (p: string[]) => JSON.stringify(p);
  assertEquals(
    got.map(key).sort(),
    expected.map(key).sort(),
    `issues were:\n${error.message}`,
  );
  for (const [path, rule] of expected) {
    assertStringIncludes(error.message, `${path || "(input)"}: ${rule}`);
  }
}

// ---------------------------------------------------------------- valid

const VALID: ValidVector[] = [
  {
    name: "the minimal body (config {})",
    input: sampling({ newTagName: "abc", method: "RANDOM", config: {} }),
    body: '{"newTagName":"abc","method":"RANDOM","config":{}}',
  },
  {
    name: "the fact sheet's typical body",
    input: sampling({
      newTagName: "coreset-100",
      method: "CORESET",
      config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
      rowCount: 4000,
    }),
    body:
      '{"newTagName":"coreset-100","method":"CORESET","config":{"stoppingCondition":{"nSamples":100,"minDistance":-1}},"rowCount":4000}',
  },
  {
    name: "method ACTIVE_LEARNING",
    input: sampling({
      newTagName: "al-1",
      method: "ACTIVE_LEARNING",
      config: {},
    }),
    body: '{"newTagName":"al-1","method":"ACTIVE_LEARNING","config":{}}',
  },
  {
    name: "method CORAL",
    input: sampling({ newTagName: "coral", method: "CORAL", config: {} }),
    body: '{"newTagName":"coral","method":"CORAL","config":{}}',
  },
  {
    name: "method CORESET",
    input: sampling({ newTagName: "core", method: "CORESET", config: {} }),
    body: '{"newTagName":"core","method":"CORESET","config":{}}',
  },
  {
    name: "method RANDOM",
    input: sampling({ newTagName: "rand", method: "RANDOM", config: {} }),
    body: '{"newTagName":"rand","method":"RANDOM","config":{}}',
  },
  {
    name: "a tag name of exactly 3 characters",
    input: sampling({ newTagName: "x1Y", method: "RANDOM", config: {} }),
    body: '{"newTagName":"x1Y","method":"RANDOM","config":{}}',
  },
  {
    name: "a tag name starting with a digit",
    input: sampling({ newTagName: "9ab", method: "RANDOM", config: {} }),
    body: '{"newTagName":"9ab","method":"RANDOM","config":{}}',
  },
  {
    name: "a space in a tag name (not leading)",
    input: sampling({ newTagName: "a b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a b","method":"RANDOM","config":{}}',
  },
  {
    name: "a dot in a tag name",
    input: sampling({ newTagName: "a.b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a.b","method":"RANDOM","config":{}}',
  },
  {
    name: "a colon in a tag name",
    input: sampling({ newTagName: "a:b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a:b","method":"RANDOM","config":{}}',
  },
  {
    name: "a semicolon in a tag name",
    input: sampling({ newTagName: "a;b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a;b","method":"RANDOM","config":{}}',
  },
  {
    name: "an equals sign in a tag name",
    input: sampling({ newTagName: "a=b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a=b","method":"RANDOM","config":{}}',
  },
  {
    name: "an at sign in a tag name",
    input: sampling({ newTagName: "a@b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a@b","method":"RANDOM","config":{}}',
  },
  {
    name: "an underscore in a tag name",
    input: sampling({ newTagName: "a_b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a_b","method":"RANDOM","config":{}}',
  },
  {
    name: "a dash in a tag name",
    input: sampling({ newTagName: "a-b", method: "RANDOM", config: {} }),
    body: '{"newTagName":"a-b","method":"RANDOM","config":{}}',
  },
  {
    name: "a tag name ending in a space and a dash",
    input: sampling({ newTagName: "run 7 -", method: "RANDOM", config: {} }),
    body: '{"newTagName":"run 7 -","method":"RANDOM","config":{}}',
  },
  {
    name: "a tag name using every allowed character",
    input: sampling({
      newTagName: "Az09 .:;=@_-",
      method: "RANDOM",
      config: {},
    }),
    body: '{"newTagName":"Az09 .:;=@_-","method":"RANDOM","config":{}}',
  },
  {
    name: "stoppingCondition {}",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: {} },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{}}}',
  },
  {
    name: "nSamples -1 (off)",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { nSamples: -1 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"nSamples":-1}}}',
  },
  {
    name: "nSamples 0.5 (a fraction)",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { nSamples: 0.5 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"nSamples":0.5}}}',
  },
  {
    name: "nSamples 1 (all samples)",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { nSamples: 1 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"nSamples":1}}}',
  },
  {
    name: "nSamples 2 (a count)",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { nSamples: 2 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"nSamples":2}}}',
  },
  {
    name: "minDistance -1 (off)",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { minDistance: -1 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"minDistance":-1}}}',
  },
  {
    name: "minDistance 0",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { minDistance: 0 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"minDistance":0}}}',
  },
  {
    name: "minDistance 0.3",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { minDistance: 0.3 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"minDistance":0.3}}}',
  },
  {
    name: "stoppingCondition fields given out of wire order",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { minDistance: 0.25, nSamples: 0.1 } },
    }),
    body:
      '{"newTagName":"abc","method":"CORESET","config":{"stoppingCondition":{"nSamples":0.1,"minDistance":0.25}}}',
  },
  {
    name: "rowCount 1",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: {},
      rowCount: 1,
    }),
    body: '{"newTagName":"abc","method":"RANDOM","config":{},"rowCount":1}',
  },
  {
    name: "scoreType uncertainty_margin with ACTIVE_LEARNING",
    input: sampling({
      newTagName: "al-margin",
      method: "ACTIVE_LEARNING",
      config: { stoppingCondition: { nSamples: 50 } },
      scoreType: "uncertainty_margin",
    }),
    body:
      '{"newTagName":"al-margin","method":"ACTIVE_LEARNING","config":{"stoppingCondition":{"nSamples":50}},"scoreType":"uncertainty_margin"}',
  },
  {
    name: "a one-character scoreType",
    input: sampling({
      newTagName: "abc",
      method: "ACTIVE_LEARNING",
      config: {},
      scoreType: "s",
    }),
    body:
      '{"newTagName":"abc","method":"ACTIVE_LEARNING","config":{},"scoreType":"s"}',
  },
  {
    name: "a scoreType with a slash and every allowed punctuation",
    input: sampling({
      newTagName: "abc",
      method: "ACTIVE_LEARNING",
      config: {},
      scoreType: "ns/score_a+b=c,d.e@f:g-h",
    }),
    body:
      '{"newTagName":"abc","method":"ACTIVE_LEARNING","config":{},"scoreType":"ns/score_a+b=c,d.e@f:g-h"}',
  },
  {
    name: "preselectedTagId and queryTagId",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: {},
      preselectedTagId: T,
      queryTagId: Q,
    }),
    body:
      `{"newTagName":"abc","method":"CORESET","config":{},"preselectedTagId":"${T}","queryTagId":"${Q}"}`,
  },
  {
    name: "optional fields given as undefined (omitted from the wire)",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: {
        stoppingCondition: { nSamples: undefined, minDistance: undefined },
      },
      preselectedTagId: undefined,
      queryTagId: undefined,
      scoreType: undefined,
      rowCount: undefined,
    }),
    body:
      '{"newTagName":"abc","method":"RANDOM","config":{"stoppingCondition":{}}}',
  },
  {
    name: "stoppingCondition given as undefined",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: { stoppingCondition: undefined },
    }),
    body: '{"newTagName":"abc","method":"RANDOM","config":{}}',
  },
  {
    name: "every field, given in reverse order (sent in wire order)",
    input: sampling({
      rowCount: 12,
      scoreType: "object_frequency",
      queryTagId: Q,
      preselectedTagId: T,
      config: { stoppingCondition: { minDistance: 0, nSamples: 0.2 } },
      method: "ACTIVE_LEARNING",
      newTagName: "all fields",
    }),
    body:
      `{"newTagName":"all fields","method":"ACTIVE_LEARNING","config":{"stoppingCondition":{"nSamples":0.2,"minDistance":0}},"preselectedTagId":"${T}","queryTagId":"${Q}","scoreType":"object_frequency","rowCount":12}`,
  },
  {
    name: "path ids given before or after the body",
    input: {
      body: { newTagName: "abc", method: "RANDOM", config: {} },
      embeddingId: E,
      datasetId: D,
    },
    body: '{"newTagName":"abc","method":"RANDOM","config":{}}',
  },
];

for (const v of VALID) {
  Deno.test(`buildSamplingRequest() accepts ${v.name} and sends the exact body`, () => {
    const request = buildSamplingRequest(v.input as never);
    assertEquals(request.body, v.body);
    assertEquals(request.method, "POST");
    assertEquals(request.url, URL_);
    assertEquals(JSON.stringify(JSON.parse(request.body)), v.body);
  });
}

// -------------------------------------------------------------- invalid

const INVALID: InvalidVector[] = [
  // newTagName
  {
    name: "a tag name of 2 characters",
    input: sampling({ newTagName: "ab", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNameLength]],
  },
  {
    name: "a tag name of 1 character",
    input: sampling({ newTagName: "a", method: "RANDOM", config: {} }),
    issues: [
      ["newTagName", RULES.tagNameLength],
      ["newTagName", RULES.tagNamePattern],
    ],
  },
  {
    name: "an empty tag name",
    input: sampling({ newTagName: "", method: "RANDOM", config: {} }),
    issues: [
      ["newTagName", RULES.tagNameLength],
      ["newTagName", RULES.tagNamePattern],
    ],
  },
  {
    name: "a tag name with a leading space",
    input: sampling({ newTagName: " abc", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with a leading dash",
    input: sampling({ newTagName: "-abc", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with a leading dot",
    input: sampling({ newTagName: ".abc", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with a leading underscore",
    input: sampling({ newTagName: "_abc", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with an accented letter (é)",
    input: sampling({ newTagName: "café", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with an emoji",
    input: sampling({ newTagName: "tag😀", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: 'a tag name with a trailing newline ("abc\\n")',
    input: sampling({ newTagName: "abc\n", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with an embedded double quote",
    input: sampling({ newTagName: 'ab"c', method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with an embedded backslash",
    input: sampling({ newTagName: "ab\\c", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with a tab",
    input: sampling({ newTagName: "ab\tc", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a tag name with a slash",
    input: sampling({ newTagName: "ab/c", method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.tagNamePattern]],
  },
  {
    name: "a numeric tag name",
    input: sampling({ newTagName: 123, method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.string]],
  },
  {
    name: "a null tag name",
    input: sampling({ newTagName: null, method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.string]],
  },
  {
    name: "a missing tag name",
    input: sampling({ method: "RANDOM", config: {} }),
    issues: [["newTagName", RULES.required]],
  },
  // path ids
  {
    name: "an upper-case datasetId",
    input: {
      datasetId: "0123456789ABCDEF01234567",
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.objectId]],
  },
  {
    name: "a 23-character datasetId",
    input: {
      datasetId: "0123456789abcdef0123456",
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.objectId]],
  },
  {
    name: "a 25-character datasetId",
    input: {
      datasetId: "0123456789abcdef012345678",
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.objectId]],
  },
  {
    name: "a datasetId with a non-hex letter",
    input: {
      datasetId: "0123456789abcdef0123456g",
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.objectId]],
  },
  {
    name: "a datasetId with a trailing newline",
    input: {
      datasetId: "0123456789abcdef01234567\n",
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.objectId]],
  },
  {
    name: "a datasetId holding a path (../)",
    input: {
      datasetId: "../../../../jobs/0123456",
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.objectId]],
  },
  {
    name: "a missing datasetId",
    input: {
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.required]],
  },
  {
    name: "a numeric datasetId",
    input: {
      datasetId: 123,
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["datasetId", RULES.string]],
  },
  {
    name: "an upper-case embeddingId",
    input: {
      datasetId: D,
      embeddingId: "89ABCDEF0123456789ABCDEF",
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["embeddingId", RULES.objectId]],
  },
  {
    name: "an embeddingId with a trailing newline",
    input: {
      datasetId: D,
      embeddingId: "89abcdef0123456789abcdef\n",
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["embeddingId", RULES.objectId]],
  },
  {
    name: "an upper-case preselectedTagId",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: {},
      preselectedTagId: "FEDCBA9876543210FEDCBA98",
    }),
    issues: [["preselectedTagId", RULES.objectId]],
  },
  {
    name: "a 23-character preselectedTagId",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: {},
      preselectedTagId: "fedcba9876543210fedcba9",
    }),
    issues: [["preselectedTagId", RULES.objectId]],
  },
  {
    name: "a 25-character queryTagId",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: {},
      queryTagId: "00000000000000000000ffff0",
    }),
    issues: [["queryTagId", RULES.objectId]],
  },
  {
    name: "a queryTagId with a trailing newline",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: {},
      queryTagId: "00000000000000000000ffff\n",
    }),
    issues: [["queryTagId", RULES.objectId]],
  },
  {
    name: "a null queryTagId",
    input: sampling({
      newTagName: "abc",
      method: "CORESET",
      config: {},
      queryTagId: null,
    }),
    issues: [["queryTagId", RULES.string]],
  },
  // method
  {
    name: "method coreset (lower case)",
    input: sampling({ newTagName: "abc", method: "coreset", config: {} }),
    issues: [["method", hint("CORESET")]],
  },
  {
    name: "method active_learning (lower case)",
    input: sampling({
      newTagName: "abc",
      method: "active_learning",
      config: {},
    }),
    issues: [["method", hint("ACTIVE_LEARNING")]],
  },
  {
    name: "method Coral (mixed case)",
    input: sampling({ newTagName: "abc", method: "Coral", config: {} }),
    issues: [["method", hint("CORAL")]],
  },
  {
    name: "an unknown method",
    input: sampling({ newTagName: "abc", method: "SIMILARITY", config: {} }),
    issues: [["method", RULES.method]],
  },
  {
    name: "an empty method",
    input: sampling({ newTagName: "abc", method: "", config: {} }),
    issues: [["method", RULES.method]],
  },
  {
    name: "a numeric method",
    input: sampling({ newTagName: "abc", method: 1, config: {} }),
    issues: [["method", RULES.method]],
  },
  {
    name: "a missing method",
    input: sampling({ newTagName: "abc", config: {} }),
    issues: [["method", RULES.required]],
  },
  // config
  {
    name: "a missing config",
    input: sampling({ newTagName: "abc", method: "RANDOM" }),
    issues: [["config", RULES.required]],
  },
  {
    name: "config null",
    input: sampling({ newTagName: "abc", method: "RANDOM", config: null }),
    issues: [["config", RULES.object]],
  },
  {
    name: "config as an array",
    input: sampling({ newTagName: "abc", method: "RANDOM", config: [] }),
    issues: [["config", RULES.object]],
  },
  {
    name: "config as a string",
    input: sampling({ newTagName: "abc", method: "RANDOM", config: "{}" }),
    issues: [["config", RULES.object]],
  },
  {
    name: "stoppingCondition null",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: { stoppingCondition: null },
    }),
    issues: [["config.stoppingCondition", RULES.object]],
  },
  {
    name: "stoppingCondition as an array",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: { stoppingCondition: [100] },
    }),
    issues: [["config.stoppingCondition", RULES.object]],
  },
  // unknown fields at every level
  {
    name: "an unknown field next to body",
    input: {
      datasetId: D,
      embeddingId: E,
      body: { newTagName: "abc", method: "RANDOM", config: {} },
      dryRun: true,
    },
    issues: [["dryRun", TOP_UNKNOWN]],
  },
  {
    name: "a body field given at the top level",
    input: {
      datasetId: D,
      embeddingId: E,
      newTagName: "abc",
      body: { newTagName: "abc", method: "RANDOM", config: {} },
    },
    issues: [["newTagName", TOP_UNKNOWN]],
  },
  {
    name: "an unknown field in the body",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: {},
      tagName: "x",
    }),
    issues: [["tagName", RULES.unknownField]],
  },
  {
    name: "a snake_case field in the body",
    input: sampling({
      new_tag_name: "abc",
      newTagName: "abc",
      method: "RANDOM",
      config: {},
    }),
    issues: [["new_tag_name", RULES.unknownField]],
  },
  {
    name: "an unknown field in the body given as undefined",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: {},
      extra: undefined,
    }),
    issues: [["extra", RULES.unknownField]],
  },
  {
    name: "an unknown field in config",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: { nSamples: 10 },
    }),
    issues: [["config.nSamples", RULES.unknownField]],
  },
  {
    name: "an unknown field in stoppingCondition",
    input: sampling({
      newTagName: "abc",
      method: "RANDOM",
      config: { stoppingCondition: { n_samples: 10 } },
    }),
    issues: [["config.stoppingCondition.n_samples", RULES.unknownField]],
  },
  // numbers: nSamples
  ...numberTypeVectors("nSamples"),
  ...numberTypeVectors("minDistance"),
  ...numberTypeVectors("rowCount"),
  nSamples(-2),
  nSamples(-0.5),
  nSamples(0),
  nSamples(1.5),
  nSamples(100.5),
  nSamples(2 ** 53),
  minDistance(-0.5),
  minDistance(-2),
  minDistance(-1.5),
  rowCount(0),
  rowCount(-1),
  rowCount(1.5),
  rowCount(0.5),
  // scoreType
  {
    name: "an empty scoreType",
    input: sampling({
      newTagName: "abc",
      method: "ACTIVE_LEARNING",
      config: {},
      scoreType: "",
    }),
    issues: [["scoreType", RULES.scoreTypeLength]],
  },
  {
    name: "a scoreType with a space",
    input: sampling({
      newTagName: "abc",
      method: "ACTIVE_LEARNING",
      config: {},
      scoreType: "uncertainty margin",
    }),
    issues: [["scoreType", RULES.scoreTypePattern]],
  },
  {
    name: "a scoreType with a trailing newline",
    input: sampling({
      newTagName: "abc",
      method: "ACTIVE_LEARNING",
      config: {},
      scoreType: "uncertainty_margin\n",
    }),
    issues: [["scoreType", RULES.scoreTypePattern]],
  },
  {
    name: "a scoreType with a double quote",
    input: sampling({
      newTagName: "abc",
      method: "ACTIVE_LEARNING",
      config: {},
      scoreType: 'a"b',
    }),
    issues: [["scoreType", RULES.scoreTypePattern]],
  },
  {
    name: "a numeric scoreType",
    input: sampling({
      newTagName: "abc",
      method: "ACTIVE_LEARNING",
      config: {},
      scoreType: 1,
    }),
    issues: [["scoreType", RULES.string]],
  },
  // the shape of the input
  {
    name: "an input that is a number",
    input: 42,
    issues: [["", RULES.object]],
  },
  {
    name: "an input that is null",
    input: null,
    issues: [["", RULES.object]],
  },
  {
    name: "an input that is an array",
    input: [D, E],
    issues: [["", RULES.object]],
  },
  {
    name: "an input that is a JSON string",
    input: '{"datasetId":"0123456789abcdef01234567"}',
    issues: [["", RULES.object]],
  },
  {
    name: "a missing body",
    input: { datasetId: D, embeddingId: E },
    issues: [["body", RULES.required]],
  },
  {
    name: "a null body",
    input: { datasetId: D, embeddingId: E, body: null },
    issues: [["body", RULES.object]],
  },
  {
    name: "a body given as a JSON string",
    input: {
      datasetId: D,
      embeddingId: E,
      body: '{"newTagName":"abc","method":"RANDOM","config":{}}',
    },
    issues: [["body", RULES.object]],
  },
  {
    name: "an empty body",
    input: sampling({}),
    issues: [
      ["newTagName", RULES.required],
      ["method", RULES.required],
      ["config", RULES.required],
    ],
  },
  // many problems at once: every one is listed
  {
    name: "ten problems at every level",
    input: {
      datasetId: "0123456789ABCDEF01234567",
      embeddingId: "short",
      extra: 1,
      body: {
        newTagName: "-x",
        method: "coreset",
        config: {
          stoppingCondition: { nSamples: "100", minDistance: NaN, x: 1 },
        },
        rowCount: 0,
      },
    },
    issues: [
      ["datasetId", RULES.objectId],
      ["embeddingId", RULES.objectId],
      ["extra", TOP_UNKNOWN],
      ["newTagName", RULES.tagNameLength],
      ["newTagName", RULES.tagNamePattern],
      ["method", hint("CORESET")],
      ["config.stoppingCondition.nSamples", RULES.number],
      ["config.stoppingCondition.minDistance", RULES.number],
      ["config.stoppingCondition.x", RULES.unknownField],
      ["rowCount", RULES.rowCount],
    ],
  },
];

/** NaN, ±Infinity, a numeric string, booleans and null for one number field. */
function numberTypeVectors(
  field: "nSamples" | "minDistance" | "rowCount",
): InvalidVector[] {
  const values: [string, unknown][] = [
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ['the numeric string "5"', "5"],
    ["true", true],
    ["false", false],
    ["null", null],
    ["an array [5]", [5]],
  ];
  return values.map(([label, value]) =>
    numberVector(field, label, value, RULES.number)
  );
}

function numberVector(
  field: "nSamples" | "minDistance" | "rowCount",
  label: string,
  value: unknown,
  rule: string,
): InvalidVector {
  const body = field === "rowCount"
    ? { newTagName: "abc", method: "CORESET", config: {}, rowCount: value }
    : {
      newTagName: "abc",
      method: "CORESET",
      config: { stoppingCondition: { [field]: value } },
    };
  const path = field === "rowCount"
    ? field
    : `config.stoppingCondition.${field}`;
  return {
    name: `${field} ${label}`,
    input: sampling(body),
    issues: [[path, rule]],
  };
}

function nSamples(value: number): InvalidVector {
  return numberVector("nSamples", String(value), value, RULES.nSamples);
}
function minDistance(value: number): InvalidVector {
  return numberVector("minDistance", String(value), value, RULES.minDistance);
}
function rowCount(value: number): InvalidVector {
  return numberVector("rowCount", String(value), value, RULES.rowCount);
}

for (const v of INVALID) {
  Deno.test(`buildSamplingRequest() refuses ${v.name}, naming the field and the rule`, () => {
    const error = validationError(() => buildSamplingRequest(v.input as never));
    assertIssues(error, v.issues);
    const count = v.issues.length === 1
      ? "1 problem"
      : `${v.issues.length} problems`;
    assertStringIncludes(error.message, `(${count}, nothing was sent)`);
  });
}

Deno.test("buildSamplingRequest() shows the offending value of each problem", () => {
  const error = validationError(() =>
    buildSamplingRequest(sampling({
      newTagName: "abc\n",
      method: "coreset",
      config: { stoppingCondition: { nSamples: 1.5, minDistance: "0" } },
      rowCount: NaN,
    }) as never)
  );
  const received = Object.fromEntries(
    error.issues.map((i) => [i.path, i.received]),
  );
  assertEquals(received, {
    newTagName: '"abc\\n"',
    method: '"coreset"',
    "config.stoppingCondition.nSamples": "1.5",
    "config.stoppingCondition.minDistance": '"0"',
    rowCount: "NaN",
  });
  assertEquals(error.issues.length, 5);
  assertStringIncludes(error.message, "(got NaN)");
});

Deno.test("the literal vectors break every rule and use every wire field and method, each under its own name", () => {
  assert(
    VALID.length >= 25 && INVALID.length >= 45,
    `${VALID.length} valid, ${INVALID.length} invalid`,
  );
  const names = [...VALID, ...INVALID].map((v) => v.name);
  assertEquals(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
    "vectors sharing a name",
  );
  // Every rule the builder can report is expected by some invalid vector.
  const expected = new Set(INVALID.flatMap((v) => v.issues.map(([, r]) => r)));
  // `unreadable` (a getter or Proxy trap that throws) has no literal form:
  // tests/read_once_test.ts proves it.
  const missing = Object.entries(RULES).filter(([name, rule]) =>
    name !== "unreadable" && !expected.has(rule)
  ).map(([name]) => name);
  assertEquals(missing, [], "rules no invalid vector breaks");
  assert(expected.has(TOP_UNKNOWN) && expected.has(hint("CORESET")));
  // Every wire field is sent by some valid vector and refused in some invalid one.
  const FIELDS: [string, string][] = [
    ["newTagName", "newTagName"],
    ["method", "method"],
    ["config", "config"],
    ["stoppingCondition", "config.stoppingCondition"],
    ["nSamples", "config.stoppingCondition.nSamples"],
    ["minDistance", "config.stoppingCondition.minDistance"],
    ["preselectedTagId", "preselectedTagId"],
    ["queryTagId", "queryTagId"],
    ["scoreType", "scoreType"],
    ["rowCount", "rowCount"],
  ];
  const paths = new Set(INVALID.flatMap((v) => v.issues.map(([p]) => p)));
  for (const [key, path] of FIELDS) {
    assert(
      VALID.some((v) => v.body.includes(`"${key}":`)),
      `no valid vector sends ${key}`,
    );
    assert(paths.has(path), `no invalid vector refuses ${path}`);
  }
  for (const id of ["datasetId", "embeddingId"]) {
    assert(paths.has(id), `no invalid vector refuses ${id}`);
  }
  // Every method is sent; every expected body is canonical JSON.
  for (const method of SAMPLING_METHODS) {
    assert(
      VALID.some((v) => v.body.includes(`"method":"${method}"`)),
      `no valid vector sends ${method}`,
    );
  }
  for (const v of VALID) {
    assertEquals(JSON.stringify(JSON.parse(v.body)), v.body, v.name);
  }
});

// -------------------------------------------------------------- options

const INPUT = sampling({ newTagName: "abc", method: "RANDOM", config: {} });
const PATH = `/v1/datasets/${D}/embeddings/${E}/sampling`;

interface OptionsValid {
  name: string;
  options: unknown;
  url: string;
  headers?: Record<string, string>;
}

const OPTIONS_VALID: OptionsValid[] = [
  {
    name: "no options (the public host, no credentials)",
    options: undefined,
    url: `https://api.lightly.ai${PATH}`,
  },
  {
    name: "a base URL with a trailing slash",
    options: { baseUrl: "https://api.lightly.ai/" },
    url: `https://api.lightly.ai${PATH}`,
  },
  {
    name: "a base URL with several trailing slashes",
    options: { baseUrl: "https://api.lightly.ai///" },
    url: `https://api.lightly.ai${PATH}`,
  },
  {
    name: "http://127.0.0.1 with a port",
    options: { baseUrl: "http://127.0.0.1:8731" },
    url: `http://127.0.0.1:8731${PATH}`,
  },
  {
    name: "a base URL with a path prefix",
    options: { baseUrl: "https://proxy.example.com/lightly/" },
    url: `https://proxy.example.com/lightly${PATH}`,
  },
  {
    name: "an API key (sent as ?token=)",
    options: { auth: { apiKey: "abc123" } },
    url: `https://api.lightly.ai${PATH}?token=abc123`,
  },
  {
    name: "an API key with URL-special characters (percent-encoded)",
    options: { auth: { apiKey: "a+b/c=d&e?f#g%h" } },
    url: `https://api.lightly.ai${PATH}?token=a%2Bb%2Fc%3Dd%26e%3Ff%23g%25h`,
  },
  {
    name: "an API key with ! ' ( ) * ~ (percent-encoded too)",
    options: { auth: { apiKey: "k!'()*~" } },
    url: `https://api.lightly.ai${PATH}?token=k%21%27%28%29%2A%7E`,
  },
  {
    name: "a bearer token (sent as Authorization, no query)",
    options: { auth: { bearerToken: "eyJhbGciOi.e30.sig" } },
    url: `https://api.lightly.ai${PATH}`,
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "User-Agent": USER_AGENT,
      "Authorization": "Bearer eyJhbGciOi.e30.sig",
    },
  },
  {
    name: "an extra header",
    options: { headers: { "X-Trace-Id": "t-1" } },
    url: `https://api.lightly.ai${PATH}`,
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "User-Agent": USER_AGENT,
      "X-Trace-Id": "t-1",
    },
  },
  {
    name: "an extra header replacing User-Agent in another case",
    options: { headers: { "user-agent": "mine/1.0" } },
    url: `https://api.lightly.ai${PATH}`,
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "user-agent": "mine/1.0",
    },
  },
  {
    name: "empty options and empty headers",
    options: { headers: {} },
    url: `https://api.lightly.ai${PATH}`,
  },
];

for (const v of OPTIONS_VALID) {
  Deno.test(`buildSamplingRequest() accepts ${v.name}`, () => {
    const request = buildSamplingRequest(
      INPUT as never,
      v.options as ClientOptions,
    );
    assertEquals(request.url, v.url);
    assertEquals(
      { ...request.headers },
      v.headers ?? {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
      },
    );
    assertEquals(
      request.body,
      '{"newTagName":"abc","method":"RANDOM","config":{}}',
    );
  });
}

Deno.test("buildSamplingRequest() does not mix up options across calls", () => {
  // The options are memoised on the last values seen: alternate them.
  const a = { baseUrl: "http://127.0.0.1:1", auth: { apiKey: "k1" } };
  const b = { baseUrl: "http://127.0.0.1:2", auth: { apiKey: "k2" } };
  const c = { baseUrl: "http://127.0.0.1:2", auth: { bearerToken: "k2" } };
  for (let i = 0; i < 3; i++) {
    assertEquals(
      buildSamplingRequest(INPUT as never, a).url,
      `http://127.0.0.1:1${PATH}?token=k1`,
    );
    assertEquals(
      buildSamplingRequest(INPUT as never, b).url,
      `http://127.0.0.1:2${PATH}?token=k2`,
    );
    const bearer = buildSamplingRequest(INPUT as never, c);
    assertEquals(bearer.url, `http://127.0.0.1:2${PATH}`);
    assertEquals(bearer.headers["Authorization"], "Bearer k2");
    assertEquals(
      buildSamplingRequest(INPUT as never).url,
      `https://api.lightly.ai${PATH}`,
    );
    assertEquals(
      buildSamplingRequest(INPUT as never).headers["Authorization"],
      undefined,
    );
  }
});

interface OptionsInvalid {
  name: string;
  options: unknown;
  issues: [string, string][];
  /** Strings that must not appear anywhere in the error. */
  secret?: string[];
}

const OPTIONS_INVALID: OptionsInvalid[] = [
  {
    name: "an ftp: base URL",
    options: { baseUrl: "ftp://api.lightly.ai" },
    issues: [["options.baseUrl", "must use http: or https:"]],
  },
  {
    name: "a base URL without a scheme",
    options: { baseUrl: "api.lightly.ai" },
    issues: [["options.baseUrl", "must be an absolute http(s) URL"]],
  },
  {
    name: "a host:port base URL without a scheme",
    options: { baseUrl: "localhost:8080" },
    issues: [["options.baseUrl", "must use http: or https:"]],
  },
  {
    name: "an empty base URL",
    options: { baseUrl: "" },
    issues: [["options.baseUrl", "must be an absolute http(s) URL"]],
  },
  {
    name: "a base URL with a query",
    options: { baseUrl: "https://api.lightly.ai/?x=1" },
    issues: [["options.baseUrl", "must not have a query or fragment"]],
  },
  {
    name: "a base URL with a token in its query (not echoed)",
    options: { baseUrl: `https://api.lightly.ai/?token=${SENTINEL}` },
    issues: [["options.baseUrl", "must not have a query or fragment"]],
    secret: [SENTINEL],
  },
  {
    name: "a base URL with an empty query",
    options: { baseUrl: "https://api.lightly.ai/?" },
    issues: [["options.baseUrl", "must not have a query or fragment"]],
  },
  {
    name: "a base URL with a fragment",
    options: { baseUrl: "https://api.lightly.ai/#x" },
    issues: [["options.baseUrl", "must not have a query or fragment"]],
  },
  {
    name: "a base URL with credentials (not echoed)",
    options: { baseUrl: `https://user:${SENTINEL}@api.lightly.ai` },
    issues: [[
      "options.baseUrl",
      "must not carry credentials (use options.auth)",
    ]],
    secret: [SENTINEL, "user:"],
  },
  {
    name: "an ftp: base URL with credentials (not echoed)",
    options: { baseUrl: `ftp://user:${SENTINEL}@api.lightly.ai` },
    issues: [["options.baseUrl", "must use http: or https:"]],
    secret: [SENTINEL],
  },
  {
    name: "a schemeless base URL with credentials (not echoed)",
    options: { baseUrl: `user:${SENTINEL}@api.lightly.ai` },
    issues: [["options.baseUrl", "must use http: or https:"]],
    secret: [SENTINEL],
  },
  {
    name: "a numeric base URL",
    options: { baseUrl: 8080 },
    issues: [["options.baseUrl", "must be a string"]],
  },
  {
    name: "auth with both apiKey and bearerToken",
    options: { auth: { apiKey: SENTINEL, bearerToken: SENTINEL } },
    issues: [[
      "options.auth",
      "must have either apiKey or bearerToken, not both",
    ]],
    secret: [SENTINEL],
  },
  {
    name: "auth without any key",
    options: { auth: {} },
    issues: [["options.auth", "must have apiKey or bearerToken"]],
  },
  {
    name: "auth with an unknown key",
    options: { auth: { token: SENTINEL } },
    issues: [[
      "options.auth.token",
      "is not a known field (use apiKey or bearerToken)",
    ]],
    secret: [SENTINEL],
  },
  {
    name: "auth given as a string",
    options: { auth: SENTINEL },
    issues: [["options.auth", "must be { apiKey } or { bearerToken }"]],
    secret: [SENTINEL],
  },
  {
    name: "an empty apiKey",
    options: { auth: { apiKey: "" } },
    issues: [[
      "options.auth.apiKey",
      "must be non-empty printable ASCII, without spaces or control characters",
    ]],
  },
  {
    name: "an apiKey containing a newline (value never shown)",
    options: { auth: { apiKey: `${SENTINEL}\n` } },
    issues: [[
      "options.auth.apiKey",
      "must be non-empty printable ASCII, without spaces or control characters",
    ]],
    secret: [SENTINEL],
  },
  {
    name: "an apiKey containing a space (value never shown)",
    options: { auth: { apiKey: `Bearer ${SENTINEL}` } },
    issues: [[
      "options.auth.apiKey",
      "must be non-empty printable ASCII, without spaces or control characters",
    ]],
    secret: [SENTINEL],
  },
  {
    name: "an apiKey with a non-ASCII character (value never shown)",
    options: { auth: { apiKey: `${SENTINEL}€` } },
    issues: [[
      "options.auth.apiKey",
      "must be non-empty printable ASCII, without spaces or control characters",
    ]],
    secret: [SENTINEL],
  },
  {
    name: "a numeric apiKey",
    options: { auth: { apiKey: 12345 } },
    issues: [["options.auth.apiKey", "must be a string"]],
    secret: ["12345"],
  },
  {
    name: "a bearerToken with CRLF (value never shown)",
    options: { auth: { bearerToken: `${SENTINEL}\r\nX-Evil: 1` } },
    issues: [[
      "options.auth.bearerToken",
      "must be non-empty printable ASCII, without spaces or control characters",
    ]],
    secret: [SENTINEL, "X-Evil"],
  },
  {
    name: "a header overriding Content-Type",
    options: { headers: { "Content-Type": "text/plain" } },
    issues: [[
      "options.headers.Content-Type",
      "is set by this package and cannot be overridden",
    ]],
  },
  {
    name: "a header overriding content-length (any case)",
    options: { headers: { "content-length": "1" } },
    issues: [[
      "options.headers.content-length",
      "is set by this package and cannot be overridden",
    ]],
  },
  {
    name: "a header overriding Host",
    options: { headers: { Host: "evil.example" } },
    issues: [[
      "options.headers.Host",
      "is set by this package and cannot be overridden",
    ]],
  },
  {
    name: "a header overriding Authorization (value never shown)",
    options: { headers: { authorization: `Bearer ${SENTINEL}` } },
    issues: [[
      "options.headers.authorization",
      "is set by this package: use options.auth",
    ]],
    secret: [SENTINEL],
  },
  {
    name: "a header value with CRLF",
    options: { headers: { "X-Note": "a\r\nX-Injected: 1" } },
    issues: [[
      "options.headers.X-Note",
      "must not contain line breaks or control characters",
    ]],
  },
  {
    name: "a header value fetch cannot send (€)",
    options: { headers: { "X-Note": "5 €" } },
    issues: [[
      "options.headers.X-Note",
      "must not contain line breaks or control characters",
    ]],
  },
  {
    name: "a header name with a space",
    options: { headers: { "X Note": "a" } },
    issues: [["options.headers.X Note", "is not a valid header name"]],
  },
  {
    name: "a numeric header value",
    options: { headers: { "X-Count": 5 } },
    issues: [["options.headers.X-Count", "must be a string"]],
  },
  {
    name: "headers given as an array",
    options: { headers: [["X-A", "1"]] },
    issues: [["options.headers", "must be an object of strings"]],
  },
  {
    name: "options given as null",
    options: null,
    issues: [["options", "must be an object"]],
  },
  {
    name: "three bad options at once",
    options: {
      baseUrl: "ftp://h",
      auth: { apiKey: "" },
      headers: { "Content-Type": "x" },
    },
    issues: [
      ["options.baseUrl", "must use http: or https:"],
      [
        "options.auth.apiKey",
        "must be non-empty printable ASCII, without spaces or control characters",
      ],
      [
        "options.headers.Content-Type",
        "is set by this package and cannot be overridden",
      ],
    ],
  },
];

for (const v of OPTIONS_INVALID) {
  Deno.test(`buildSamplingRequest() refuses ${v.name}`, () => {
    const error = validationError(() =>
      buildSamplingRequest(INPUT as never, v.options as ClientOptions)
    );
    assertIssues(error, v.issues);
    const everything = [
      error.message,
      error.stack ?? "",
      String(error),
      JSON.stringify(error),
      Deno.inspect(error, { depth: 10 }),
    ].join("\n");
    for (const secret of v.secret ?? []) {
      assert(
        !everything.includes(secret),
        `${JSON.stringify(secret)} leaked:\n${everything}`,
      );
    }
  });
}

Deno.test("buildSamplingRequest() lists input and option problems in one error", () => {
  const error = validationError(() =>
    buildSamplingRequest(
      sampling({ newTagName: "ab", method: "RANDOM", config: {} }) as never,
      { baseUrl: "ftp://h", auth: { apiKey: `${SENTINEL} x` } },
    )
  );
  assertIssues(error, [
    ["newTagName", RULES.tagNameLength],
    ["options.baseUrl", "must use http: or https:"],
    [
      "options.auth.apiKey",
      "must be non-empty printable ASCII, without spaces or control characters",
    ],
  ]);
  assert(!error.message.includes(SENTINEL));
});

Deno.test("buildSamplingRequest() refuses bad options even for a valid input", () => {
  const error = validationError(() =>
    buildSamplingRequest(INPUT as never, { headers: { Host: "x" } })
  );
  assertIssues(error, [[
    "options.headers.Host",
    "is set by this package and cannot be overridden",
  ]]);
  assertStringIncludes(error.message, "(1 problem, nothing was sent)");
});
