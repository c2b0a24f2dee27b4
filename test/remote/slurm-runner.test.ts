// The SLURM runner against the real single-node SLURM (reached over the test sshd), driven as a user
// drives it: `crystal-tui cluster add --type slurm`, `job add --cluster`, `run`. A three-job chain
// handed to SLURM as --dependency (queued at once, progressing by itself), an after_failed branch,
// scancel from outside, two partitions, MPI ranks through srun, CRYSTAL scratch with copy-back, and
// a geometry passed from one SLURM job to the next.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultHooks } from "../../src/app/engine.js";
import { runnerFactory } from "../../src/app/runners.js";
import { Engine } from "../../src/engine/engine.js";
import type { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { requireInfra } from "../helpers/infra.js";
import { cli } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  EXTERNAL_DECK,
  newProject,
  type RemoteSetup,
  remoteSetup,
  starts,
  statusOf,
  testShell,
  waitFor,
} from "./helpers.js";

const infra = await requireInfra("SLURM runner against the real SLURM");

describe.skipIf(!infra)("SLURM runner (real SLURM over the real sshd, CRYSTAL stand-in)", () => {
  let setup: RemoteSetup;
  let pool: OpenSshShell;
  beforeAll(() => {
    setup = remoteSetup("slurm");
    pool = testShell(infra!);
  });
  afterAll(async () => {
    await pool.exec(["rm", "-rf", "--", setup.remoteDir]).catch(() => undefined);
    await pool.close();
    cleanupLocal();
  });

  /** What SLURM's accounting says of a job: state and partition. */
  async function sacct(slurmId: string): Promise<{ state: string; partition: string }> {
    return waitFor(`sacct to know job ${slurmId}`, async () => {
      const r = await pool.exec(["sacct", "-n", "-P", "-X", "-j", slurmId, "-o", "State,Partition"]);
      const [state, partition] = r.stdout.trim().split("|");
      // slurmdbd's record of a job that just ended is briefly incomplete (no partition yet): ask again
      return state && partition && !/PENDING|RUNNING/.test(state) ? { state, partition } : undefined;
    });
  }

  it("a three-job chain is handed to SLURM at once (--dependency=afterok) and completes in order", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, {
      name: "hpc",
      type: "slurm",
      env: { CRYSTAL_STANDIN_DELAY_MS: "2" },
    });
    const a = addJob(project, "a", deck("scf", "MgO step a [chain3-a]"), ["--cluster", "hpc"]);
    const b = addJob(project, "b", deck("scf", "MgO step b [chain3-b]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(a),
    ]);
    const c = addJob(project, "c", deck("scf", "MgO step c [chain3-c]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(b),
    ]);
    const run = cli(project, ["run"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/done: 3 finished \(3 COMPLETED\)/);
    const remote = (id: number) => store.remoteJobs.getByJobId(id)!;
    // all three were queued before the first one ended: SLURM ran the chain by itself
    const log = run.stdout.split("\n");
    const queuedC = log.findIndex((l) => l.startsWith(`job ${c} (c) queued on hpc`));
    const doneA = log.findIndex((l) => l.startsWith(`job ${a} (a) COMPLETED`));
    expect(queuedC).toBeGreaterThanOrEqual(0);
    expect(queuedC).toBeLessThan(doneA);
    expect(remote(b).metadata.directives).toContain(`--dependency=afterok:${remote(a).remoteHandle}`);
    expect(remote(c).metadata.directives).toContain(`--dependency=afterok:${remote(b).remoteHandle}`);
    for (const id of [a, b, c]) {
      const r = remote(id);
      expect(r.remoteHandle).toMatch(/^\d+$/);
      expect(r.queueName).toBe("debug");
      expect(r.nodeList).toBe(infra!.slurmNode);
      expect(r.stdoutPath).toBe(`${r.workingDirectory}/slurm-${r.remoteHandle}.out`);
      expect((await sacct(r.remoteHandle)).state).toBe("COMPLETED");
      expect(store.jobs.require(id).finalEnergy).toBeCloseTo(-271.21814374931, 6);
    }
    // SLURM started them in the chain's order, each once
    const order = fs
      .readFileSync(setup.counter, "utf8")
      .split("\n")
      .filter((l) => l.includes("[chain3-"))
      .map((l) => /\[chain3-(\w)\]/.exec(l)![1]);
    expect(order).toEqual(["a", "b", "c"]);
    store.close();
  });

  it("an after_failed branch runs; the after_ok branch is SKIPPED and taken out of SLURM's queue", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm" });
    const parent = addJob(project, "p", deck("scf", "MgO [standin:fail] [branch-p]"), ["--cluster", "hpc"]);
    const onOk = addJob(project, "ok", deck("scf", "MgO [branch-ok]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(parent),
    ]);
    const onFail = addJob(project, "rescue", deck("scf", "MgO [branch-rescue]"), [
      "--cluster",
      "hpc",
      "--after-failed",
      String(parent),
    ]);
    const run = cli(project, ["run"]);
    expect(run.code).toBe(0);
    expect(statusOf(store, parent)).toBe("FAILED");
    expect(store.jobs.require(parent).statusReason).toMatch(/^exit code 1/);
    expect(statusOf(store, onFail)).toBe("COMPLETED");
    const skipped = store.jobs.require(onOk);
    expect(skipped.status).toBe("SKIPPED");
    expect(skipped.statusReason).toMatch(/after_ok on job \d+ \(p\) can never be met: it ended FAILED/);
    // it had been queued in SLURM (afterok on the parent), and crystal-tui took it out
    const queued = store.remoteJobs.getByJobId(onOk)!;
    expect((await sacct(queued.remoteHandle)).state).toMatch(/^CANCELLED/);
    expect(starts(setup, "[branch-ok]")).toHaveLength(0);
    expect(starts(setup, "[branch-rescue]")).toHaveLength(1);
    store.close();
  });

  it("CRYSTAL exiting 0 with a failed output still sends SLURM down the after_failed branch", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm" });
    const parent = addJob(project, "maxcyc", deck("scf", "NiO [standin:failed-output] [verdict-p]"), [
      "--cluster",
      "hpc",
    ]);
    const onFail = addJob(project, "rescue", deck("scf", "MgO [verdict-rescue]"), [
      "--cluster",
      "hpc",
      "--after-failed",
      String(parent),
    ]);
    const run = cli(project, ["run"]);
    expect(run.code).toBe(0);
    const p = store.jobs.require(parent);
    expect(p.status).toBe("FAILED");
    expect(p.statusReason).toMatch(/SCF did not converge/);
    expect(statusOf(store, onFail)).toBe("COMPLETED");
    const stderr = fs.readFileSync(
      path.join(
        jobFolder(store, p),
        ".run",
        `slurm-${store.remoteJobs.getByJobId(parent)!.remoteHandle}.err`,
      ),
      "utf8",
    );
    expect(stderr).toMatch(/CRYSTAL exited 0 but its output does not end successfully/);
    store.close();
  });

  it("scancel from outside crystal-tui: CANCELLED, saying by whom", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm" });
    const id = addJob(project, "long", deck("scf", "MgO [standin:hang] [outside]"), ["--cluster", "hpc"]);
    const engine = new Engine(store, { runnerFactory: runnerFactory(), hooks: defaultHooks() });
    const done = engine.run();
    await waitFor("the job to run", () => statusOf(store, id) === "RUNNING", 60_000);
    await waitFor("the stand-in to start", () => starts(setup, "[outside]").length === 1);
    const slurmId = store.remoteJobs.getByJobId(id)!.remoteHandle;
    expect((await pool.exec(["scancel", slurmId])).code).toBe(0);
    await done;
    const job = store.jobs.require(id);
    expect(job.status).toBe("CANCELLED");
    expect(job.statusReason).toBe(`cancelled by ${infra!.sshUser} outside crystal-tui`);
    store.close();
  });

  it("crystal-tui's own cancel is scancel; the job is CANCELLED by the user", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm" });
    const id = addJob(project, "long", deck("scf", "MgO [standin:hang] [own-cancel]"), ["--cluster", "hpc"]);
    const engine = new Engine(store, { runnerFactory: runnerFactory(), hooks: defaultHooks() });
    const done = engine.run();
    await waitFor("the job to run", () => statusOf(store, id) === "RUNNING", 60_000);
    expect(cli(project, ["job", "cancel", String(id)]).code).toBe(0);
    await done;
    expect(store.jobs.require(id)).toMatchObject({ status: "CANCELLED", statusReason: "cancelled by user" });
    expect((await sacct(store.remoteJobs.getByJobId(id)!.remoteHandle)).state).toMatch(/^CANCELLED/);
    store.close();
  });

  it("two partitions; MPI ranks through srun; scratch in $CRY23_SCRDIR with outputs copied back", async () => {
    const { project, store } = newProject();
    const scratch = path.join(setup.shared, "scratch");
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm", env: { CRY23_SCRDIR: scratch } });
    const inDebug = addJob(project, "dflt", deck("opt", "MgO opt [part-debug]"), ["--cluster", "hpc"]);
    const inBatch = addJob(project, "other", deck("scf", "MgO [part-batch]"), [
      "--cluster",
      "hpc",
      "--partition",
      "batch",
      "--ranks",
      "2",
      "--threads",
      "1",
      "--time",
      "00:05:00",
    ]);
    const run = cli(project, ["run"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);
    const d = store.remoteJobs.getByJobId(inDebug)!;
    const b = store.remoteJobs.getByJobId(inBatch)!;
    expect([d.queueName, b.queueName]).toEqual(["debug", "batch"]);
    expect((await sacct(d.remoteHandle)).partition).toBe("debug");
    expect((await sacct(b.remoteHandle)).partition).toBe("batch");
    // PcrystalOMP under srun with 2 tasks; the stand-in says how many ranks it saw
    const batchJob = store.jobs.require(inBatch);
    expect(batchJob.commandLine).toContain(`srun --ntasks=2 --cpus-per-task=1 ${setup.exedir}/PcrystalOMP`);
    const err = fs.readFileSync(
      path.join(jobFolder(store, batchJob), ".run", `slurm-${b.remoteHandle}.err`),
      "utf8",
    );
    expect(err).toMatch(/as PcrystalOMP \(2 MPI ranks\)/);
    expect(b.metadata.directives).toEqual(
      expect.arrayContaining(["--ntasks=2", "--time=00:05:00", "--partition=batch"]),
    );
    // the optimisation ran in scratch: its geometry and restart files came back, scratch is gone
    const optFolder = jobFolder(store, store.jobs.require(inDebug));
    for (const f of ["dflt.gui", "dflt.optinfo", "dflt.f9"])
      expect(fs.existsSync(path.join(optFolder, f)), f).toBe(true);
    expect(starts(setup, "[part-debug]")[0]).toContain(`${scratch}/crystal-tui-${inDebug}-`);
    expect(fs.readdirSync(scratch)).toEqual([]);
    store.close();
  });

  it("a geometry flows from one SLURM job to the next (fort.34), the second waiting for the first", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm" });
    const opt = addJob(project, "opt", deck("opt", "MgO opt [geo-opt]"), ["--cluster", "hpc"]);
    const scf = addJob(project, "scf", EXTERNAL_DECK.replace("geometry", "geometry [geo-scf]"), [
      "--cluster",
      "hpc",
      "--geometry-from",
      String(opt),
      "--no-check",
    ]);
    const run = cli(project, ["run"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);
    expect(statusOf(store, scf)).toBe("COMPLETED");
    // the second took the first's optimised geometry (the stand-in stops without fort.34)
    expect(fs.readFileSync(path.join(jobFolder(store, store.jobs.require(scf)), "scf.gui"), "utf8")).toBe(
      fs.readFileSync(path.join(jobFolder(store, store.jobs.require(opt)), "opt.gui"), "utf8"),
    );
    store.close();
  });
});
