/**
 * `export` and `select --export FILE`: a tag's entries — file names, signed
 * read URLs or datasource URLs — one per line, streamed to stdout or to a
 * file. A file is written under a temporary name in its own folder and
 * renamed only once every entry is in, so a failed or interrupted export
 * never leaves a file that looks complete.
 *
 * @module
 */
import type { FileNameFormat, TagData } from "../../mod.ts";
import type { CommandLineOptions } from "./args.ts";
import type { CliConfig } from "./config.ts";
import { CliUsageError } from "./errors.ts";
import { EXIT } from "./exit_codes.ts";
import { loadLibrary, OBJECT_ID_PATTERN } from "./library.ts";
import type { Output } from "./output.ts";
import { requirePermissions } from "./permissions.ts";
import { createProgress, formatCount } from "./progress.ts";
import { closest } from "./suggest.ts";

/** What an export works with. */
export interface ExportContext {
  /** The command line. */
  readonly options: CommandLineOptions;
  /** Where to write. */
  readonly out: Output;
  /** Ctrl-C. */
  readonly signal: AbortSignal;
}

/** Host and credentials. */
export type ExportClient = Pick<CliConfig, "baseUrl" | "auth">;

/** What an export wrote. */
export interface ExportSummary {
  /** The tag exported. */
  tagId: string;
  /** Its name. */
  tagName: string;
  /** The entries written: the tag's `totSize`. */
  entries: number;
  /** The API's `fileNameFormat`. */
  format: FileNameFormat;
  /** The file written; absent for stdout. */
  output?: string;
}

/** The key of each entry in `--json` lines. */
const JSON_KEY: Readonly<Record<FileNameFormat, string>> = {
  NAME: "fileName",
  REDIRECTED_READ_URL: "readUrl",
  DATASOURCE_FULL: "datasourceUrl",
};

/** A failure of the command line's own checks of an answer. */
class ExportFailure extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
    this.name = "ExportFailure";
  }
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message };
  }
}

interface Sink {
  write(entries: readonly string[]): Promise<void>;
  commit(): Promise<void>;
  discard(): void;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

/**
 * Checks, before anything is sent, that the folder of `path` may be written
 * (and read: Deno's rename needs both).
 *
 * @param path The file to write.
 * @throws {MissingPermissionError} Naming the flags to add.
 */
export function checkWritable(path: string): void {
  const folder = folderOf(path);
  requirePermissions([
    { name: "read", path: folder },
    { name: "write", path: folder },
  ]);
}

/** A temporary file next to `path`, renamed to it by `commit()`. */
async function fileSink(path: string, format: FileNameFormat): Promise<Sink> {
  const slash = path.lastIndexOf("/");
  const temp = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${
    crypto.randomUUID().slice(0, 8)
  }.part`;
  const file = await Deno.open(temp, {
    write: true,
    createNew: true,
    // Read URLs are credentials: only the owner may read them.
    ...(format === "REDIRECTED_READ_URL" ? { mode: 0o600 } : {}),
  });
  const encoder = new TextEncoder();
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  return {
    async write(entries) {
      let bytes = encoder.encode(entries.join("\n") + "\n");
      while (bytes.length > 0) bytes = bytes.subarray(await file.write(bytes));
    },
    async commit() {
      await file.sync();
      close();
      await Deno.rename(temp, path);
    },
    discard() {
      close();
      try {
        Deno.removeSync(temp);
      } catch { /* already gone */ }
    },
  };
}

function stdoutSink(out: Output, format: FileNameFormat): Sink {
  const key = JSON_KEY[format];
  return {
    write(entries) {
      if (out.json) {
        for (const entry of entries) out.jsonLine({ [key]: entry });
      } else out.text(entries.join("\n"));
      return Promise.resolve();
    },
    commit: () => Promise.resolve(),
    discard() {},
  };
}

/** Streams `tag`'s entries into `sink`, checking their count against `totSize`. */
async function pump(
  ctx: ExportContext,
  client: ExportClient,
  datasetId: string,
  tag: TagData,
  sink: Sink,
): Promise<ExportSummary> {
  const format = ctx.options.format ?? "NAME";
  const { exportTagFilenames } = await loadLibrary();
  const progress = createProgress({
    tty: ctx.out.stderrIsTerminal,
    colour: ctx.out.stderrColor,
    write: ctx.out.progress,
  });
  let shown = -1;
  let batch: string[] = [];
  let count = 0;
  try {
    progress.step(`exporting tag ${tag.name}`);
    for await (
      const entry of exportTagFilenames(datasetId, tag.id, {
        ...client,
        signal: ctx.signal,
        fileNameFormat: format,
        onPage: ({ exported }) => {
          // A live line on a terminal; in a log, a line per tenth.
          const step = ctx.out.stderrIsTerminal
            ? exported
            : Math.floor((10 * exported) / Math.max(1, tag.totSize));
          if (step === shown) return;
          shown = step;
          progress.step(
            `exporting tag ${tag.name} ${
              formatCount({ processed: exported, total: tag.totSize })
            }`,
          );
        },
      })
    ) {
      batch.push(entry);
      if (batch.length >= 5000) {
        count += batch.length;
        await sink.write(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await sink.write(batch);
    count += batch.length;
  } finally {
    progress.stop();
  }
  if (count !== tag.totSize) {
    throw new ExportFailure(
      "unexpected-response",
      `the export of tag ${tag.name} gave ${count} entries, but the tag has ${tag.totSize} samples`,
    );
  }
  return { tagId: tag.id, tagName: tag.name, entries: count, format };
}

/**
 * Exports a tag to stdout or to `output`, all or nothing.
 *
 * @param ctx The command line, output and Ctrl-C signal.
 * @param client Host and credentials.
 * @param datasetId The dataset.
 * @param tag The tag (its `totSize` is checked against the entries).
 * @param output The file to write; stdout when absent.
 * @returns What was written.
 */
export async function writeExport(
  ctx: ExportContext,
  client: ExportClient,
  datasetId: string,
  tag: TagData,
  output?: string,
): Promise<ExportSummary> {
  const format = ctx.options.format ?? "NAME";
  const sink = output === undefined
    ? stdoutSink(ctx.out, format)
    : await fileSink(output, format);
  try {
    const summary = await pump(ctx, client, datasetId, tag, sink);
    await sink.commit();
    return output === undefined ? summary : { ...summary, output };
  } catch (error) {
    sink.discard();
    if (output !== undefined) ctx.out.note(`nothing was written to ${output}`);
    throw error;
  }
}

/**
 * The `export` command.
 *
 * @param ctx The command line, output and Ctrl-C signal.
 * @param connect Resolves host and credentials and checks the net permission.
 * @returns The exit code.
 */
export async function exportCommand(
  ctx: ExportContext,
  connect: () => ExportClient,
): Promise<number> {
  const o = ctx.options;
  const datasetId = o.datasetId!;
  const problems = [["--dataset-id", datasetId], ["--tag-id", o.tagId]]
    .filter(([, id]) => id !== undefined && !OBJECT_ID_PATTERN.test(id))
    .map(([flag, id]) =>
      `${flag} must be a 24-character lower-case hex ObjectId (got ${
        JSON.stringify(id!.slice(0, 40))
      })`
    );
  if (problems.length > 0) throw new CliUsageError(problems);
  if (o.output !== undefined) checkWritable(o.output);
  const client = connect();
  const lib = await loadLibrary();
  const read = { ...client, signal: ctx.signal };
  let tag: TagData | undefined;
  if (o.tagId !== undefined) tag = await lib.getTag(datasetId, o.tagId, read);
  else {
    tag = await lib.findTagByName(datasetId, o.tag!, read);
    if (tag === undefined) {
      const names = (await lib.listTags(datasetId, read)).map((t) => t.name);
      const guess = closest(o.tag!, names);
      throw new ExportFailure(
        "tag-unknown",
        `dataset ${datasetId} has no tag named ${JSON.stringify(o.tag)}` +
          (guess ? `; did you mean ${JSON.stringify(guess)}?` : ""),
      );
    }
  }
  const summary = await writeExport(ctx, client, datasetId, tag, o.output);
  if (o.output !== undefined) {
    ctx.out.result([
      ["tag name", summary.tagName],
      ["tag id", summary.tagId],
      ["entries", String(summary.entries)],
      ["output", o.output],
    ], { datasetId, ...summary });
  } else if (o.json) ctx.out.jsonLine({ summary: { datasetId, ...summary } });
  else ctx.out.note(`${summary.entries} entries of tag ${summary.tagName}`);
  return EXIT.OK;
}
