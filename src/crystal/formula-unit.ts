// The formula unit of a cell: its composition reduced by the greatest common divisor of the element
// counts (a NiO antiferromagnetic cell of Ni2O2 holds 2 formula units of NiO; a MgO supercell of
// Mg8O8 holds 8). Energies per formula unit compare a supercell with its primitive cell, and cells
// of one compound in different settings — what a chemist does by hand with "divide by Z".
// Ghost atoms (symbol "X", Z = 0) carry basis functions, not matter: they are not counted.

export interface FormulaUnit {
  /** Reduced formula, elements in CRYSTAL's order of first appearance ("NiO", "SrTiO3"). */
  formula: string;
  /** Formula units in the cell (Z). */
  perCell: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The cell's formula unit from its atoms; null when it holds no real atom. */
export function formulaUnitOf(atoms: readonly { symbol: string }[]): FormulaUnit | null {
  const counts = new Map<string, number>();
  for (const { symbol } of atoms) {
    if (symbol === "X" || symbol === "") continue;
    counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  }
  if (counts.size === 0) return null;
  const z = [...counts.values()].reduce(gcd);
  const formula = [...counts].map(([el, n]) => (n / z === 1 ? el : `${el}${n / z}`)).join("");
  return { formula, perCell: z };
}
