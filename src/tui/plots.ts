// Plots drawn with characters: the SCF convergence (|ΔE| per cycle, log scale), the geometry
// optimisation's energy per step, and the axis helpers the braille plots (bands, DOS) share: nice
// tick values, decades of a log axis that stay labelled however few rows there are, and labels
// placed on a line without ever overlapping. Pure functions from numbers to lines, so they test
// without a screen.

export interface PlotOptions {
  /** Total columns, labels included. */
  width: number;
  /** Rows of the plotting area (the x axis adds two more lines). */
  height: number;
  /** Logarithmic y axis (values ≤ 0 are left out: they cannot be drawn on it). */
  log?: boolean;
  /** Name of the x axis, printed under it. */
  xLabel?: string;
  /** The x of each value (default 1, 2, … n): SCF cycles, optimisation steps. */
  x?: readonly number[];
}

export const POINT = "●";

/**
 * |ΔE| of every SCF cycle CRYSTAL printed: cycle 1 against the initial guess (cycle 0), then each
 * cycle against the one before. Without the initial energy, cycle 1 has no change (NaN: a gap).
 */
export function energyChanges(energies: readonly number[], initial: number | null = null): number[] {
  return energies.map((e, i) => {
    const before = i === 0 ? initial : energies[i - 1]!;
    return before === null ? Number.NaN : Math.abs(e - before);
  });
}

/** Up to `max` round values (1, 2 or 5 × 10^k apart) within [lo, hi]; at least one when max ≥ 3. */
export function niceTicks(lo: number, hi: number, max: number): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi) || max < 1) return [];
  const count = (step: number) => Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) + 1;
  // the smallest round step that gives no more than `max` values, starting well below it
  const magnitude = 10 ** (Math.floor(Math.log10((hi - lo) / Math.max(1, max - 1))) - 1);
  let step = magnitude;
  for (let k = 0; count(step) > max; k++) step = [2, 5, 10][k % 3]! * 10 ** Math.floor(k / 3) * magnitude;
  // k × step, rounded to the step's own decimals (0.30000000000000004 → 0.3)
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step)) + 1));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && out.length < max; k++) {
    out.push(Number((k * step).toFixed(decimals)));
  }
  return out;
}

/** A tick value as text with no more digits than its step needs ("-2", "0.5", "1200"). */
export function tickText(v: number, step: number): string {
  const digits = Math.min(8, Math.max(0, Math.ceil(-Math.log10(Math.abs(step) || 1) - 1e-9)));
  const t = v.toFixed(digits);
  return /^-0(\.0*)?$/.test(t) ? t.slice(1) : t;
}

/**
 * The decades a log axis labels on `rows` rows: every decade from `hi` down to `lo` when they fit,
 * else every second, fifth, … decade — always the top one, so that the axis reads at any height.
 * The span is widened downwards to a whole number of label steps, so both ends are labelled.
 */
export function logDecades(lo: number, hi: number, rows: number): { lo: number; hi: number; step: number } {
  const span = Math.max(1, hi - lo);
  let step = 1;
  while (span / step > Math.max(1, rows - 1)) step++;
  return { lo: hi - Math.ceil(span / step) * step, hi, step };
}

export interface AxisLabel {
  /** The column the label marks. */
  col: number;
  text: string;
  /** Where the text sits against its column (default: starting at it). */
  align?: "start" | "center" | "end";
}

/**
 * One line of `width` characters holding the labels at their columns, in the order given (the
 * first ones win): a label that would touch or overlap one already placed, or not fit, is left out.
 * Returns the line and the labels placed (with the column their text starts at).
 */
export function labelLine(
  labels: readonly AxisLabel[],
  width: number,
): { line: string; placed: { label: AxisLabel; start: number }[] } {
  const cells = Array<string>(Math.max(0, width)).fill(" ");
  const used = Array<boolean>(Math.max(0, width)).fill(false);
  const placed: { label: AxisLabel; start: number }[] = [];
  for (const label of labels) {
    const chars = [...label.text];
    const n = chars.length;
    if (n === 0 || n > width) continue;
    const wanted =
      label.align === "center"
        ? label.col - Math.floor((n - 1) / 2)
        : label.align === "end"
          ? label.col - n + 1
          : label.col;
    const start = Math.max(0, Math.min(width - n, wanted));
    // one blank column on each side keeps two labels apart
    let free = true;
    for (let c = Math.max(0, start - 1); c <= Math.min(width - 1, start + n); c++) if (used[c]) free = false;
    if (!free) continue;
    for (let i = 0; i < n; i++) {
      cells[start + i] = chars[i]!;
      used[start + i] = true;
    }
    placed.push({ label, start });
  }
  return { line: cells.join(""), placed };
}

function linearLabel(v: number, span: number): string {
  const digits = Math.min(8, Math.max(0, Math.ceil(-Math.log10(span || 1)) + 2));
  return v.toFixed(digits);
}

export interface SeriesLayout {
  lines: string[];
  /** The y range the rows span (log10 of the values on a log axis), top row = hi. */
  y: { lo: number; hi: number };
  /** The x range the columns span, first column = lo. */
  x: { lo: number; hi: number };
  /** Column (in each line) of the first plot column, and how many there are. */
  plotLeft: number;
  plotWidth: number;
  /** The y labels by row. */
  yLabels: Map<number, string>;
}

/**
 * The plot as lines of at most `width` characters: `height` rows with a y label column, then the x
 * axis and its labels. Points of the series are `●`; gaps (non-finite, or ≤ 0 on a log axis) are
 * left blank. An empty series gives a single line saying so.
 */
export function plotSeries(values: readonly number[], opts: PlotOptions): string[] {
  return layoutSeries(values, opts).lines;
}

export function layoutSeries(values: readonly number[], opts: PlotOptions): SeriesLayout {
  const height = Math.max(2, Math.floor(opts.height));
  const t = (v: number) => (opts.log ? Math.log10(v) : v);
  const drawable = (v: number) => Number.isFinite(v) && (!opts.log || v > 0);
  const ys = values.map((v) => (drawable(v) ? t(v) : Number.NaN));
  const xs = values.map((_, i) => opts.x?.[i] ?? i + 1);
  const finite = ys.filter((y) => !Number.isNaN(y));
  if (finite.length === 0) {
    return {
      lines: [[..."(nothing to plot yet)"].slice(0, Math.max(1, opts.width)).join("")],
      y: { lo: 0, hi: 0 },
      x: { lo: 0, hi: 0 },
      plotLeft: 0,
      plotWidth: 0,
      yLabels: new Map(),
    };
  }
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  const labels = new Map<number, string>();
  let rowOf: (y: number) => number;
  if (opts.log) {
    // (+ 0: no -0 decade)
    const top = (Math.ceil(hi) === Math.floor(lo) ? Math.floor(lo) + 1 : Math.ceil(hi)) + 0;
    const decades = logDecades(Math.floor(lo) + 0, top, height);
    lo = decades.lo;
    hi = decades.hi;
    rowOf = (y) => Math.round(((hi - y) / (hi - lo)) * (height - 1));
    for (let e = hi; e >= lo; e -= decades.step) labels.set(rowOf(e), `1e${e}`);
  } else {
    if (hi === lo) {
      const pad = Math.abs(hi) * 1e-6 || 0.5;
      lo -= pad;
      hi += pad;
    }
    rowOf = (y) => Math.round(((hi - y) / (hi - lo)) * (height - 1));
    // round values, each on its own row; the ends of the axis when fewer than two fit
    const ticks = niceTicks(lo, hi, Math.max(2, Math.ceil(height / 2) + 1));
    const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : hi - lo;
    for (const v of ticks) if (!labels.has(rowOf(v))) labels.set(rowOf(v), tickText(v, step));
    if (labels.size < 2) {
      labels.clear();
      labels.set(0, linearLabel(hi, hi - lo));
      labels.set(height - 1, linearLabel(lo, hi - lo));
    }
  }
  const labelWidth = Math.max(...[...labels.values()].map((l) => l.length));
  const plotWidth = Math.max(2, opts.width - labelWidth - 1);
  const grid: string[][] = Array.from({ length: height }, () => Array<string>(plotWidth).fill(" "));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const colOf = (x: number) => (x1 === x0 ? 0 : Math.round(((x - x0) / (x1 - x0)) * (plotWidth - 1)));
  ys.forEach((y, i) => {
    if (Number.isNaN(y)) return;
    grid[rowOf(y)]![colOf(xs[i]!)] = POINT;
  });
  const lines = grid.map((cells, row) => `${(labels.get(row) ?? "").padStart(labelWidth)}┤${cells.join("")}`);
  lines.push(`${" ".repeat(labelWidth)}└${"─".repeat(plotWidth)}`);
  // x labels: the first and last x, then round values in between, the name of the axis in a gap
  const integral = xs.every(Number.isInteger);
  const ticks = niceTicks(x0, x1, Math.max(2, Math.floor(plotWidth / 8))).filter(
    (v) => !integral || Number.isInteger(v),
  );
  const text = (v: number) => (integral ? String(v) : tickText(v, (x1 - x0) / 10));
  const name = opts.xLabel ?? "";
  const xLabels: AxisLabel[] = [
    { col: 0, text: text(x0) },
    ...(x1 > x0 ? [{ col: plotWidth - 1, text: text(x1), align: "end" as const }] : []),
    // the name of the axis before the round values: they give way to it when both do not fit
    ...(name ? [{ col: Math.floor(plotWidth / 2), text: name, align: "center" as const }] : []),
    ...ticks.map((v) => ({ col: colOf(v), text: text(v), align: "center" as const })),
  ];
  const { line } = labelLine(xLabels, plotWidth);
  lines.push(`${" ".repeat(labelWidth + 1)}${line}`.trimEnd());
  return {
    lines: lines.map((l) => [...l].slice(0, opts.width).join("")),
    y: { lo, hi },
    x: { lo: x0, hi: x1 },
    plotLeft: labelWidth + 1,
    plotWidth,
    yLabels: labels,
  };
}
