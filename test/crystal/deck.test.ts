// The deck reader: it accepts the real decks of the fixtures (and those echoed in real outputs) and
// realistic CRYSTAL23 decks, says what they ask for, and gives line-numbered errors a chemist can
// act on. It never throws, whatever the text.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CRYSTAL_KEYWORDS,
  crystalKeywords,
  type DeckReport,
  readCrystalDeck,
  readDeck,
  readPropertiesDeck,
} from "../../src/crystal/deck.js";
import { FIXTURES } from "../helpers/project.js";

const fixture = (file: string) => fs.readFileSync(path.join(FIXTURES, file), "utf8");

/** A deck a run script echoed into a real output: from its title line to the first blank line. */
function echoedDeck(outputFile: string, title: string): string {
  const lines = fixture(outputFile).split("\n");
  const start = lines.findIndex((l) => l.trim() === title);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.trim() === "");
  return `${lines.slice(start, end).join("\n")}\n`;
}

function clean(report: DeckReport): void {
  expect(report.errors, JSON.stringify(report.errors)).toEqual([]);
}

describe("real decks", () => {
  const cases: [string, string, string, string[]][] = [
    ["aiida-crystal17__mgo_sto3g_scf.d12", "CRYSTAL", "scf", []],
    ["aiida-crystal17__mgo_sto3g_opt.d12", "CRYSTAL", "opt", []],
    ["aiida-crystal17__nio_sto3g_afm_opt_walltime.d12", "EXTERNAL", "opt", ["fort.34"]],
    ["aiida-crystal17__nio_sto3g_afm_scf_maxcyc.d12", "EXTERNAL", "scf", ["fort.34"]],
    ["CRYSTALpytools__out_mgoSCF.d12", "CRYSTAL", "scf", []],
  ];
  it("every .d12 of the fixtures is one of these", () => {
    const d12 = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".d12"));
    expect(d12.sort()).toEqual(cases.map((c) => c[0]).sort());
  });
  for (const [file, geometry, calcType, aux] of cases) {
    it(`${file}: ${geometry}, ${calcType}, needs [${aux.join(", ")}]`, () => {
      const r = readDeck(fixture(file));
      clean(r);
      expect(r.kind).toBe("crystal");
      expect(r.geometry).toBe(geometry);
      expect(r.calcType).toBe(calcType);
      expect(r.auxInputs).toEqual(aux);
      expect(r.title).toBe(fixture(file).split("\n")[0]!.trim());
    });
  }

  it("the decks echoed in real outputs (EXTPRT + BASISSET + GUESSP, MOLECULE, MODISYMM, DFT SPIN)", () => {
    const ads = readDeck(echoedDeck("CRYSTALpytools__conv_mgo100.out", "Adsorption tests"));
    clean(ads);
    expect(ads.auxInputs.sort()).toEqual(["fort.20", "fort.34"]);
    expect(ads.keywords).toContain("BASISSET");
    const mol = readDeck(echoedDeck("CRYSTALpytools__out_coOpt.out", "Molecule test"));
    clean(mol);
    expect([mol.geometry, mol.calcType]).toEqual(["MOLECULE", "opt"]);
    const mack = readDeck(
      echoedDeck(
        "aiida-crystal17__FAILED_GEOM_mackinawite_opt.out",
        "Mineralogical Magazine (1969-)' 1995 59 677 683",
      ),
    );
    clean(mack);
    expect(mack.calcType).toBe("opt");
    expect(mack.keywords).toEqual(
      expect.arrayContaining(["MODISYMM", "OPTGEOM", "DFT", "SPIN", "ATOMSPIN", "SCFDIR"]),
    );
  });
});

describe("realistic CRYSTAL23 decks", () => {
  const decks: Record<string, [string, string, string[]]> = {
    "PBE0 optimisation": [
      `Corundum Al2O3 PBE0 optimisation
CRYSTAL
0 0 0
167
4.7602 12.9933
2
13 0.0 0.0 0.35216
8 0.30624 0.0 0.25
OPTGEOM
FULLOPTG
MAXCYCLE
50
TOLDEG
0.00003
TOLDEX
0.00012
ENDOPT
END
BASISSET
POB-TZVP-REV2
DFT
PBE0
XLGRID
END
SHRINK
8 8
TOLINTEG
7 7 7 7 14
TOLDEE
8
FMIXING
40
LEVSHIFT
5 1
END
`,
      "opt",
      [],
    ],
    "IR and Raman frequencies": [
      `MgO frequencies IR Raman
CRYSTAL
0 0 0
225
4.21
2
12 0. 0. 0.
8 0.5 0.5 0.5
FREQCALC
INTENS
INTRAMAN
INTCPHF
END
NUMDERIV
2
TEMPERAT
10 100 1000
ENDFREQ
END
BASISSET
POB-TZVP
DFT
B3LYP
XLGRID
END
SHRINK
8 16
TOLINTEG
8 8 8 8 16
TOLDEE
10
END
`,
      "freq",
      [],
    ],
    "elastic constants": [
      `Silicon elastic constants
CRYSTAL
0 0 0
227
5.431
1
14 0.125 0.125 0.125
ELASTCON
NUMDERIV
2
STEPSIZE
0.01
END
END
BASISSET
POB-TZVP
DFT
PBESOL0
END
SHRINK
8 8
END
`,
      "elastic",
      [],
    ],
    "equation of state": [
      `Diamond EOS
CRYSTAL
0 0 0
227
3.567
1
6 0.125 0.125 0.125
EOS
RANGE
0.92 1.08 8
END
END
BASISSET
POB-TZVP
DFT
PBE
END
SHRINK
8 8
END
`,
      "eos",
      [],
    ],
    "ECP basis, UHF, spin lock, GUESSP, smearing": [
      `NiO AFM with ECP
CRYSTAL
0 1 0
166
2.9505 33.6
2
228 0.0 0.0 0.0
8 0.5 0.5 0.5
END
228 3
HAYWSC
0 1 2 8.0 1.
 3.5 -0.3 0.2
 1.2 0.5 0.5
0 3 1 8.0 1.
 1.0 1.0
0 0 1 2.0 1.
 0.4 1.0
282 1
INPUT
18. 0 2 2 2 0 0
 3.5 -10.0 -2
 1.2 5.0 0
 3.0 2.0 0
 1.1 1.5 0
 2.0 1.0 0
 0.9 0.5 0
0 1 1 8. 1.
 0.5 1.0 1.0
8 2
0 0 3 2. 1.
 500.0 0.1
 100.0 0.3
 30.0 0.5
0 1 1 6. 1.
 0.5 1.0 1.0
99 0
END
UHF
SHRINK
6 12
ATOMSPIN
2
1 1 2 -1
SPINLOCK
0 20
GUESSP
SMEAR
0.005
BROYDEN
0.0001 50 2
MAXCYCLE
200
PPAN
END
`,
      "scf",
      ["fort.20"],
    ],
    "slab with an anisotropic k net": [
      `MgO (001) slab
SLAB
55
2.9769
2
12 0. 0. 0.
8 0.5 0.5 0.
END
BASISSET
STO-3G
SHRINK
0 16
8 8 1
END
`,
      "scf",
      [],
    ],
    polymer: [
      `Polyethylene
POLYMER
4
2.55
2
6 0.0 0.0 0.0
1 0.0 0.9 0.6
END
BASISSET
STO-3G
SHRINK
16 16
END
`,
      "scf",
      [],
    ],
    "Raman at a laser wavelength, printing options, level shift and smearing": [
      `Calcite Raman
CRYSTAL
0 0 0
167
4.99 17.06
3
20 0.0 0.0 0.0
6 0.0 0.0 0.25
8 0.257 0.0 0.25
FREQCALC
INTENS
INTRAMAN
INTCPHF
END
RAMANEXP
298.15 532
ENDFREQ
END
BASISSET
POB-TZVP
DFT
B3LYP
XLGRID
END
PRINTOUT
EIGENVAL
-4
END
LEVSHIFT
5 1
SMEAR
0.001
SHRINK
6 6
END
`,
      "freq",
      [],
    ],
    "D3 dispersion block, restart of an optimisation": [
      `Urea D3
CRYSTAL
0 0 0
113
5.565 4.684
4
6 0.0 0.5 0.3260
8 0.0 0.5 0.5953
7 0.1459 0.6459 0.1766
1 0.2575 0.7575 0.2827
OPTGEOM
ATOMONLY
RESTART
HESSOPT
ENDOPT
END
BASISSET
POB-DZVP-REV2
DFT
PBE
XLGRID
END
DFTD3
VERSION
4
END
SHRINK
4 4
END
`,
      "opt",
      ["OPTINFO.DAT", "HESSOPT.DAT"],
    ],
  };
  for (const [name, [deck, calcType, aux]] of Object.entries(decks)) {
    it(name, () => {
      const r = readDeck(deck);
      clean(r);
      expect(r.warnings, JSON.stringify(r.warnings)).toEqual([]);
      expect(r.calcType).toBe(calcType);
      expect(r.auxInputs.sort()).toEqual(aux.sort());
    });
  }
});

describe("errors a chemist can act on", () => {
  const mgo = (scf: string, geometryExtra = "") =>
    `MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 0.5 0.5 0.5\n${geometryExtra}END\nBASISSET\nSTO-3G\n${scf}END\n`;

  const firstError = (deck: string) => {
    const e = readDeck(deck).errors[0];
    return e ? `line ${e.line}: ${e.message}` : null;
  };

  it("SHRINK without its two integers", () => {
    expect(firstError(mgo("SHRINK\nTOLDEE\n8\n"))).toBe(
      "line 12: SHRINK needs two integers on the next line, e.g. `8 8`",
    );
    expect(firstError(mgo("SHRINK\n8\n"))).toBe(
      "line 13: SHRINK needs two integers on the next line, e.g. `8 8`, found one value",
    );
    expect(firstError(mgo("SHRINK\n8 x\n"))).toMatch(
      /^line 13: SHRINK needs two integers.*`x` is not an integer/,
    );
    expect(firstError(mgo("SHRINK\n0 16\n"))).toMatch(
      /^line 12: SHRINK needs three integers \(IS1 IS2 IS3, since IS is 0\)/,
    );
  });

  it("keyword arguments of the wrong kind or missing at the end", () => {
    expect(firstError(mgo("TOLINTEG\n7 7 7 7\n"))).toMatch(
      /^line 13: TOLINTEG needs five integers.*found four values/,
    );
    expect(firstError(mgo("MAXCYCLE\n1.5\n"))).toMatch(
      /^line 13: MAXCYCLE needs an integer.*`1.5` is not an integer/,
    );
    expect(
      firstError(
        "MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 0.5 0.5 0.5\nEND\nBASISSET\nSTO-3G\nSHRINK",
      ),
    ).toBe("line 12: SHRINK needs two integers on the next line, e.g. `8 8` — the deck ends here");
  });

  it("the geometry: keyword, space group, lattice parameters, atoms", () => {
    expect(firstError("MgO\nCRYSTALL\n0 0 0\n")).toBe(
      "line 2: line 2 must be the geometry keyword (CRYSTAL, SLAB, POLYMER, MOLECULE or EXTERNAL), found `CRYSTALL`",
    );
    expect(firstError(mgo("").replace("\n225\n", "\n231\n"))).toMatch(
      /^line 4: space group 231 does not exist/,
    );
    expect(firstError(mgo("").replace("\n4.21\n", "\n\n"))).toMatch(
      /^line 5: CRYSTAL needs the lattice parameters/,
    );
    expect(
      firstError(
        mgo("")
          .replace("\n225\n4.21\n", "\n221\n4.21\n")
          .replace("221", "99")
          .replace("\n4.21\n", "\n4.21\n"),
      ),
    ).toMatch(/^line 5: space group 99 needs two lattice parameters \(a c\), found 1/);
    expect(firstError(mgo("").replace("\n2\n12", "\n3\n12"))).toBe(
      "line 9: CRYSTAL announces 3 atoms (line 6) but only 2 follow — one line `Z x y z` per atom, e.g. `12 0. 0. 0.`",
    );
    expect(firstError(mgo("").replace("8 0.5 0.5 0.5", "8 0.5 0.5"))).toMatch(
      /^line 8: an atom needs its atomic number and three coordinates/,
    );
  });

  it("blocks and sections that are not closed", () => {
    expect(
      firstError("MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 0.5 0.5 0.5\nOPTGEOM\nFULLOPTG\n"),
    ).toBe("line 9: OPTGEOM opens a block that is never closed — add ENDOPT after its keywords");
    expect(firstError(mgo("SHRINK\n8 8\n").replace(/END\n$/, ""))).toMatch(
      /the SCF section is never closed — add END/,
    );
    expect(firstError(mgo("DFT\nB3LYP\n"))).toBe(
      "line 14: the SCF section is never closed — add END as the last line of the deck (the last END closes DFT, opened on line 12)",
    );
  });

  it("an inline basis set that does not add up", () => {
    const deck =
      "MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 0.5 0.5 0.5\nEND\n12 2\n1 0 3 2. 0.\n1 1 3 8. 0.\n8 2\n1 0 3 2. 0.\n1 1 3 6. 0.\n99 0\nEND\nSHRINK\n8 8\nEND\n";
    clean(readDeck(deck));
    const tooMany = readDeck(deck.replace("12 2\n", "12 3\n"));
    // one mistake, one message: reading resumes after `99 0`
    expect(tooMany.errors).toEqual([
      {
        line: 13,
        message:
          "atom 12 announces 3 shells (line 10); shell 3 needs `ITYB LAT NG CHE SCAL` (five numbers, e.g. `0 1 3 8. 1.`)",
      },
    ]);
    expect(firstError(deck.replace("99 0\n", ""))).toMatch(/the basis set is not closed — add `99 0`/);
    expect(
      firstError(deck.replace("1 0 3 2. 0.\n1 1 3 8. 0.", "0 0 2 2. 1.\n 100.0 0.5\n 50.0\n1 1 3 8. 0.")),
    ).toMatch(/announces 2 primitives; primitive 2 needs 2 numbers/);
  });

  it("an unknown keyword is a warning (CRYSTAL has more than any list), a misplaced number an error", () => {
    const r = readDeck(mgo("SHRNK\n8 8\n"));
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toEqual({
      line: 12,
      message:
        "SHRNK is not a Hamiltonian/SCF keyword this checker knows — CRYSTAL stops if it does not know it either; check the spelling",
    });
    expect(firstError(mgo("MAXCYCLE\n100\n200\n"))).toBe(
      "line 14: a line of numbers where a keyword is expected — MAXCYCLE (line 12) takes fewer lines; remove the extra one",
    );
  });

  it("warns about text after the last END and about a title that looks like a keyword", () => {
    const r = readDeck(`${mgo("SHRINK\n8 8\n")}SHRINK\n8 8\n`);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.line)).toEqual([15]);
    expect(
      readDeck("CRYSTAL\nCRYSTAL\n0 0 0\n225\n4.21\n1\n12 0 0 0\nEND\nBASISSET\nSTO-3G\nEND\n").warnings[0]
        ?.line,
    ).toBe(1);
  });

  it("an empty deck", () => {
    expect(firstError("")).toMatch(/^line 1: the deck is empty/);
    expect(firstError("just a title\n")).toMatch(/^line 2: the deck has only a title/);
  });
});

describe("properties decks (.d3)", () => {
  it("a real DOSS deck (aiida-crystal17) and a band structure, recognised from their first keyword", () => {
    const doss = readDeck("NEWK\n18 36\n1 0\nDOSS\n0 100 -1 -1 1 14 0\n-0.36749322 0.36749322\nEND");
    clean(doss);
    expect([doss.kind, doss.calcType, doss.auxInputs]).toEqual(["properties", "dos", ["fort.9"]]);
    const band = readDeck(
      "NEWK\n8 16\n1 0\nBAND\nMgO bands\n3 8 100 1 14 1 0\n0 0 0 4 0 4\n4 0 4 4 2 6\n4 2 6 0 0 0\nEND\n",
    );
    clean(band);
    expect(band.calcType).toBe("band");
    const labels = readPropertiesDeck(
      "BAND\nMgO\n2 0 100 1 14 1 0\nG X\nX L\nDOSS\n0 200 1 14 1 12 0\nEND\n",
    );
    clean(labels);
    expect(labels.calcType).toBe("band_dos");
    expect(readPropertiesDeck("RDFMWF\nNEWK\n8 8\n1 0\nEND\n").auxInputs).toEqual(["fort.98"]);
  });

  it("says what is wrong in BAND, DOSS and NEWK", () => {
    const first = (d: string) => readPropertiesDeck(d).errors[0];
    expect(first("BAND\nMgO\n3 8 100 1 14 1 0\n0 0 0 4 0 4\nEND\n")?.message).toMatch(
      /BAND needs six integers.*segment 2 of 3/,
    );
    expect(first("DOSS\n0 100 -1 -1 1 14 0\nEND\n")).toEqual({
      line: 1,
      message:
        "DOSS needs the energy range BMI BMA (Hartree, since INZB/IFNB are negative) on the next line, e.g. `-0.5 0.5`",
    });
    expect(first("NEWK\n8 8\nEND\n")?.message).toMatch(/NEWK needs two integers \(IFE NPR/);
    expect(first("NEWK\n8 8\n1 0\n")?.message).toMatch(/never closed — add END/);
  });
});

describe("robustness and the keyword list", () => {
  it("never throws and keeps line numbers inside the deck", () => {
    const vocabulary = [
      ...crystalKeywords(),
      "8 8",
      "0 0 0",
      "225",
      "4.21",
      "12 0. 0. 0.",
      "99 0",
      "x y",
      "",
      "-1",
      "1.E-7",
    ];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...vocabulary), fc.string()), { maxLength: 80 }),
        (lines) => {
          const text = lines.join("\n");
          for (const r of [readDeck(text), readCrystalDeck(text), readPropertiesDeck(text)]) {
            for (const m of [...r.errors, ...r.warnings]) {
              expect(m.line).toBeGreaterThanOrEqual(1);
              expect(m.line).toBeLessThanOrEqual(Math.max(1, lines.length + 1));
              expect(m.message).not.toMatch(/\n/);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("lists the keywords the TUI highlights", () => {
    for (const k of [
      "CRYSTAL",
      "OPTGEOM",
      "FREQCALC",
      "SHRINK",
      "DFT",
      "B3LYP",
      "XLGRID",
      "END",
      "BASISSET",
      "NEWK",
      "BAND",
      "DOSS",
    ])
      expect(CRYSTAL_KEYWORDS.has(k), k).toBe(true);
    expect(CRYSTAL_KEYWORDS.has("8 8")).toBe(false);
    expect(crystalKeywords()).toEqual([...CRYSTAL_KEYWORDS].sort());
  });
});
