// The properties program's data files (fort.25, BAND.DAT, DOSS.DAT) read into band structures and
// DOS: the real files of the fixtures against values read by hand, the two files CRYSTAL wrote for
// the same run against each other, synthetic files written from the format's description
// (open shell, phonons, numbers that touch), and any cut or garbled file read without a throw.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dataFileKind,
  readBandDat,
  readDataFile,
  readDossDat,
  readFort25,
} from "../../src/crystal/properties-data.js";
import { HARTREE_TO_EV } from "../../src/crystal/result.js";
import { FIXTURES } from "../helpers/project.js";

const read = (f: string) => fs.readFileSync(path.join(FIXTURES, f), "latin1");
const H = HARTREE_TO_EV;

/** A Fortran E12.5 field, as CRYSTAL writes fort.25 (`-1.04758E+02`, no blank when negative). */
function e12(x: number): string {
  if (x === 0) return " 0.00000E+00";
  let exp = Math.floor(Math.log10(Math.abs(x)));
  let m = (Math.abs(x) / 10 ** exp).toFixed(5);
  if (m.startsWith("10")) {
    exp += 1;
    m = (Math.abs(x) / 10 ** exp).toFixed(5);
  }
  const s = `${x < 0 ? "-" : " "}${m}E${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return s.padStart(12);
}
const i5 = (n: number) => String(n).padStart(5);
/** One fort.25 block: header, 2E12.5, 6I5, then values six to a record. */
function block(
  ihferm: number,
  type: string,
  nrow: number,
  ncol: number,
  dx: number,
  dy: number,
  fermi: number,
  second: [number, number],
  third: number[],
  data: number[],
): string {
  const lines = [
    `-%-${ihferm}${type.padEnd(4)}${i5(nrow)}${i5(ncol)}${e12(dx)}${e12(dy)}${e12(fermi)}`,
    `${e12(second[0])}${e12(second[1])}`,
    third.map(i5).join(""),
  ];
  for (let i = 0; i < data.length; i += 6)
    lines.push(
      data
        .slice(i, i + 6)
        .map(e12)
        .join(""),
    );
  return `${lines.join("\n")}\n`;
}

describe("fort.25 of real runs", () => {
  it("MgO DOSS (aiida-crystal17): 102 energies from the header's start and step, per eV", () => {
    const f = readFort25(read("aiida-crystal17__doss_mgo_sto3g_scf.f25"));
    expect(f.band_structure).toBeNull();
    const dos = f.dos!;
    expect(dos.spin_polarized).toBe(false);
    expect(dos.energies).toHaveLength(102);
    // header: step 7.42411E-03, Fermi -1.46501E-01; second record: first energy -3.74917E-01
    expect(dos.fermi_energy_ev).toBeCloseTo(-0.146501 * H, 6);
    expect(dos.energies[0]).toBeCloseTo((-0.374917 + 0.146501) * H, 6);
    expect(dos.energies[1]! - dos.energies[0]!).toBeCloseTo(0.00742411 * H, 6);
    expect(dos.total[1]).toBeCloseTo(23.7299 / H, 6);
    expect(dos.projections).toHaveLength(1);
  });

  it("agrees with the DOSS.DAT CRYSTAL wrote in the same run", () => {
    const f25 = readFort25(read("aiida-crystal17__doss_mgo_sto3g_scf.f25")).dos!;
    const dat = readDossDat(read("aiida-crystal17__doss_mgo_sto3g_scf.DOSS.DAT"))!;
    expect(dat.energies).toHaveLength(f25.energies.length);
    expect(dat.fermi_energy_ev).toBeCloseTo(-0.1465 * H, 3);
    dat.energies.forEach((e, k) => {
      expect(Math.abs(e - f25.energies[k]!)).toBeLessThan(1e-3);
    });
    dat.total.forEach((v, k) => {
      expect(Math.abs(v - f25.total[k]!)).toBeLessThan(2e-3);
    });
  });

  it("NaCl BAND + DOSS (electronic-parsers): four segments, 61 k points, 18 bands, then the DOS", () => {
    const f = readFort25(read("electronic-parsers__NaCl.f25"));
    const bands = f.band_structure!;
    expect(bands.k_path).toHaveLength(20 + 10 + 14 + 17);
    expect(bands.bands).toHaveLength(18);
    expect(bands.ticks.map((t) => t.label)).toEqual(["0 0 0", "12 0 12", "12 6 18", "12 12 12", "0 0 0"]);
    // the k step is the header's DY: 3.10265E-02 for the first segment
    expect(bands.ticks[1]!.position).toBeCloseTo(19 * 0.0310265, 6);
    // first k point, lowest band: -1.04758E+02 Hartree, Fermi -3.96858E-01
    expect(bands.bands[0]![0]).toBeCloseTo((-104.758 + 0.396858) * H, 4);
    // the top valence band touches the Fermi level at Γ
    expect(bands.bands[13]![0]).toBeCloseTo(0, 3);
    expect(bands.bands_beta).toBeNull();
    for (let k = 1; k < bands.k_path.length; k++)
      expect(bands.k_path[k]!).toBeGreaterThanOrEqual(bands.k_path[k - 1]!);
    expect(f.dos!.energies).toHaveLength(302);
  });

  it("agrees with the BAND.DAT of the same run (energies relative to the Fermi level)", () => {
    const f25 = readFort25(read("electronic-parsers__NaCl.f25")).band_structure!;
    const dat = readBandDat(read("electronic-parsers__NaCl_dat.BAND"))!;
    expect(dat.k_path).toHaveLength(61);
    expect(dat.bands).toHaveLength(18);
    expect(dat.ticks.map((t) => t.position)).toEqual([0, 0.5895, 0.88426, 1.3011, 1.81162]);
    expect(dat.bands[0]![0]).toBeCloseTo(-104.36 * H, 1);
    // the path's points where BAND.DAT puts them (it rounds to 5 digits): W is X + 10 DY, not 9
    f25.ticks.forEach((t, i) => {
      expect(Math.abs(t.position - dat.ticks[i]!.position)).toBeLessThan(2e-5);
    });
    expect(f25.k_path).toHaveLength(dat.k_path.length);
    for (let b = 0; b < 18; b++)
      for (let k = 0; k < 61; k++) {
        // BAND.DAT keeps five significant digits (in Hartree)
        const tolerance = 1e-4 * Math.abs(f25.bands[b]![k]!) + 0.01;
        expect(Math.abs(dat.bands[b]![k]! - f25.bands[b]![k]!)).toBeLessThan(tolerance);
      }
  });

  it("tells the files apart by their first line", () => {
    expect(dataFileKind(read("electronic-parsers__NaCl.f25"))).toBe("fort.25");
    expect(dataFileKind(read("electronic-parsers__NaCl_dat.BAND"))).toBe("BAND.DAT");
    expect(dataFileKind(read("aiida-crystal17__doss_mgo_sto3g_scf.DOSS.DAT"))).toBe("DOSS.DAT");
    expect(dataFileKind(read("aiida-crystal17__mgo_sto3g_scf.out"))).toBeNull();
    expect(readDataFile("hello\n")).toBeNull();
  });
});

describe("fort.25 written from the format's description", () => {
  it("an open-shell band structure: α segments, then β segments (IHFERM odd)", () => {
    const fermi = -0.2;
    const seg = (spin: number, from: number[], to: number[]) =>
      block(
        1,
        "BAND",
        2,
        3,
        0.05,
        0,
        fermi,
        [-1, 1],
        [...from, ...to],
        [-0.5, 0.1, -0.4 + spin, 0.2, -0.3, 0.3 + spin],
      );
    const text =
      seg(0, [0, 0, 0], [4, 0, 0]) +
      seg(0, [4, 0, 0], [4, 4, 0]) +
      seg(0.01, [0, 0, 0], [4, 0, 0]) +
      seg(0.01, [4, 0, 0], [4, 4, 0]);
    const b = readFort25(text).band_structure!;
    expect(b.spin_polarized).toBe(true);
    // the second segment starts one step after the first's end (CRYSTAL does not repeat it)
    expect(b.k_path).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25].map((x) => expect.closeTo(x, 9)));
    expect(b.ticks.map((t) => t.label)).toEqual(["0 0 0", "4 0 0", "4 4 0"]);
    expect(b.bands[0]![0]).toBeCloseTo((-0.5 - fermi) * H, 4);
    expect(b.bands[1]![1]).toBeCloseTo((0.2 - fermi) * H, 4);
    expect(b.bands_beta![0]![1]).toBeCloseTo((-0.39 - fermi) * H, 4);
  });

  it("a segment that repeats the point the one before ended at keeps it there (no step skipped)", () => {
    const seg = (data: number[], from: number[], to: number[]) =>
      block(0, "BAND", 1, 3, 0, 0.1, -0.2, [-1, 1], [...from, ...to], data);
    const text =
      seg([-0.5, -0.4, -0.3], [0, 0, 0], [4, 0, 0]) + seg([-0.3, -0.2, -0.1], [4, 0, 0], [4, 4, 0]);
    const b = readFort25(text).band_structure!;
    expect(b.k_path).toEqual([0, 0.1, 0.2, 0.2, 0.3, 0.4].map((x) => expect.closeTo(x, 9)));
    expect(b.ticks.map((t) => t.position)).toEqual([0, 0.2, 0.4].map((x) => expect.closeTo(x, 9)));
  });

  it("numbers that fill their field and touch are read by position", () => {
    const text = block(
      0,
      "DOSS",
      1,
      6,
      0,
      0.01,
      -0.15,
      [0, -0.5],
      [1, 14, 0, 0, 0, 0],
      [-12345.6, -0.1, 123.456, -9.99999, 0, 1e-5],
    );
    expect(text).toContain("-1.23456E+04-1.00000E-01");
    const d = readFort25(text).dos!;
    expect(d.total.map((v) => v * H)).toEqual(
      [-12345.6, -0.1, 123.456, -9.99999, 0, 1e-5].map((x) => expect.closeTo(x, 3)),
    );
  });

  it("phonon bands (Fermi 0) stay in cm⁻¹; a projected phonon DOS too", () => {
    const bands = readFort25(block(0, "BAND", 1, 2, 0.1, 0, 0, [0, 500], [0, 0, 0, 1, 0, 0], [0, 450.5]))
      .band_structure!;
    expect(bands.unit).toBe("cm-1");
    expect(bands.bands[0]).toEqual([0, 450.5]);
    expect(bands.fermi_energy_ev).toBeNull();
    const pdos = readFort25(block(0, "PDOS", 1, 3, 0, 10, 0, [0, 100], [1, 0, 0, 0, 0, 0], [0.1, 0.2, 0.3]))
      .dos!;
    expect(pdos.unit).toBe("cm-1");
    expect(pdos.energies).toEqual([100, 110, 120]);
  });

  it("projections and the total (written last), for both spins", () => {
    const p = (ihferm: number, n: number, v: number) =>
      block(ihferm, "DOSS", 1, 2, 0, 0.1, -0.05, [0, -0.1], [n, 4, 0, 0, 0, 0], [v, v]);
    const d = readFort25(p(1, 1, 1) + p(1, 2, 3) + p(1, 1, 2) + p(1, 2, 5)).dos!;
    expect(d.spin_polarized).toBe(true);
    expect(d.projections.map((x) => x.index)).toEqual([1, 2]);
    expect(d.total[0]! * H).toBeCloseTo(3, 6);
    expect(d.total_beta![0]! * H).toBeCloseTo(5, 6);
  });
});

describe("never throws on a cut or garbled data file", () => {
  const files = [
    "electronic-parsers__NaCl.f25",
    "electronic-parsers__NaCl_dat.BAND",
    "aiida-crystal17__doss_mgo_sto3g_scf.DOSS.DAT",
    "aiida-crystal17__doss_mgo_sto3g_scf.f25",
  ];
  for (const file of files) {
    it(`${file} cut at 200 offsets: whole blocks or nothing`, () => {
      const t = read(file);
      for (let k = 0; k <= 200; k++) {
        const r = readDataFile(t.slice(0, Math.floor((t.length * k) / 200)));
        if (r === null) continue;
        for (const b of [r.band_structure?.bands ?? [], r.band_structure?.bands_beta ?? []].flat())
          expect(b).toHaveLength(r.band_structure!.k_path.length);
        if (r.dos) expect(r.dos.total).toHaveLength(r.dos.energies.length);
        expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      }
    });
  }

  it("random lines and bytes", () => {
    const lines = read("electronic-parsers__NaCl.f25").split("\n");
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...lines),
            fc.constantFrom(...lines).map((l) => l.replace(/\d/g, "9")),
            fc.string(),
          ),
          { maxLength: 200 },
        ),
        (picked) => {
          const r = readDataFile(picked.join("\n"));
          if (r) expect(JSON.parse(JSON.stringify(r))).toBeTruthy();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("series for plots", () => {
  it("bands that cross ±5 eV around the Fermi level, with the path's ticks", async () => {
    const { bandSeries, dosSeries } = await import("../../src/crystal/properties-data.js");
    const b = readFort25(read("electronic-parsers__NaCl.f25")).band_structure!;
    const s = bandSeries(b);
    expect(s.window).toEqual([-5, 5]);
    expect(s.x).toHaveLength(61);
    // NaCl (HF): the three Cl 3p bands meet the Fermi level at Γ; the gap is 14 eV, so no conduction band within 5 eV
    expect(s.lines).toHaveLength(3);
    for (const l of s.lines) expect(Math.max(...l.values)).toBeLessThanOrEqual(1e-3);
    // the Na 1s band lies 104 Ha (2830 eV) below: all 18 bands within [-3000, 100] eV
    expect(bandSeries(b, [-3000, 100]).lines).toHaveLength(18);
    const d = dosSeries(readDossDat(read("aiida-crystal17__doss_mgo_sto3g_scf.DOSS.DAT"))!);
    expect([d.x.length, d.y.length, d.y_beta]).toEqual([102, 102, null]);
  });
});
