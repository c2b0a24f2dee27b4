// Whole results per real output (issue 10, issue 16): every key of the parser's result is checked
// against every fixture — a value read by hand from the output (or asserted by the project it comes
// from, expected.json), PRESENT where it must be there, and null (or empty) where the output does
// not have it, so that a missing value can never pass as 0 (`null - 0 === 0`). The oracle below is
// written from the outputs' text, never from the parser's own output.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CrystalResult, HARTREE_TO_EV, parseOutputFile } from "../../src/crystal/output-parser.js";
import { FIXTURES } from "../helpers/project.js";

const PRESENT = Symbol("present");
type Check = unknown;
type Oracle = Partial<Record<keyof CrystalResult, Check>>;

const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, "expected.json"), "utf8")) as {
  files: ({ file: string } & Record<string, unknown>)[];
};

/** expected.json's keys, as places in the result. */
function fromExpected(entry: Record<string, unknown>): Oracle {
  const o: Record<string, unknown> = { program: "crystal" };
  const scf: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(entry)) {
    if (key === "file") continue;
    else if (key === "scf_converged") scf.converged = v;
    else if (key === "scf_cycles") scf.cycles = v;
    else if (key === "opt_converged") o.opt = { converged: v };
    else if (key === "n_frequencies") o.frequencies = { modes: { length: v } };
    else if (key === "bulk_modulus_gpa") o.elastic = { ...(o.elastic as object), bulk_modulus_gpa: v };
    else if (key === "bulk_modulus_voigt_gpa")
      o.elastic = { ...(o.elastic as object), voigt: { bulk_modulus_gpa: v } };
    else o[key] = v;
  }
  if (Object.keys(scf).length > 0) o.scf = scf;
  if (typeof o.final_energy_hartree === "number")
    o.final_energy_ev = (o.final_energy_hartree as number) * HARTREE_TO_EV;
  return o as Oracle;
}

const mgoCell = (a: number) => ({ a, b: a, c: a, alpha: 60, beta: 60, gamma: 60 });
/** A gap from band edges printed in Hartree, as CRYSTAL14 leaves it to the reader. */
const gapFromEdges = (top: number, bottom: number) => Math.round((bottom - top) * HARTREE_TO_EV * 1e4) / 1e4;

/** Read by hand from each output (line numbers of the copied files in comments). */
const BY_HAND: Record<string, Oracle> = {
  "aiida-crystal17__mgo_sto3g_scf.out": {
    scf_energy_hartree: -271.21814374931, // L528
    spin_polarized: false,
    lattice: mgoCell(2.97691955),
    band_gap_ev: PRESENT,
    wall_time_s: PRESENT,
    geometry: {
      dimensionality: 3,
      space_group: "F M 3 M", // L82
      atoms: [
        { symbol: "Mg", z: 12, fractional: [0, 0, 0] },
        { symbol: "O", z: 8, fractional: [-0.5, -0.5, -0.5], cartesian_angstrom: [2.105, 2.105, 2.105] },
      ],
    },
    mulliken: { electrons: [11.2227092, 8.7772908], charges: [0.7772908, -0.7772908], spins: null }, // L512
  },
  "aiida-crystal17__mgo_sto3g_opt.out": {
    scf_energy_hartree: -271.25962068879, // L911, the last point
    spin_polarized: false,
    lattice: mgoCell(2.74665816),
    opt: { converged: true, steps: 6 },
    warnings: PRESENT,
    wall_time_s: PRESENT,
    geometry: {
      dimensionality: 3,
      space_group: "F M 3 M",
      lattice_vectors_angstrom: [
        [0, 1.94218061274, 1.94218061274],
        [1.94218061274, 0, 1.94218061274],
        [1.94218061274, 1.94218061274, 0],
      ], // L1033-1037
      atoms: [
        { symbol: "Mg" },
        { symbol: "O", cartesian_angstrom: [1.942180612737, 1.942180612737, 1.942180612737] },
      ],
    },
    // charges are printed for the first point's SCF only (L446-574), not for the optimised geometry
  },
  "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.out": {
    // TOO MANY CYCLES is no ERROR line; SPIN LOCKING: NO ENERGY GAP COMPUTED (L512-557): no gaps
    errors: [],
    lattice: { a: 2.94439264, b: 2.94439264, c: 4.164, alpha: 90, beta: 90, gamma: 90 },
    spin_polarized: true,
    scf: PRESENT,
    wall_time_s: PRESENT,
    geometry: { dimensionality: 3, space_group: null, atoms: { length: 4 } },
    // the SCF did not converge: no final SCF, so no populations of it
  },
  "aiida-crystal17__nio_sto3g_afm_opt_walltime.out": {
    errors: PRESENT,
    error_kind: "killed",
    final_energy_hartree: -3128.3182941933, // L1503, the last point that converged
    final_energy_ev: -3128.3182941933 * HARTREE_TO_EV,
    scf_energy_hartree: -3128.3182941933,
    lattice: { a: 3.07205406, b: 3.07205406, c: 4.49934791, alpha: 90, beta: 90, gamma: 90 },
    spin_polarized: true,
    scf: PRESENT,
    wall_time_s: PRESENT,
    warnings: PRESENT, // L444
    geometry: {
      dimensionality: 3,
      atoms: [{ symbol: "Ni" }, { symbol: "Ni", fractional: [0.5, 0.5, -0.5] }, {}, {}],
    },
  },
  "aiida-crystal17__cry17_spin_opt.out": {
    scf_energy_hartree: -3323.0649457201, // L2045
    lattice: { a: 3.99860746, b: 3.99860746, c: 4.6279493, alpha: 90, beta: 90, gamma: 90 },
    warnings: PRESENT,
    wall_time_s: PRESENT,
    scf: PRESENT,
    geometry: {
      dimensionality: 3,
      space_group: "P 4/N M M",
      atoms: [
        { symbol: "Fe" },
        { symbol: "Fe", fractional: [0.5, 0.5, 0] },
        { symbol: "S" },
        { symbol: "S" },
      ],
    },
    // the PPAN analysis after OPT END (L2119-2180): ALPHA+BETA then ALPHA-BETA
    mulliken: {
      electrons: [26.051, 26.049, 15.95, 15.95],
      spins: [3.546, -3.548, 0.001, 0.001],
      charges: [-0.051, -0.049, 0.05, 0.05],
      total_magnetisation: 0,
    },
  },
  "aiida-crystal17__cry17_incomplete_scf.out": {
    band_gap_ev: 0, // POSSIBLY CONDUCTING STATE (L437-461)
    lattice: { a: 2.29, b: 2.29, c: 3.59, alpha: 90, beta: 90, gamma: 120 },
    spin_polarized: false,
    scf: PRESENT,
    wall_time_s: PRESENT,
    geometry: {
      dimensionality: 3,
      space_group: "P 63/M M C",
      atoms: [{ symbol: "Be", fractional: [0.3333333333333, -0.3333333333333, 0.25] }, {}],
    },
  },
  "aiida-crystal17__FAILED_GEOM_mackinawite_opt.out": {
    errors: PRESENT, // L5253; its WARNINGWARNING… rulers are not warnings
    band_gap_ev: 0, // POSSIBLY CONDUCTING STATE, printed once for both spins (L995-1046)
    final_energy_hartree: -3323.0774586632, // L5018
    final_energy_ev: -3323.0774586632 * HARTREE_TO_EV,
    scf_energy_hartree: -3323.0774586632,
    lattice: { a: 3.53972934, b: 3.53972934, c: 4.95544184, alpha: 90, beta: 90, gamma: 90 },
    spin_polarized: true,
    scf: PRESENT,
    wall_time_s: PRESENT,
    geometry: { dimensionality: 3, space_group: "P 4/N M M", atoms: { length: 4 } },
    mulliken: { electrons: [26.631, 26.631, 15.369, 15.369], spins: [0, 0, 0, 0] }, // L5088, L5148
  },
  "pycrystal__test08.out": {
    scf_energy_hartree: -571.32081224317,
    lattice: mgoCell(3.83251875),
    spin_polarized: false,
    band_gap_ev: PRESENT,
    wall_time_s: PRESENT,
    geometry: {
      dimensionality: 3,
      space_group: "F D 3 M",
      atoms: [{ symbol: "Si", fractional: [0.125, 0.125, 0.125] }, { symbol: "Si" }],
    },
    mulliken: { electrons: [14, 14], charges: [0, 0] }, // L444
  },
  "pycrystal__raman.out": {
    scf_energy_hartree: -274.66419188883, // L469, the central point
    zero_point_energy_ev: 0.090203623929, // L2668 (expected.json rounds it)
    lattice: mgoCell(2.97691955),
    spin_polarized: false,
    band_gap_ev: PRESENT,
    warnings: PRESENT,
    wall_time_s: PRESENT,
    scf: PRESENT,
    geometry: { dimensionality: 3, space_group: "F M 3 M", atoms: { length: 2 } },
    frequencies: {
      modes: [
        { index: 1, cm1: 0, symmetry: "Fu" },
        { index: 2, cm1: 0 },
        { index: 3, cm1: 0 },
        { index: 4, cm1: 485.0276, ir_km_mol: 1045.07, ir_active: true, raman_active: false, symmetry: "Fu" },
        { index: 5, cm1: 485.0276 },
        { index: 6, cm1: 485.0276, symmetry: "Fu" },
      ],
      n_imaginary: 0,
      zero_point_energy_ev: 0.090203623929, // L2668
      // L2667-2688: E = EL + E0 + ET, H = E + PV
      thermodynamics: [
        {
          temperature_k: 298.15,
          pressure_mpa: 0.101325,
          energy_hartree: -274.664191888834 + 0.003314922384 + 0.00070625537,
          enthalpy_hartree: -274.664191888834 + 0.003314922384 + 0.00070625537 + 0.000000433553,
          free_energy_hartree: -274.66116326139,
          entropy_j_mol_k: 8.74418501,
          heat_capacity_j_mol_k: 16.10739703,
        },
      ],
    },
  },
  "CRYSTALpytools__out_mgoSCF.out": {
    scf_energy_hartree: -275.44859113743,
    lattice: mgoCell(2.9818693),
    spin_polarized: false,
    wall_time_s: PRESENT,
    geometry: {
      dimensionality: 3,
      space_group: "F M 3 M",
      atoms: [{ symbol: "Mg" }, { symbol: "O", fractional: [0.5, 0.5, 0.5] }],
    },
    mulliken: { electrons: [10.1243574, 9.8756426], charges: [1.8756426, -1.8756426] }, // L627
  },
  "CRYSTALpytools__out_coOpt.out": {
    scf_energy_hartree: -111.72027223111, // L664
    spin_polarized: false,
    scf: PRESENT,
    band_gap_ev: 9.2095, // L690, after OPT END
    wall_time_s: PRESENT,
    geometry: {
      dimensionality: 0,
      space_group: "1 OR C1", // L79, a point group
      lattice_vectors_angstrom: [],
      cell: null,
      volume: null,
      atoms: [
        {
          symbol: "C",
          fractional: [null, null, null],
          cartesian_angstrom: [-0.06372620712817, -0.03982887945511, -0.03186310356409],
        },
        { symbol: "O", cartesian_angstrom: [0.8637262071282, 0.5398288794551, 0.4318631035641] },
      ],
    },
  },
  "CRYSTALpytools__conv_mgo100.out": {
    errors: PRESENT,
    spin_polarized: false,
    wall_time_s: PRESENT,
    lattice: { a: 3.0097887, b: 3.0097887, c: null, alpha: 90, beta: 90, gamma: 90 },
    geometry: {
      dimensionality: 2,
      atoms: [
        { symbol: "Mg", fractional: [0, -0.5, null], cartesian_angstrom: [PRESENT, PRESENT, 1.06412] },
        {},
        {},
        {},
        {},
        {},
      ],
    },
  },
  "aiida-crystal17__doss_mgo_sto3g_scf.out": {
    calc_type: "properties",
    lattice: mgoCell(2.97692),
    wall_time_s: PRESENT,
    scf: PRESENT,
    properties: {
      status: "completed",
      crystal_version: "17",
      n_atoms: 2,
      spin_polarized: false,
      kinds: ["NEWK", "DOSS"], // L142 TTTT NEWK, L292 TTTT DOSS
      band_gap_ev: 12.6665,
      fort25_blocks: ["DOSS"], // L289
    },
  },
  "electronic-parsers__NaCl.out": {
    calc_type: "properties",
    lattice: mgoCell(3.98822),
    warnings: PRESENT,
    wall_time_s: PRESENT,
    scf: PRESENT,
    // CRYSTAL14 prints the band edges only (L513-514)
    band_gap_ev: gapFromEdges(-0.39685829, 0.12859066),
    properties: {
      status: "completed",
      crystal_version: "14",
      n_atoms: 2,
      kinds: ["BAND", "NEWK", "DOSS"], // the echoed ECHG/PATO after END (L16-40) were not run
      band_gap_ev: gapFromEdges(-0.39685829, 0.12859066),
      fort25_blocks: ["BAND", "BAND", "BAND", "BAND", "DOSS"], // L403-412, L645
    },
  },
  "electronic-parsers__albite_freq_intens.out": {
    scf_energy_hartree: -3747.5508194708, // L824
    lattice: {
      a: 7.74711286,
      b: 7.48118461,
      c: 7.20749114,
      alpha: 79.535047,
      beta: 107.454062,
      gamma: 64.904651,
    },
    band_gap_ev: PRESENT,
    warnings: PRESENT,
    wall_time_s: PRESENT,
    scf: PRESENT,
    geometry: { dimensionality: 3, space_group: null, atoms: { length: 26 } },
    frequencies: {
      modes: {
        3: {
          index: 4,
          cm1: 68.6037,
          symmetry: "Ag",
          ir_active: false,
          raman_active: true,
          raman_intensity: 3.06,
        },
        7: {
          index: 8,
          cm1: 89.809,
          symmetry: "Au",
          ir_km_mol: 145.62,
          ir_active: true,
          raman_active: false,
          raman_intensity: null,
        },
        77: { index: 78, cm1: 1168.1765, ir_km_mol: 881.6 },
      },
      n_imaginary: 0,
      thermodynamics: [
        {
          temperature_k: 298.15,
          energy_hartree: -3747.5508194713 + 0.09066807495 + 0.023021715364, // L5949-5956
          free_energy_hartree: -3747.47824676113,
          entropy_j_mol_k: 362.14470578,
          heat_capacity_j_mol_k: 383.06749018,
        },
      ],
    },
  },
  "aiida-crystal-dft__mgo_sto3g_elastic.out": {
    scf_energy_hartree: -271.25962068193,
    lattice: mgoCell(2.74669837),
    band_gap_ev: PRESENT,
    wall_time_s: PRESENT,
    geometry: { dimensionality: 3, atoms: { length: 2 } },
    mulliken: { electrons: [11.2027473, 8.7972527] }, // L619
    elastic: {
      // L745-793
      constants: [
        [1024.92, 193.388, 193.388, 0, 0, 0],
        [193.388, 1024.92, 193.388, 0, 0, 0],
        [193.388, 193.388, 1024.92, 0, 0, 0],
        [0, 0, 0, 289.268, 0, 0],
        [0, 0, 0, 0, 289.268, 0],
        [0, 0, 0, 0, 0, 289.268],
      ],
      units: "GPa",
      compliance: { 0: [1.0379, -0.1647, -0.1647, 0, 0, 0], 3: { 3: 3.457 } },
      compliance_units: "TPa^-1",
      shear_modulus_gpa: 334.61,
      reuss: { bulk_modulus_gpa: 470.57, shear_modulus_gpa: 329.35 },
      hill: {
        bulk_modulus_gpa: 470.57,
        shear_modulus_gpa: 334.61,
        young_modulus_gpa: 811.48,
        poisson_ratio: 0.21,
      },
    },
  },
  "CRYSTALpytools__elastic2D_graphene.out": {
    scf_energy_hartree: -76.091361265011, // L884: the SCF's E(T); the final energy is its E0 (L897)
    lattice: { a: 2.45205264, b: 2.45205264, c: null, alpha: 90, beta: 90, gamma: 120 },
    band_gap_ev: 0, // smeared metal: CONDUCTING STATE
    opt: { converged: true },
    warnings: PRESENT,
    wall_time_s: PRESENT,
    geometry: {
      dimensionality: 2,
      space_group: "P 6 M M",
      lattice_vectors_angstrom: [
        [2.12353987766, -1.22602632, 0],
        [0, 2.45205264, 0],
      ],
      atoms: [{ symbol: "C", fractional: [0.3333333333333, -0.3333333333333, null] }, { symbol: "C" }],
    },
    mulliken: { electrons: [6, 6], charges: [0, 0] }, // L860
    elastic: {
      constants: [
        [4.479, 0.982, 0],
        [0.982, 4.479, 0],
        [0, 0, 1.749],
      ], // L966-970
      units: "HARTREE",
      compliance: null,
      bulk_modulus_gpa: null,
      shear_modulus_gpa: null,
      voigt: null,
      reuss: null,
      hill: null,
    },
  },
};

function check(actual: unknown, want: unknown, where: string): void {
  if (want === PRESENT) {
    expect(actual, `${where} must be there`).not.toBeNull();
    expect(actual, `${where} must be there`).not.toBeUndefined();
    if (Array.isArray(actual)) expect(actual.length, `${where} must not be empty`).toBeGreaterThan(0);
  } else if (want === null) expect(actual, `${where} must be null`).toBeNull();
  else if (typeof want === "number") {
    expect(typeof actual, `${where} is a number`).toBe("number");
    expect(Math.abs((actual as number) - want), `${where}: ${actual} vs ${want}`).toBeLessThan(
      Math.max(1e-6, Math.abs(want) * 1e-9),
    );
  } else if (Array.isArray(want)) {
    expect(Array.isArray(actual), `${where} is a list`).toBe(true);
    expect((actual as unknown[]).length, `${where} length`).toBe(want.length);
    want.forEach((w, i) => {
      check((actual as unknown[])[i], w, `${where}[${i}]`);
    });
  } else if (typeof want === "object") {
    expect(actual, `${where} must be there`).not.toBeNull();
    expect(typeof actual, `${where} is an object`).toBe("object");
    for (const [k, w] of Object.entries(want as object))
      check((actual as Record<string, unknown>)[k], w, `${where}.${k}`);
  } else expect(actual, where).toBe(want);
}

/** Keys that are arrays or objects in every result: "absent" means empty, not null. */
const ALWAYS_THERE = new Set(["errors", "warnings", "scf"]);

describe("whole results, every key against every real output", () => {
  it("the oracle covers every real output", () => {
    const outputs = fs
      .readdirSync(FIXTURES)
      .filter((f) => f.endsWith(".out"))
      .sort();
    expect(Object.keys(BY_HAND).sort()).toEqual(outputs);
    expect(expected.files.map((e) => e.file).sort()).toEqual(outputs);
  });

  for (const entry of expected.files) {
    it(entry.file, async () => {
      const result = await parseOutputFile(path.join(FIXTURES, entry.file));
      const oracle: Record<string, unknown> = { ...fromExpected(entry), ...BY_HAND[entry.file] };
      // expected.json's deep keys and the hand-read ones of the same section are both checked
      for (const key of ["elastic", "frequencies", "opt", "scf"] as const) {
        const a = fromExpected(entry)[key];
        const b = BY_HAND[entry.file]?.[key];
        if (a && b && typeof a === "object" && typeof b === "object") oracle[key] = [a, b];
      }
      for (const key of Object.keys(result) as (keyof CrystalResult)[]) {
        const want = oracle[key];
        const actual = result[key];
        if (want === undefined) {
          if (ALWAYS_THERE.has(key)) {
            if (Array.isArray(actual)) expect(actual, `${key} must be empty`).toEqual([]);
          } else expect(actual, `${entry.file}: ${key} is not in this output and must be null`).toBeNull();
        } else if (Array.isArray(want) && ["elastic", "frequencies", "opt", "scf"].includes(key)) {
          for (const w of want) check(actual, w, key);
        } else check(actual, want, key);
      }
    });
  }
});
