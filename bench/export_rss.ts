/**
 * Memory gate: the peak RSS of a process that exports a 1 000 000-sample tag
 * through the library (`exportTagFilenames`, and `exportTagFileRecords` with
 * its three formats per page), counting the entries and checking their order.
 * The stub runs in this process; each export runs in a fresh child process
 * that reports its own peak RSS (`VmHWM` of `/proc/self/status`, which Deno
 * lets only an `--allow-all` process read), next to a
 * child that only loads the library (the baseline), and an export of a
 * 100 000-sample tag (memory is flat when both peak alike). Exits 1 when the
 * file-name export's peak RSS is above the target (100 MiB); the three-format
 * export (`exportTagFileRecords`, signed read URLs included) is reported.
 *
 * Run: deno run --allow-net=127.0.0.1 --allow-run --allow-read bench/export_rss.ts
 */
import { exportTagFilenames, exportTagFileRecords } from "../mod.ts";
import { startLightlyStub } from "../testing.ts";

const TARGET_MIB = 100;
const SAMPLES = 1_000_000;

function peakRssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

/** The child: one export (or none), then `{ entries, ms, peakMiB }` on stdout. */
async function child(mode: string, [url, token, datasetId, tagId]: string[]) {
  const options = { baseUrl: url, auth: { apiKey: token } };
  const started = performance.now();
  let entries = 0;
  let ordered = true;
  let previous = "";
  if (mode === "names") {
    for await (const name of exportTagFilenames(datasetId, tagId, options)) {
      if (name <= previous) ordered = false; // the stub's names sort in sample order
      previous = name;
      entries++;
    }
  } else if (mode === "records") {
    for await (
      const { fileName, readUrl } of exportTagFileRecords(
        datasetId,
        tagId,
        options,
      )
    ) {
      if (fileName <= previous || !readUrl.includes(fileName)) ordered = false;
      previous = fileName;
      entries++;
    }
  }
  const ms = Math.round(performance.now() - started);
  console.log(JSON.stringify({ entries, ordered, ms, peakMiB: peakRssMiB() }));
}

async function measure(mode: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      // Deno reads /proc/self only with every permission.
      "--allow-all",
      import.meta.filename!,
      "child",
      mode,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

if (Deno.args[0] === "child") {
  await child(Deno.args[1], Deno.args.slice(2));
} else {
  // A 100 000-sample tag beside the 1 000 000 of initial-tag: flat memory
  // means both peak alike.
  const tenth = Array.from({ length: SAMPLES / 10 }, (_, k) => k * 10);
  await using stub = startLightlyStub({
    datasets: [{
      sampleCount: SAMPLES,
      tags: [{ name: "tenth", samples: tenth }],
    }],
  });
  const args = [stub.url, stub.token, stub.datasetId, stub.initialTagId];
  const tenthId = stub.datasets()[0].tags[1].id;
  const baseline = await measure("none", args);
  console.log(
    `baseline (library loaded, nothing exported): ${
      baseline.peakMiB.toFixed(1)
    } MiB peak RSS`,
  );
  const small = await measure("names", [...args.slice(0, 3), tenthId]);
  console.log(
    `names   ${small.entries} entries in ${small.ms} ms: ${
      small.peakMiB.toFixed(1)
    } MiB peak RSS (for comparison)`,
  );
  let failed = false;
  for (const mode of ["names", "records"]) {
    const run = await measure(mode, args);
    const complete = run.entries === SAMPLES && run.ordered;
    // The gate is the file names; the three formats are only reported.
    const gated = mode === "names";
    const ok = complete && (!gated || run.peakMiB <= TARGET_MIB);
    failed ||= !ok;
    console.log(
      `${mode.padEnd(7)} ${run.entries} entries${
        run.ordered ? "" : " OUT OF ORDER"
      } in ${run.ms} ms: ${run.peakMiB.toFixed(1)} MiB peak RSS ` +
        (gated ? `(target <= ${TARGET_MIB} MiB) ` : "(reported) ") +
        (ok ? "ok" : "FAILED"),
    );
  }
  if (failed) Deno.exitCode = 1;
}
