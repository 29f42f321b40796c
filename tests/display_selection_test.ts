import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { type Embedding2dData, isLightlyError, type TagData } from "../mod.ts";
import { displaySelection, JUPYTER_DISPLAY } from "../display.ts";

const VEGA = "application/vnd.vegalite.v5+json";

/** A bitmask of the given sample indices (written here, not the stub's). */
function mask(indices: Iterable<number>): string {
  let n = 0n;
  for (const i of indices) n |= 1n << BigInt(i);
  return `0x${n.toString(16)}`;
}

function tag(name: string, indices: number[]): TagData {
  return {
    id: "0123456789abcdef01234569",
    datasetId: "0123456789abcdef01234567",
    prevTagId: null,
    name,
    bitMaskData: mask(indices),
    totSize: indices.length,
    createdAt: 0,
  };
}

function embedding(n: number): Embedding2dData {
  return {
    id: "0123456789abcdef0123456a",
    datasetId: "0123456789abcdef01234567",
    embeddingId: "0123456789abcdef01234568",
    name: "embedding-1-umap",
    createdAt: 0,
    dimensionalityReductionMethod: "UMAP",
    coordinatesDimension1: Array.from({ length: n }, (_, i) => i % 100),
    coordinatesDimension2: Array.from(
      { length: n },
      (_, i) => Math.floor(i / 100),
    ),
  };
}

interface Point {
  x: number;
  y: number;
  sample: number;
  group: string;
}

function pointsOf(view: { vegaLite: Record<string, unknown> }): Point[] {
  return (view.vegaLite.data as { values: Point[] }).values;
}

Deno.test("displaySelection() bundles a Vega-Lite chart, an SVG fallback and a one-line summary", () => {
  const view = displaySelection({
    tag: tag("coreset-3", [0, 2, 5]),
    embedding2d: embedding(10),
    preselected: tag("labelled", [5, 9]),
  });
  const bundle = view[JUPYTER_DISPLAY]();
  assertEquals(Object.keys(bundle).sort(), [
    "application/vnd.vegalite.v5+json",
    "text/html",
    "text/plain",
  ]);
  const chart = bundle[VEGA]!;
  assertEquals(
    chart.$schema,
    "https://vega.github.io/schema/vega-lite/v5.json",
  );
  assertEquals(chart, view.vegaLite);
  const groups = Object.fromEntries(
    pointsOf(view).map((p) => [p.sample, p.group]),
  );
  assertEquals(groups, {
    0: "selected",
    1: "not selected",
    2: "selected",
    3: "not selected",
    4: "not selected",
    5: "preselected", // in the tag and preselected
    6: "not selected",
    7: "not selected",
    8: "not selected",
    9: "not selected", // preselected but not in the tag
  });
  assertEquals(view.counts, {
    total: 10,
    selected: 3,
    preselected: 1,
    drawn: 10,
  });
  const html = bundle["text/html"];
  assert(html.includes('data-lightly="selection"'));
  assert(html.includes("<svg"));
  assertEquals(html.match(/<path /g)?.length, 3, "one path per style");
  const text = bundle["text/plain"];
  assertEquals(text.split("\n").length, 1);
  assert(text.includes("3 of 10 samples"), text);
  assert(text.includes("1 preselected"), text);
  assertEquals(String(view), text);
});

Deno.test("displaySelection() draws the rest first and the selection on top", () => {
  const view = displaySelection({
    tag: tag("pick", [1, 3]),
    embedding2d: embedding(5),
  });
  assertEquals(pointsOf(view).map((p) => p.group), [
    "not selected",
    "not selected",
    "not selected",
    "selected",
    "selected",
  ]);
});

Deno.test("displaySelection() thins only the unselected points of a large dataset", () => {
  const selected = Array.from({ length: 25_000 }, (_, k) => k * 2);
  const view = displaySelection({
    tag: tag("half", selected),
    embedding2d: embedding(60_000),
  });
  const points = pointsOf(view);
  const chosen = points.filter((p) => p.group === "selected");
  const rest = points.filter((p) => p.group === "not selected");
  assertEquals(chosen.map((p) => p.sample), selected, "every selected sample");
  assertEquals(rest.length, 20_000);
  assertEquals(new Set(rest.map((p) => p.sample)).size, 20_000);
  assertEquals(view.counts.drawn, 45_000);
  assert(view.text.includes("drew 45000 of 60000 points"), view.text);
  const small = displaySelection({
    tag: tag("half", selected.slice(0, 10)),
    embedding2d: embedding(60_000),
    maxBackgroundPoints: 100,
  });
  assertEquals(small.counts.drawn, 110);
});

Deno.test("displaySelection() escapes names from the server in the SVG", () => {
  const view = displaySelection({
    tag: tag(`<script>alert("x")</script>`, [0]),
    embedding2d: { ...embedding(2), name: "<img src=x onerror=alert(1)>" },
  });
  assertFalse(view.html.includes("<script>"));
  assertFalse(view.html.includes("<img"));
  assert(view.html.includes("&lt;script&gt;"));
});

Deno.test("displaySelection() refuses a malformed bitmask and unequal coordinates, naming each", () => {
  const error = assertThrows(() =>
    displaySelection({
      tag: { ...tag("t", [0]), bitMaskData: "0xZZ" },
      embedding2d: { ...embedding(3), coordinatesDimension2: [1] },
      maxBackgroundPoints: -1,
    })
  );
  assert(isLightlyError(error, "validation"));
  assertEquals(error.issues.map((i: { path: string }) => i.path), [
    "tag.bitMaskData",
    "embedding2d.coordinatesDimension1",
    "maxBackgroundPoints",
  ]);
});

Deno.test("displaySelection() hands out a chart the caller may change without changing the next picture", () => {
  const input = { tag: tag("pick", [1, 3]), embedding2d: embedding(5) };
  type Scale = { scale: { domain: string[]; range: string[] } };
  const colour = (view: { vegaLite: Record<string, unknown> }) =>
    (view.vegaLite.encoding as { color: Scale }).color.scale;
  const first = displaySelection(input);
  colour(first).range[1] = "#000000";
  colour(first).domain[1] = "changed";
  const second = displaySelection(input);
  assertEquals(colour(second), {
    domain: ["not selected", "selected", "preselected"],
    range: ["#adb5bd", "#e8590c", "#1c7ed6"],
  });
  assertFalse(second.html.includes("#000000"));
});
