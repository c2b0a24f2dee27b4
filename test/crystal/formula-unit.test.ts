// The formula unit of a cell: a supercell has the same formula as its cell and k times its units;
// the units times the reduced formula's counts give back the cell's composition; ghosts do not count.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formulaUnitOf } from "../../src/crystal/formula-unit.js";

const atoms = (spec: Record<string, number>) =>
  Object.entries(spec).flatMap(([symbol, n]) => Array.from({ length: n }, () => ({ symbol })));

/** The element counts a formula string says ("SrTiO3" → Sr 1, Ti 1, O 3), read independently. */
function countsOf(formula: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of formula.matchAll(/([A-Z][a-z]?)(\d*)/g)) out.set(m[1]!, Number(m[2] || 1));
  return out;
}

const ELEMENTS = ["H", "O", "Mg", "Si", "Ti", "Sr", "Ni", "C", "Zn", "S"];

describe("formula unit", () => {
  it("names the compound and Z as a chemist does", () => {
    expect(formulaUnitOf(atoms({ Mg: 1, O: 1 }))).toEqual({ formula: "MgO", perCell: 1 });
    expect(formulaUnitOf(atoms({ Ni: 2, O: 2 }))).toEqual({ formula: "NiO", perCell: 2 });
    expect(formulaUnitOf(atoms({ Sr: 2, Ti: 2, O: 6 }))).toEqual({ formula: "SrTiO3", perCell: 2 });
    expect(formulaUnitOf(atoms({ Si: 8, O: 16 }))).toEqual({ formula: "SiO2", perCell: 8 });
    expect(formulaUnitOf(atoms({ Zn: 2, S: 3 }))).toEqual({ formula: "Zn2S3", perCell: 1 });
    // a ghost atom (basis functions only) is not matter
    expect(formulaUnitOf([...atoms({ Mg: 2, O: 2 }), { symbol: "X" }])).toEqual({
      formula: "MgO",
      perCell: 2,
    });
    expect(formulaUnitOf([{ symbol: "X" }])).toBeNull();
    expect(formulaUnitOf([])).toBeNull();
  });

  it("a k-fold supercell: the same formula, k times the units; units × formula = the cell", () => {
    const composition = fc.dictionary(fc.constantFrom(...ELEMENTS), fc.integer({ min: 1, max: 12 }), {
      minKeys: 1,
    });
    fc.assert(
      fc.property(composition, fc.integer({ min: 1, max: 9 }), (spec, k) => {
        const cell = formulaUnitOf(atoms(spec))!;
        const bigger = Object.fromEntries(Object.entries(spec).map(([el, n]) => [el, n * k]));
        const supercell = formulaUnitOf(atoms(bigger))!;
        expect(supercell.formula).toBe(cell.formula);
        expect(supercell.perCell).toBe(cell.perCell * k);
        const back = [...countsOf(cell.formula)].map(([el, n]) => [el, n * cell.perCell]);
        expect(Object.fromEntries(back)).toEqual(spec);
        // reduced: no common factor is left in the formula's counts
        const counts = [...countsOf(cell.formula).values()];
        for (let d = 2; d <= Math.min(...counts); d++) expect(counts.every((n) => n % d === 0)).toBe(false);
      }),
    );
  });
});
