// Plots drawn with characters: the SCF convergence (|ΔE| per cycle, log scale) and the geometry
// optimisation's energy per step. Pure functions from numbers to lines, so they test without a screen.

export interface PlotOptions {
  /** Total columns, labels included. */
  width: number;
  /** Rows of the plotting area (the x axis adds two more lines). */
  height: number;
  /** Logarithmic y axis (values ≤ 0 are left out: they cannot be drawn on it). */
  log?: boolean;
  /** Name of the x axis, printed under it. */
  xLabel?: string;
}

export const POINT = "●";

/** |E(i) − E(i−1)| for each SCF cycle after the first: how far the energy still moved. */
export function energyChanges(energies: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < energies.length; i++) out.push(Math.abs(energies[i]! - energies[i - 1]!));
  return out;
}

function decadeLabel(exp: number): string {
  return `1e${exp}`;
}

function linearLabel(v: number, span: number): string {
  const digits = Math.min(8, Math.max(0, Math.ceil(-Math.log10(span || 1)) + 2));
  return v.toFixed(digits);
}

/**
 * The plot as lines of at most `width` characters: `height` rows with a y label column, then the x
 * axis and its labels (1 … n). Points of the series are `●`; gaps (non-finite, or ≤ 0 on a log
 * axis) are left blank. An empty series gives a single line saying so.
 */
export function plotSeries(values: readonly number[], opts: PlotOptions): string[] {
  const height = Math.max(2, Math.floor(opts.height));
  const t = (v: number) => (opts.log ? Math.log10(v) : v);
  const drawable = (v: number) => Number.isFinite(v) && (!opts.log || v > 0);
  const ys = values.map((v) => (drawable(v) ? t(v) : Number.NaN));
  const finite = ys.filter((y) => !Number.isNaN(y));
  if (finite.length === 0) return [[..."(nothing to plot yet)"].slice(0, Math.max(1, opts.width)).join("")];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (opts.log) {
    lo = Math.floor(lo);
    hi = Math.ceil(hi);
    if (hi === lo) hi = lo + 1;
  } else if (hi === lo) {
    const pad = Math.abs(hi) * 1e-6 || 0.5;
    lo -= pad;
    hi += pad;
  }
  const rowOf = (y: number) => Math.round(((hi - y) / (hi - lo)) * (height - 1));
  // y labels: decades on a log axis (where they fall on distinct rows), top/middle/bottom otherwise
  const labels = new Map<number, string>();
  if (opts.log) {
    for (let e = hi; e >= lo; e--) {
      const row = rowOf(e);
      if (!labels.has(row)) labels.set(row, decadeLabel(e));
    }
  } else {
    labels.set(0, linearLabel(hi, hi - lo));
    labels.set(height - 1, linearLabel(lo, hi - lo));
    if (height >= 5)
      labels.set(
        Math.floor((height - 1) / 2),
        linearLabel(hi - ((hi - lo) * Math.floor((height - 1) / 2)) / (height - 1), hi - lo),
      );
  }
  const labelWidth = Math.max(...[...labels.values()].map((l) => l.length));
  const plotWidth = Math.max(2, opts.width - labelWidth - 1);
  const grid: string[][] = Array.from({ length: height }, () => Array<string>(plotWidth).fill(" "));
  const n = ys.length;
  const colOf = (i: number) => (n === 1 ? 0 : Math.round((i * (plotWidth - 1)) / (n - 1)));
  ys.forEach((y, i) => {
    if (Number.isNaN(y)) return;
    grid[rowOf(y)]![colOf(i)] = POINT;
  });
  const lines = grid.map((cells, row) => `${(labels.get(row) ?? "").padStart(labelWidth)}┤${cells.join("")}`);
  lines.push(`${" ".repeat(labelWidth)}└${"─".repeat(plotWidth)}`);
  const first = "1";
  const last = String(n);
  const name = opts.xLabel ?? "";
  const inner = Math.max(0, plotWidth - first.length - last.length);
  const middle =
    name.length + 2 <= inner
      ? `${" ".repeat(Math.floor((inner - name.length) / 2))}${name}`.padEnd(inner)
      : " ".repeat(inner);
  lines.push(`${" ".repeat(labelWidth + 1)}${first}${middle}${n > 1 ? last : ""}`.slice(0, opts.width));
  return lines.map((l) => [...l].slice(0, opts.width).join(""));
}
