/**
 * Seeds: the datasets a stub starts with (or gets from `stub.addDataset()`),
 * and how each becomes a dataset record with an `initial-tag`, its
 * embeddings newest first, and any extra tags.
 *
 * @module
 */
import type { DatasetEmbeddingData, TagData } from "../core/types.ts";
import { OBJECT_ID, OBJECT_ID_RULE, TAG_NAME } from "./api_rules.ts";
import { bitMaskToIndices, indicesToBitMask } from "./bitmask.ts";

/** An embedding to seed. */
export interface StubEmbeddingSeed {
  /**
   * Its ObjectId.
   *
   * @default {a generated one}
   */
  id?: string;
  /**
   * Its name.
   *
   * @default {"embedding-N"}, numbered oldest first from 1
   */
  name?: string;
  /**
   * Whether it can be sampled on; sampling an unprocessed one answers
   * `400 EMBEDDING_NOT_READY`.
   *
   * @default {true}
   */
  isProcessed?: boolean;
  /**
   * Unix milliseconds; the list is answered newest first.
   *
   * @default {one hour apart, the first seed the newest}
   */
  createdAt?: number;
  /**
   * Whether it is 2-D.
   *
   * @default {false}
   */
  is2d?: boolean;
}

/** An extra tag to seed, e.g. a labelled subset to preselect or query. */
export interface StubTagSeed {
  /**
   * Its ObjectId.
   *
   * @default {a generated one}
   */
  id?: string;
  /** Its name; unique in the dataset and not `initial-tag`. */
  name: string;
  /** Its samples as indices below the dataset's `sampleCount`; or give `bitMaskData`. */
  samples?: readonly number[];
  /** Its samples as a bitmask (`^0x[a-f0-9]+$`); or give `samples`. */
  bitMaskData?: string;
  /**
   * The tag it derives from.
   *
   * @default {the initial tag's id}
   */
  prevTagId?: string | null;
  /**
   * Unix milliseconds.
   *
   * @default {one minute apart, after the initial tag}
   */
  createdAt?: number;
}

/**
 * A dataset to seed. Every field is optional: `{}` is a complete dataset.
 *
 * @example 200 samples, an unprocessed newest embedding, a labelled subset
 * ```ts
 * import type { StubDatasetSeed } from "./seed.ts";
 * const seed: StubDatasetSeed = {
 *   sampleCount: 200,
 *   embeddings: [{ name: "fresh", isProcessed: false }, { name: "ready" }],
 *   tags: [{ name: "labelled", samples: [0, 1, 2, 3] }],
 * };
 * ```
 */
export interface StubDatasetSeed {
  /**
   * Its ObjectId.
   *
   * @default {a generated one}
   */
  id?: string;
  /**
   * The number of samples, all in its `initial-tag` (`totSize`); `0` makes a
   * dataset with no samples and no tags. At most 1 000 000.
   *
   * @default {1000}
   */
  sampleCount?: number;
  /**
   * The ObjectId of its `initial-tag`.
   *
   * @default {a generated one}
   */
  initialTagId?: string;
  /**
   * Its embeddings, newest first.
   *
   * @default {[{}, {}]} two processed embeddings
   */
  embeddings?: readonly StubEmbeddingSeed[];
  /**
   * Extra tags, besides the `initial-tag`.
   *
   * @default {[]}
   */
  tags?: readonly StubTagSeed[];
}

/** A dataset inside the stub. */
export interface DatasetRecord {
  readonly id: string;
  readonly sampleCount: number;
  /** Newest first. */
  readonly embeddings: DatasetEmbeddingData[];
  /** In creation order; the `initial-tag` first. */
  readonly tags: TagData[];
}

/** What building a dataset needs from the stub. */
export interface SeedContext {
  /** Makes a fresh ObjectId. */
  readonly nextId: () => string;
  /** Reserves an id, throwing when it is taken or malformed. */
  readonly claim: (id: string, where: string) => string;
  /** The current time. */
  readonly now: number;
}

const MAX_SAMPLES = 1_000_000;
const HOUR = 3_600_000;

function bad(where: string, rule: string): never {
  throw new TypeError(`startLightlyStub(): ${where} ${rule}`);
}

/**
 * Checks that `id` is an ObjectId, for seeds.
 *
 * @param id The id.
 * @param where Its name in messages.
 * @returns The id.
 * @throws {TypeError} When it is not `^[a-f0-9]{24}$`.
 *
 * @example
 * ```ts
 * import { checkObjectId } from "./seed.ts";
 * checkObjectId("0123456789abcdef01234567", "id");
 * ```
 */
export function checkObjectId(id: string, where: string): string {
  if (typeof id !== "string" || !OBJECT_ID.test(id)) {
    bad(where, OBJECT_ID_RULE);
  }
  return id;
}

/**
 * Builds a dataset from its seed.
 *
 * @param seed The seed.
 * @param where Its name in messages, e.g. `options.datasets[0]`.
 * @param context Id maker, id registry and time.
 * @returns The dataset record.
 * @throws {TypeError} Naming the seed field and the rule.
 *
 * @example
 * ```ts
 * import { buildDataset } from "./seed.ts";
 * let n = 0;
 * const dataset = buildDataset({ sampleCount: 10 }, "seed", {
 *   nextId: () => String(++n).padStart(24, "0"),
 *   claim: (id) => id,
 *   now: 0,
 * });
 * dataset.tags[0].bitMaskData; // "0x3ff"
 * ```
 */
export function buildDataset(
  seed: StubDatasetSeed,
  where: string,
  context: SeedContext,
): DatasetRecord {
  if (typeof seed !== "object" || seed === null) {
    bad(where, "must be an object");
  }
  const { nextId, claim, now } = context;
  const id = seed.id === undefined
    ? nextId()
    : claim(checkObjectId(seed.id, `${where}.id`), `${where}.id`);
  const sampleCount = seed.sampleCount ?? 1000;
  if (
    !Number.isSafeInteger(sampleCount) || sampleCount < 0 ||
    sampleCount > MAX_SAMPLES
  ) {
    bad(
      `${where}.sampleCount`,
      `must be a whole number from 0 to ${MAX_SAMPLES}`,
    );
  }
  const embeddingSeeds = seed.embeddings ?? [{}, {}];
  const embeddings = embeddingSeeds.map((e, i) =>
    buildEmbedding(e, i, embeddingSeeds.length, `${where}.embeddings[${i}]`, {
      ...context,
      now,
    })
  ).sort((a, b) => b.createdAt - a.createdAt);

  const tags: TagData[] = [];
  const initialCreatedAt = now - 48 * HOUR;
  if (sampleCount > 0) {
    const tagId = seed.initialTagId === undefined ? nextId() : claim(
      checkObjectId(seed.initialTagId, `${where}.initialTagId`),
      `${where}.initialTagId`,
    );
    tags.push({
      id: tagId,
      datasetId: id,
      prevTagId: null,
      name: "initial-tag",
      bitMaskData: indicesToBitMask(range(sampleCount)),
      totSize: sampleCount,
      createdAt: initialCreatedAt,
      lastModifiedAt: initialCreatedAt,
    });
  } else if (seed.initialTagId !== undefined) {
    bad(`${where}.initialTagId`, "needs a sampleCount above 0");
  }
  (seed.tags ?? []).forEach((t, i) => {
    const at = `${where}.tags[${i}]`;
    tags.push(
      buildTag(t, at, { id, sampleCount, tags, initialCreatedAt, i }, context),
    );
  });
  return { id, sampleCount, embeddings, tags };
}

function buildEmbedding(
  seed: StubEmbeddingSeed,
  index: number,
  count: number,
  where: string,
  context: SeedContext,
): DatasetEmbeddingData {
  if (typeof seed !== "object" || seed === null) {
    bad(where, "must be an object");
  }
  const id = seed.id === undefined
    ? context.nextId()
    : context.claim(checkObjectId(seed.id, `${where}.id`), `${where}.id`);
  const name = seed.name ?? `embedding-${count - index}`;
  if (typeof name !== "string" || name === "") {
    bad(`${where}.name`, "must be a non-empty string");
  }
  const createdAt = seed.createdAt ?? context.now - (index + 1) * HOUR;
  if (!Number.isFinite(createdAt)) {
    bad(`${where}.createdAt`, "must be Unix milliseconds");
  }
  return {
    id,
    name,
    isProcessed: seed.isProcessed ?? true,
    createdAt,
    is2d: seed.is2d ?? false,
  };
}

function buildTag(
  seed: StubTagSeed,
  where: string,
  dataset: {
    id: string;
    sampleCount: number;
    tags: readonly TagData[];
    initialCreatedAt: number;
    i: number;
  },
  context: SeedContext,
): TagData {
  if (typeof seed !== "object" || seed === null) {
    bad(where, "must be an object");
  }
  const { name } = seed;
  if (
    typeof name !== "string" || name.length < 3 || !TAG_NAME.test(name)
  ) {
    bad(
      `${where}.name`,
      "must be a valid tag name (^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$, at least 3 characters)",
    );
  }
  if (name === "initial-tag") {
    bad(
      `${where}.name`,
      "must not be initial-tag: shape the initial tag with sampleCount and initialTagId",
    );
  }
  if (dataset.tags.some((t) => t.name === name)) {
    bad(
      `${where}.name`,
      `must be unique in the dataset (${JSON.stringify(name)} is taken)`,
    );
  }
  if ((seed.samples === undefined) === (seed.bitMaskData === undefined)) {
    bad(where, "needs exactly one of samples and bitMaskData");
  }
  let samples: number[];
  try {
    samples = seed.samples !== undefined
      ? bitMaskToIndices(indicesToBitMask(seed.samples))
      : bitMaskToIndices(seed.bitMaskData!);
  } catch (error) {
    bad(where, (error as Error).message);
  }
  if (
    samples.length > 0 && samples[samples.length - 1] >= dataset.sampleCount
  ) {
    bad(
      where,
      `has a sample index >= the dataset's sampleCount (${dataset.sampleCount})`,
    );
  }
  const id = seed.id === undefined
    ? context.nextId()
    : context.claim(checkObjectId(seed.id, `${where}.id`), `${where}.id`);
  const prevTagId = seed.prevTagId === undefined
    ? dataset.tags[0]?.id ?? null
    : seed.prevTagId;
  if (prevTagId !== null && !dataset.tags.some((t) => t.id === prevTagId)) {
    bad(
      `${where}.prevTagId`,
      "must be the id of a tag seeded before it, or null",
    );
  }
  const createdAt = seed.createdAt ??
    dataset.initialCreatedAt + (dataset.i + 1) * 60_000;
  return {
    id,
    datasetId: dataset.id,
    prevTagId,
    name,
    bitMaskData: indicesToBitMask(samples),
    totSize: samples.length,
    createdAt,
    lastModifiedAt: createdAt,
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
