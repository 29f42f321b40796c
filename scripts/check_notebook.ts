/**
 * Checks an executed copy of `examples/notebook.ipynb`: the Deno kernel ran
 * it, every code cell executed without an error output, the request, the job
 * (finished) and the tag rendered as HTML, and the selection rendered as a
 * Vega-Lite chart with its SVG fallback.
 *
 * Usage: `deno run --allow-read=<dir> scripts/check_notebook.ts <executed.ipynb>`
 *
 * @module
 */

/** One output of a code cell, as nbformat 4 stores it. */
interface CellOutput {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/** One cell, as nbformat 4 stores it. */
interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: CellOutput[];
}

/** The parts of an nbformat 4 notebook this check reads. */
interface Notebook {
  metadata?: { kernelspec?: { name?: string } };
  cells: Cell[];
}

/** What must be among the HTML outputs: a marker, and text inside it. */
const REQUIRED_HTML: readonly { kind: string; contains: string }[] = [
  { kind: "request", contains: "[REDACTED]" },
  { kind: "job", contains: "FINISHED" },
  { kind: "tag", contains: "Samples" },
  { kind: "selection", contains: "<svg" },
];

const VEGA_LITE = "application/vnd.vegalite.v5+json";

/** Whether a MIME value is a Vega-Lite 5 chart with points to draw. */
function isVegaLiteChart(value: unknown): boolean {
  const chart = value as { $schema?: unknown; data?: { values?: unknown } };
  return typeof chart?.$schema === "string" &&
    chart.$schema.includes("vega-lite/v5") &&
    Array.isArray(chart.data?.values) && chart.data.values.length > 0;
}

function joined(text: unknown): string {
  return Array.isArray(text) ? text.join("") : String(text ?? "");
}

/**
 * Lists every problem of an executed notebook; empty when it passes.
 *
 * @param notebook The parsed `.ipynb`.
 * @returns One line per problem.
 */
export function checkNotebook(notebook: Notebook): string[] {
  const problems: string[] = [];
  const kernel = notebook.metadata?.kernelspec?.name;
  if (kernel !== "deno") problems.push(`kernelspec is "${kernel}", not "deno"`);
  const html: string[] = [];
  const charts: unknown[] = [];
  const code = notebook.cells.filter((cell) => cell.cell_type === "code");
  if (code.length === 0) problems.push("the notebook has no code cell");
  code.forEach((cell, index) => {
    const first = joined(cell.source).split("\n")[0];
    const where = `code cell ${index + 1} (${first})`;
    if (typeof cell.execution_count !== "number") {
      problems.push(`${where} did not run`);
    }
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "error") {
        problems.push(`${where} failed: ${output.ename}: ${output.evalue}`);
      }
      const markup = output.data?.["text/html"];
      if (markup !== undefined) html.push(joined(markup));
      if (output.data?.[VEGA_LITE] !== undefined) {
        charts.push(output.data[VEGA_LITE]);
      }
    }
  });
  for (const { kind, contains } of REQUIRED_HTML) {
    const found = html.filter((h) => h.includes(`data-lightly="${kind}"`));
    if (found.length === 0) {
      problems.push(`no text/html output renders a ${kind}`);
    } else if (!found.some((h) => h.includes(contains))) {
      problems.push(`the ${kind} HTML never shows "${contains}"`);
    }
  }
  if (charts.length === 0) {
    problems.push(`no ${VEGA_LITE} output (the selection's chart)`);
  } else if (!charts.some(isVegaLiteChart)) {
    problems.push(`no ${VEGA_LITE} output is a Vega-Lite 5 chart with points`);
  }
  return problems;
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (path === undefined) {
    console.error("usage: check_notebook.ts <executed.ipynb>");
    Deno.exit(2);
  }
  const notebook: Notebook = JSON.parse(await Deno.readTextFile(path));
  const problems = checkNotebook(notebook);
  const cells = notebook.cells.filter((c) => c.cell_type === "code").length;
  if (problems.length > 0) {
    for (const problem of problems) console.error(`FAIL ${problem}`);
    Deno.exit(1);
  }
  console.log(
    `ok: ${cells} code cells ran without error; request, job and tag rendered as HTML; the selection as Vega-Lite and SVG`,
  );
}
