/**
 * The stub's world: datasets (embeddings, tags), jobs, tag names reserved by
 * running jobs, and the rules that decide which jobs fail. Every operation
 * the endpoints need lives here and either returns API-shaped data or throws
 * a {@linkcode StubProblem} carrying the Lightly error code.
 *
 * @module
 */
import type {
  DatasetEmbeddingData,
  JobState,
  JobStatusData,
  SamplingCreateRequest,
  TagData,
} from "../core/types.ts";
import {
  bitMaskToIndexArray,
  bitMaskToIndices,
  indicesToBitMask,
} from "./bitmask.ts";
import { objectIds } from "./ids.ts";
import { jobPhase } from "./lifecycle.ts";
import {
  checkFailure,
  DEFAULT_JOB_ERROR,
  type ResolvedOptions,
  type StubJobFailure,
  type StubTrigger,
} from "./options.ts";
import {
  buildDataset,
  type DatasetRecord,
  type StubDatasetSeed,
} from "./seed.ts";
import { pickSamples, selectionSize } from "./selection.ts";

/** A refusal in the API's terms: status, Lightly error code, message. */
export class StubProblem extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The Lightly error code. */
  readonly code: string;

  /**
   * @param status The HTTP status.
   * @param code The Lightly error code, e.g. `DATASET_UNKNOWN`.
   * @param message The `error` text of the answer.
   */
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "StubProblem";
    this.status = status;
    this.code = code;
  }
}

/** A dataset as {@linkcode LightlyStub.datasets} shows it (a copy). */
export interface StubDatasetInfo {
  /** Its ObjectId. */
  id: string;
  /** Its number of samples (the `initial-tag`'s `totSize`). */
  sampleCount: number;
  /** Its embeddings, newest first, as `GET …/embeddings` answers. */
  embeddings: DatasetEmbeddingData[];
  /** Its tags in creation order, as `GET …/tags` answers. */
  tags: TagData[];
}

/** A job as {@linkcode LightlyStub.jobs} shows it (a copy). */
export interface StubJobInfo {
  /** Its ObjectId. */
  id: string;
  /** The dataset it samples. */
  datasetId: string;
  /** The embedding it samples on. */
  embeddingId: string;
  /** The request body it was started with. */
  request: SamplingCreateRequest;
  /** Its state now. */
  status: JobState;
  /** How many times `GET /v1/jobs/{jobId}` answered for it. */
  polls: number;
  /** `meta.processed`. */
  processed: number;
  /** `meta.total`: the size of the candidate pool. */
  total: number;
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds, once ended. */
  finishedAt?: number;
  /** The new tag's id, once finished. */
  tagId?: string;
  /** The error text, once failed (or decided to fail). */
  error?: string;
}

interface JobRecord {
  readonly id: string;
  readonly trigger: StubTrigger;
  readonly createdAt: number;
  readonly queryTagId: string;
  readonly total: number;
  readonly selected: readonly number[];
  readonly failure: string | undefined;
  polls: number;
  status: JobState;
  processed: number;
  lastModifiedAt: number;
  finishedAt?: number;
  tagId?: string;
}

/** The state of one stub. */
export class StubState {
  readonly #options: ResolvedOptions;
  readonly #nextId: () => string;
  readonly #ids = new Set<string>();
  readonly #datasets = new Map<string, DatasetRecord>();
  readonly #jobs = new Map<string, JobRecord>();
  readonly #failures: StubJobFailure[];
  /** Each tag's decoded samples, for the export: once per tag. */
  readonly #samples = new WeakMap<TagData, Uint32Array>();

  /**
   * Builds the state from the options' seeds.
   *
   * @param options The checked options.
   * @throws {TypeError} When a seed is invalid.
   */
  constructor(options: ResolvedOptions) {
    this.#options = options;
    const nextId = objectIds(options.clock);
    this.#nextId = () => {
      let id = nextId();
      while (this.#ids.has(id)) id = nextId();
      this.#ids.add(id);
      return id;
    };
    this.#failures = [...options.failJobs];
    options.datasets.forEach((seed, i) =>
      this.addDataset(seed, `options.datasets[${i}]`)
    );
  }

  /**
   * Adds a dataset.
   *
   * @param seed Its seed.
   * @param where Its name in error messages.
   * @returns A copy of the new dataset.
   */
  addDataset(
    seed: StubDatasetSeed,
    where = "addDataset(seed)",
  ): StubDatasetInfo {
    const claimed: string[] = [];
    const claim = (id: string, at: string) => {
      if (this.#ids.has(id) || claimed.includes(id)) {
        throw new TypeError(`startLightlyStub(): ${at} ${id} is already used`);
      }
      claimed.push(id);
      return id;
    };
    const made: string[] = [];
    const nextId = () => {
      const id = this.#nextId();
      made.push(id);
      return id;
    };
    try {
      const dataset = buildDataset(seed, where, {
        nextId,
        claim,
        now: this.#options.clock.now(),
      });
      for (const id of claimed) this.#ids.add(id);
      this.#datasets.set(dataset.id, dataset);
      return infoOf(dataset);
    } catch (error) {
      for (const id of made) this.#ids.delete(id);
      throw error;
    }
  }

  /**
   * Adds a job failure rule.
   *
   * @param rule The rule.
   * @param first Put it before every other rule (for a one-shot failure).
   */
  addFailure(rule: StubJobFailure, first = false): void {
    checkFailure(rule, "addJobFailure(rule)");
    if (first) this.#failures.unshift(rule);
    else this.#failures.push(rule);
  }

  /** Copies of every dataset, in the order they were added. */
  datasets(): StubDatasetInfo[] {
    this.#settle();
    return [...this.#datasets.values()].map(infoOf);
  }

  /** Copies of every job, oldest first. */
  jobs(): StubJobInfo[] {
    this.#settle();
    return [...this.#jobs.values()].map((job) =>
      structuredClone({
        id: job.id,
        datasetId: job.trigger.datasetId,
        embeddingId: job.trigger.embeddingId,
        request: job.trigger.body,
        status: job.status,
        polls: job.polls,
        processed: job.processed,
        total: job.total,
        createdAt: job.createdAt,
        ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
        ...(job.tagId === undefined ? {} : { tagId: job.tagId }),
        ...(job.failure === undefined ? {} : { error: job.failure }),
      })
    );
  }

  /**
   * Starts a sampling job, checking the request against the state.
   *
   * @param trigger The path ids and the validated body.
   * @returns The new job's id.
   * @throws {StubProblem} `DATASET_UNKNOWN`, `EMBEDDING_UNKNOWN`,
   *   `EMBEDDING_NOT_READY`, `TAG_QUERYTAG_NOT_IN_DATASET`,
   *   `TAG_PRESELECTEDTAG_NOT_IN_DATASET`, `TAG_NO_TAG_IN_DATASET`,
   *   `TAG_NAME_EXISTS`.
   */
  trigger(trigger: StubTrigger): string {
    this.#settle();
    const { embeddingId, body } = trigger;
    const dataset = this.#dataset(trigger.datasetId);
    const embedding = dataset.embeddings.find((e) => e.id === embeddingId);
    if (!embedding) {
      throw new StubProblem(
        404,
        "EMBEDDING_UNKNOWN",
        `embedding ${embeddingId} does not exist in dataset ${dataset.id}`,
      );
    }
    if (!embedding.isProcessed) {
      throw new StubProblem(
        400,
        "EMBEDDING_NOT_READY",
        `embedding ${embeddingId} is not processed yet`,
      );
    }
    const tagOf = (id: string) => dataset.tags.find((t) => t.id === id);
    let query: TagData | undefined;
    if (body.queryTagId !== undefined) {
      query = tagOf(body.queryTagId);
      if (!query) {
        throw new StubProblem(
          400,
          "TAG_QUERYTAG_NOT_IN_DATASET",
          `queryTagId ${body.queryTagId} is not a tag of dataset ${dataset.id}`,
        );
      }
    }
    let preselected: TagData | undefined;
    if (body.preselectedTagId !== undefined) {
      preselected = tagOf(body.preselectedTagId);
      if (!preselected) {
        throw new StubProblem(
          400,
          "TAG_PRESELECTEDTAG_NOT_IN_DATASET",
          `preselectedTagId ${body.preselectedTagId} is not a tag of dataset ${dataset.id}`,
        );
      }
    }
    query ??= dataset.tags.find((t) => t.name === "initial-tag");
    if (!query) {
      throw new StubProblem(
        400,
        "TAG_NO_TAG_IN_DATASET",
        `dataset ${dataset.id} has no tags`,
      );
    }
    if (this.#nameTaken(dataset, body.newTagName)) {
      throw new StubProblem(
        409,
        "TAG_NAME_EXISTS",
        `a tag named ${
          JSON.stringify(body.newTagName)
        } already exists in dataset ${dataset.id}`,
      );
    }
    const pool = bitMaskToIndices(query.bitMaskData);
    const size = selectionSize(
      body.config.stoppingCondition?.nSamples,
      pool.length,
    );
    const selected = pickSamples(
      pool,
      size,
      preselected ? bitMaskToIndices(preselected.bitMaskData) : [],
    );
    const now = this.#options.clock.now();
    const job: JobRecord = {
      id: this.#nextId(),
      trigger: structuredClone(trigger),
      createdAt: now,
      queryTagId: query.id,
      total: pool.length,
      selected,
      failure: this.#failureFor(trigger),
      polls: 0,
      status: "WAITING",
      processed: 0,
      lastModifiedAt: now,
    };
    this.#jobs.set(job.id, job);
    return job.id;
  }

  /**
   * Answers one poll of a job: counts it, advances the job, and on the poll
   * that ends it creates its tag (or marks it failed).
   *
   * @param jobId The job's id.
   * @returns The `JobStatusData`.
   * @throws {StubProblem} `JOB_UNKNOWN`.
   */
  pollJob(jobId: string): JobStatusData {
    const job = this.#jobs.get(jobId);
    if (!job) {
      throw new StubProblem(404, "JOB_UNKNOWN", `job ${jobId} does not exist`);
    }
    job.polls += 1;
    this.#settle();
    return this.#statusOf(job);
  }

  /**
   * The tags of a dataset, in creation order (`initial-tag` first).
   *
   * @param datasetId The dataset's id.
   * @returns Copies of its tags.
   * @throws {StubProblem} `DATASET_UNKNOWN`.
   */
  tags(datasetId: string): TagData[] {
    this.#settle();
    return structuredClone(this.#dataset(datasetId).tags);
  }

  /**
   * One tag of a dataset.
   *
   * @param datasetId The dataset's id.
   * @param tagId The tag's id.
   * @returns A copy of the tag.
   * @throws {StubProblem} `DATASET_UNKNOWN`, `TAG_UNKNOWN`.
   */
  tag(datasetId: string, tagId: string): TagData {
    return structuredClone(this.#tag(datasetId, tagId));
  }

  /**
   * A tag's sample indices, ascending: decoded on first use, then cached.
   *
   * @param datasetId The dataset's id.
   * @param tagId The tag's id.
   * @returns The indices (do not modify).
   * @throws {StubProblem} `DATASET_UNKNOWN`, `TAG_UNKNOWN`.
   */
  tagSamples(datasetId: string, tagId: string): Uint32Array {
    const tag = this.#tag(datasetId, tagId);
    let samples = this.#samples.get(tag);
    if (samples === undefined) {
      samples = bitMaskToIndexArray(tag.bitMaskData);
      this.#samples.set(tag, samples);
    }
    return samples;
  }

  /**
   * One embedding of a dataset, and the dataset's number of samples.
   *
   * @param datasetId The dataset's id.
   * @param embeddingId The embedding's id.
   * @returns A copy of the embedding and the sample count.
   * @throws {StubProblem} `DATASET_UNKNOWN`, `EMBEDDING_UNKNOWN`.
   */
  embedding(
    datasetId: string,
    embeddingId: string,
  ): { embedding: DatasetEmbeddingData; sampleCount: number } {
    const dataset = this.#dataset(datasetId);
    const embedding = dataset.embeddings.find((e) => e.id === embeddingId);
    if (!embedding) {
      throw new StubProblem(
        404,
        "EMBEDDING_UNKNOWN",
        `embedding ${embeddingId} does not exist in dataset ${datasetId}`,
      );
    }
    return {
      embedding: structuredClone(embedding),
      sampleCount: dataset.sampleCount,
    };
  }

  #tag(datasetId: string, tagId: string): TagData {
    this.#settle();
    const tag = this.#dataset(datasetId).tags.find((t) => t.id === tagId);
    if (!tag) {
      throw new StubProblem(
        404,
        "TAG_UNKNOWN",
        `tag ${tagId} does not exist in dataset ${datasetId}`,
      );
    }
    return tag;
  }

  /**
   * The embeddings of a dataset, newest first.
   *
   * @param datasetId The dataset's id.
   * @returns Copies of its embeddings.
   * @throws {StubProblem} `DATASET_UNKNOWN`.
   */
  embeddings(datasetId: string): DatasetEmbeddingData[] {
    return structuredClone(this.#dataset(datasetId).embeddings);
  }

  #dataset(datasetId: string): DatasetRecord {
    const dataset = this.#datasets.get(datasetId);
    if (!dataset) {
      throw new StubProblem(
        404,
        "DATASET_UNKNOWN",
        `dataset ${datasetId} does not exist`,
      );
    }
    return dataset;
  }

  /** Taken: an existing tag's name, or the name a running job will create. */
  #nameTaken(dataset: DatasetRecord, name: string): boolean {
    if (dataset.tags.some((t) => t.name === name)) return true;
    for (const job of this.#jobs.values()) {
      if (
        job.trigger.datasetId === dataset.id &&
        job.trigger.body.newTagName === name && job.finishedAt === undefined
      ) return true;
    }
    return false;
  }

  #failureFor(trigger: StubTrigger): string | undefined {
    const name = trigger.body.newTagName;
    const index = this.#failures.findIndex(({ match }) => {
      if (match === undefined) return true;
      if (typeof match === "string") return match === name;
      if (match instanceof RegExp) {
        match.lastIndex = 0;
        return match.test(name);
      }
      return match(structuredClone(trigger));
    });
    if (index < 0) return undefined;
    const rule = this.#failures[index];
    if (rule.once) this.#failures.splice(index, 1);
    return rule.error ?? DEFAULT_JOB_ERROR;
  }

  /** Advances every job that has not ended to where it stands now. */
  #settle(): void {
    const now = this.#options.clock.now();
    for (const job of this.#jobs.values()) {
      if (job.finishedAt !== undefined) continue;
      const phase = jobPhase(job, this.#options, now);
      if (phase.state !== "ENDED") {
        if (phase.state !== job.status || phase.processed !== job.processed) {
          job.lastModifiedAt = now;
        }
        job.status = phase.state;
        job.processed = phase.processed;
        continue;
      }
      const at = phase.endedAt ?? now;
      job.finishedAt = at;
      job.lastModifiedAt = at;
      if (job.failure !== undefined) {
        job.status = "FAILED";
        continue;
      }
      job.status = "FINISHED";
      job.processed = phase.processed;
      job.tagId = this.#createTag(job, at);
    }
  }

  #createTag(job: JobRecord, at: number): string {
    const { body, datasetId } = job.trigger;
    const dataset = this.#datasets.get(datasetId)!;
    const tag: TagData = {
      id: this.#nextId(),
      datasetId,
      prevTagId: job.queryTagId,
      queryTagId: job.queryTagId,
      ...(body.preselectedTagId === undefined
        ? {}
        : { preselectedTagId: body.preselectedTagId }),
      name: body.newTagName,
      bitMaskData: indicesToBitMask(job.selected),
      totSize: job.selected.length,
      createdAt: at,
      lastModifiedAt: at,
    };
    dataset.tags.push(tag);
    return tag.id;
  }

  #statusOf(job: JobRecord): JobStatusData {
    const status: JobStatusData = {
      id: job.id,
      datasetId: job.trigger.datasetId,
      status: job.status,
      meta: { total: job.total, processed: job.processed },
      waitTimeTillNextPoll: this.#options.waitTimeTillNextPoll,
      createdAt: job.createdAt,
      lastModifiedAt: job.lastModifiedAt,
    };
    if (job.finishedAt !== undefined) status.finishedAt = job.finishedAt;
    if (job.status === "FAILED") status.error = job.failure;
    if (job.tagId !== undefined) {
      status.result = { type: "SAMPLING", data: job.tagId };
    }
    return status;
  }
}

function infoOf(dataset: DatasetRecord): StubDatasetInfo {
  return structuredClone({
    id: dataset.id,
    sampleCount: dataset.sampleCount,
    embeddings: dataset.embeddings,
    tags: dataset.tags,
  });
}
