/**
 * After the job, what was selected: a tag's file names, datasource URLs or
 * signed read URLs, streamed page by page (one page held at a time, whatever
 * the tag's size). Read URLs are credentials for the user's bucket: handed
 * to the caller, put into nothing else.
 *
 * @module
 */
import { getRequest, type LightlyRequest } from "../core/build.ts";
import { type Client, prepare } from "../core/client.ts";
import { AbortedError, UnexpectedResponseError } from "../core/errors.ts";
import { sendText } from "../core/http.ts";
import { retry, systemClock } from "../core/policy.ts";
import { EXPORT_OPTIONS, objectId } from "../core/rules.ts";
import type { FileNameFormat } from "../core/types.ts";
import { DATASET_ID } from "./reads.ts";
import {
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
  type RetryingReadOptions,
} from "./wait.ts";

/** The page size of an export, as Lightly's own client uses: 5000 entries. */
export const DEFAULT_EXPORT_PAGE_SIZE = 5000;
/** The largest export page read: 64 MiB (5000 signed read URLs exceed the 1 MiB of other answers). */
export const MAX_EXPORT_PAGE_BYTES = 64 * 1024 * 1024;
const TAG_ID = objectId("tagId");

/** One page's news, for progress displays. */
export interface ExportProgress {
  /** The page, from 0. */
  page: number;
  /** Its `pageOffset`, in samples. */
  pageOffset: number;
  /** Entries in this page. */
  entries: number;
  /** Entries so far, this page included. */
  exported: number;
}

/** Options of {@linkcode exportTagFilenames}. */
export interface ExportOptions extends RetryingReadOptions {
  /** What each entry is: the file name, the datasource URL, or a signed read URL (a credential).
   * @default {"NAME"} */
  fileNameFormat?: FileNameFormat;
  /** Entries per request.
   * @default {5000} */
  pageSize?: number;
  /** Seconds a read URL stays valid (`expiresIn`).
   * @default {undefined} the server's default */
  expiresIn?: number;
  /** The `accessControl` query parameter, passed as is.
   * @default {undefined} */
  accessControl?: string;
  /** Called after each non-empty page, before its entries are yielded.
   * @default {undefined} */
  onPage?: (event: ExportProgress) => void;
}

/** Options of {@linkcode exportTagFileRecords}: those of an export, without a format. */
export type ExportRecordsOptions = Omit<ExportOptions, "fileNameFormat">;

/** One sample of a tag, in the three formats of the export. */
export interface TagFileRecord {
  /** The file name, relative to the dataset (`NAME`). */
  fileName: string;
  /** A signed read URL (`REDIRECTED_READ_URL`): a credential. */
  readUrl: string;
  /** The full datasource URL (`DATASOURCE_FULL`). */
  datasourceUrl: string;
}

type ExportCall = Readonly<
  Omit<ExportOptions, "baseUrl" | "auth" | "headers" | "fetch">
>;

/** What every page request of one export shares. */
interface ExportPlan {
  readonly client: Client;
  readonly path: string;
  readonly o: ExportCall;
  readonly pageSize: number;
  readonly extra: string;
}

/** An export for a client or a free call: validated now, sent as iterated (three formats for `records`). */
export function exportWith<R extends boolean>(
  client: Client | undefined,
  datasetId: unknown,
  tagId: unknown,
  options: unknown,
  records: R,
): AsyncIterableIterator<R extends true ? TagFileRecord : string> {
  const call = prepare<ExportCall>(
    client,
    "export",
    EXPORT_OPTIONS,
    options,
    [DATASET_ID, datasetId],
    [TAG_ID, tagId],
  );
  const o = call.options;
  let extra = "";
  if (o.expiresIn !== undefined) extra += `&expiresIn=${o.expiresIn}`;
  if (o.accessControl !== undefined) {
    extra += `&accessControl=${encodeURIComponent(o.accessControl)}`;
  }
  const [d, t] = call.args;
  const plan = {
    client: call.client,
    path: `/v1/datasets/${d}/tags/${t}/export/basic/filenames`,
    o,
    pageSize: o.pageSize ?? DEFAULT_EXPORT_PAGE_SIZE,
    extra,
  };
  type Out = AsyncIterableIterator<R extends true ? TagFileRecord : string>;
  if (!records) {
    return new Entries(
      pages(plan, [o.fileNameFormat ?? "NAME"]),
      (columns, i) => columns[0].at(i)!,
    ) as Out;
  }
  const formats = ["NAME", "REDIRECTED_READ_URL", "DATASOURCE_FULL"] as const;
  return new Entries(pages(plan, formats), ([names, reads, sources], i) => ({
    fileName: names.at(i)!,
    readUrl: reads.at(i)!,
    datasourceUrl: sources.at(i)!,
  })) as Out;
}

function pageRequest(
  plan: ExportPlan,
  format: FileNameFormat,
  pageOffset: number,
): LightlyRequest {
  return getRequest(
    plan.client,
    `${plan.path}?fileNameFormat=${format}&pageSize=${plan.pageSize}&pageOffset=${pageOffset}${plan.extra}`,
  );
}

function unexpected(
  request: LightlyRequest,
  reason: string,
  contentType?: string,
): UnexpectedResponseError {
  // No body snippet: a page may hold signed read URLs.
  return new UnexpectedResponseError({
    method: request.method,
    url: request.url,
    status: 200,
    contentType,
    reason,
  });
}

/** A page's entries, read one at a time: `string[]` is one. */
interface Column {
  readonly length: number;
  at(index: number): string | undefined;
}

/** A page's lines, cut out only when read (a third less peak RSS than 5000 strings at once). */
class Lines implements Column {
  readonly #text: string;
  readonly #ends: Uint32Array;

  constructor(text: string) {
    let count = 0;
    for (
      let at = text.indexOf("\n");
      at >= 0;
      at = text.indexOf("\n", at + 1)
    ) {
      count++;
    }
    // A last line without "\n" counts too.
    const last = text.length > 0 && !text.endsWith("\n");
    this.#ends = new Uint32Array(count + (last ? 1 : 0));
    for (let i = 0, at = -1; i < count; i++) {
      this.#ends[i] = at = text.indexOf("\n", at + 1);
    }
    if (last) this.#ends[count] = text.length;
    this.#text = text;
  }

  get length(): number {
    return this.#ends.length;
  }

  at(index: number): string | undefined {
    if (index < 0 || index >= this.#ends.length) return undefined;
    const start = index === 0 ? 0 : this.#ends[index - 1] + 1;
    let end = this.#ends[index];
    if (end > start && this.#text.charCodeAt(end - 1) === 13) end--; // "\r\n"
    return this.#text.slice(start, end);
  }
}

/** A page's entries: plain text lines, or a JSON string or list of strings. */
function entriesOf(
  text: string,
  contentType: string,
  request: LightlyRequest,
): Column {
  let body: unknown = text;
  if (/\bjson\b/i.test(contentType)) {
    try {
      body = JSON.parse(text);
    } catch {
      throw unexpected(request, "body is not valid JSON", contentType);
    }
  }
  if (Array.isArray(body) && body.every((e) => typeof e === "string")) {
    return body;
  }
  if (typeof body !== "string") {
    throw unexpected(
      request,
      "body is neither text nor a JSON string or list of strings",
      contentType,
    );
  }
  return new Lines(body);
}

/** One page in one format, retried like a poll. */
function fetchPage(
  plan: ExportPlan,
  format: FileNameFormat,
  pageOffset: number,
): Promise<Column> {
  const { client, o } = plan;
  const request = pageRequest(plan, format, pageOffset);
  return retry(async () => {
    const { text, contentType } = await sendText(request, {
      ...client.http(o.signal, o.requestTimeoutMs),
      maxBodyBytes: MAX_EXPORT_PAGE_BYTES,
    });
    return entriesOf(text, contentType, request);
  }, {
    maxAttempts: o.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES,
    retryIf: (verdict) => verdict.retryRead,
    backoff: o.backoff,
    clock: o.clock ?? systemClock,
    signal: o.signal,
    method: request.method,
    url: request.url,
  });
}

/** The pages, one column per format, until one shorter than the page size (as Lightly's client stops). */
async function* pages(
  plan: ExportPlan,
  formats: readonly FileNameFormat[],
): AsyncGenerator<Column[], void, undefined> {
  const { pageSize, o } = plan;
  let exported = 0;
  for (let page = 0;; page++) {
    const pageOffset = page * pageSize;
    const columns: Column[] = [];
    for (const format of formats) {
      if (o.signal?.aborted) {
        const { method, url } = pageRequest(plan, format, pageOffset);
        throw new AbortedError({ method, url, cause: o.signal.reason });
      }
      columns.push(await fetchPage(plan, format, pageOffset));
    }
    const count = columns[0].length;
    const request = () => pageRequest(plan, formats[0], pageOffset);
    if (columns.some((column) => column.length !== count)) {
      throw unexpected(
        request(),
        `the formats ${formats.join(", ")} answered ${
          columns.map((c) => c.length).join(", ")
        } entries for pageOffset ${pageOffset}; they must agree`,
      );
    }
    if (count > pageSize) {
      throw unexpected(
        request(),
        `${count} entries for pageSize ${pageSize}: the server ignored paging`,
      );
    }
    if (count > 0) {
      exported += count;
      o.onPage?.({ page, pageOffset, entries: count, exported });
      yield columns;
    }
    if (count < pageSize) return;
  }
}

/**
 * Streams a tag's entries — file names, datasource URLs or signed read URLs
 * — in sample order: `GET /v1/datasets/{datasetId}/tags/{tagId}/export/basic/filenames`,
 * a page (`pageSize`, `pageOffset`) at a time, until a short page. Each page
 * is retried like a poll, and read through a stream capped at
 * {@linkcode MAX_EXPORT_PAGE_BYTES}. Checked when called; sent as iterated;
 * breaking out of the loop sends nothing more.
 *
 * @param datasetId The dataset's ObjectId.
 * @param tagId The tag's ObjectId.
 * @param options Format, page size, read URL lifetime, host, credentials, retries, signal.
 * @returns The entries, one per sample of the tag.
 * @throws {ValidationError} At once: a bad id or option; nothing was sent.
 * @throws {LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   While iterating: a refusal, a page's last failure, a page longer than `pageSize`, the signal.
 *
 * @example Write a tag's file names to a file, one per line
 * ```ts ignore
 * import { exportTagFilenames } from "./export.ts";
 * using file = await Deno.open("selected.txt", { write: true, create: true });
 * const encoder = new TextEncoder();
 * for await (const name of exportTagFilenames("0123456789abcdef01234567", "89abcdef0123456789abcdef", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 * })) {
 *   await file.write(encoder.encode(name + "\n"));
 * }
 * ```
 */
export function exportTagFilenames(
  datasetId: string,
  tagId: string,
  options: ExportOptions = {},
): AsyncIterableIterator<string> {
  return exportWith(undefined, datasetId, tagId, options, false);
}

/** The entries, one settled promise each (an async generator costs a chain: tens of MiB at 1 000 000). */
class Entries<T> implements AsyncIterableIterator<T> {
  readonly #pages: AsyncGenerator<Column[], void, undefined>;
  readonly #pick: (columns: Column[], i: number) => T;
  #columns: Column[] = [[]];
  #next = 0;

  constructor(
    pages: AsyncGenerator<Column[], void, undefined>,
    pick: (columns: Column[], i: number) => T,
  ) {
    this.#pages = pages;
    this.#pick = pick;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#next < this.#columns[0].length) {
      const value = this.#pick(this.#columns, this.#next++);
      return Promise.resolve({ value, done: false });
    }
    return this.#turn();
  }

  async #turn(): Promise<IteratorResult<T, undefined>> {
    const page = await this.#pages.next();
    if (page.done) return { value: undefined, done: true };
    this.#columns = page.value;
    this.#next = 0;
    return this.next();
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    await this.#pages.return();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Streams a tag's samples as `{ fileName, readUrl, datasourceUrl }`, page
 * aligned: each page in the three formats before the next (they must agree
 * in length); otherwise as {@linkcode exportTagFilenames}.
 *
 * @param datasetId The dataset's ObjectId.
 * @param tagId The tag's ObjectId.
 * @param options Page size, read URL lifetime, host, credentials, retries, signal.
 * @returns The records, one per sample of the tag, in sample order.
 * @throws {ValidationError | LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   As {@linkcode exportTagFilenames}.
 *
 * @example
 * ```ts ignore
 * import { exportTagFileRecords } from "./export.ts";
 * for await (const { fileName, readUrl } of exportTagFileRecords(
 *   "0123456789abcdef01234567",
 *   "89abcdef0123456789abcdef",
 *   { auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! }, expiresIn: 3600 },
 * )) {
 *   await fetch(readUrl).then((r) => r.body?.cancel()); // download fileName
 * }
 * ```
 */
export function exportTagFileRecords(
  datasetId: string,
  tagId: string,
  options: ExportRecordsOptions = {},
): AsyncIterableIterator<TagFileRecord> {
  return exportWith(undefined, datasetId, tagId, options, true);
}
