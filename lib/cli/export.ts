/**
 * `export` and `select --export FILE`: a tag's entries — file names, signed
 * read URLs or datasource URLs — one per line, to stdout or to a file. A file
 * is written under a temporary name in its own folder and renamed once every
 * entry is in: a failed or interrupted export never leaves a file that looks
 * complete.
 *
 * @module
 */
import type { FileNameFormat, TagData } from "../../mod.ts";
import { LightlyError, type LightlyErrorKind } from "../core/errors.ts";
import type { Connection } from "./config.ts";
import { connect, goOnline, type Library, type RunContext } from "./io.ts";
import { requirePermissions } from "./config.ts";
import { createProgress, formatCount } from "./progress.ts";
import { closest } from "./flags.ts";

/** The key of each entry in `--json` lines. */
const JSON_KEY: Readonly<Record<FileNameFormat, string>> = {
  NAME: "fileName",
  REDIRECTED_READ_URL: "readUrl",
  DATASOURCE_FULL: "datasourceUrl",
};

/** A failure the export finds itself: no tag of that name (1), a count that is off (3). */
class ExportFailure extends LightlyError {
  constructor(kind: "tag-unknown" | "unexpected-response", message: string) {
    super(kind as LightlyErrorKind, message);
    this.name = "ExportFailure";
  }
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

/** Before anything is sent: the folder of `path` may be written and read (Deno's rename needs both). */
export function checkWritable(path: string): void {
  const folder = folderOf(path);
  requirePermissions([
    { name: "read", path: folder },
    { name: "write", path: folder },
  ]);
}

/** Streams a tag's entries to stdout or `output`, all or nothing: as many as its `totSize`, the file only when complete. */
export async function writeExport(
  ctx: RunContext,
  lib: Library,
  client: Connection,
  tag: TagData,
  output?: string,
) {
  const datasetId = ctx.options.datasetId!;
  const format = ctx.options.format ?? "NAME";
  const out = ctx.out;
  const name = output?.slice(output.lastIndexOf("/") + 1);
  const id = crypto.randomUUID().slice(0, 8);
  const temp = output && `${folderOf(output)}/.${name}.${id}.part`;
  // Read URLs are credentials: only the owner may read a file of them.
  const file = temp === undefined ? undefined : await Deno.open(temp, {
    write: true,
    createNew: true,
    ...(format === "REDIRECTED_READ_URL" ? { mode: 0o600 } : {}),
  });
  const encoder = new TextEncoder();
  const write = async (batch: string[]) => {
    if (file !== undefined) {
      let bytes = encoder.encode(batch.join("\n") + "\n");
      while (bytes.length > 0) bytes = bytes.subarray(await file.write(bytes));
    } else if (out.json) {
      for (const entry of batch) out.jsonLine({ [JSON_KEY[format]]: entry });
    } else out.text(batch.join("\n"));
  };
  const progress = createProgress({ out, now: ctx.clock.now });
  let shown = -1;
  let count = 0;
  try {
    progress.step(`exporting tag ${tag.name}`);
    const batch: string[] = [];
    for await (
      const entry of lib.exportTagFilenames(datasetId, tag.id, {
        ...client,
        signal: ctx.signal,
        clock: ctx.clock,
        fileNameFormat: format,
        onPage: ({ exported }) => {
          // A live line on a terminal; in a log, a line per tenth.
          const step = out.stderrIsTerminal
            ? exported
            : Math.floor((10 * exported) / Math.max(1, tag.totSize));
          if (step === shown) return;
          shown = step;
          const done = formatCount({ processed: exported, total: tag.totSize });
          progress.step(`exporting tag ${tag.name} ${done}`);
        },
      })
    ) {
      count++;
      if (batch.push(entry) === 5000) await write(batch.splice(0));
    }
    if (batch.length > 0) await write(batch);
    progress.stop();
    if (count !== tag.totSize) {
      throw new ExportFailure(
        "unexpected-response",
        `the export of tag ${tag.name} gave ${count} entries, but the tag has ${tag.totSize} samples`,
      );
    }
    if (file !== undefined) {
      await file.sync();
      file.close();
      await Deno.rename(temp!, output!);
    }
  } catch (error) {
    progress.stop();
    if (file !== undefined) {
      try {
        file.close();
      } catch { /* closed already */ }
      await Deno.remove(temp!).catch(() => {});
      out.note(`nothing was written to ${output}`);
    }
    throw error;
  }
  return { tagId: tag.id, tagName: tag.name, entries: count, format, output };
}

/** The `export` command. */
export async function exportCommand(ctx: RunContext): Promise<void> {
  const o = ctx.options;
  const datasetId = o.datasetId!;
  if (o.output !== undefined) checkWritable(o.output);
  const client = connect(ctx);
  const lib = await goOnline(ctx);
  const read = { ...client, signal: ctx.signal };
  const tag = o.tagId !== undefined
    ? await lib.getTag(datasetId, o.tagId, read)
    : await lib.findTagByName(datasetId, o.tag!, read);
  if (tag === undefined) {
    const names = (await lib.listTags(datasetId, read)).map((t) => t.name);
    const guess = closest(o.tag!, names);
    throw new ExportFailure(
      "tag-unknown",
      `dataset ${datasetId} has no tag named ${JSON.stringify(o.tag)}` +
        (guess ? `; did you mean ${JSON.stringify(guess)}?` : ""),
    );
  }
  const summary = await writeExport(ctx, lib, client, tag, o.output);
  const json = { datasetId, ...summary };
  if (o.output !== undefined) {
    ctx.out.result([
      ["tag name", summary.tagName],
      ["tag id", summary.tagId],
      ["entries", String(summary.entries)],
      ["output", o.output],
    ], json);
  } else if (o.json) ctx.out.jsonLine({ summary: json });
  else ctx.out.note(`${summary.entries} entries of tag ${summary.tagName}`);
}
