// A job that exceeds its --time on the real SLURM ends FAILED with the walltime as its reason, and
// the batch script's trap still records what happened. SLURM's smallest limit is one minute and its
// controller checks limits about every 30 s, so this suite takes 60–95 s: it has a file of its own
// so that it runs beside the other suites rather than after them.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { requireInfra } from "../helpers/infra.js";
import { jobFolder } from "../store/new-jobs.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  cliLong,
  deck,
  newProject,
  type RemoteSetup,
  remoteSetup,
  testShell,
} from "./helpers.js";

const infra = await requireInfra("SLURM walltime against the real SLURM");

describe.skipIf(!infra)("SLURM walltime (real SLURM)", () => {
  let setup: RemoteSetup;
  let pool: OpenSshShell;
  beforeAll(() => {
    setup = remoteSetup("walltime");
    pool = testShell(infra!);
  });
  afterAll(async () => {
    await pool.exec(["rm", "-rf", "--", setup.remoteDir]).catch(() => undefined);
    await pool.close();
    cleanupLocal();
  });

  it("a job over its --time is FAILED: walltime exceeded (--time 00:01:00)", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm" });
    const id = addJob(project, "slow", deck("opt", "NiO [standin:hang] [walltime]"), [
      "--cluster",
      "hpc",
      "--time",
      "00:01:00",
    ]);
    const t0 = Date.now();
    const run = cliLong(project, ["run"], 180_000);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const job = store.jobs.require(id);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toMatch(/^walltime exceeded \(--time 00:01:00\)/);
    expect(Date.now() - t0).toBeGreaterThan(60_000);
    const remote = store.remoteJobs.getByJobId(id)!;
    // SLURM's own word, in the stderr brought back
    const err = fs.readFileSync(
      path.join(jobFolder(store, job), ".run", `slurm-${remote.remoteHandle}.err`),
      "utf8",
    );
    expect(err).toMatch(/DUE TO TIME LIMIT/);
    // the trap saw the SIGTERM: CRYSTAL's exit (143) was recorded before SLURM's SIGKILL
    const code = await pool.exec(["cat", `${remote.workingDirectory}/exit_code`]);
    expect(code.stdout.trim()).toBe("143");
    store.close();
  }, 200_000);
});
