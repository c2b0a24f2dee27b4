// The band structure as a braille plot: energies relative to the Fermi level (0, drawn as a dashed
// line), the k path along x with its points named under the axis and marked by vertical lines, the
// window chosen so that the gap and the bands around it show. A spin-polarised run gets α and β
// side by side on one energy axis, each titled, so they read without colour.
import type { BandStructure } from "../../../crystal/properties-data.js";
import { labelLine, niceTicks, tickText } from "../../plots.js";
import { BrailleCanvas } from "./braille.js";
import { tickNames } from "./properties-deck.js";
import { fixed, heading, type Line, line, span } from "./styled.js";

export const FERMI_CHAR = "┄";
export const K_LINE_CHAR = "│";

/**
 * The top of the valence bands and the bottom of the conduction bands (eV from E_F) when the bands
 * have a gap; null for a metal (a band crosses E_F) or phonons. CRYSTAL puts E_F at the valence
 * band top of an insulator: 1 meV of slack.
 */
export function bandEdges(b: BandStructure): { vbm: number; cbm: number } | null {
  if (b.unit !== "eV") return null;
  let vbm = Number.NEGATIVE_INFINITY;
  let cbm = Number.POSITIVE_INFINITY;
  for (const band of [...b.bands, ...(b.bands_beta ?? [])]) {
    const finite = band.filter(Number.isFinite);
    if (finite.length === 0) continue;
    const low = Math.min(...finite);
    const high = Math.max(...finite);
    if (low <= 1e-3 && high > 1e-3) return null;
    if (high <= 1e-3) vbm = Math.max(vbm, high);
    else cbm = Math.min(cbm, low);
  }
  return Number.isFinite(vbm) && Number.isFinite(cbm) && cbm - vbm > 0.01 ? { vbm, cbm } : null;
}

/**
 * The energies drawn: ±6 eV around E_F for a metal; for an insulator from 6 eV below the valence
 * band's top to 4 eV above the conduction band's bottom (a wide-gap crystal keeps both in view);
 * all of it for phonons. Never beyond the data.
 */
export function bandWindow(b: BandStructure): [number, number] {
  const all = [...b.bands, ...(b.bands_beta ?? [])].flat().filter(Number.isFinite);
  const min = Math.min(...all);
  const max = Math.max(...all);
  if (b.unit !== "eV") return [Math.min(0, min), max > min ? max : min + 1];
  const edges = bandEdges(b);
  const lo = Math.max(min, (edges?.vbm ?? 0) - 6);
  const hi = Math.min(max, Math.max(6, (edges?.cbm ?? 0) + 4));
  return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
}

export interface BandPlotOptions {
  width: number;
  /** Rows of the plot itself (title and axis lines come on top). */
  height: number;
  /** The properties deck, for the names of the path's points. */
  deck?: string | null;
  window?: [number, number];
}

export interface BandLayout {
  window: [number, number];
  /** Column (in each plot row) where a canvas starts, and the canvases' width in cells. */
  plotLeft: number[];
  plotCols: number;
  /** The dot a point lands on, per canvas (the plot's own mapping, for tests). */
  dotX: (k: number) => number;
  dotY: (e: number) => number;
}

export function bandLayout(b: BandStructure, opts: BandPlotOptions): { lines: Line[]; layout: BandLayout } {
  const window = opts.window ?? bandWindow(b);
  const [lo, hi] = window;
  const rows = Math.max(4, opts.height);
  const spins = b.bands_beta ? 2 : 1;
  // y labels: round energies, 0 (the Fermi level) first so it is always labelled
  const ticks = niceTicks(lo, hi, Math.max(2, Math.floor(rows / 2)));
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : hi - lo;
  const fermiShown = b.unit === "eV" && lo <= 0 && hi >= 0;
  const labels = [...(fermiShown ? [0] : []), ...ticks];
  // the Fermi level's row is labelled E_F (the band top of an insulator may hide its dashes)
  const text = (v: number) => (fermiShown && v === 0 ? "E_F" : tickText(v, step));
  const labelWidth = Math.max(3, ...labels.map((v) => text(v).length));
  const gap = spins === 2 ? 2 : 0;
  const plotCols = Math.max(8, Math.floor((opts.width - labelWidth - 1 - gap) / spins));
  const dotH = rows * 4;
  const dotW = plotCols * 2;
  const k0 = b.k_path[0] ?? 0;
  const kN = b.k_path.at(-1) ?? 1;
  const dotX = (k: number) => (kN === k0 ? 0 : Math.round(((k - k0) / (kN - k0)) * (dotW - 1)));
  const dotY = (e: number) => Math.round(((hi - e) / (hi - lo)) * (dotH - 1));
  const rowOf = (e: number) => Math.floor(dotY(e) / 4);
  const yLabel = new Map<number, string>();
  for (const v of labels) {
    const r = rowOf(v);
    if (r >= 0 && r < rows && !yLabel.has(r)) yLabel.set(r, text(v));
  }
  const tickCols = b.ticks.map((t) => Math.floor(dotX(t.position) / 2));
  const canvases = (b.bands_beta ? [b.bands, b.bands_beta] : [b.bands]).map((bands, s) => {
    const c = new BrailleCanvas(plotCols, rows);
    const fermiRow = fermiShown ? rowOf(0) : -1;
    for (let col = 0; col < plotCols; col++) if (fermiRow >= 0) c.behind(col, fermiRow, FERMI_CHAR, "fermi");
    for (const col of tickCols.slice(1, -1))
      for (let r = 0; r < rows; r++) if (r !== fermiRow) c.behind(col, r, K_LINE_CHAR, "dim");
    const tone = spins === 2 ? (s === 0 ? "alpha" : "beta") : "data";
    for (const band of bands) {
      if (!band.some((e) => e >= lo && e <= hi)) continue;
      for (let k = 1; k < band.length; k++)
        c.line(dotX(b.k_path[k - 1]!), dotY(band[k - 1]!), dotX(b.k_path[k]!), dotY(band[k]!), tone);
      if (band.length === 1) c.dot(dotX(b.k_path[0]!), dotY(band[0]!), tone);
    }
    return c.toLines();
  });
  const out: Line[] = [];
  const names = tickNames(b.ticks, opts.deck ?? null);
  const edges = bandEdges(b);
  const unit = b.unit === "eV" ? "eV" : "cm⁻¹";
  out.push(
    ...heading(
      b.unit === "eV" ? "Band structure" : "Phonon dispersion",
      b.unit === "eV"
        ? `E − E_F (eV), ${FERMI_CHAR} Fermi level E_F = 0${edges ? `, gap ${fixed(edges.cbm - edges.vbm, 2)} eV` : ", no gap"}`
        : "(cm⁻¹)",
    ),
  );
  if (spins === 2)
    out.push(
      line(
        " ".repeat(labelWidth + 1),
        span("α (spin up)".padEnd(plotCols + gap), "alpha"),
        span("β (spin down)", "beta"),
      ),
    );
  for (let r = 0; r < rows; r++) {
    const l: Line = [
      span(`${(yLabel.get(r) ?? "").padStart(labelWidth)}${yLabel.has(r) ? "┤" : "│"}`, "dim"),
    ];
    canvases.forEach((c, s) => {
      if (s > 0) l.push(span(" ".repeat(gap - 1) + (yLabel.has(r) ? "┤" : "│"), "dim"));
      l.push(...c[r]!);
    });
    out.push(l);
  }
  const axisCells = Array.from({ length: plotCols }, (_, i) => (tickCols.includes(i) ? "┴" : "─")).join("");
  out.push(
    line(
      span(
        `${" ".repeat(labelWidth)}└${axisCells}${spins === 2 ? `${" ".repeat(gap - 1)}└${axisCells}` : ""}`,
        "dim",
      ),
    ),
  );
  const kLabels = labelLine(
    // the path's ends first, then its inner points in order
    [0, tickCols.length - 1, ...tickCols.map((_, i) => i).slice(1, -1)]
      .filter((i, j, all) => i >= 0 && all.indexOf(i) === j)
      .map((i) => ({ col: tickCols[i]!, text: names[i] ?? "", align: "center" as const })),
    plotCols,
  ).line;
  out.push(
    line(
      `${" ".repeat(labelWidth + 1)}${kLabels}${spins === 2 ? `${" ".repeat(gap)}${kLabels}` : ""}`.trimEnd(),
      b.unit === "eV" ? "" : `  ${unit}`,
    ),
  );
  return {
    lines: out,
    layout: {
      window,
      plotLeft: canvases.map((_, s) => labelWidth + 1 + s * (plotCols + gap)),
      plotCols,
      dotX,
      dotY,
    },
  };
}

export function bandLines(b: BandStructure, opts: BandPlotOptions): Line[] {
  return bandLayout(b, opts).lines;
}
