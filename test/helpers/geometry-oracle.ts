// The tests' own reading of cells, written apart from src/ so that it can check what src/ keeps: the
// cell CRYSTAL prints at an optimisation point, and the cell of a fort.34 (EXTERNAL) file.

/** A cell a b c (Å) α β γ (degrees). */
export type Cell = [number, number, number, number, number, number];

/**
 * The cell of the last optimisation point an output prints: the `A B C ALPHA BETA GAMMA` row of the
 * first LATTICE PARAMETERS block after the last `OPTIMIZATION - POINT n` header.
 */
export function lastPointCell(out: string): { point: number; cell: Cell } {
  const lines = out.split("\n");
  const header = lines.findLastIndex((l) => /OPTIMIZATION - POINT\s+\d+/.test(l));
  if (header < 0) throw new Error("the output has no optimisation point");
  const point = Number(/POINT\s+(\d+)/.exec(lines[header]!)![1]);
  const at = lines.findIndex((l, i) => i > header && l.includes("LATTICE PARAMETERS"));
  const row = lines[at + 3]!.trim().split(/\s+/).map(Number);
  if (at < 0 || row.length !== 6) throw new Error(`point ${point} prints no cell`);
  return { point, cell: row as Cell };
}

/** The cell of a fort.34: the lengths of its three lattice vectors (lines 2-4) and their angles. */
export function fort34Cell(text: string): Cell {
  const [a, b, c] = text
    .split("\n")
    .slice(1, 4)
    .map((l) => l.trim().split(/\s+/).map(Number)) as [number[], number[], number[]];
  const len = (v: number[]) => Math.hypot(...v);
  const angle = (u: number[], v: number[]) =>
    (Math.acos(u.reduce((s, x, i) => s + x * v[i]!, 0) / (len(u) * len(v))) * 180) / Math.PI;
  return [len(a), len(b), len(c), angle(b, c), angle(a, c), angle(a, b)];
}

/** Whether two cells agree to the 8 figures CRYSTAL prints (1e-6 Å and degrees). */
export function sameCell(x: Cell, y: Cell): boolean {
  return x.every((v, i) => Math.abs(v - y[i]!) < 1e-6);
}

/** The lattice vectors (Å) of the last `DIRECT LATTICE VECTORS CARTESIAN COMPONENTS` block an output prints. */
export function lastPrintedVectors(out: string): number[][] {
  const lines = out.split("\n");
  const at = lines.findLastIndex((l) => l.includes("DIRECT LATTICE VECTORS CARTESIAN COMPONENTS (ANGSTROM)"));
  if (at < 0) throw new Error("the output prints no lattice vectors");
  return lines.slice(at + 2, at + 5).map((l) => l.trim().split(/\s+/).map(Number));
}

/** The lattice vectors (Å) of a fort.34: its lines 2-4. */
export function fort34Vectors(text: string): number[][] {
  return text
    .split("\n")
    .slice(1, 4)
    .map((l) => l.trim().split(/\s+/).map(Number));
}
