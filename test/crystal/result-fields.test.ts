// The result-field table: the rows a person reads, for the CLI's parse and the TUI's Results tab.
// Oracles are literal rows for literal results, so that a wrong entry in the table fails here.
import { describe, expect, it } from "vitest";
import { resultRows } from "../../src/crystal/result-fields.js";

describe("result rows", () => {
  it("write each value with its unit, in the table's order", () => {
    const rows = resultRows({
      crystal_version: "17",
      final_energy_hartree: -271.2596206888,
      scf: { converged: true, cycles: 7, energies_hartree: [] },
      opt: { converged: false, steps: 3, energies_hartree: [] },
      band_gap_ev: 17.4781,
      frequencies: {
        modes: [{ cm1: -20.5 }, { cm1: 0 }, { cm1: 485.0276 }],
        n_imaginary: 1,
        zero_point_energy_ev: null,
        thermodynamics: [],
      },
      n_atoms: 2,
      spin_polarized: false,
    });
    expect(rows.map((r) => [r.label, r.value, r.warn])).toEqual([
      ["CRYSTAL", "CRYSTAL17", false],
      ["Final energy", "-271.2596206888 Ha  (-7381.350312 eV)", false],
      ["SCF", "converged in 7 cycles", false],
      ["Optimisation", "not converged after 3 steps", true],
      ["Band gap", "17.4781 eV", false],
      ["Frequencies", "3 modes, ⚠ 1 imaginary, highest 485.0 cm⁻¹", true],
      ["Atoms", "2 (closed shell)", false],
    ]);
  });

  it("mark the energy of a run that did not reach its goal as not final, with why", () => {
    const [failure, row] = resultRows({
      status: "incomplete",
      error_kind: "walltime",
      final_energy_hartree: -3128.3182941933,
    });
    expect(failure!.value).toBe("walltime");
    expect(row).toEqual({
      key: "final_energy_hartree",
      label: "Final energy",
      value: "-3128.3182941933 Ha  (-85125.877404 eV) ~ not final: the run reached its time limit",
      warn: true,
    });
    const [done] = resultRows({ status: "completed", final_energy_hartree: -10 });
    expect(done!.value).toBe("-10.0000000000 Ha  (-272.113862 eV)");
    expect(done!.warn).toBe(false);
  });

  it("give no row for what is absent (null is not 0)", () => {
    expect(
      resultRows({ band_gap_ev: null, final_energy_hartree: null, geometry: null, elastic: null }),
    ).toEqual([]);
    expect(resultRows({ band_gap_ev: 0 }).map((r) => r.value)).toEqual(["0.0000 eV"]);
  });

  it("show the SCF energy only when a correction makes it differ from the final one", () => {
    const same = resultRows({ final_energy_hartree: -10, scf_energy_hartree: -10 });
    expect(same.map((r) => r.label)).toEqual(["Final energy"]);
    const disp = resultRows({ final_energy_hartree: -10.025, scf_energy_hartree: -10 });
    expect(disp.map((r) => r.label)).toEqual(["Final energy", "SCF energy"]);
  });

  it("read stored results of any shape without throwing", () => {
    for (const junk of [
      { scf: "x" },
      { frequencies: { modes: "no" } },
      { elastic: { constants: [[]] } },
      { lattice: 3 },
      {},
    ])
      expect(() => resultRows(junk as never)).not.toThrow();
  });

  it("elastic, structure, Mulliken and properties rows", () => {
    const rows = resultRows({
      elastic: {
        constants: [
          [4.479, 0.982],
          [0.982, 4.479],
        ],
        units: "HARTREE",
        bulk_modulus_gpa: null,
        shear_modulus_gpa: null,
      },
      geometry: { dimensionality: 2, space_group: "P 6 M M", volume: 5.207, atoms: [{}, {}] },
      mulliken: { charges: [0.5, -0.5], spins: [1, -1], total_magnetisation: 0 },
      properties: { kinds: ["BAND", "DOSS"], band_gap_ev: 12.6665, status: "completed" },
    });
    expect(rows.map((r) => r.value)).toEqual([
      "2×2 HARTREE: C11 4.48 C22 4.48",
      "2D, P 6 M M, 2 atoms, volume 5.2070 Å²",
      "charges +0.500 -0.500; spins +1.000 -1.000; total spin 0.000",
      "BAND DOSS · NEWK gap 12.6665 eV · completed",
    ]);
  });
});
