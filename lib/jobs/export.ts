/**
 * A tag's file names, datasource URLs or signed read URLs, a page at a time.
 * Read URLs are credentials for the user's bucket: handed to the caller, put into nothing else.
 */
import { getRequest, type LightlyRequest } from "../core/build.ts";
import { type Client, prepare } from "../core/client.ts";
import { UnexpectedResponseError } from "../core/errors.ts";
import { sendText } from "../core/http.ts";
import { retry } from "../core/policy.ts";
import { EXPORT_OPTIONS } from "../core/rules.ts";
import type { FileNameFormat } from "../core/types.ts";
import { pathIds, READS } from "./reads.ts";
import { readRetries, type RetryingReadOptions } from "./wait.ts";

/** The page size of an export, as Lightly's own client uses: 5000 entries. */
export const DEFAULT_EXPORT_PAGE_SIZE = 5000;
/** 5000 signed read URLs exceed the 1 MiB of other answers. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;

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

/** A page's entries, read one at a time: `string[]` is one. */
type Column = Pick<string[], "length" | "at">;

/** An export for a client or a free call: validated now, sent as iterated (three formats for `records`). */
export function exportWith<R extends boolean>(
  client: Client | undefined,
  datasetId: unknown,
  tagId: unknown,
  options: unknown,
  records: R,
): AsyncIterableIterator<R extends true ? TagFileRecord : string> {
  const { client: c, options: o, args } = prepare<ExportOptions>(
    client,
    "export",
    EXPORT_OPTIONS,
    options,
    ...pathIds(READS.getTag, [datasetId, tagId]),
  );
  const pageSize = o.pageSize ?? DEFAULT_EXPORT_PAGE_SIZE;
  let extra = "";
  if (o.expiresIn !== undefined) extra += `&expiresIn=${o.expiresIn}`;
  if (o.accessControl !== undefined) {
    extra += `&accessControl=${encodeURIComponent(o.accessControl)}`;
  }
  const path = `${READS.getTag.path(args)}/export/basic/filenames`;
  const formats: readonly FileNameFormat[] = records
    ? ["NAME", "REDIRECTED_READ_URL", "DATASOURCE_FULL"]
    : [o.fileNameFormat ?? "NAME"];
  const pick = records
    ? ([names, reads, sources]: Column[], i: number): TagFileRecord => ({
      fileName: names.at(i)!,
      readUrl: reads.at(i)!,
      datasourceUrl: sources.at(i)!,
    })
    : ([names]: Column[], i: number) => names.at(i)!;
  // One page in one format, retried like a poll.
  const fetchPage = (request: LightlyRequest) =>
    retry(async () => {
      const { text, contentType } = await sendText(request, {
        ...c.http(o.signal, o.requestTimeoutMs),
        maxBodyBytes: MAX_PAGE_BYTES,
      });
      return entriesOf(text, contentType, request);
    }, readRetries(o, request));

  // One settled promise per entry: an async generator would cost a promise
  // chain (tens of MiB at 1 000 000 entries).
  let columns: Column[] = [[]];
  let next = 0;
  let page = 0;
  let exported = 0;
  let ended = false;
  let closed = false;
  let loading: Promise<void> | undefined;
  const done = { value: undefined, done: true } as const;
  // The next page, in every format; a short one is the last (as Lightly's client stops).
  async function load(): Promise<void> {
    ended = true; // until this page came in whole: a failure ends the export
    const pageOffset = page * pageSize;
    const query = `pageSize=${pageSize}&pageOffset=${pageOffset}${extra}`;
    const requests = formats.map((format) =>
      getRequest(c, `${path}?fileNameFormat=${format}&${query}`)
    );
    const got: Column[] = [];
    for (const request of requests) got.push(await fetchPage(request));
    const lengths = got.map((column) => column.length);
    const entries = lengths[0];
    const problem = lengths.some((length) => length !== entries)
      ? `the formats ${formats.join(", ")} answered ${
        lengths.join(", ")
      } entries for pageOffset ${pageOffset}; they must agree`
      : entries > pageSize
      ? `${entries} entries for pageSize ${pageSize}: the server ignored paging`
      : undefined;
    if (problem) throw unexpected(requests[0], problem);
    if (entries === 0 || closed) return; // `return()` came while it loaded
    ended = entries < pageSize;
    columns = got;
    next = 0;
    exported += entries; // a page fetched again after onPage threw counts again
    o.onPage?.({ page, pageOffset, entries, exported });
    page++;
  }
  // A call while a page loads waits for it: entries are handed out in order.
  const step = (): Promise<IteratorResult<string | TagFileRecord>> => {
    if (loading) return loading.then(step);
    if (next < columns[0].length) {
      return Promise.resolve({ value: pick(columns, next++), done: false });
    }
    if (ended) return Promise.resolve(done);
    loading = load().finally(() => loading = undefined);
    return loading.then(step);
  };
  return {
    next: step,
    return() {
      ended = closed = true;
      columns = [[]];
      return Promise.resolve(done);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncIterableIterator<R extends true ? TagFileRecord : string>;
}

// No body snippet: a page may hold signed read URLs.
const unexpected = (
  { method, url }: LightlyRequest,
  reason: string,
  contentType?: string,
) =>
  new UnexpectedResponseError({
    method,
    url,
    status: 200,
    contentType,
    reason,
  });

/** A page's entries: plain text lines, or a JSON string or list of strings. */
function entriesOf(
  text: string,
  contentType: string,
  request: LightlyRequest,
): Column {
  if (/\bjson\b/i.test(contentType)) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw unexpected(request, "body is not valid JSON", contentType);
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
    text = body;
  }
  // Lines cut out only when read: a third less peak RSS than 5000 strings at once.
  const ends: number[] = [];
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) {
    ends.push(at);
  }
  // A last line without "\n" counts too.
  if (text.length > 0 && !text.endsWith("\n")) ends.push(text.length);
  return {
    length: ends.length,
    at(i) {
      const line = text.slice(i === 0 ? 0 : ends[i - 1] + 1, ends[i]);
      return line.endsWith("\r") ? line.slice(0, -1) : line;
    },
  };
}

/**
 * Streams a tag's entries — file names, datasource URLs or signed read URLs
 * — in sample order: `GET /v1/datasets/{datasetId}/tags/{tagId}/export/basic/filenames`,
 * a page (`pageSize`, `pageOffset`) at a time, until a short page. Each page
 * is retried like a poll and read up to 64 MiB. Checked when called; sent
 * as iterated; breaking out of the loop sends nothing more.
 *
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

/**
 * Streams a tag's samples as `{ fileName, readUrl, datasourceUrl }`: each
 * page in the three formats before the next (they must agree in length);
 * otherwise as {@linkcode exportTagFilenames}.
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
