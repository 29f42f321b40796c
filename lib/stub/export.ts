/**
 * What the stub answers about a selection: a tag's export — file names,
 * datasource URLs or signed read URLs, paged — and an embedding's 2-D
 * coordinates, in clusters. Both are computed from the sample index when
 * asked: nothing per sample is stored but a tag's decoded indices (once per
 * tag), so a dataset of 1 000 000 samples costs a few MiB.
 *
 * @module
 */
import type { DatasetEmbeddingData, Embedding2dData } from "../core/types.ts";
import { apiError, ok, type StubAnswer } from "./responses.ts";

const FORMATS = ["NAME", "DATASOURCE_FULL", "REDIRECTED_READ_URL"];
const BUCKET = "lightly-stub-bucket";
/** The `expiresIn` of a read URL when the request gives none. */
const DEFAULT_EXPIRES_IN = 3600;
const CLUSTERS = 6;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * The file name of a sample, relative to the dataset: 1000 samples a folder.
 *
 * @param index The sample's index.
 * @returns E.g. `images/0012/sample-0012345.jpg`.
 *
 * @example
 * ```ts
 * import { fileNameOf } from "./export.ts";
 * fileNameOf(12345); // "images/0012/sample-0012345.jpg"
 * ```
 */
export function fileNameOf(index: number): string {
  return `images/${pad(Math.floor(index / 1000), 4)}/sample-${
    pad(index, 7)
  }.jpg`;
}

/** A 32-bit integer hash (murmur3's finalizer): deterministic noise. */
function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function unit(value: number): number {
  return (mix(value) + 0.5) / 2 ** 32;
}

/**
 * A sample's 2-D position: one of six clusters on a ring, with Gaussian
 * spread, the same on every call.
 *
 * @param index The sample's index.
 * @param salt Varies the picture per embedding.
 * @returns `[x, y]`, rounded to 4 decimals.
 *
 * @example
 * ```ts
 * import { pointOf } from "./export.ts";
 * const [x, y] = pointOf(7, 0);
 * ```
 */
export function pointOf(index: number, salt: number): [number, number] {
  const seed = (Math.imul(index, 4) + salt) | 0;
  const cluster = mix(seed) % CLUSTERS;
  const angle = (2 * Math.PI * cluster) / CLUSTERS;
  const spread = 0.6 + 0.5 * (cluster % 3);
  // Box-Muller: two uniform numbers → two Gaussian ones.
  const r = Math.sqrt(-2 * Math.log(unit(seed + 1))) * spread;
  const t = 2 * Math.PI * unit(seed + 2);
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return [
    round(6 * Math.cos(angle) + r * Math.cos(t)),
    round(6 * Math.sin(angle) + r * Math.sin(t)),
  ];
}

function bad(name: string, rule: string, requestId: string): StubAnswer {
  return apiError(
    400,
    "BAD_REQUEST",
    `query parameter ${name} ${rule}`,
    requestId,
  );
}

function wholeNumber(text: string | null, min: number): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

/**
 * Answers `GET …/tags/{tagId}/export/basic/filenames`: the entries of the
 * tag's samples from `pageOffset` (in samples), at most `pageSize` of them
 * (all without it), one per line as `text/plain`, or a JSON list with
 * `format=JSON`.
 *
 * @param url The request URL (its query).
 * @param datasetId The dataset.
 * @param samplesOf The tag's sample indices, ascending; called once the query is checked.
 * @param signature What signs this stub's read URLs.
 * @param requestId The request's id, for errors.
 * @returns The answer; `400 BAD_REQUEST` naming a bad query parameter.
 *
 * @example
 * ```ts
 * import { exportAnswer } from "./export.ts";
 * const url = new URL("http://h/x?fileNameFormat=NAME&pageSize=2");
 * exportAnswer(url, "0123456789abcdef01234567", () => new Uint32Array([3, 5, 8]), "s", "r").body;
 * // "images/0000/sample-0000003.jpg\nimages/0000/sample-0000005.jpg"
 * ```
 */
export function exportAnswer(
  url: URL,
  datasetId: string,
  samplesOf: () => Uint32Array,
  signature: string,
  requestId: string,
): StubAnswer {
  const query = url.searchParams;
  const fileNameFormat = query.get("fileNameFormat") ?? "NAME";
  if (!FORMATS.includes(fileNameFormat)) {
    return bad(
      "fileNameFormat",
      `must be one of ${FORMATS.join(", ")}`,
      requestId,
    );
  }
  const format = query.get("format") ?? "PLAIN";
  if (format !== "PLAIN" && format !== "JSON") {
    return bad("format", "must be PLAIN or JSON", requestId);
  }
  for (const name of ["includeMetaData", "previewExample"]) {
    const value = query.get(name);
    if (value !== null && value !== "true" && value !== "false") {
      return bad(name, "must be true or false", requestId);
    }
  }
  const limits: Record<string, number | undefined> = {};
  for (
    const [name, min] of [["pageSize", 1], ["pageOffset", 0], [
      "expiresIn",
      0,
    ]] as const
  ) {
    const text = query.get(name);
    limits[name] = wholeNumber(text, min);
    if (text !== null && limits[name] === undefined) {
      return bad(name, `must be a whole number >= ${min}`, requestId);
    }
  }
  const samples = samplesOf();
  const from = Math.min(limits.pageOffset ?? 0, samples.length);
  const to = limits.pageSize === undefined
    ? samples.length
    : Math.min(samples.length, from + limits.pageSize);
  const expires = limits.expiresIn ?? DEFAULT_EXPIRES_IN;
  const entries: string[] = [];
  for (let i = from; i < to; i++) {
    const name = fileNameOf(samples[i]);
    if (fileNameFormat === "NAME") entries.push(name);
    else if (fileNameFormat === "DATASOURCE_FULL") {
      entries.push(`s3://${BUCKET}/${datasetId}/${name}`);
    } else {
      entries.push(
        `https://${BUCKET}.s3.amazonaws.com/${datasetId}/${name}` +
          `?X-Amz-Expires=${expires}&X-Amz-Signature=${signature}${
            mix(samples[i]).toString(16)
          }`,
      );
    }
  }
  if (format === "JSON") return ok(entries);
  return {
    status: 200,
    body: entries.join("\n"),
    contentType: "text/plain; charset=utf-8",
  };
}

/**
 * Answers `GET …/embeddings/{embeddingId}/2d`: one UMAP projection with a
 * point per sample (none for an embedding not processed yet).
 *
 * @param datasetId The dataset.
 * @param sampleCount Its number of samples.
 * @param embedding The embedding.
 * @returns The answer: a list of `Embedding2dData`.
 *
 * @example
 * ```ts
 * import { embeddings2dAnswer } from "./export.ts";
 * const answer = embeddings2dAnswer("0123456789abcdef01234567", 3, {
 *   id: "0123456789abcdef01234568", name: "e", isProcessed: true, createdAt: 0,
 * });
 * ```
 */
export function embeddings2dAnswer(
  datasetId: string,
  sampleCount: number,
  embedding: DatasetEmbeddingData,
): StubAnswer {
  if (!embedding.isProcessed) return ok([]);
  const salt = mix(parseInt(embedding.id.slice(-6), 16));
  const xs = new Array<number>(sampleCount);
  const ys = new Array<number>(sampleCount);
  for (let i = 0; i < sampleCount; i++) [xs[i], ys[i]] = pointOf(i, salt);
  const projection: Embedding2dData = {
    id: `${embedding.id.slice(0, 22)}2d`,
    datasetId,
    embeddingId: embedding.id,
    name: `${embedding.name}-umap`,
    createdAt: embedding.createdAt,
    dimensionalityReductionMethod: "UMAP",
    coordinatesDimension1: xs,
    coordinatesDimension2: ys,
  };
  return ok([projection]);
}
