// The density of states as braille plots against E − E_F: the total DOS (α up and β down from a
// zero line for a spin-polarised run), then each projection CRYSTAL computed in a small plot of
// its own under it on the same energy axis — so projections read without colour. The Fermi level
// (0) is a vertical line.
import type { DensityOfStates } from "../../../crystal/properties-data.js";
import { labelLine, niceTicks, tickText } from "../../plots.js";
import { BrailleCanvas } from "./braille.js";
import { fixed, heading, type Line, line, span } from "./styled.js";

export const DOS_FERMI_CHAR = "┊";

export interface DosPlotOptions {
  width: number;
  /** Rows of the total DOS plot; projections get a third of it each (at least 2). */
  height: number;
  /** Names of the projections in CRYSTAL's order (from the deck), else "projection N". */
  projectionNames?: readonly string[];
}

export interface DosLayout {
  plotLeft: number;
  plotCols: number;
  /** The energy range across the plot and the density at the top of the total plot. */
  x: { lo: number; hi: number };
  top: number;
  dotX: (e: number) => number;
}

function panel(
  energies: readonly number[],
  alpha: readonly number[],
  beta: readonly number[] | null,
  opts: {
    cols: number;
    rows: number;
    top: number;
    dotX: (e: number) => number;
    fermiCol: number;
    tone: "data" | "other";
  },
): Line[] {
  const c = new BrailleCanvas(opts.cols, opts.rows);
  const dotH = opts.rows * 4;
  // α above the zero line, β below it (half the height each); without spin the zero is the bottom
  const zero = beta ? Math.floor(dotH / 2) : dotH - 1;
  const scale = opts.top > 0 ? (beta ? zero : dotH - 1) / opts.top : 0;
  if (opts.fermiCol >= 0)
    for (let r = 0; r < opts.rows; r++) c.behind(opts.fermiCol, r, DOS_FERMI_CHAR, "fermi");
  const draw = (values: readonly number[], sign: 1 | -1, tone: "data" | "other" | "alpha" | "beta") => {
    for (let i = 0; i < energies.length; i++) {
      const y = Math.round(zero - sign * Math.min(opts.top, Math.max(0, values[i]!)) * scale);
      const x = opts.dotX(energies[i]!);
      if (i === 0) c.dot(x, y, tone);
      else {
        const yBefore = Math.round(zero - sign * Math.min(opts.top, Math.max(0, values[i - 1]!)) * scale);
        c.line(opts.dotX(energies[i - 1]!), yBefore, x, y, tone);
      }
    }
  };
  draw(alpha, 1, beta ? "alpha" : opts.tone);
  if (beta) draw(beta, -1, "beta");
  return c.toLines();
}

export function dosLayout(d: DensityOfStates, opts: DosPlotOptions): { lines: Line[]; layout: DosLayout } {
  const spin = d.total_beta !== null;
  const rows = Math.max(4, opts.height);
  const miniRows = Math.max(spin ? 4 : 2, Math.floor(rows / 3));
  const e0 = Math.min(...d.energies);
  const e1 = Math.max(...d.energies);
  const top = Math.max(0, ...d.total, ...(d.total_beta ?? []));
  const topText = fixed(top, top >= 10 ? 1 : 2);
  const labelWidth = Math.max(6, topText.length + 2);
  const plotCols = Math.max(10, opts.width - labelWidth - 1);
  const dotX = (e: number) => (e1 === e0 ? 0 : Math.round(((e - e0) / (e1 - e0)) * (plotCols * 2 - 1)));
  const electronic = d.unit === "eV";
  const fermiCol = electronic && e0 <= 0 && e1 >= 0 ? Math.floor(dotX(0) / 2) : -1;
  const unit = electronic ? "states/eV/cell" : "states/cm⁻¹/cell";
  const out: Line[] = [
    ...heading(
      electronic ? "Density of states" : "Phonon density of states",
      electronic ? `total, ${unit}; E − E_F (eV), ${DOS_FERMI_CHAR} Fermi level at 0` : `total, ${unit}`,
    ),
  ];
  const left = (r: number, n: number, topLabel: string, bottomLabel: string, mid?: string) => {
    const text = r === 0 ? topLabel : r === n - 1 ? bottomLabel : mid && r === Math.floor(n / 2) ? mid : "";
    return span(`${text.padStart(labelWidth)}${text ? "┤" : "│"}`, "dim");
  };
  const total = panel(d.energies, d.total, d.total_beta, {
    cols: plotCols,
    rows,
    top,
    dotX,
    fermiCol,
    tone: "data",
  });
  total.forEach((l, r) => {
    out.push([spin ? left(r, rows, `α ${topText}`, `β ${topText}`, "0") : left(r, rows, topText, "0"), ...l]);
  });
  // projections (CRYSTAL writes the total as the last block): each in its own small plot
  const projections = d.projections.slice(0, -1);
  projections.forEach((p, i) => {
    const name = opts.projectionNames?.[i] ?? `projection ${p.index}`;
    out.push(line(" ".repeat(labelWidth + 1), span(name, "label")));
    const ptop = Math.max(0, ...p.values, ...(p.values_beta ?? []));
    const mini = panel(d.energies, p.values, p.values_beta, {
      cols: plotCols,
      rows: miniRows,
      top: ptop,
      dotX,
      fermiCol,
      tone: "other",
    });
    const ptext = fixed(ptop, ptop >= 10 ? 1 : 2);
    mini.forEach((l, r) => {
      out.push([spin ? left(r, miniRows, `α ${ptext}`, `β ${ptext}`) : left(r, miniRows, ptext, "0"), ...l]);
    });
  });
  out.push(line(span(`${" ".repeat(labelWidth)}└${"─".repeat(plotCols)}`, "dim")));
  const ticks = niceTicks(e0, e1, Math.max(2, Math.floor(plotCols / 7)));
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : e1 - e0;
  const xLabels = labelLine(
    [
      ...(fermiCol >= 0 ? [{ col: fermiCol, text: "0", align: "center" as const }] : []),
      ...ticks.map((v) => ({
        col: Math.floor(dotX(v) / 2),
        text: tickText(v, step),
        align: "center" as const,
      })),
    ],
    plotCols,
  ).line;
  out.push(line(`${" ".repeat(labelWidth + 1)}${xLabels}`.trimEnd()));
  out.push(line(`${" ".repeat(labelWidth + 1)}${electronic ? "E − E_F (eV)" : "frequency (cm⁻¹)"}`));
  return { lines: out, layout: { plotLeft: labelWidth + 1, plotCols, x: { lo: e0, hi: e1 }, top, dotX } };
}

export function dosLines(d: DensityOfStates, opts: DosPlotOptions): Line[] {
  return dosLayout(d, opts).lines;
}
