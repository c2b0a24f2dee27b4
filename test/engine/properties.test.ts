// A properties job (a .d3 deck) runs the `properties` program — one process unless the job asks for
// ranks — with its parent's wavefunction staged as fort.9, and its band structure and DOS files come
// back into its folder. Locally here; over SSH and on SLURM in test/remote/properties.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv, standinExedir } from "../helpers/standin.js";
import { BANDS_D3, installFakeProperties } from "../runners/fake-properties.js";

describe("properties jobs, on this machine", () => {
  it("SCF → bands + DOS: properties on one process, fort.9 from the SCF, fort.25 / BAND.DAT / DOSS.DAT back", () => {
    const project = tempProject();
    // the stand-in as crystalOMP, and the properties stand-in next to it
    const exedir = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-props-exe-"));
    for (const name of ["crystalOMP", "PcrystalOMP"])
      fs.copyFileSync(path.join(standinExedir(), name), path.join(exedir, name));
    for (const name of ["crystalOMP", "PcrystalOMP"]) fs.chmodSync(path.join(exedir, name), 0o755);
    const log = path.join(project, "properties.log");
    installFakeProperties(exedir, log);
    const env = standinEnv({ CRY23_EXEDIR: exedir });
    const scfDeck = path.join(project, "scf.d12");
    fs.writeFileSync(scfDeck, standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"));
    const d3 = path.join(project, "bands.d3");
    fs.writeFileSync(d3, BANDS_D3);
    const scf = cliJson<{ id: number }>(project, ["job", "add", "scf", "--input", scfDeck]).id;
    // nothing provides its wavefunction: refused, with what to do
    const refused = cli(project, ["job", "add", "bands", "--input", d3]);
    expect(refused.stderr).toMatch(
      /reads fort\.9, which nothing provides — give it with --aux FILE\.f9 or --wavefunction-from JOB_ID/,
    );
    const bands = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "bands",
      "--input",
      d3,
      "--wavefunction-from",
      String(scf),
    ]).id;
    const run = cli(project, ["run"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 finished \(2 COMPLETED\)/);
    const shown = cliJson<{ status: string; folder: string; command_line: string }>(project, [
      "job",
      "show",
      String(bands),
    ]);
    expect(shown.status).toBe("COMPLETED");
    // the program, its process count, and what its run folder held when it started
    expect(fs.readFileSync(log, "utf8").trim()).toBe("properties ranks=1 files=INPUT fort.9");
    expect(shown.command_line).toMatch(/properties < INPUT > /);
    expect(shown.command_line).not.toMatch(/mpirun/);
    for (const f of ["bands.d3", "bands.f9", "bands.f25", "bands.band.dat", "bands.doss.dat", "bands.out"]) {
      expect(fs.existsSync(path.join(shown.folder, f)), f).toBe(true);
    }
    // fort.25 was written from the SCF's own wavefunction
    const scfFolder = cliJson<{ folder: string }>(project, ["job", "show", String(scf)]).folder;
    expect(fs.readFileSync(path.join(shown.folder, "bands.f9"))).toEqual(
      fs.readFileSync(path.join(scfFolder, "scf.f9")),
    );
  });
});
