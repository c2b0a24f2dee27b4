// The final geometry written as CIF, POSCAR, XYZ and CRYSTAL's .gui: read back by ASE to the same cell
// and positions within 1e-5 Å, and by a reader written here from the formats' own definitions (CIF
// cell parameters and fractional coordinates; POSCAR vectors and direct coordinates), for 3D, slab
// and molecule outputs. `crystal-tui structure` as a user runs it, on a file and on a job.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseOutputFileSync } from "../../src/crystal/output-parser.js";
import type { Geometry, Vector3 } from "../../src/crystal/result.js";
import { toCif, toGui, toPoscar, toXyz } from "../../src/crystal/structure-export.js";
import { cli, FIXTURES, MGO_DECK, tempProject } from "../helpers/project.js";
import { pythonWithAse } from "./ase.js";

const CASES = [
  "aiida-crystal17__mgo_sto3g_opt.out", // 3D, fcc primitive cell
  "electronic-parsers__albite_freq_intens.out", // 3D triclinic, 26 atoms
  "aiida-crystal17__cry17_spin_opt.out", // tetragonal
  "CRYSTALpytools__elastic2D_graphene.out", // a slab
  "CRYSTALpytools__conv_mgo100.out", // a slab with atoms off the plane
];
const geometryOf = (file: string) => parseOutputFileSync(path.join(FIXTURES, file)).geometry!;

/** Cartesian positions from the geometry itself: fractional × vectors, Å along non-periodic axes. */
function cartesian(g: Geometry): Vector3[] {
  return g.atoms.map((a) => {
    const r = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const f = a.fractional[k];
      if (f === null || f === undefined) r[k] = r[k]! + a.cartesian_angstrom[k]!;
      else for (let j = 0; j < 3; j++) r[j] = r[j]! + f * g.lattice_vectors_angstrom[k]![j]!;
    }
    return r as Vector3;
  });
}
const dist = (p: Vector3, q: Vector3) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
/** All interatomic distances: the same in any orientation of the cell. */
const distances = (rs: Vector3[]) => rs.flatMap((p, i) => rs.slice(i + 1).map((q) => dist(p, q)));

/** CIF by its definition: a b c α β γ → vectors (a along x, b in xy), fractional → Cartesian. */
function readCif(text: string): {
  lengths: number[];
  angles: number[];
  positions: Vector3[];
  symbols: string[];
} {
  const value = (tag: string) => Number(new RegExp(`^${tag}\\s+(\\S+)`, "m").exec(text)![1]);
  const [a, b, c] = ["a", "b", "c"].map((x) => value(`_cell_length_${x}`)) as [number, number, number];
  const [al, be, ga] = ["alpha", "beta", "gamma"].map((x) => (value(`_cell_angle_${x}`) * Math.PI) / 180) as [
    number,
    number,
    number,
  ];
  const v: Vector3[] = [
    [a, 0, 0],
    [b * Math.cos(ga), b * Math.sin(ga), 0],
  ];
  const cx = c * Math.cos(be);
  const cy = (c * (Math.cos(al) - Math.cos(be) * Math.cos(ga))) / Math.sin(ga);
  v.push([cx, cy, Math.sqrt(c * c - cx * cx - cy * cy)]);
  const rows = text.split("\n").filter((l) => /^\S+\s+[A-Z][a-z]?\s+-?\d/.test(l));
  const symbols = rows.map((r) => r.split(/\s+/)[1]!);
  const positions = rows.map((r) => {
    const f = r.split(/\s+/).slice(2, 5).map(Number);
    return [0, 1, 2].map((j) => f[0]! * v[0]![j]! + f[1]! * v[1]![j]! + f[2]! * v[2]![j]!) as Vector3;
  });
  return { lengths: [a, b, c], angles: [al, be, ga].map((x) => (x * 180) / Math.PI), positions, symbols };
}

/** POSCAR by its definition: scale, three vectors, species, counts, Direct, coordinates. */
function readPoscar(text: string): { vectors: Vector3[]; positions: Vector3[]; symbols: string[] } {
  const lines = text.trim().split("\n");
  const scale = Number(lines[1]);
  const vectors = lines.slice(2, 5).map(
    (l) =>
      l
        .trim()
        .split(/\s+/)
        .map((x) => Number(x) * scale) as Vector3,
  );
  const species = lines[5]!.trim().split(/\s+/);
  const counts = lines[6]!.trim().split(/\s+/).map(Number);
  const symbols = species.flatMap((s, i) => Array<string>(counts[i]!).fill(s));
  expect(lines[7]).toBe("Direct");
  const positions = lines.slice(8, 8 + symbols.length).map((l) => {
    const f = l.trim().split(/\s+/).map(Number);
    return [0, 1, 2].map(
      (j) => f[0]! * vectors[0]![j]! + f[1]! * vectors[1]![j]! + f[2]! * vectors[2]![j]!,
    ) as Vector3;
  });
  return { vectors, positions, symbols };
}

describe("structure files read back by readers written from the formats", () => {
  for (const file of CASES) {
    it(`${file}: CIF and POSCAR keep the cell, the atoms and every distance within 1e-5 Å`, () => {
      const g = geometryOf(file);
      const ours = cartesian(g);
      const cif = readCif(toCif(g, "t"));
      expect(cif.symbols).toEqual(g.atoms.map((a) => a.symbol));
      const periodic = g.lattice_vectors_angstrom;
      periodic.forEach((v, k) => {
        expect(Math.abs(cif.lengths[k]! - Math.hypot(...v))).toBeLessThan(1e-5);
      });
      distances(cif.positions).forEach((d, i) => {
        expect(Math.abs(d - distances(ours)[i]!)).toBeLessThan(1e-5);
      });
      const poscar = readPoscar(toPoscar(g, "t"));
      expect(poscar.symbols).toEqual(g.atoms.map((a) => a.symbol));
      periodic.forEach((v, k) => {
        v.forEach((x, j) => {
          expect(Math.abs(poscar.vectors[k]![j]! - x)).toBeLessThan(1e-9);
        });
      });
      poscar.positions.forEach((p, i) => {
        expect(dist(p, ours[i]!)).toBeLessThan(1e-5);
      });
    });
  }

  it("XYZ holds the Cartesian coordinates; a molecule gets no cell", () => {
    const g = geometryOf("CRYSTALpytools__out_coOpt.out");
    const lines = toXyz(g, "co").trim().split("\n");
    expect(lines[0]).toBe("2");
    expect(lines[1]).not.toContain("Lattice");
    expect(lines[2]).toBe("C -0.0637262071 -0.0398288795 -0.0318631036");
    const slab = toXyz(geometryOf("CRYSTALpytools__elastic2D_graphene.out"), "g").split("\n")[1]!;
    expect(slab).toContain('pbc="T T F"');
  });

  it(".gui is CRYSTAL's EXTERNAL format: 500 Å along a slab's normal, identity operator, Z and Å", () => {
    const gui = toGui(geometryOf("CRYSTALpytools__elastic2D_graphene.out")).trim().split("\n");
    expect(gui[0]).toBe("2 1 1");
    expect(gui[3]!.trim().split(/\s+/).map(Number)).toEqual([0, 0, 500]);
    expect(gui[4]).toBe("1");
    expect(Number(gui[9])).toBe(2);
    expect(gui[10]!.trim().split(/\s+/).map(Number)[0]).toBe(6);
  });
});

describe("read back by ASE", () => {
  const ase = pythonWithAse();
  if ("missing" in ase) {
    if (process.env.CI === "true") it("ASE must be installable in CI", () => expect.fail(ase.missing));
    else it.skip(`ASE not available here: ${ase.missing}`, () => {});
    return;
  }
  const script = `
import json, sys, numpy as np
from ase.io import read
out = {}
for fmt, path in json.loads(sys.argv[1]).items():
    atoms = read(path, format=fmt)
    out[fmt] = {"cellpar": atoms.cell.cellpar().tolist(), "cell": atoms.cell.array.tolist(),
                "positions": atoms.get_positions().tolist(), "symbols": atoms.get_chemical_symbols(),
                "scaled": atoms.get_scaled_positions(wrap=False).tolist()}
print(json.dumps(out))
`;
  for (const file of [...CASES, "CRYSTALpytools__out_coOpt.out"]) {
    it(`${file}: the same cell and positions within 1e-5 Å`, () => {
      const g = geometryOf(file);
      const dir = fs.mkdtempSync(path.join(tempProject("ctui-ase-"), "x"));
      const files = {
        cif: path.join(dir, "s.cif"),
        vasp: path.join(dir, "POSCAR"),
        extxyz: path.join(dir, "s.xyz"),
      };
      fs.writeFileSync(files.cif, toCif(g, "s"));
      fs.writeFileSync(files.vasp, toPoscar(g, "s"));
      fs.writeFileSync(files.extxyz, toXyz(g, "s"));
      const r = spawnSync(ase.python, ["-c", script, JSON.stringify(files)], {
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout) as Record<
        string,
        { cellpar: number[]; cell: number[][]; positions: Vector3[]; symbols: string[]; scaled: Vector3[] }
      >;
      const ours = cartesian(g);
      const poscar = got.vasp!;
      expect(poscar.symbols).toEqual(g.atoms.map((a) => a.symbol));
      g.lattice_vectors_angstrom.forEach((v, k) => {
        v.forEach((x, j) => {
          expect(Math.abs(poscar.cell[k]![j]! - x)).toBeLessThan(1e-5);
        });
      });
      poscar.positions.forEach((p, i) => {
        expect(dist(p, ours[i]!)).toBeLessThan(1e-5);
      });
      // a CIF holds no orientation: the same cell parameters, and the same fractional positions (ASE
      // moves an atom by a lattice vector into the cell) — so the same positions in the cell
      const cif = got.cif!;
      expect(cif.symbols).toEqual(g.atoms.map((a) => a.symbol));
      cif.cellpar.forEach((x, k) => {
        expect(Math.abs(x - poscar.cellpar[k]!)).toBeLessThan(1e-5);
      });
      const lengths = poscar.cellpar.slice(0, 3);
      cif.scaled.forEach((f, i) => {
        f.forEach((x, k) => {
          const d = x - poscar.scaled[i]![k]!;
          expect(Math.abs(d - Math.round(d)) * lengths[k]!).toBeLessThan(1e-5);
        });
      });
      got.extxyz!.positions.forEach((p, i) => {
        expect(dist(p, g.atoms[i]!.cartesian_angstrom)).toBeLessThan(1e-5);
      });
    }, 120_000);
  }
});

describe("crystal-tui structure", () => {
  const project = tempProject();

  it("writes the final geometry of an output file in each format", () => {
    const file = path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_opt.out");
    const cif = cli(project, ["structure", file, "--format", "cif"]);
    expect(cif.code).toBe(0);
    expect(cif.stdout).toMatch(/_cell_length_a\s+2\.7466581\d/);
    const out = path.join(project, "POSCAR");
    expect(cli(project, ["structure", file, "--format", "poscar", "--output", out]).code).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toContain("Direct");
    const bad = cli(project, ["structure", file, "--format", "pdb"]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining("is not one of cif, xyz, poscar, gui"),
    ]);
    const none = cli(project, ["structure", path.join(FIXTURES, "electronic-parsers__NaCl.out")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("a properties run prints none");
  });

  it("reads a job's output through the store", () => {
    const deck = path.join(project, "mgo.d12");
    fs.writeFileSync(deck, MGO_DECK);
    const added = JSON.parse(cli(project, ["job", "add", "mgo", "--input", deck, "--json"]).stdout) as {
      id: number;
    };
    const folder = JSON.parse(cli(project, ["job", "show", String(added.id), "--json"]).stdout)
      .folder as string;
    const missing = cli(project, ["structure", String(added.id)]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining("has no output yet")]);
    fs.copyFileSync(path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out"), path.join(folder, "mgo.out"));
    const xyz = cli(project, ["structure", String(added.id), "--format", "xyz"]);
    expect(xyz.code).toBe(0);
    expect(xyz.stdout.split("\n")[3]).toBe("O 2.1050000000 2.1050000000 2.1050000000");
  });
});
