/**
 * A picture of a selection: the 2-D embedding with the tag's samples
 * highlighted against the rest (and preselected samples in a third style).
 * One display carries a Vega-Lite chart (JupyterLab draws it natively,
 * interactive), a static SVG in `text/html` (nbconvert, GitHub) and a
 * one-line summary in `text/plain`.
 *
 * @module
 */
import {
  type Html,
  makeDisplay,
  markup,
  type RichDisplay,
} from "./notebook.ts";
import { ValidationError, type ValidationIssue } from "../core/errors.ts";
import type { Embedding2dData, TagData } from "../core/types.ts";
import { describeValue } from "../core/validate.ts";

/** The default cap on unselected points drawn: 20 000. */
export const DEFAULT_MAX_BACKGROUND_POINTS = 20_000;

/** What {@linkcode displaySelection} draws. */
export interface SelectionDisplayInput {
  /** The tag whose samples are highlighted, e.g. `selectSamples`' `tag`. */
  tag: TagData;
  /** The 2-D embedding, e.g. the first of `getEmbeddings2d`. */
  embedding2d: Embedding2dData;
  /**
   * The preselected tag: its samples get a third style.
   *
   * @default {undefined}
   */
  preselected?: TagData;
  /**
   * The most unselected points drawn; above it they are thinned evenly
   * (selected and preselected samples are always all drawn).
   *
   * @default {20000}
   */
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

const GROUPS = ["not selected", "selected", "preselected"] as const;
const COLORS = ["#adb5bd", "#e8590c", "#1c7ed6"];
const DOT = [2.5, 4, 5];
const WIDTH = 560;
const HEIGHT = 400;
const PAD = 24;

/** Flags per sample from a `bitMaskData`: bit `i` (least significant first). */
function flags(bitMaskData: string, n: number, out: Uint8Array, value: number) {
  for (let i = 0, at = bitMaskData.length - 1; at >= 2 && i < n; i++, at--) {
    const nibble = parseInt(bitMaskData[at], 16);
    for (let bit = 0; bit < 4 && i * 4 + bit < n; bit++) {
      if (nibble & (1 << bit)) out[i * 4 + bit] = value;
    }
  }
}

function check(input: SelectionDisplayInput): [number[], number[], number] {
  const issues: ValidationIssue[] = [];
  const mask = (tag: unknown, path: string) => {
    const bits = (tag as TagData | undefined)?.bitMaskData;
    if (typeof bits !== "string" || !/^0x[a-f0-9]+$/.test(bits)) {
      issues.push({
        path: `${path}.bitMaskData`,
        rule: "must match ^0x[a-f0-9]+$",
        received: describeValue(bits),
      });
    }
  };
  mask(input?.tag, "tag");
  if (input?.preselected !== undefined) mask(input.preselected, "preselected");
  const xs = input?.embedding2d?.coordinatesDimension1;
  const ys = input?.embedding2d?.coordinatesDimension2;
  if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length !== ys.length) {
    issues.push({
      path: "embedding2d.coordinatesDimension1",
      rule: "and coordinatesDimension2 must be lists of the same length",
    });
  }
  const max = input?.maxBackgroundPoints ?? DEFAULT_MAX_BACKGROUND_POINTS;
  if (!Number.isSafeInteger(max) || max < 0) {
    issues.push({
      path: "maxBackgroundPoints",
      rule: "must be a whole number >= 0",
      received: describeValue(max),
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, "display");
  return [xs!, ys!, max];
}

/** Renders points as one SVG path per style: a round dot per `M x y h0`. */
function svg(
  points: { x: number; y: number; g: number }[],
  title: string,
  legend: string[],
): Html {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, p.x), x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y), y1 = Math.max(y1, p.y);
  }
  const sx = (WIDTH - 2 * PAD) / ((x1 - x0) || 1);
  const sy = (HEIGHT - 2 * PAD - 20) / ((y1 - y0) || 1);
  const d = ["", "", ""];
  for (const p of points) {
    const px = (PAD + (p.x - x0) * sx).toFixed(1);
    const py = (HEIGHT - PAD - (p.y - y0) * sy).toFixed(1);
    d[p.g] += `M${px} ${py}h0`;
  }
  const paths = d.map((path, g) =>
    path === ""
      ? ""
      : markup`<path d="${path}" stroke="${COLORS[g]}" stroke-width="${
        DOT[g]
      }" stroke-linecap="round" fill="none"/>`
  );
  const keys = legend.map((label, g) =>
    markup`<circle cx="${PAD + g * 170}" cy="14" r="4" fill="${
      COLORS[g]
    }"/><text x="${PAD + 8 + g * 170}" y="18">${label}</text>`
  );
  return markup`<div class="lightly-box" data-lightly="selection"><svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" style="font:12px system-ui,sans-serif"><title>${title}</title>${keys}${paths}</svg></div>`;
}

/**
 * Draws a selection over the 2-D embedding: the tag's samples highlighted
 * against the rest, the preselected samples in a third style. The bundle
 * holds a Vega-Lite chart (interactive in JupyterLab: pan, zoom, tooltips),
 * an SVG fallback in `text/html` and a one-line summary in `text/plain`.
 * Above `maxBackgroundPoints` unselected samples, they are thinned evenly so
 * the browser stays responsive; selected samples are never thinned.
 *
 * @param input The tag, the 2-D embedding, optionally the preselected tag.
 * @returns A {@linkcode SelectionDisplay}: return it from a notebook cell.
 * @throws {ValidationError} A malformed bitmask, missing or unequal coordinates.
 *
 * @example
 * ```ts
 * import { displaySelection } from "./selection.ts";
 * const view = displaySelection({
 *   tag: {
 *     id: "0123456789abcdef01234569", datasetId: "0123456789abcdef01234567",
 *     prevTagId: null, name: "picked", bitMaskData: "0x5", totSize: 2, createdAt: 0,
 *   },
 *   embedding2d: {
 *     id: "0123456789abcdef0123456a", datasetId: "0123456789abcdef01234567",
 *     embeddingId: "0123456789abcdef01234568", name: "umap", createdAt: 0,
 *     dimensionalityReductionMethod: "UMAP",
 *     coordinatesDimension1: [0, 1, 2, 3], coordinatesDimension2: [0, 1, 0, 1],
 *   },
 * });
 * view.counts.selected; // 2
 * ```
 */
export function displaySelection(
  input: SelectionDisplayInput,
): SelectionDisplay {
  const [xs, ys, max] = check(input);
  const { tag, embedding2d, preselected } = input;
  const total = xs.length;
  const group = new Uint8Array(total);
  if (preselected) flags(preselected.bitMaskData, total, group, 2);
  const inTag = new Uint8Array(total);
  flags(tag.bitMaskData, total, inTag, 1);
  const counts: SelectionCounts = {
    total,
    selected: 0,
    preselected: 0,
    drawn: 0,
  };
  let background = 0;
  for (let i = 0; i < total; i++) {
    // Preselected means "in the tag and in the preselected tag".
    group[i] = inTag[i] ? (group[i] === 2 ? 2 : 1) : 0;
    if (group[i] > 0) counts.selected++;
    if (group[i] === 2) counts.preselected++;
    if (group[i] === 0) background++;
  }
  // Draw order: the rest first, then selected, then preselected on top.
  const points: { x: number; y: number; g: number; i: number }[] = [];
  for (const g of [0, 1, 2]) {
    let k = 0;
    for (let i = 0; i < total; i++) {
      if (group[i] !== g) continue;
      const keep = g > 0 || background <= max ||
        Math.floor((k + 1) * max / background) >
          Math.floor(k * max / background);
      k++;
      if (keep && Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
        points.push({ x: xs[i], y: ys[i], g, i });
      }
    }
  }
  counts.drawn = points.length;
  const method = String(embedding2d.dimensionalityReductionMethod);
  const share = total > 0 ? (100 * counts.selected / total).toFixed(1) : "0";
  const title =
    `${tag.name}: ${counts.selected} of ${total} samples (${share}%)`;
  const legend = [
    `${GROUPS[0]} (${total - counts.selected})`,
    `${GROUPS[1]} (${counts.selected - counts.preselected})`,
    ...(preselected ? [`${GROUPS[2]} (${counts.preselected})`] : []),
  ];
  const vegaLite = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    description: `${title} over the ${method} projection "${embedding2d.name}"`,
    title,
    width: WIDTH - 2 * PAD,
    height: HEIGHT - 2 * PAD,
    data: {
      values: points.map((p) => ({
        x: p.x,
        y: p.y,
        sample: p.i,
        group: GROUPS[p.g],
      })),
    },
    mark: { type: "circle", opacity: 0.8 },
    params: [{ name: "view", select: "interval", bind: "scales" }],
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: `${method} 1`,
        scale: { zero: false },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: `${method} 2`,
        scale: { zero: false },
      },
      color: {
        field: "group",
        type: "nominal",
        title: null,
        scale: { domain: [...GROUPS], range: COLORS },
      },
      size: {
        field: "group",
        type: "nominal",
        legend: null,
        scale: { domain: [...GROUPS], range: [12, 40, 60] },
      },
      tooltip: [{ field: "sample", type: "quantitative" }, { field: "group" }],
    },
  };
  const thinned = counts.drawn < total
    ? `; drew ${counts.drawn} of ${total} points`
    : "";
  const text = `selection ${title}${
    preselected ? `, ${counts.preselected} preselected` : ""
  }, over ${method} projection "${embedding2d.name}"${thinned}`;
  return Object.freeze({
    ...makeDisplay(svg(points, title, legend), text, vegaLite),
    vegaLite,
    counts: Object.freeze(counts),
  });
}
