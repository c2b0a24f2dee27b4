// The sections issue 16 added, on variations the fixtures do not have: imaginary and degenerate modes,
// tables without intensities or symmetry, fixed-width elastic columns that touch, 1D and 0D
// structures, dispersion-corrected energies, a crystal run followed by a properties run, false
// terminations — written from CRYSTAL's printed formats — and every new section cut anywhere.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CrystalResult, OutputParser, parseOutputText } from "../../src/crystal/output-parser.js";
import { FIXTURES } from "../helpers/project.js";

const text = (file: string) => fs.readFileSync(path.join(FIXTURES, file), "latin1");
const BANNER = " *                              CRYSTAL23                                      *\n";
const END = " EEEEEEEEEE TERMINATION  DATE 01 01 2025 TIME 00:00:00.0\n";

describe("frequencies", () => {
  const table = (
    rows: string[],
    header = "    MODES         EIGV          FREQUENCIES     IRREP  IR   INTENS    RAMAN",
  ) =>
    `${BANNER} FREQUENCY CALCULATION\n${header}\n             (HARTREE**2)   (CM**-1)     (THZ)             (KM/MOL)\n${rows.join("\n")}\n\n${END}`;

  it("a degenerate row gives one mode each; imaginary modes are negative and counted", () => {
    const r = parseOutputText(
      table([
        "    1-   2   -0.1108E-06    -73.0412   -2.1897  (Eu )   A (    12.50)   I",
        "    3-   3    0.0000E+00      0.0000    0.0000  (A2u)   A (     0.00)   I",
        "   34-  36    0.2790E-05    366.6211   10.9910  (T1u)   A (   717.06)   A",
      ]).replace(/^( {4}3- {3}3)/m, "$1"),
    );
    const modes = r.frequencies!.modes;
    // 1-2 and 3 are rows 1 to 3; 34-36 does not follow 3, so the table reads as ending there
    expect(modes.map((m) => m.index)).toEqual([1, 2, 3]);
    expect(modes[0]).toEqual({
      index: 1,
      cm1: -73.0412,
      ir_km_mol: 12.5,
      ir_active: true,
      raman_active: false,
      symmetry: "Eu",
      raman_intensity: null,
    });
    expect(r.frequencies!.n_imaginary).toBe(2);
    const full = parseOutputText(
      table([
        "    1-   3    0.0000E+00      0.0000    0.0000  (T1u)   A (     0.00)   I",
        "    4-   6    0.2790E-05    366.6211   10.9910  (T1u)   A (   717.06)   A",
      ]),
    ).frequencies!;
    expect(full.modes.map((m) => [m.index, m.cm1, m.raman_active])).toEqual([
      [1, 0, false],
      [2, 0, false],
      [3, 0, false],
      [4, 366.6211, true],
      [5, 366.6211, true],
      [6, 366.6211, true],
    ]);
    expect(full.n_imaginary).toBe(0);
  });

  it("without IR intensities or symmetry analysis the columns are null, not 0", () => {
    const r = parseOutputText(
      table(
        ["    1-   1   -0.4000E-07    -43.9000   -1.3161", "    2-   2    0.1000E-05    219.4746    6.5797"],
        "    MODES         EIGV          FREQUENCIES",
      ),
    );
    expect(r.frequencies!.modes[1]).toEqual({
      index: 2,
      cm1: 219.4746,
      ir_km_mol: null,
      ir_active: null,
      raman_active: null,
      symmetry: null,
      raman_intensity: null,
    });
    expect(r.frequencies!.n_imaginary).toBe(1);
  });

  it("the LO table with SHIFTS and later tables do not replace the Γ transverse modes", () => {
    const lo =
      "    MODES         EIGV          FREQUENCIES    IRREP IR INTENS       SHIFTS\n    1-   3    0.2370E-06    106.8457    3.2032 (F1U)     40.2    7.382   0.2213\n";
    const r = parseOutputText(
      table(["    1-   3    0.1000E-05    219.4746    6.5797  (Fu )   A (     1.00)   I"]).replace(
        END,
        `${lo}\n${END}`,
      ),
    );
    expect(r.frequencies!.modes.map((m) => m.cm1)).toEqual([219.4746, 219.4746, 219.4746]);
  });

  it("thermodynamics at each temperature: E = EL + E0 + ET, H = E + PV, G as printed", () => {
    const thermo = [
      " EL            :     -10.000000000000     -272.11386245988     -26254.99",
      " E0            :       0.010000000000        0.272113862460         26.25",
      " AT (T =  100.00 K, P =   0.10132500E+00 MPA):",
      " ET            :       0.001000000000        0.027211386246          2.63",
      " PV            :       0.000001000000        0.000027211386          0.00",
      " TS            :       0.002000000000        0.054422772492          5.25",
      " EL+E0+ET+PV-TS:      -9.990999000000     -271.86905000000     -26231.37",
      " ENTROPY       :       0.020000000000        0.544227724920         52.51",
      " HEAT CAPACITY :       0.010000000000        0.272113862460         26.25",
      " AT (T =  300.00 K, P =   0.10132500E+00 MPA):",
      " ET            :       0.003000000000        0.081634158738          7.88",
      " PV            :       0.000001000000        0.000027211386          0.00",
      " TS            :       0.009000000000        0.244902476214         23.63",
      " EL+E0+ET+PV-TS:      -9.995999000000     -272.00510000000     -26244.50",
      " ENTROPY       :       0.030000000000        0.816341587380         78.77",
      " HEAT CAPACITY :       0.020000000000        0.544227724920         52.51",
    ].join("\n");
    const t = parseOutputText(`${BANNER} FREQUENCY CALCULATION\n${thermo}\n${END}`).frequencies!
      .thermodynamics;
    expect(t.map((x) => x.temperature_k)).toEqual([100, 300]);
    expect(t[1]!.energy_hartree).toBeCloseTo(-10 + 0.01 + 0.003, 12);
    expect(t[1]!.enthalpy_hartree).toBeCloseTo(-10 + 0.01 + 0.003 + 0.000001, 12);
    expect(t[1]!.free_energy_hartree).toBeCloseTo(-9.995999, 12);
    expect([t[0]!.entropy_j_mol_k, t[1]!.heat_capacity_j_mol_k]).toEqual([52.51, 52.51]);
  });
});

describe("elastic constants", () => {
  const run = (body: string) => parseOutputText(`${BANNER} ELASTIC CALCULATION\n${body}\n${END}`);

  it("fixed-width columns that touch (-122.44-1070.00) are read as two numbers", () => {
    const r = run(
      [
        " SYMMETRIZED ELASTIC CONSTANTS FOR MONOCLINIC   CASE, IN GPa",
        "",
        " | 1234.56-122.44-1070.00    0.00    5.00  -12.50 |",
        " |         999.99 1000.01    1.00-9999.99    3.25 |",
        " |                 500.00    2.00    3.00    4.00 |",
        " |                          80.00    0.00    0.00 |",
        " |                                  70.00-1234.56 |",
        " |                                          60.00 |",
        "",
        " BULK MODULUS K, SHEAR MODULUS G, YOUNG MODULUS E AND",
        "",
        "    K_V     G_V     K_R     G_R     K_H     G_H    E_H      v_H",
        "",
        " -122.44-1070.00  470.57  329.35  174.06 -370.33  811.48   -0.21",
        "",
      ].join("\n"),
    );
    const e = r.elastic!;
    expect(e.constants[0]).toEqual([1234.56, -122.44, -1070, 0, 5, -12.5]);
    expect(e.constants[1]![4]).toBe(-9999.99);
    expect(e.constants[4]![1]).toBe(-9999.99); // symmetric
    expect(e.constants[4]![5]).toBe(-1234.56);
    expect(e.voigt).toEqual({ bulk_modulus_gpa: -122.44, shear_modulus_gpa: -1070 });
    expect(e.hill).toEqual({
      bulk_modulus_gpa: 174.06,
      shear_modulus_gpa: -370.33,
      young_modulus_gpa: 811.48,
      poisson_ratio: -0.21,
    });
    expect(e.bulk_modulus_gpa).toBe(174.06); // no BULK MODULUS block: Hill's K
  });

  it("a polymer's 1×1 constant in CRYSTAL's units; a matrix cut short is not reported", () => {
    const one = run(
      " SYMMETRIZED ELASTIC CONSTANTS FOR 1D         CASE, IN HARTREE/BOHR\n\n |     0.347 |\n",
    );
    expect([one.elastic!.constants, one.elastic!.units]).toEqual([[[0.347]], "HARTREE/BOHR"]);
    const cut = run(
      " SYMMETRIZED ELASTIC CONSTANTS FOR CUBIC        CASE, IN GPa\n\n |  1024.920  193.388  193.388 |\n |           1024.920  193.388 |\n",
    );
    expect(cut.elastic).toBeNull();
  });
});

describe("structures of every dimensionality", () => {
  it("a polymer: fractional along x only, Å along y and z", () => {
    const r = parseOutputText(
      `${BANNER} POLYMER CALCULATION\n GEOMETRY FOR WAVE FUNCTION - DIMENSIONALITY OF THE SYSTEM    1
 LATTICE PARAMETERS (ANGSTROMS AND DEGREES) - BOHR = 0.5291772083 ANGSTROM
 PRIMITIVE CELL
         A              B              C           ALPHA      BETA       GAMMA 
     2.50000000   500.00000000   500.00000000    90.000000  90.000000  90.000000
 *******************************************************************************
 ATOMS IN THE ASYMMETRIC UNIT    1 - ATOMS IN THE UNIT CELL:    2
     ATOM                 X/A             Y(ANGSTROM)         Z(ANGSTROM)
 *******************************************************************************
      1 T   6 C     0.000000000000E+00  6.500000000000E-01  0.000000000000E+00
      2 F   1 H     2.500000000000E-01 -6.500000000000E-01  1.000000000000E-01
${END}`,
    );
    const g = r.geometry!;
    expect(g.dimensionality).toBe(1);
    expect(g.lattice_vectors_angstrom).toEqual([[2.5, 0, 0]]);
    expect(g.atoms[1]).toEqual({
      index: 2,
      z: 1,
      symbol: "H",
      fractional: [0.25, null, null],
      cartesian_angstrom: [0.625, -0.65, 0.1],
    });
    expect(g.volume).toBe(2.5);
    expect(r.lattice).toEqual({ a: 2.5, b: null, c: null, alpha: 90, beta: 90, gamma: 90 });
  });

  it("an atom with a pseudopotential (conventional Z 282) is lead; its Mulliken charge is unknown", () => {
    const r = parseOutputText(
      `${BANNER} CRYSTAL - SCF - TYPE OF CALCULATION :  RESTRICTED CLOSED SHELL
 ATOMS IN THE ASYMMETRIC UNIT    2 - ATOMS IN THE UNIT CELL:    2
     ATOM             X(ANGSTROM)         Y(ANGSTROM)         Z(ANGSTROM)
      1 T 282 PB    0.000000000000E+00  0.000000000000E+00  0.000000000000E+00
      2 T   8 O     0.000000000000E+00  0.000000000000E+00  1.900000000000E+00
 MOLECULAR CALCULATION
 TOTAL ATOMIC CHARGES:
   3.6000000   8.4000000
 == SCF ENDED - CONVERGENCE ON ENERGY      E(AU) -1.0000000000000E+02 CYCLES   5
${END}`,
    );
    expect(r.geometry!.atoms.map((a) => [a.z, a.symbol])).toEqual([
      [82, "Pb"],
      [8, "O"],
    ]);
    expect(r.geometry!.lattice_vectors_angstrom).toEqual([]);
    expect(r.mulliken).toEqual({
      charges: [null, -0.4],
      electrons: [3.6, 8.4],
      spins: null,
      total_magnetisation: null,
    });
  });
});

describe("energies with dispersion", () => {
  const scf = (after: string) =>
    `${BANNER} CRYSTAL - SCF - TYPE OF CALCULATION :  RESTRICTED CLOSED SHELL
 CYC   5 ETOT(AU) -7.573850262100E+01 DETOT -1.0E-09 tst  1.0E-10 PX  1.0E-05
 == SCF ENDED - CONVERGENCE ON ENERGY      E(AU) -7.5738502621000E+01 CYCLES   5
${after}${END}`;

  it("TOTAL ENERGY + DISP is the final energy, the SCF's own is scf_energy_hartree", () => {
    const r = parseOutputText(
      scf(" D3 DISPERSION ENERGY (AU)   -2.4567E-03\n TOTAL ENERGY + DISP (AU)    -7.5741059291E+01\n"),
    );
    expect([r.final_energy_hartree, r.scf_energy_hartree]).toEqual([-75.741059291, -75.738502621]);
  });

  it("with gCP too", () => {
    const r = parseOutputText(scf(" TOTAL ENERGY + DISP + GCP (AU) -7.5700000000E+01\n"));
    expect([r.final_energy_hartree, r.scf_energy_hartree]).toEqual([-75.7, -75.738502621]);
  });

  it("without, both are the SCF's", () => {
    const r = parseOutputText(scf(""));
    expect([r.final_energy_hartree, r.scf_energy_hartree]).toEqual([-75.738502621, -75.738502621]);
  });
});

describe("one file, two programs; what is not the end", () => {
  it("a crystal run then a properties run reports both, each with its own results", () => {
    const crystal = text("aiida-crystal17__mgo_sto3g_scf.out");
    const properties = text("aiida-crystal17__doss_mgo_sto3g_scf.out");
    const alone = parseOutputText(crystal);
    const both = parseOutputText(crystal + properties);
    expect(both.program).toBe("crystal");
    expect([both.status, both.final_energy_hartree, both.band_gap_ev]).toEqual([
      alone.status,
      alone.final_energy_hartree,
      alone.band_gap_ev,
    ]);
    expect(both.geometry).toEqual(alone.geometry);
    expect(both.properties).toMatchObject({
      status: "completed",
      kinds: ["NEWK", "DOSS"],
      band_gap_ev: 12.6665,
      crystal_version: "17",
      n_atoms: 2,
    });
    // the properties run not finished yet: the crystal run's own status stands
    const cut = parseOutputText(
      crystal + properties.slice(0, properties.indexOf(" TTTTTTTTTTTTTTTTTTTTTTTTTTTTTT DOSS")),
    );
    expect([cut.status, cut.properties?.status, cut.properties?.kinds]).toEqual([
      "completed",
      "incomplete",
      ["NEWK"],
    ]);
  });

  it("SCF, INT_CALC and DFTD3 terminations and file listings named ERROR are not the end, nor errors", () => {
    const t = text("aiida-crystal17__mgo_sto3g_scf.out");
    const cut = t.slice(0, t.indexOf(" EEEEEEEEEE TERMINATION"));
    const r = parseOutputText(
      `${cut} EEEEEEEEEE SCF TERMINATION  DATE 11 03 2014 TIME 08:44:15.8
 EEEEEEEEEE INT_CALC TERMINATION  DATE 01 04 2019 TIME 22:49:26.1
 NORMAL TERMINATION OF DFTD3 MODULE
ERROR
ERROR.pe01
ERROR  ERROR.pe01  ERROR.pe02  fort.9
-rw-r--r-- 1 mauro users       85 mar 11 08:42 ERROR
`,
    );
    expect([r.status, r.errors]).toEqual(["incomplete", []]);
  });
});

describe("the new sections cut anywhere", () => {
  const files = [
    "electronic-parsers__albite_freq_intens.out",
    "aiida-crystal-dft__mgo_sto3g_elastic.out",
    "CRYSTALpytools__elastic2D_graphene.out",
    "electronic-parsers__NaCl.out",
    "aiida-crystal17__cry17_spin_opt.out",
  ];
  for (const file of files) {
    it(`${file}: what a cut output reports is what the whole one does, or less — never a wrong value`, () => {
      const t = text(file);
      const full = parseOutputText(t);
      const offsets = new Set<number>();
      for (let k = 0; k < 200; k++) offsets.add(Math.floor((t.length * k) / 200));
      // inside the tables, line by line
      for (const marker of [
        "MODES         EIGV",
        "SYMMETRIZED ELASTIC",
        "K_V",
        "ATOMS IN THE ASYMMETRIC UNIT",
        "MULLIKEN POPULATION",
      ]) {
        const at = t.lastIndexOf(marker);
        for (let d = 0; at !== -1 && d < 3000; d += 37) offsets.add(at + d);
      }
      for (const cut of offsets) {
        const r: CrystalResult = parseOutputText(t.slice(0, cut));
        const modes = r.frequencies?.modes ?? [];
        const fullModes = full.frequencies?.modes ?? [];
        // modes come whole, in order: a cut table is the first rows of the whole one (intensities of the Raman table may be missing)
        modes.forEach((m, i) => {
          expect({ ...m, raman_intensity: null }).toEqual({ ...fullModes[i]!, raman_intensity: null });
        });
        if (r.elastic) {
          expect(r.elastic.constants).toEqual(full.elastic!.constants);
          if (r.elastic.compliance) expect(r.elastic.compliance).toEqual(full.elastic!.compliance);
        }
        if (r.geometry) expect(r.geometry.atoms.length).toBe(r.n_atoms);
        if (r.properties)
          expect(full.properties!.kinds.slice(0, r.properties.kinds.length)).toEqual(r.properties.kinds);
        expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      }
    });
  }

  it("shuffled and mangled lines of the new sections never throw", () => {
    const lines = [
      ...text("electronic-parsers__albite_freq_intens.out").split("\n").slice(4640, 4730),
      ...text("aiida-crystal-dft__mgo_sto3g_elastic.out").split("\n").slice(740, 800),
      ...text("aiida-crystal17__cry17_spin_opt.out").split("\n").slice(2230, 2260),
      ...text("electronic-parsers__NaCl.out").split("\n").slice(80, 140),
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...lines),
            fc.constantFrom(...lines).map((l) => l.replace(/\d/g, "9")),
            fc.constantFrom(...lines).map((l) => l.replace(/[ .]/g, "-")),
            fc.string(),
          ),
          { maxLength: 300 },
        ),
        fc.integer({ min: 1, max: 400 }),
        (picked, chunk) => {
          const all = picked.join("\n");
          const parser = new OutputParser();
          for (let at = 0; at < all.length; at += chunk) parser.feed(all.slice(at, at + chunk));
          const r = parser.end();
          expect(JSON.parse(JSON.stringify(r))).toEqual(r);
          expect(r).toEqual(parseOutputText(all));
        },
      ),
      { numRuns: 150 },
    );
  });
});
