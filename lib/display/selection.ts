/** A picture of a selection: the tag's samples over the 2-D embedding. */
import {
  describeValue,
  ValidationError,
  type ValidationIssue,
} from "../core/errors.ts";
import type { Embedding2dData, TagData } from "../core/types.ts";
import { markup, type RichDisplay, richDisplay } from "./notebook.ts";

/** What {@linkcode displaySelection} draws. */
export interface SelectionDisplayInput {
  /** The tag whose samples are highlighted, e.g. `selectSamples`' `tag`. */
  tag: TagData;
  /** The 2-D embedding, e.g. the first of `getEmbeddings2d`. */
  embedding2d: Embedding2dData;
  /** The preselected tag, if any: its samples get a third style. */
  preselected?: TagData;
  /** The most unselected points drawn; above it they are thinned evenly (selected ones never are).
   * @default {20000} */
  maxBackgroundPoints?: number;
}

/** How many samples a {@linkcode SelectionDisplay} shows, by style. */
export interface SelectionCounts {
  /** Points of the 2-D embedding. */
  total: number;
  /** Samples of the tag (preselected ones included). */
  selected: number;
  /** Samples of the tag that are also preselected. */
  preselected: number;
  /** Points drawn, after thinning the unselected ones. */
  drawn: number;
}

/** A selection picture: a {@linkcode RichDisplay} with its chart and counts. */
export interface SelectionDisplay extends RichDisplay {
  /** The Vega-Lite 5 chart of the bundle. */
  readonly vegaLite: Record<string, unknown>;
  /** What was drawn. */
  readonly counts: SelectionCounts;
}

/** By group: 0 not selected, 1 selected, 2 preselected. */
const GROUPS = ["not selected", "selected", "preselected"];
const COLORS = ["#adb5bd", "#e8590c", "#1c7ed6"];
const DOT = [2.5, 4, 5];
const [WIDTH, HEIGHT, PAD] = [560, 400, 24];
const BITMASK = /^0x[a-f0-9]+$/;

type Point = { x: number; y: number; sample: number; group: string };

/** The first `n` bits of a `bitMaskData`, least significant first. */
function bits(bitMaskData: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0, at = bitMaskData.length - 1; i < n && at >= 2; i += 4, at--) {
    const nibble = parseInt(bitMaskData[at], 16);
    for (let bit = 0; bit < 4; bit++) out[i + bit] = nibble >> bit & 1;
  }
  return out;
}

/** The coordinates and the cap, or one error naming every problem. */
function check(input: SelectionDisplayInput): [number[], number[], number] {
  const issues: ValidationIssue[] = [];
  const bad = (path: string, rule: string, value: unknown) =>
    issues.push({ path, rule, received: describeValue(value) });
  for (const key of ["tag", "preselected"] as const) {
    const bits = input?.[key]?.bitMaskData;
    const given = key === "tag" || input?.[key] !== undefined;
    if (given && !(typeof bits === "string" && BITMASK.test(bits))) {
      bad(`${key}.bitMaskData`, `must match ${BITMASK.source}`, bits);
    }
  }
  const xs = input?.embedding2d?.coordinatesDimension1;
  const ys = input?.embedding2d?.coordinatesDimension2;
  if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length !== ys.length) {
    issues.push({
      path: "embedding2d.coordinatesDimension1",
      rule: "and coordinatesDimension2 must be lists of the same length",
    });
  }
  const max = input?.maxBackgroundPoints ?? 20_000;
  if (!Number.isSafeInteger(max) || max < 0) {
    bad("maxBackgroundPoints", "must be a whole number >= 0", max);
  }
  if (issues.length > 0) throw new ValidationError(issues, "display");
  return [xs!, ys!, max];
}

/** The SVG fallback: a legend, then one path per group with a round dot per `M x y h0`. */
function svg(points: Point[], title: string, legend: string[]) {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, p.x), x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y), y1 = Math.max(y1, p.y);
  }
  const sx = (WIDTH - 2 * PAD) / ((x1 - x0) || 1);
  const sy = (HEIGHT - 2 * PAD - 20) / ((y1 - y0) || 1);
  const d = ["", "", ""];
  for (const p of points) {
    d[GROUPS.indexOf(p.group)] += `M${(PAD + (p.x - x0) * sx).toFixed(1)} ${
      (HEIGHT - PAD - (p.y - y0) * sy).toFixed(1)
    }h0`;
  }
  const keys = legend.map((label, g) =>
    markup`<circle cx="${PAD + g * 170}" cy="14" r="4" fill="${
      COLORS[g]
    }"/><text x="${PAD + 8 + g * 170}" y="18">${label}</text>`
  );
  const paths = d.map((path, g) =>
    path &&
    markup`<path d="${path}" stroke="${COLORS[g]}" stroke-width="${
      DOT[g]
    }" stroke-linecap="round" fill="none"/>`
  );
  return markup`<div class="lightly-box" data-lightly="selection"><svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" style="font:12px system-ui,sans-serif"><title>${title}</title>${keys}${paths}</svg></div>`;
}

/**
 * Draws a selection over the 2-D embedding: the tag's samples highlighted
 * against the rest, the preselected samples in a third style. The bundle
 * holds a Vega-Lite chart (interactive in JupyterLab), an SVG fallback in
 * `text/html` (nbconvert, GitHub) and a one-line summary in `text/plain`.
 * Above `maxBackgroundPoints` unselected samples, those are thinned evenly so
 * the browser stays responsive; selected samples never are.
 *
 * @throws {ValidationError} A malformed bitmask, missing or unequal coordinates.
 *
 * @example Draw what a selection picked
 * ```ts
 * import { getEmbeddings2d, selectSamples } from "@lightly-sampling/lightly-sampling";
 * import { displaySelection } from "@lightly-sampling/lightly-sampling/display";
 * const options = { auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! } };
 * const datasetId = "0123456789abcdef01234567";
 * const body = { newTagName: "coreset-100", method: "CORESET", config: {} } as const;
 * const { tag, embeddingId } = await selectSamples({ datasetId, body }, options);
 * const [embedding2d] = await getEmbeddings2d(datasetId, embeddingId, options);
 * displaySelection({ tag, embedding2d }); // the cell's value: a chart
 * ```
 */
export function displaySelection(
  input: SelectionDisplayInput,
): SelectionDisplay {
  const [xs, ys, max] = check(input);
  const { tag, embedding2d, preselected } = input;
  const total = xs.length;
  // Preselected means "in the tag and in the preselected tag".
  const group = bits(tag.bitMaskData, total);
  const pre = preselected && bits(preselected.bitMaskData, total);
  if (pre) group.forEach((g, i) => group[i] = g + (g & pre[i]));
  const sizes = [0, 0, 0];
  for (const g of group) sizes[g]++;
  // Drawn in group order, the rest first; the rest thinned evenly to `max`.
  const groups: Point[][] = [[], [], []];
  for (let i = 0, k = 0; i < total; i++) {
    const g = group[i];
    const thin = g === 0 && sizes[0] > max &&
      Math.floor(++k * max / sizes[0]) === Math.floor((k - 1) * max / sizes[0]);
    if (!thin && Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
      groups[g].push({ x: xs[i], y: ys[i], sample: i, group: GROUPS[g] });
    }
  }
  const points = groups[0].concat(groups[1], groups[2]);
  const selected = sizes[1] + sizes[2];
  const drawn = points.length;
  const counts = { total, selected, preselected: sizes[2], drawn };
  const method = String(embedding2d.dimensionalityReductionMethod);
  const share = total > 0 ? (100 * selected / total).toFixed(1) : "0";
  const title = `${tag.name}: ${selected} of ${total} samples (${share}%)`;
  const axis = (field: string, n: number) => ({
    field,
    type: "quantitative",
    title: `${method} ${n}`,
    scale: { zero: false },
  });
  const byGroup = (hide: Record<string, null>, range: unknown[]) => ({
    field: "group",
    type: "nominal",
    ...hide,
    scale: { domain: [...GROUPS], range },
  });
  const vegaLite = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    description: `${title} over the ${method} projection "${embedding2d.name}"`,
    title,
    width: WIDTH - 2 * PAD,
    height: HEIGHT - 2 * PAD,
    data: { values: points },
    mark: { type: "circle", opacity: 0.8 },
    params: [{ name: "view", select: "interval", bind: "scales" }],
    encoding: {
      x: axis("x", 1),
      y: axis("y", 2),
      color: byGroup({ title: null }, [...COLORS]),
      size: byGroup({ legend: null }, [12, 40, 60]),
      tooltip: [{ field: "sample", type: "quantitative" }, { field: "group" }],
    },
  };
  const legend = GROUPS.slice(0, preselected ? 3 : 2)
    .map((name, g) => `${name} (${sizes[g]})`);
  const text = `selection ${title}${
    preselected ? `, ${sizes[2]} preselected` : ""
  }, over ${method} projection "${embedding2d.name}"${
    drawn < total ? `; drew ${drawn} of ${total} points` : ""
  }`;
  return Object.freeze({
    ...richDisplay(svg(points, title, legend), text, vegaLite),
    vegaLite,
    counts: Object.freeze(counts),
  });
}
