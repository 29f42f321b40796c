/**
 * fast-check arbitraries of sampling inputs, written from the API's rules
 * (docs/lightly-api.md §1–2), not from the validators under test:
 *
 * - {@linkcode validInput}: every valid shape, optional fields present,
 *   absent or `undefined`, keys in any order;
 * - {@linkcode nearBoundaryInput}: a valid input with a few mutations right
 *   at the edge of a rule (a 2-character tag name, an upper-case hex id,
 *   `nSamples: 1.5`, an unknown key…), and odd containers (no prototype, a
 *   class instance, a field only on the prototype, a symbol key);
 * - {@linkcode hostileValue}: anything at all, hostile keys (`__proto__`,
 *   `constructor`) and deep nesting included.
 */
import { fc } from "./_property.ts";

type Obj = Record<string, unknown>;

const chars = (s: string) => [...s];
const LETTERS = chars(
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
);
const TAG_PUNCT = chars(" .:;=@_-");
const SCORE_PUNCT = chars("_+=,.@:/-");
const HEX = chars("0123456789abcdef");
/** Characters no rule admits, or only some rules do. */
const BAD = chars(
  "\n\r\t\u0000\"\\/é😀\u2028'<#?%AGg \uFEFF",
);
export const METHODS = ["ACTIVE_LEARNING", "CORAL", "CORESET", "RANDOM"];
const BOUNDARY_NUMBERS = [
  -2,
  -1.5,
  -1,
  -0.5,
  -0,
  0,
  Number.MIN_VALUE,
  0.1 + 0.2,
  0.5,
  0.9999999999999999,
  1,
  1.0000000000000002,
  1.5,
  2,
  3,
  100,
  4000,
  2 ** 53 - 1,
  2 ** 53,
  1e21,
  Number.MAX_VALUE,
  NaN,
  Infinity,
  -Infinity,
];
/** Names that are not fields, some of them close to one, some hostile. */
export const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "toJSON",
  "then",
  "__defineGetter__",
];
const UNKNOWN_NAMES = [
  ...HOSTILE_KEYS,
  "extra",
  "dryRun",
  "__proto_x",
  "nsamples",
  "new_tag_name",
  "datasetID",
  "body",
  "config",
  "stoppingCondition",
  "nSamples",
];

const OMIT = Symbol("omit");

/** `value`, absent, or present as `undefined`. */
function optional<T>(
  arb: fc.Arbitrary<T>,
): fc.Arbitrary<T | undefined | typeof OMIT> {
  return fc.oneof(
    { weight: 2, arbitrary: arb },
    { weight: 1, arbitrary: fc.constant(OMIT) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function stringOf(
  alphabet: readonly string[],
  minLength: number,
  maxLength: number,
): fc.Arbitrary<string> {
  return fc.string({
    unit: fc.constantFrom(...alphabet),
    minLength,
    maxLength,
  });
}

/** `o`'s fields, absent ones left out, in the order `keys` gives. */
function assemble(o: Obj, order: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of order) if (o[k] !== OMIT) out[k] = o[k];
  return out;
}

/** An object of `fields`, its keys in any order, `OMIT` values left out. */
function shuffled(
  fields: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Obj> {
  const keys = Object.keys(fields);
  return fc.tuple(
    fc.record(fields),
    fc.shuffledSubarray(keys, { minLength: keys.length }),
  ).map(([o, order]) => assemble(o, order));
}

export const objectId: fc.Arbitrary<string> = stringOf(HEX, 24, 24);
export const tagName: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...LETTERS),
  stringOf([...LETTERS, ...TAG_PUNCT], 2, 40),
).map(([first, rest]) => first + rest);
export const scoreType: fc.Arbitrary<string> = stringOf(
  [...LETTERS, ...SCORE_PUNCT],
  1,
  30,
);
/** -1, a fraction in (0, 1], or a whole number above 1. */
export const nSamples: fc.Arbitrary<number> = fc.oneof(
  fc.constant(-1),
  fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
  fc.constantFrom(0.5, 1),
  fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 2, max: 10_000 }),
);
/** -1, or a number >= 0. */
export const minDistance: fc.Arbitrary<number> = fc.oneof(
  fc.constant(-1),
  fc.constantFrom(0, -0, 0.3),
  fc.double({ min: 0, max: 1e300, noNaN: true }),
);
/** A whole number >= 1. */
export const rowCount: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);

/** Any valid sampling input. */
export const validInput: fc.Arbitrary<Obj> = fc.tuple(
  shuffled({
    nSamples: optional(nSamples),
    minDistance: optional(minDistance),
  }),
  optional(fc.constant(0)), // stoppingCondition present or not
  shuffled({
    newTagName: tagName,
    method: fc.constantFrom(...METHODS),
    preselectedTagId: optional(objectId),
    queryTagId: optional(objectId),
    scoreType: optional(scoreType),
    rowCount: optional(rowCount),
  }),
  fc.nat({ max: 2 }),
  objectId,
  objectId,
  fc.shuffledSubarray(["datasetId", "embeddingId", "body"], { minLength: 3 }),
).map(
  (
    [stopping, hasStopping, fields, configAt, datasetId, embeddingId, order],
  ) => {
    const config = hasStopping === OMIT
      ? {}
      : hasStopping === undefined
      ? { stoppingCondition: undefined }
      : { stoppingCondition: stopping };
    // `config` at any position among the body's keys.
    const entries = Object.entries(fields);
    entries.splice(Math.min(configAt, entries.length), 0, ["config", config]);
    return assemble(
      { datasetId, embeddingId, body: Object.fromEntries(entries) },
      order,
    );
  },
);

// ------------------------------------------------------------ near the edge

const badTagName = fc.oneof(
  stringOf([...LETTERS, ...TAG_PUNCT, ...BAD], 0, 6),
  stringOf(LETTERS, 0, 3),
  fc.tuple(fc.constantFrom(...TAG_PUNCT, ...BAD), stringOf(LETTERS, 2, 8))
    .map(([a, b]) => a + b),
  fc.tuple(tagName, fc.constantFrom(...BAD)).map(([a, b]) => a + b),
  tagName.map((s) => s + "\n"),
  stringOf(LETTERS, 250, 320),
);
const nearObjectId = fc.oneof(
  objectId,
  fc.integer({ min: 0, max: 48 }).chain((n) => stringOf(HEX, n, n)),
  stringOf([...HEX, ...BAD], 24, 24),
  objectId.map((s) => s.toUpperCase()),
  objectId.map((s) => s + "\n"),
);
const nearMethod = fc.constantFrom(...METHODS).chain((m) =>
  fc.constantFrom(m, m.toLowerCase(), m + " ", m.slice(1), "Coreset", "")
);
const nearScoreType = fc.oneof(
  scoreType,
  fc.constant(""),
  stringOf([...LETTERS, ...SCORE_PUNCT, ...BAD], 1, 20),
  scoreType.map((s) => s + "\n"),
);
const nearNumber = fc.oneof(
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.double(),
  fc.double({ min: -2, max: 2 }),
  fc.integer({ min: -3, max: 3 }),
);

/** Anything of any type, a little biased to JSON and to the rules' edges. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.constantFrom(...BOUNDARY_NUMBERS).map(String),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  badTagName,
  nearObjectId,
  fc.constantFrom(...METHODS).map((m) => m.toLowerCase()),
  fc.constantFrom(0n, Symbol("s"), () => 1, new Date(0)),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

function nearValue(field: string): fc.Arbitrary<unknown> {
  switch (field) {
    case "datasetId":
    case "embeddingId":
    case "preselectedTagId":
    case "queryTagId":
      return nearObjectId;
    case "newTagName":
      return fc.oneof(tagName, badTagName);
    case "method":
      return nearMethod;
    case "scoreType":
      return nearScoreType;
    case "nSamples":
    case "minDistance":
    case "rowCount":
      return nearNumber;
    case "config":
      return fc.constantFrom({}, null, [], { stoppingCondition: {} }, "{}");
    case "stoppingCondition":
      return fc.constantFrom({}, null, [], { nSamples: 10 }, 10);
    default:
      return fc.constantFrom({}, null, []);
  }
}

const FIELDS_AT: readonly (readonly string[])[] = [
  ["datasetId", "embeddingId", "body"],
  [
    "newTagName",
    "method",
    "config",
    "preselectedTagId",
    "queryTagId",
    "scoreType",
    "rowCount",
  ],
  ["stoppingCondition"],
  ["nSamples", "minDistance"],
];

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The object at `level` (0 input, 1 body, 2 config, 3 stoppingCondition). */
function objectAt(root: Obj, level: number): Obj | undefined {
  let o: unknown = root;
  for (const key of ["body", "config", "stoppingCondition"].slice(0, level)) {
    o = isObj(o) ? o[key] : undefined;
  }
  return isObj(o) ? o : undefined;
}

/** A deep copy of plain objects and arrays (values shared otherwise). */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (!isObj(v) || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) out[k] = copy(v[k]);
  return out;
}

type Mutation =
  | { op: "delete"; level: number; field: number }
  | { op: "set"; level: number; field: number; value: unknown }
  | { op: "unknown"; level: number; name: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.tuple(
  fc.nat({ max: 3 }),
  fc.nat({ max: 6 }),
).chain(([level, index]) => {
  const fields = FIELDS_AT[level];
  const field = index % fields.length;
  return fc.oneof(
    fc.constant<Mutation>({ op: "delete", level, field }),
    fc.oneof(
      { weight: 3, arbitrary: nearValue(fields[field]) },
      { weight: 1, arbitrary: anyValue },
    ).map((value): Mutation => ({ op: "set", level, field, value })),
    fc.tuple(
      fc.constantFrom(...UNKNOWN_NAMES),
      fc.oneof(fc.constant(undefined), anyValue),
    ).map(([name, value]): Mutation => ({ op: "unknown", level, name, value })),
  );
});

function apply(root: Obj, m: Mutation): void {
  const target = objectAt(root, m.level);
  if (target === undefined) return;
  const name = m.op === "unknown" ? m.name : FIELDS_AT[m.level][m.field];
  if (m.op === "delete") delete target[name];
  // defineProperty: `__proto__` becomes an own key, as JSON.parse makes it.
  else {
    Object.defineProperty(target, name, {
      value: m.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** How the mutated input is wrapped: mostly as is. */
const container = fc.oneof(
  { weight: 12, arbitrary: fc.constant("plain") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "null-prototype",
      "class-body",
      "prototype-field",
      "symbol-key",
    ),
  },
);

function wrap(root: Obj, how: string): unknown {
  switch (how) {
    case "null-prototype":
      return Object.assign(Object.create(null), root);
    case "class-body":
      if (isObj(root.body)) {
        root.body = Object.assign(new (class Body {})(), root.body);
      }
      return root;
    case "prototype-field": {
      const { datasetId, ...rest } = root;
      return Object.assign(Object.create({ datasetId }), rest);
    }
    case "symbol-key":
      (root as Record<symbol, unknown>)[Symbol("s")] = 1;
      return root;
    default:
      return root;
  }
}

/** A valid input with up to three edits at the edge of the rules. */
export const nearBoundaryInput: fc.Arbitrary<unknown> = fc.tuple(
  validInput,
  fc.array(mutation, { maxLength: 3 }),
  container,
).map(([input, mutations, how]) => {
  const root = copy(input) as Obj;
  for (const m of mutations) apply(root, m);
  return wrap(root, how);
});

/** A chain of `depth` objects or arrays, `{ k: { k: … } }`. */
function nested(depth: number, key: string, arrays: boolean): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { [key]: v };
  return v;
}

const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...HOSTILE_KEYS, ...FIELDS_AT.flat()),
  },
);

/** Deep nesting at some field of a valid input, or as the whole input. */
const deepInput = fc.tuple(
  validInput,
  // Mostly a few hundred levels; now and then more than a naive recursion survives.
  fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 50, max: 500 }) },
    { weight: 1, arbitrary: fc.constant(20_000) },
  ),
  fc.constantFrom(
    "config",
    "stoppingCondition",
    "body",
    "datasetId",
    "__proto__",
  ),
  fc.nat({ max: 3 }),
  fc.boolean(),
).map(([input, depth, key, level, arrays]) => {
  const root = copy(input) as Obj;
  const deep = nested(depth, key, arrays);
  const target = objectAt(root, level) ?? root;
  Object.defineProperty(target, key, {
    value: deep,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return level === 0 && arrays ? deep : root;
});

/** Anything: JSON, any JS value, hostile keys, deep nesting, near-valid inputs. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  nearBoundaryInput,
  fc.jsonValue(),
  fc.json().map((text) => JSON.parse(text)),
  fc.anything({
    key: hostileKey,
    maxDepth: 4,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  deepInput,
);

/** What a hostile accessor does each time it is read. */
export type Accessor = "throws" | "flips" | "counts";

/** The value a flipping getter turns to after its first read: JSON injection. */
export const INJECTION = 'x","rowCount":1,"__injected__":"';

function accessor(valid: unknown, kind: Accessor): PropertyDescriptor {
  let reads = 0;
  return {
    enumerable: true,
    configurable: true,
    get() {
      reads++;
      if (kind === "throws") throw new Error("getter says no");
      if (kind === "flips") return reads === 1 ? valid : INJECTION;
      return typeof valid === "number" ? valid + reads : `${valid}${reads}`;
    },
  };
}

const PROXY_TRAPS = [
  "get",
  "ownKeys",
  "has",
  "getPrototypeOf",
  "getOwnPropertyDescriptor",
] as const;

/** A hostile input with a printable description (printing it must not read it). */
export class HostileInput {
  constructor(readonly input: unknown, readonly description: string) {}
  [fc.toStringMethod](): string {
    return this.description;
  }
}

/**
 * A valid input where one field is an accessor that throws, answers valid
 * once and then a JSON injection, or answers something new each time; or
 * where one object is a Proxy whose trap throws.
 */
export const getterInput: fc.Arbitrary<HostileInput> = fc.tuple(
  validInput,
  fc.nat({ max: 3 }),
  fc.nat({ max: 6 }),
  fc.oneof(
    fc.constantFrom<Accessor>("throws", "flips", "counts"),
    fc.constantFrom(...PROXY_TRAPS),
  ),
).map(([input, level, index, kind]) => {
  const base = JSON.stringify(input);
  const root = copy(input) as Obj;
  const target = objectAt(root, level) ?? root;
  const where =
    ["input", "body", "body.config", "body.config.stoppingCondition"][
      objectAt(root, level) === undefined ? 0 : level
    ];
  const fields = FIELDS_AT[level];
  const field = fields[index % fields.length];
  if (kind === "throws" || kind === "flips" || kind === "counts") {
    Object.defineProperty(
      target,
      field,
      accessor(target[field] ?? "abc", kind),
    );
    return new HostileInput(
      root,
      `${base} with ${where}.${field} a getter that ${kind}`,
    );
  }
  const trap = () => {
    throw new Error(`${kind} trap says no`);
  };
  const proxy = new Proxy(target, { [kind]: trap });
  const description = `${base} with ${where} a Proxy whose ${kind} trap throws`;
  if (level === 0 || where === "input") {
    return new HostileInput(proxy, description);
  }
  const parent = objectAt(root, level - 1)!;
  parent[["body", "config", "stoppingCondition"][level - 1]] = proxy;
  return new HostileInput(root, description);
});
