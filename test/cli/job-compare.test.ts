// `job compare`: energies of real CRYSTAL outputs (replayed by the stand-in), ΔE to the lowest final
// energy or to a chosen job, in the units chemists use — converted with hand values of the CODATA
// 2018 constants written here, not the code's — and never a non-final energy as the lowest.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, cliJson, FIXTURES, tempProject, writeDeck } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

/** 1 Ha in each unit (CODATA 2018: 27.211386245988 eV; 4.3597447222071e-18 J × 6.02214076e23 /mol). */
const HAND = { Ha: 1, eV: 27.211386245988, "kJ/mol": 2625.4996394799, meV: 27211.386245988 };

interface Row {
  id: number;
  name: string;
  status: string;
  final_energy_hartree: number | null;
  final: boolean;
  energy: number | null;
  delta: number | null;
  unit: string;
  per: string;
  reference_id: number | null;
  scf_cycles: number | null;
}

const WALLTIME = "aiida-crystal17__nio_sto3g_afm_opt_walltime";
let project = "";
let ids: { scf: number; opt: number; nio: number };

beforeAll(() => {
  project = tempProject();
  const add = (name: string, deck: string, aux: string[] = []) =>
    cliJson<{ id: number }>(project, [
      "job",
      "add",
      name,
      "--input",
      writeDeck(project, `${name}.d12`, deck),
      ...aux,
    ]).id;
  const nioDeck = fs
    .readFileSync(path.join(FIXTURES, `${WALLTIME}.d12`), "utf8")
    .replace(/^.*\n/, `NiO [standin:${WALLTIME}]\n`);
  const gui = path.join(project, "nio_start.gui");
  fs.copyFileSync(path.join(FIXTURES, `${WALLTIME}.gui`), gui);
  ids = {
    scf: add("mgo_scf", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]")),
    opt: add("mgo_opt", standinDeck("[standin:aiida-crystal17__mgo_sto3g_opt]")),
    nio: add("nio_opt", nioDeck, ["--aux", gui]),
  };
  const r = cli(project, ["run"], standinEnv());
  expect(r.code, r.stderr).toBe(0);
});

function energies(): Map<number, number> {
  const list = cliJson<{ id: number; final_energy: number }[]>(project, ["job", "list"]);
  return new Map(list.map((j) => [j.id, j.final_energy]));
}

describe("job compare", () => {
  it("ΔE to the lowest FINAL energy: the killed NiO optimisation is lower, but not final", () => {
    const e = energies();
    // the premise: NiO's (not final) energy is far below MgO's
    expect(e.get(ids.nio)!).toBeLessThan(Math.min(e.get(ids.scf)!, e.get(ids.opt)!));
    const rows = cliJson<Row[]>(project, [
      "job",
      "compare",
      String(ids.scf),
      String(ids.opt),
      String(ids.nio),
    ]);
    expect(rows.map((r) => r.id)).toEqual([ids.scf, ids.opt, ids.nio]);
    const nio = rows.find((r) => r.id === ids.nio)!;
    expect(nio).toMatchObject({ status: "FAILED", final: false });
    const lowest = e.get(ids.scf)! < e.get(ids.opt)! ? ids.scf : ids.opt;
    for (const r of rows) {
      expect(r.reference_id).toBe(lowest);
      expect(r).toMatchObject({ unit: "Ha", per: "cell", final_energy_hartree: e.get(r.id) });
      expect(r.delta).toBeCloseTo(e.get(r.id)! - e.get(lowest)!, 10);
    }
    expect(rows.find((r) => r.id === lowest)!.delta).toBe(0);
  });

  it("each unit, per cell and per atom, relative to a chosen job", () => {
    const e = energies();
    for (const [unit, factor] of Object.entries(HAND)) {
      const rows = cliJson<Row[]>(project, [
        "job",
        "compare",
        String(ids.scf),
        String(ids.opt),
        "--relative-to",
        String(ids.opt),
        "--unit",
        unit,
      ]);
      const scf = rows.find((r) => r.id === ids.scf)!;
      expect(scf.unit).toBe(unit);
      const want = (e.get(ids.scf)! - e.get(ids.opt)!) * factor;
      expect(Math.abs(scf.delta! - want)).toBeLessThan(Math.abs(want) * 1e-9 + 1e-9);
      expect(Math.abs(scf.energy! - e.get(ids.scf)! * factor)).toBeLessThan(
        Math.abs(e.get(ids.scf)! * factor) * 1e-12,
      );
    }
    // MgO: 2 atoms in the primitive cell
    const perAtom = cliJson<Row[]>(project, [
      "job",
      "compare",
      String(ids.scf),
      String(ids.opt),
      "--per",
      "atom",
      "--unit",
      "eV",
    ]);
    const opt = perAtom.find((r) => r.id === ids.opt)!;
    expect(opt.per).toBe("atom");
    expect(opt.energy!).toBeCloseTo((e.get(ids.opt)! / 2) * HAND.eV, 6);
  });

  it("per formula unit: the AFM NiO cell (Ni2O2, printed by CRYSTAL) holds 2 NiO, the MgO primitive cell 1 MgO", () => {
    const e = energies();
    const rows = cliJson<(Row & { formula: string | null; formula_units: number | null })[]>(project, [
      "job",
      "compare",
      String(ids.opt),
      String(ids.nio),
      "--per",
      "fu",
      "--unit",
      "eV",
    ]);
    const nio = rows.find((r) => r.id === ids.nio)!;
    const mgo = rows.find((r) => r.id === ids.opt)!;
    expect(nio).toMatchObject({ per: "formula", formula: "NiO", formula_units: 2 });
    expect(mgo).toMatchObject({ per: "formula", formula: "MgO", formula_units: 1 });
    expect(nio.energy!).toBeCloseTo((e.get(ids.nio)! / 2) * HAND.eV, 6);
    expect(mgo.energy!).toBeCloseTo(e.get(ids.opt)! * HAND.eV, 6);
    const text = cli(project, ["job", "compare", String(ids.opt), String(ids.nio), "--per", "formula"]);
    expect(text.stdout).toMatch(/ENERGY \(Ha\/f\.u\.\)/);
    expect(text.stdout).toMatch(/2×NiO/);
    const one = cli(project, ["job", "compare", String(ids.opt), String(ids.scf), "--per", "formula"]);
    expect(one.stdout).toMatch(/ENERGY \(Ha\/MgO\)/);
  });

  it("text names the reference and marks energies that are not final; bad input exits 2, a non-final reference 1", () => {
    const r = cli(project, [
      "job",
      "compare",
      String(ids.scf),
      String(ids.opt),
      String(ids.nio),
      "--unit",
      "meV",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ΔE \(meV\)/);
    expect(r.stdout).toMatch(/the lowest final energy/);
    expect(r.stdout).toMatch(/~ not a final energy/);
    expect(cli(project, ["job", "compare", String(ids.scf), "--unit", "kcal"]).code).toBe(2);
    expect(cli(project, ["job", "compare", String(ids.scf), "--per", "molecule"]).code).toBe(2);
    const bad = cli(project, ["job", "compare", String(ids.scf), "--relative-to", String(ids.nio)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/energy is not final/);
    expect(cli(project, ["job", "compare", "99"]).code).toBe(1);
  });

  it("--csv read back by Python's csv module gives the numbers of --json, every column, per cell and per atom", () => {
    for (const [unit, per] of [
      ["kJ/mol", "cell"],
      ["eV", "atom"],
    ] as const) {
      const args = [
        "job",
        "compare",
        String(ids.scf),
        String(ids.opt),
        String(ids.nio),
        "--unit",
        unit,
        "--per",
        per,
      ];
      const json = cliJson<Row[]>(project, args);
      const csv = cli(project, [...args, "--csv"]);
      expect(csv.code, csv.stderr).toBe(0);
      const parsed = JSON.parse(
        execFileSync(
          "python3",
          ["-c", "import csv,sys,json; print(json.dumps(list(csv.DictReader(sys.stdin))))"],
          {
            input: csv.stdout,
            encoding: "utf8",
          },
        ),
      ) as Record<string, string>[];
      expect(parsed).toHaveLength(json.length);
      parsed.forEach((row, i) => {
        const j = json[i] as unknown as Record<string, unknown>;
        // the same columns, in the same order, as --json's keys
        expect(Object.keys(row)).toEqual(Object.keys(j));
        for (const [key, v] of Object.entries(j)) {
          if (v === null) expect(row[key], key).toBe("");
          else if (typeof v === "number") expect(Number(row[key]), key).toBe(v);
          else expect(row[key], key).toBe(String(v));
        }
      });
      // the NiO run stopped early: its energy is there, marked as not final
      expect(parsed.find((r) => Number(r.id) === ids.nio)!.final).toBe("false");
      expect(parsed.some((r) => r.delta !== "" && Number(r.delta) !== 0)).toBe(true);
    }
  });
});
