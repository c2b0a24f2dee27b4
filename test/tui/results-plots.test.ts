// The braille plots of the Results tab, as pure functions: every point lands in the cell (and on the
// dot) its coordinates give, the k points are named under the axis, the Fermi level is drawn at 0,
// the DOS shows α up and β down and each projection on its own; on the real NaCl and MgO files.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type BandStructure,
  type DensityOfStates,
  readBandDat,
  readFort25,
} from "../../src/crystal/properties-data.js";
import { bandLayout, bandWindow, FERMI_CHAR, K_LINE_CHAR } from "../../src/tui/components/results/bands.js";
import { bandDosLayout } from "../../src/tui/components/results/bands-dos.js";
import { BrailleCanvas } from "../../src/tui/components/results/braille.js";
import { DOS_FERMI_CHAR, dosLayout } from "../../src/tui/components/results/dos.js";
import {
  coordinatesName,
  deckBandPath,
  deckProjections,
  fractionText,
  tickNames,
} from "../../src/tui/components/results/properties-deck.js";
import { plainText } from "../../src/tui/components/results/styled.js";
import { FIXTURES } from "../helpers/project.js";

const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "latin1");
const NACL_DECK =
  "BAND\nNaCl\n4 0 60 1 18 2 1\nG X\nX W\nW L\nL G\nNEWK\n12 12\n1 0\nDOSS\n0 300 11 14 1 12 0\nEND\n";

/** The braille character of one dot, from the Unicode chart (dots 1–8), written out by hand. */
const ONE_DOT: Record<string, string> = {
  "0,0": "⠁",
  "0,1": "⠂",
  "0,2": "⠄",
  "0,3": "⡀",
  "1,0": "⠈",
  "1,1": "⠐",
  "1,2": "⠠",
  "1,3": "⢀",
};
/** The dot bits of a braille character (its offset from U+2800), or 0 for anything else. */
const bitsOf = (ch: string | undefined) => {
  const c = ch?.codePointAt(0) ?? 0;
  return c >= 0x2800 && c <= 0x28ff ? c - 0x2800 : 0;
};
const bitOf = (dx: number, dy: number) => bitsOf(ONE_DOT[`${dx},${dy}`]);

describe("braille canvas", () => {
  test("one dot gives the character of that dot (the Unicode numbering, by hand)", () => {
    for (const [key, ch] of Object.entries(ONE_DOT)) {
      const [x, y] = key.split(",").map(Number) as [number, number];
      const c = new BrailleCanvas(1, 1);
      c.dot(x, y);
      expect(plainText(c.toLines()[0]!)).toBe(ch);
    }
    const all = new BrailleCanvas(1, 1);
    for (let x = 0; x < 2; x++) for (let y = 0; y < 4; y++) all.dot(x, y);
    expect(plainText(all.toLines()[0]!)).toBe("⣿");
  });

  test("every dot set lands in its cell, on its dot; nothing else is drawn", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: -5, max: 90 }), fc.integer({ min: -5, max: 60 })), {
          maxLength: 80,
        }),
        (cols, rows, dots) => {
          const c = new BrailleCanvas(cols, rows);
          for (const [x, y] of dots) c.dot(x, y);
          const lines = c.toLines().map((l) => [...plainText(l)]);
          const want = new Map<string, number>();
          for (const [x, y] of dots) {
            if (x < 0 || y < 0 || x >= cols * 2 || y >= rows * 4) continue;
            const key = `${Math.floor(x / 2)},${Math.floor(y / 4)}`;
            want.set(key, (want.get(key) ?? 0) | bitOf(x % 2, y % 4));
          }
          for (let r = 0; r < rows; r++)
            for (let col = 0; col < cols; col++) {
              const ch = lines[r]![col];
              expect(bitsOf(ch)).toBe(want.get(`${col},${r}`) ?? 0);
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a line joins its ends without a gap (each step moves one dot at most)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 39 }),
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 39 }),
        fc.integer({ min: 0, max: 31 }),
        (x0, y0, x1, y1) => {
          const c = new BrailleCanvas(20, 8);
          c.line(x0, y0, x1, y1);
          const on = (x: number, y: number) =>
            (c.cellBits(Math.floor(x / 2), Math.floor(y / 4)) & bitOf(x % 2, y % 4)) !== 0;
          expect(on(x0, y0)).toBe(true);
          expect(on(x1, y1)).toBe(true);
          // every column between the ends (for a flat line) or row (for a steep one) has a dot
          const steep = Math.abs(y1 - y0) > Math.abs(x1 - x0);
          const [a, b] = steep ? [Math.min(y0, y1), Math.max(y0, y1)] : [Math.min(x0, x1), Math.max(x0, x1)];
          for (let t = a; t <= b; t++) {
            let found = false;
            for (let u = 0; u < (steep ? 40 : 32); u++) if (steep ? on(u, t) : on(t, u)) found = true;
            expect(found).toBe(true);
          }
        },
      ),
    );
  });
});

describe("the properties deck names the path and the projections", () => {
  test("symbolic labels (ISS 0): G is Γ; a jump in the path is X|U", () => {
    expect(deckBandPath(NACL_DECK)!.labels).toEqual(["Γ", "X", "W", "L", "Γ"]);
    const jump = "BAND\nfcc\n3 0 100 1 20 1 0\nG X\nX W\nK G\nEND\n";
    expect(deckBandPath(jump)!.labels).toEqual(["Γ", "X", "W|K", "Γ"]);
  });

  test("coordinates in units of 1/ISS are written as fractions", () => {
    const deck = "BAND\nMgO\n2 8 60 1 14 1 0\n0 0 0 4 0 4\n4 0 4 4 2 6\nEND\n";
    expect(deckBandPath(deck)!.labels).toEqual(["Γ", "½,0,½", "½,¼,¾"]);
    expect(fractionText(3, 12)).toBe("¼");
    expect(fractionText(-6, 8)).toBe("-¾");
    expect(fractionText(5, 12)).toBe("5/12");
    expect(fractionText(8, 8)).toBe("1");
    expect(coordinatesName([0, 0, 0], 8)).toBe("Γ");
  });

  test("a deck without BAND, or with a broken one, names nothing; the file's labels are used", () => {
    expect(deckBandPath("NEWK\n8 8\n1 0\nEND\n")).toBeNull();
    expect(deckBandPath("BAND\ntitle\n4 0 60\n")).toBeNull();
    const ticks = [
      { position: 0, label: "0 0 0" },
      { position: 1, label: "12 0 12" },
    ];
    expect(tickNames(ticks, null)).toEqual(["Γ", "12,0,12"]);
    // the deck's names are taken only when they are as many as the ticks
    expect(tickNames(ticks, NACL_DECK)).toEqual(["Γ", "12,0,12"]);
  });

  test("DOSS projections: atoms (N < 0) or atomic orbitals (N > 0), after the energy range", () => {
    const deck = "NEWK\n8 8\n1 0\nDOSS\n3 200 -1 -1 1 14 0\n-0.4 0.4\n-1 1\n-2 2 3\n4 1 2 3 7\nEND\n";
    expect(deckProjections(deck)).toEqual(["atom 1", "atoms 2–3", "AOs 1–3, 7"]);
    expect(deckProjections("DOSS\n0 100 1 14 1 14 0\nEND\n")).toEqual([]);
    expect(deckProjections(NACL_DECK)).toEqual([]);
  });
});

/** The plot rows of a canvas: the cells right of its axis. */
const cellsOf = (lines: string[], plotLeft: number, plotCols: number) =>
  lines.map((l) => [...l].slice(plotLeft, plotLeft + plotCols));

describe("band structure plot", () => {
  const nacl = readFort25(read("electronic-parsers__NaCl.f25")).band_structure!;

  test("NaCl at 80 columns: Γ X W L Γ under the axis at the ticks, E_F labelled, the gap in the title", () => {
    const rows = 11;
    const { lines, layout } = bandLayout(nacl, { width: 80, height: rows, deck: NACL_DECK });
    const text = lines.map(plainText);
    for (const l of text) expect([...l].length).toBeLessThanOrEqual(80);
    expect(text[1]).toContain("Band structure");
    expect(text[1]).toContain("gap 14.30 eV");
    const plot = text.slice(2, 2 + rows);
    const axis = text[2 + rows]!;
    const names = text[3 + rows]!;
    expect(names).toMatch(/^\s+Γ\s+X\s+W\s+L\s+Γ$/);
    // each name sits under its tick (a ┴ on the axis), at the column of its k point
    const nameCols = [...names].flatMap((ch, i) => (ch.trim() ? [i] : []));
    const tickCols = [...axis].flatMap((ch, i) => (ch === "┴" ? [i] : []));
    expect(nameCols).toEqual(tickCols);
    nacl.ticks.forEach((t, i) => {
      expect(tickCols[i]).toBe(layout.plotLeft[0]! + Math.floor(layout.dotX(t.position) / 2));
    });
    // the Fermi level: the row holding E = 0 is labelled E_F
    const fermiRow = Math.floor(layout.dotY(0) / 4);
    expect(plot[fermiRow]).toMatch(/^E_F┤/);
    // the window shows the valence band top and the conduction band bottom (14.3 eV)
    expect(layout.window[0]).toBeCloseTo(-6, 6);
    expect(layout.window[1]).toBeGreaterThan(14.3);
  });

  test("every band energy inside the window lands on its dot (oracle: the window and path mapped linearly)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 200 }), fc.integer({ min: 4, max: 30 }), (width, height) => {
        const { lines, layout } = bandLayout(nacl, { width, height, deck: NACL_DECK });
        const plot = cellsOf(lines.slice(2, 2 + height).map(plainText), layout.plotLeft[0]!, layout.plotCols);
        const [lo, hi] = layout.window;
        const k0 = nacl.k_path[0]!;
        const kN = nacl.k_path.at(-1)!;
        for (const band of nacl.bands)
          band.forEach((e, k) => {
            if (e < lo || e > hi) return;
            const x = Math.round(((nacl.k_path[k]! - k0) / (kN - k0)) * (layout.plotCols * 2 - 1));
            const y = Math.round(((hi - e) / (hi - lo)) * (height * 4 - 1));
            const ch = plot[Math.floor(y / 4)]![Math.floor(x / 2)];
            expect(bitsOf(ch) & bitOf(x % 2, y % 4)).not.toBe(0);
          });
      }),
      { numRuns: 40 },
    );
  });

  const synthetic = (spin: boolean): BandStructure => ({
    unit: "eV",
    spin_polarized: spin,
    fermi_energy_ev: -3,
    k_path: [0, 0.5, 1, 1.5, 2],
    ticks: [
      { position: 0, label: "0 0 0" },
      { position: 1, label: "4 0 0" },
      { position: 2, label: "4 4 0" },
    ],
    // a metal: one band crosses E_F, one stays well below it
    bands: [
      [-4, -2, 1, 2, 3],
      [-5, -5, -5, -5, -5],
    ],
    bands_beta: spin
      ? [
          [-3, -1, 2, 3, 4],
          [-4.5, -4.5, -4.5, -4.5, -4.5],
        ]
      : null,
  });

  test("a metal: dashes of the Fermi level where no band is, ticks as vertical lines, no gap", () => {
    const { lines, layout } = bandLayout(synthetic(false), { width: 60, height: 12 });
    const text = lines.map(plainText);
    expect(text[1]).toContain("no gap");
    const fermiRow = Math.floor(layout.dotY(0) / 4);
    const row = text[2 + fermiRow]!;
    expect(row.startsWith("E_F┤")).toBe(true);
    expect([...row].filter((c) => c === FERMI_CHAR).length).toBeGreaterThan(20);
    // the inner tick (X, at 1) is a vertical line on the rows without data
    const col = layout.plotLeft[0]! + Math.floor(layout.dotX(1) / 2);
    expect(text.slice(2, 14).filter((l) => [...l][col] === K_LINE_CHAR).length).toBeGreaterThan(6);
    expect(text.at(-1)).toMatch(/Γ\s+4,0,0\s+4,4,0/);
  });

  test("spin-polarised: α and β side by side, titled in words, on one energy axis", () => {
    const { lines, layout } = bandLayout(synthetic(true), { width: 80, height: 10 });
    const text = lines.map(plainText);
    expect(text[2]).toMatch(/α \(spin up\)\s+β \(spin down\)/);
    expect(layout.plotLeft).toHaveLength(2);
    expect(layout.plotLeft[1]! - layout.plotLeft[0]!).toBe(layout.plotCols + 2);
    for (const l of text) expect([...l].length).toBeLessThanOrEqual(80);
    // the flat β band at -4.5 eV is drawn in β's half only
    const y = layout.dotY(-4.5);
    const row = [...text[3 + Math.floor(y / 4)]!];
    const alphaHalf = row.slice(layout.plotLeft[0]!, layout.plotLeft[0]! + layout.plotCols);
    const betaHalf = row.slice(layout.plotLeft[1]!, layout.plotLeft[1]! + layout.plotCols);
    const onRow = bitOf(0, y % 4) | bitOf(1, y % 4);
    expect(betaHalf.every((ch) => (bitsOf(ch) & onRow) !== 0)).toBe(true);
    // α's own flat band is at -5 eV, on another dot row: α's half has nothing on β's
    expect(layout.dotY(-5)).not.toBe(y);
    expect(alphaHalf.every((ch) => (bitsOf(ch) & onRow) === 0)).toBe(true);
  });

  test("the window: 6 eV under the valence band top to 4 eV over the conduction band bottom, within the data", () => {
    expect(bandWindow(nacl)[0]).toBeCloseTo(-6, 9);
    const cbm = Math.min(...nacl.bands.flat().filter((e) => e > 0.001));
    expect(bandWindow(nacl)[1]).toBeCloseTo(Math.min(Math.max(...nacl.bands.flat()), cbm + 4), 9);
    expect(bandWindow(synthetic(false))).toEqual([-5, 3]);
  });

  test("BAND.DAT of the same run plots the same bands on the same path", () => {
    const dat = readBandDat(read("electronic-parsers__NaCl_dat.BAND"))!;
    const a = bandLayout(nacl, { width: 80, height: 12, deck: NACL_DECK, window: [-6, 18] });
    const b = bandLayout(dat, { width: 80, height: 12, deck: NACL_DECK, window: [-6, 18] });
    const diff = a.lines
      .map(plainText)
      .slice(2, 14)
      .map((l, r) => [...l].filter((ch, i) => ch !== [...plainText(b.lines[2 + r]!)][i]).length);
    // BAND.DAT rounds energies to 5 digits: a few dots may move to the next one
    expect(diff.reduce((x, y) => x + y, 0)).toBeLessThan(40);
  });
});

describe("DOS plot", () => {
  const mgo = readFort25(read("aiida-crystal17__doss_mgo_sto3g_scf.f25")).dos!;

  test("MgO: total DOS against E − E_F, the Fermi level a vertical line at 0, axes labelled", () => {
    const { lines, layout } = dosLayout(mgo, { width: 80, height: 10 });
    const text = lines.map(plainText);
    for (const l of text) expect([...l].length).toBeLessThanOrEqual(80);
    expect(text[1]).toContain("Density of states");
    expect(text[1]).toContain("states/eV/cell");
    const fermiCol = layout.plotLeft + Math.floor(layout.dotX(0) / 2);
    const plot = text.slice(2, 12);
    // MgO's valence band peaks at its top (E_F): the line shows above and below the peak
    expect(plot.filter((l) => [...l][fermiCol] === DOS_FERMI_CHAR).length).toBeGreaterThanOrEqual(2);
    expect(plot[0]).toMatch(/^\s*1\.50┤/);
    expect(plot[9]).toMatch(/^\s*0┤/);
    const labels = text[13]!;
    expect([...labels][fermiCol]).toBe("0");
    expect(labels).toMatch(/-5\s+0\s+5\s+10/);
    expect(text[14]).toContain("E − E_F (eV)");
  });

  test("every DOS point lands on its dot (oracle: energy across, density up from the bottom)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 200 }), fc.integer({ min: 4, max: 20 }), (width, height) => {
        const { lines, layout } = dosLayout(mgo, { width, height });
        const plot = cellsOf(lines.slice(2, 2 + height).map(plainText), layout.plotLeft, layout.plotCols);
        mgo.energies.forEach((e, i) => {
          const x = Math.round(((e - layout.x.lo) / (layout.x.hi - layout.x.lo)) * (layout.plotCols * 2 - 1));
          const y = Math.round(height * 4 - 1 - (mgo.total[i]! / layout.top) * (height * 4 - 1));
          expect(bitsOf(plot[Math.floor(y / 4)]![Math.floor(x / 2)]) & bitOf(x % 2, y % 4)).not.toBe(0);
        });
      }),
      { numRuns: 40 },
    );
  });

  const spinDos: DensityOfStates = {
    unit: "eV",
    spin_polarized: true,
    fermi_energy_ev: -4,
    energies: [-4, -3, -2, -1, 0, 1, 2, 3],
    total: [0, 1, 2, 4, 2, 1, 0, 0],
    total_beta: [0, 0, 1, 2, 4, 2, 1, 0],
    projections: [
      { index: 1, values: [0, 1, 1, 1, 0, 0, 0, 0], values_beta: [0, 0, 1, 1, 1, 0, 0, 0] },
      { index: 2, values: [0, 0, 1, 3, 2, 1, 0, 0], values_beta: [0, 0, 0, 1, 3, 2, 1, 0] },
      { index: 3, values: [0, 1, 2, 4, 2, 1, 0, 0], values_beta: [0, 0, 1, 2, 4, 2, 1, 0] },
    ],
  };

  test("spin-polarised: α above the zero line, β below it; each projection its own plot, named from the deck", () => {
    const { lines, layout } = dosLayout(spinDos, {
      width: 70,
      height: 12,
      projectionNames: ["atom 1", "atom 2"],
    });
    const text = lines.map(plainText);
    expect(text[2]).toMatch(/^\s*α 4\.00┤/);
    expect(text[13]).toMatch(/^\s*β 4\.00┤/);
    expect(text[8]).toMatch(/^\s*0┤/);
    // α's peak (E = -1) in the top half, β's (E = 0) in the bottom half
    const colOf = (e: number) => layout.plotLeft + Math.floor(layout.dotX(e) / 2);
    expect(bitsOf([...text[2]!][colOf(-1)])).not.toBe(0);
    expect(bitsOf([...text[13]!][colOf(0)])).not.toBe(0);
    expect(bitsOf([...text[2]!][colOf(0)])).toBe(0);
    // the total (the last block) is not repeated as a projection; the two projections are named
    expect(text.filter((l) => l.trim() === "atom 1")).toHaveLength(1);
    expect(text.filter((l) => l.trim() === "atom 2")).toHaveLength(1);
    expect(text.some((l) => l.includes("projection 3"))).toBe(false);
  });
});

describe("band structure with the DOS beside it", () => {
  const f25 = readFort25(read("electronic-parsers__NaCl.f25"));
  const nacl = f25.band_structure!;
  const dos = f25.dos!;

  test("NaCl at 120 columns: one energy axis for both; every DOS point in the window on its dot", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 220 }), fc.integer({ min: 6, max: 30 }), (width, height) => {
        const { lines, layout } = bandDosLayout(nacl, dos, { width, height, deck: NACL_DECK });
        const text = lines.map(plainText);
        for (const l of text) expect([...l].length).toBeLessThanOrEqual(width);
        const plot = cellsOf(
          text.slice(layout.firstRow, layout.firstRow + height),
          layout.dosLeft,
          layout.dosCols,
        );
        const [lo, hi] = bandLayout(nacl, { width: width - layout.dosCols - 2, height, deck: NACL_DECK })
          .layout.window;
        dos.energies.forEach((e, i) => {
          if (e < lo || e > hi) return;
          // the oracle: density across from the left edge, energy down on the bands' own scale
          const x = Math.round((dos.total[i]! / layout.top) * (layout.dosCols * 2 - 1));
          const y = Math.round(((hi - e) / (hi - lo)) * (height * 4 - 1));
          expect(bitsOf(plot[Math.floor(y / 4)]![Math.floor(x / 2)]) & bitOf(x % 2, y % 4)).not.toBe(0);
        });
        expect(text[layout.firstRow + height + 1]).toMatch(/Γ\s+X\s+W\s+L\s+Γ\s+DOS$/);
        // the E_F row runs through both
        const fermi = text[layout.firstRow + Math.floor(layout.dotY(0) / 4)]!;
        expect(fermi.startsWith("E_F┤")).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  test("spin-polarised: α's density to the right of the middle, β's to the left, named under it", () => {
    const band: BandStructure = {
      unit: "eV",
      spin_polarized: true,
      fermi_energy_ev: -3,
      k_path: [0, 1, 2],
      ticks: [
        { position: 0, label: "0 0 0" },
        { position: 2, label: "4 0 0" },
      ],
      bands: [[-4, -1, 2]],
      bands_beta: [[-3, 0, 3]],
    };
    const d: DensityOfStates = {
      unit: "eV",
      spin_polarized: true,
      fermi_energy_ev: -3,
      energies: [-4, -3, -2, -1, 0, 1, 2, 3],
      total: [0, 1, 2, 4, 1, 0, 1, 0],
      total_beta: [0, 0, 1, 1, 4, 2, 0, 1],
      projections: [],
    };
    const height = 12;
    const { lines, layout } = bandDosLayout(band, d, { width: 110, height });
    const text = lines.map(plainText);
    expect(text[layout.firstRow + height + 1]).toMatch(/β {2}DOS {2}α$/);
    const plot = cellsOf(
      text.slice(layout.firstRow, layout.firstRow + height),
      layout.dosLeft,
      layout.dosCols,
    );
    const zero = layout.dosCols; // the middle, in dots
    d.energies.forEach((e, i) => {
      const y = layout.dotY(e);
      for (const [n, sign] of [
        [d.total[i]!, 1],
        [d.total_beta![i]!, -1],
      ] as const) {
        const x = Math.round(zero + (sign * n * (zero - 1)) / layout.top);
        expect(bitsOf(plot[Math.floor(y / 4)]![Math.floor(x / 2)]) & bitOf(x % 2, y % 4)).not.toBe(0);
      }
    });
  });
});
