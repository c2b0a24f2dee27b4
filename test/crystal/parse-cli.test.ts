// `crystal-tui parse FILE [--json]` as a user runs it.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseOutputFile } from "../../src/crystal/output-parser.js";
import { cli, FIXTURES, tempProject } from "../helpers/project.js";

const project = tempProject();

describe("crystal-tui parse", () => {
  it("--json prints the parser's result with the issue's keys", async () => {
    const file = path.join(FIXTURES, "aiida-crystal17__cry17_spin_opt.out");
    const r = cli(project, ["parse", file, "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json).sort()).toEqual(
      [
        "program",
        "scf_energy_hartree",
        "geometry",
        "mulliken",
        "frequencies",
        "elastic",
        "properties",
        "crystal_version",
        "calc_type",
        "status",
        "error_kind",
        "errors",
        "warnings",
        "n_atoms",
        "spin_polarized",
        "standin",
        "final_energy_hartree",
        "final_energy_ev",
        "scf",
        "opt",
        "band_gap_ev",
        "band_gap_alpha_ev",
        "band_gap_beta_ev",
        "lattice",
        "zero_point_energy_ev",
        "wall_time_s",
      ].sort(),
    );
    expect(Object.keys(json.scf).sort()).toEqual([
      "converged",
      "cycles",
      "energies_hartree",
      "initial_energy_hartree",
    ]);
    expect(Object.keys(json.opt).sort()).toEqual(["converged", "energies_hartree", "steps"]);
    expect(json).toEqual(JSON.parse(JSON.stringify(await parseOutputFile(file))));
  });

  it("says in words what happened", () => {
    const r = cli(project, ["parse", path.join(FIXTURES, "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.out")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("CRYSTAL17 · single point (SCF) · failed (scf not converged)");
    expect(r.stdout).toMatch(/SCF +not converged after 10 cycles \(last -3128\.28216834 Ha\)/);
    const ok = cli(project, ["parse", path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_opt.out")]);
    expect(ok.stdout).toMatch(/Final energy +-271\.2596206888 Ha/);
    expect(ok.stdout).toMatch(/Band gap +17\.4781 eV/);
  });

  it("reads the scheduler's stderr with --stderr", () => {
    const out = path.join(FIXTURES, "aiida-crystal17__nio_sto3g_afm_opt_walltime.out");
    const err = path.join(FIXTURES, "aiida-crystal17__nio_sto3g_afm_opt_walltime._scheduler-stderr.txt");
    const json = JSON.parse(cli(project, ["parse", out, "--stderr", err, "--json"]).stdout);
    expect([json.status, json.error_kind]).toEqual(["incomplete", "walltime"]);
    expect(cli(project, ["parse", out, "--stderr", "/nonexistent/stderr.txt"]).code).toBe(1);
  });

  it("a missing file: exit 1 and one line on stderr", () => {
    const r = cli(project, ["parse", "/nonexistent/mgo.out"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "crystal-tui: /nonexistent/mgo.out: no such file — give the path of a CRYSTAL output (.out)\n",
    );
  });

  it("a file that is not a CRYSTAL output is reported, not a crash", () => {
    const file = path.join(project, "notes.out");
    fs.writeFileSync(file, "these are my notes\n\u0000\u0001binary\n");
    const r = cli(project, ["parse", file, "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect([json.status, json.calc_type, json.crystal_version]).toEqual(["incomplete", null, null]);
  });
});

describe("crystal-tui parse on properties data files", () => {
  it("--json gives the band structure of a fort.25 and the DOS of a DOSS.DAT", () => {
    const f25 = JSON.parse(
      cli(project, ["parse", path.join(FIXTURES, "electronic-parsers__NaCl.f25"), "--json"]).stdout,
    );
    expect(f25.kind).toBe("fort.25");
    expect(f25.band_structure.bands).toHaveLength(18);
    expect(f25.band_structure.k_path).toHaveLength(61);
    expect(f25.dos.energies).toHaveLength(302);
    const doss = cli(project, [
      "parse",
      path.join(FIXTURES, "aiida-crystal17__doss_mgo_sto3g_scf.DOSS.DAT"),
      "--json",
    ]);
    expect(doss.code).toBe(0);
    expect(JSON.parse(doss.stdout).dos.energies).toHaveLength(102);
    const band = cli(project, ["parse", path.join(FIXTURES, "electronic-parsers__NaCl_dat.BAND")]);
    expect(band.stdout).toMatch(/band structure +18 bands × 61 k points, 4 segments/);
  });

  it("a properties output reports its program, what it computed and the NEWK gap", () => {
    const json = JSON.parse(
      cli(project, ["parse", path.join(FIXTURES, "aiida-crystal17__doss_mgo_sto3g_scf.out"), "--json"])
        .stdout,
    );
    expect([json.program, json.calc_type, json.status, json.band_gap_ev]).toEqual([
      "properties",
      "properties",
      "completed",
      12.6665,
    ]);
    expect(json.properties.kinds).toEqual(["NEWK", "DOSS"]);
  });
});
