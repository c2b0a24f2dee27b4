// Properties jobs over SSH and on SLURM (the real test sshd and SLURM, the CRYSTAL stand-in as
// crystalOMP and the test stand-in of properties, test/runners/fake-properties.ts): `properties`
// runs as one process with the SCF's wavefunction staged as fort.9, and fort.25, BAND.DAT and
// DOSS.DAT come back into the job folder.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { requireInfra } from "../helpers/infra.js";
import { cli, cliJson } from "../helpers/project.js";
import { BANDS_D3, installFakeProperties } from "../runners/fake-properties.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  newProject,
  type RemoteSetup,
  remoteSetup,
  testShell,
} from "./helpers.js";

const infra = await requireInfra("properties jobs over SSH and on SLURM");

describe.skipIf(!infra)("properties jobs on remote machines (real sshd and SLURM)", () => {
  let setup: RemoteSetup;
  let pool: OpenSshShell;
  let log: string;
  beforeAll(() => {
    setup = remoteSetup("props");
    log = path.join(setup.shared, "properties.log");
    installFakeProperties(setup.exedir, log);
    pool = testShell(infra!);
  });
  afterAll(async () => {
    await pool.exec(["rm", "-rf", "--", setup.remoteDir]).catch(() => undefined);
    await pool.close();
    cleanupLocal();
  });

  for (const type of ["ssh", "slurm"] as const) {
    it(`on ${type}: properties on one process, fort.9 from the SCF, its data files back`, () => {
      fs.writeFileSync(log, "");
      const { project } = newProject();
      addCluster(project, infra!, setup, { name: "box", type });
      const scf = addJob(project, "scf", deck("scf", `MgO SCF [props-${type}]`), ["--cluster", "box"]);
      const folder = fs.mkdtempSync(path.join(project, "d3-"));
      const d3 = path.join(folder, "bands.d3");
      fs.writeFileSync(d3, BANDS_D3);
      const bands = cliJson<{ id: number }>(project, [
        "job",
        "add",
        "bands",
        "--input",
        d3,
        "--cluster",
        "box",
        "--wavefunction-from",
        String(scf),
      ]).id;
      const run = cli(project, ["run"]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/2 finished \(2 COMPLETED\)/);
      const shown = cliJson<{ status: string; folder: string }>(project, ["job", "show", String(bands)]);
      expect(shown.status).toBe("COMPLETED");
      const started = fs.readFileSync(log, "utf8").trim();
      expect(started).toMatch(/^properties ranks=1 files=/);
      expect(started.split(" ")).toContain("fort.9");
      for (const f of ["bands.f25", "bands.band.dat", "bands.doss.dat", "bands.out"]) {
        expect(fs.existsSync(path.join(shown.folder, f)), f).toBe(true);
      }
      expect(fs.readFileSync(path.join(shown.folder, "bands.doss.dat"), "utf8")).toBe(
        "DOSS.DAT of the test stand-in\n",
      );
    });
  }
});
