// The band structure with the total DOS at its right on the same energy axis — the figure chemists
// draw to see which bands make the DOS peaks and where the gap is. Used when the screen is wide
// enough for both (the DOS alone, with its projections, follows it).
import type { BandStructure, DensityOfStates } from "../../../crystal/properties-data.js";
import { type BandPlotOptions, bandEdges, bandLayout, FERMI_CHAR } from "./bands.js";
import { BrailleCanvas } from "./braille.js";
import { clipLine, fixed, type Line, line, span } from "./styled.js";

/** Columns from which the band structure gets the DOS beside it. */
export const SIDE_BY_SIDE_WIDTH = 100;

export interface BandDosLayout {
  /** Column (in each plot row) of the DOS canvas, its width in cells, its density at the right edge. */
  dosLeft: number;
  dosCols: number;
  top: number;
  dotY: (e: number) => number;
  /** The rows of the plot in the lines (the first one's index). */
  firstRow: number;
  rows: number;
}

export function bandDosLayout(
  b: BandStructure,
  d: DensityOfStates,
  opts: BandPlotOptions,
): { lines: Line[]; layout: BandDosLayout } {
  const dosCols = Math.max(12, Math.floor(opts.width * 0.28));
  const band = bandLayout(b, { ...opts, width: opts.width - dosCols - 2 });
  const { window, dotY } = band.layout;
  const [lo, hi] = window;
  const rows = Math.max(4, opts.height);
  const canvas = new BrailleCanvas(dosCols, rows);
  const spin = d.total_beta !== null;
  const inWindow = (i: number) => d.energies[i]! >= lo && d.energies[i]! <= hi;
  const shown = d.energies.map((_, i) => i).filter(inWindow);
  const top = Math.max(0, ...shown.map((i) => d.total[i]!), ...shown.map((i) => d.total_beta?.[i] ?? 0));
  const dotW = dosCols * 2;
  // without spin the density grows from the left edge; with spin α goes right of the middle, β left
  const zero = spin ? Math.floor(dotW / 2) : 0;
  const span_ = spin ? zero - 1 : dotW - 1;
  const dotX = (n: number, sign: 1 | -1) =>
    Math.round(zero + sign * (top > 0 ? (Math.max(0, n) / top) * span_ : 0));
  if (b.unit === "eV" && lo <= 0 && hi >= 0)
    for (let c = 0; c < dosCols; c++) canvas.behind(c, Math.floor(dotY(0) / 4), FERMI_CHAR, "fermi");
  const draw = (values: readonly number[], sign: 1 | -1, tone: "data" | "alpha" | "beta") => {
    for (let i = 1; i < d.energies.length; i++) {
      if (!inWindow(i) && !inWindow(i - 1)) continue;
      canvas.line(
        dotX(values[i - 1]!, sign),
        dotY(d.energies[i - 1]!),
        dotX(values[i]!, sign),
        dotY(d.energies[i]!),
        tone,
      );
    }
  };
  draw(d.total, 1, spin ? "alpha" : "data");
  if (d.total_beta) draw(d.total_beta, -1, "beta");
  const dosRows = canvas.toLines();
  const out = band.lines.map((l) => [...l]);
  // the band plot's lines: blank, title, (spin titles), rows, axis, k labels
  const firstRow = b.bands_beta ? 3 : 2;
  const edges = bandEdges(b);
  out[1] = clipLine(
    line(
      span("Band structure and DOS", "heading"),
      span(
        `  E − E_F (eV), ${FERMI_CHAR} E_F = 0${edges ? `, gap ${fixed(edges.cbm - edges.vbm, 2)} eV` : ", no gap"}; DOS 0–${fixed(top, top >= 10 ? 1 : 2)} states/eV/cell at the right`,
        "dim",
      ),
    ),
    opts.width,
  );
  for (let r = 0; r < rows; r++) out[firstRow + r]!.push(span(" │", "dim"), ...dosRows[r]!);
  const bandWidth = Math.max(
    ...band.lines.slice(firstRow, firstRow + rows).map((l) => [...l.map((s) => s.text).join("")].length),
  );
  out[firstRow + rows]!.push(span(` └${"─".repeat(dosCols)}`, "dim"));
  const labelsLine = out[firstRow + rows + 1]!;
  const labelText = labelsLine.map((s) => s.text).join("");
  const pad = Math.max(0, bandWidth + 2 - [...labelText].length);
  const name = spin ? "β  DOS  α" : "DOS";
  out[firstRow + rows + 1] = line(
    labelText,
    " ".repeat(pad),
    `${" ".repeat(Math.max(0, Math.floor((dosCols - name.length) / 2)))}${name}`,
  );
  return {
    lines: out,
    layout: { dosLeft: bandWidth + 2, dosCols, top, dotY, firstRow, rows },
  };
}

export function bandDosLines(b: BandStructure, d: DensityOfStates, opts: BandPlotOptions): Line[] {
  return bandDosLayout(b, d, opts).lines;
}
