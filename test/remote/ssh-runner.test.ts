// The SSH runner against the real test sshd, driven as a user drives it: `crystal-tui cluster add`,
// `crystal-tui job add --cluster`, `crystal-tui run` — with the CRYSTAL stand-in installed as CRYSTAL
// on the "remote" side. A chain of two jobs (the second reads the first's optimised geometry through
// fort.34, which the stand-in refuses to do without), a failure that keeps its remote folder, a
// cancel that stops the remote process group, a walltime-killed optimisation whose last point comes
// back as its geometry, and a changed host key that keeps every job waiting.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultHooks } from "../../src/app/engine.js";
import { runnerFactory } from "../../src/app/runners.js";
import { Engine } from "../../src/engine/engine.js";
import type { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { fort34Cell, lastPointCell, sameCell } from "../helpers/geometry-oracle.js";
import { requireInfra } from "../helpers/infra.js";
import { cli, cliJson, FIXTURES } from "../helpers/project.js";
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

const infra = await requireInfra("SSH runner against the real sshd");

describe.skipIf(!infra)("SSH runner (real sshd, CRYSTAL stand-in)", () => {
  let setup: RemoteSetup;
  let pool: OpenSshShell;
  beforeAll(() => {
    setup = remoteSetup("ssh");
    pool = testShell(infra!);
  });
  afterAll(async () => {
    await pool.exec(["rm", "-rf", "--", setup.remoteDir]).catch(() => undefined);
    await pool.close();
    cleanupLocal();
  });

  it("runs a chain of two jobs: outputs come back, geometry flows through fort.34, folders are removed", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "box", type: "ssh" });
    const opt = addJob(project, "opt", deck("opt", "MgO optimisation [chain-opt]"), ["--cluster", "box"]);
    const scf = addJob(project, "scf", EXTERNAL_DECK.replace("geometry", "geometry [chain-scf]"), [
      "--cluster",
      "box",
      "--geometry-from",
      String(opt),
      "--no-check",
    ]);
    const run = cli(project, ["run"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);

    const jobs = cliJson<{ id: number; status: string; final_energy?: number | null }[]>(project, [
      "job",
      "list",
    ]);
    expect(jobs.map((j) => [j.id, j.status]).sort()).toEqual([
      [opt, "COMPLETED"],
      [scf, "COMPLETED"],
    ]);
    const optJob = store.jobs.require(opt);
    expect(optJob.finalEnergy).toBeCloseTo(-271.2596206888, 6);
    const optFolder = jobFolder(store, optJob);
    for (const f of ["opt.out", "opt.gui", "opt.f9", "opt.optinfo", "opt.hessopt"]) {
      expect(fs.existsSync(path.join(optFolder, f)), f).toBe(true);
    }
    // the second job got the first's geometry as fort.34 (the stand-in stops without it)
    expect(
      fs.readFileSync(path.join(jobFolder(store, store.jobs.require(scf)), "scf.out"), "utf8"),
    ).not.toMatch(/NOT FOUND/);
    // remote_jobs: PID and folder; the folders are gone after success
    for (const id of [opt, scf]) {
      const remote = store.remoteJobs.getByJobId(id)!;
      expect(remote.remoteHandle).toMatch(/^\d+$/);
      expect(remote.workingDirectory.startsWith(`${setup.remoteDir}/${id}-`)).toBe(true);
      const there = await pool.exec(["test", "-e", remote.workingDirectory]);
      expect(there.code, `${remote.workingDirectory} should be removed`).toBe(1);
    }
    expect(store.jobs.require(scf).commandLine).toContain(`${setup.exedir}/crystalOMP`);
    // each ran exactly once
    expect(starts(setup, "[chain-opt]")).toHaveLength(1);
    expect(starts(setup, "[chain-scf]")).toHaveLength(1);
    store.close();
  });

  it("a walltime-killed optimisation brings back its last point's geometry as .gui, in place and from $CRY23_SCRDIR", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "box", type: "ssh" });
    const scratch = path.join(setup.shared, "scratch-opt");
    addCluster(project, infra!, setup, { name: "scr", type: "ssh", env: { CRY23_SCRDIR: scratch } });
    const walltime = "aiida-crystal17__nio_sto3g_afm_opt_walltime";
    const text = fs.readFileSync(path.join(FIXTURES, `${walltime}.d12`), "utf8");
    const start = path.join(setup.shared, "start.gui");
    fs.copyFileSync(path.join(FIXTURES, `${walltime}.gui`), start);
    const ids = ["box", "scr"].map((cluster) =>
      addJob(
        project,
        `nio-${cluster}`,
        `NiO [standin:${walltime}] [killed-${cluster}]\n${text.slice(text.indexOf("\n") + 1)}`,
        ["--cluster", cluster, "--aux", start],
      ),
    );
    const run = cli(project, ["run"]);
    expect(run.code, run.stderr).toBe(0);
    for (const [i, cluster] of ["box", "scr"].entries()) {
      const job = store.jobs.require(ids[i]!);
      expect(job.status).toBe("FAILED");
      const folder = jobFolder(store, job);
      // the run folder held the given fort.34 and optc001…optc020: point 20 is what comes back
      const last = lastPointCell(fs.readFileSync(path.join(folder, `nio-${cluster}.out`), "latin1"));
      expect(last.point).toBe(20);
      const kept = fort34Cell(fs.readFileSync(path.join(folder, `nio-${cluster}.gui`), "utf8"));
      expect(sameCell(kept, last.cell), `${cluster}: kept ${kept}, point 20 printed ${last.cell}`).toBe(true);
    }
    store.close();
  });

  it("a run in $CRY23_SCRDIR is known by its wrapper, which stays in the job folder: RUNNING until it completes", async () => {
    const { project, store } = newProject();
    const scratch = path.join(setup.shared, "scratch-run");
    // about 4 s of output
    addCluster(project, infra!, setup, {
      name: "scr",
      type: "ssh",
      env: { CRY23_SCRDIR: scratch, CRYSTAL_STANDIN_DELAY_MS: "8" },
    });
    const id = addJob(project, "inscratch", deck("scf", "MgO [in-scratch]"), ["--cluster", "scr"]);
    const engine = new Engine(store, {
      runnerFactory: runnerFactory({ remote: { pollIntervalMs: 200 } }),
      hooks: defaultHooks(),
      maxIdleMs: 200,
    });
    const seen = new Set<string>();
    const done = engine.run();
    await waitFor("the stand-in to start", () => starts(setup, "[in-scratch]").length === 1);
    // the stand-in can start before the engine has recorded the launch it is part of
    await waitFor("the launch to be recorded", () => store.remoteJobs.getByJobId(id)?.remoteHandle != null);
    const remote = store.remoteJobs.getByJobId(id)!;
    // the poll takes a PID for the run only while its working folder is the run's folder; a wrapper
    // that moved to the scratch folder was told from a reused PID only by a scan of /proc, which
    // fails when any process ends during it (CI saw such a run 'lost')
    const cwd = await pool.exec(["readlink", `/proc/${remote.remoteHandle}/cwd`]);
    expect(cwd.stdout.trim()).toBe(fs.realpathSync(remote.workingDirectory));
    const ls = await pool.exec(["sh", "-c", `ls -d ${scratch}/crystal-tui-${id}-*`]);
    expect(ls.code, "CRYSTAL runs in the scratch folder").toBe(0);
    while (!["COMPLETED", "FAILED"].includes(statusOf(store, id))) {
      seen.add(statusOf(store, id));
      await new Promise((r) => setTimeout(r, 100));
    }
    await done;
    const job = store.jobs.require(id);
    expect(job.status, job.statusReason ?? "").toBe("COMPLETED");
    expect([...seen].filter((s) => s !== "RUNNING" && s !== "QUEUED" && s !== "PENDING")).toEqual([]);
    expect(fs.existsSync(path.join(jobFolder(store, job), "inscratch.out"))).toBe(true);
    expect(
      (await pool.exec(["sh", "-c", `ls -d ${scratch}/crystal-tui-${id}-*`])).code,
      "scratch removed",
    ).not.toBe(0);
    store.close();
  });

  it("a large wavefunction is streamed and staged as fort.20 (GUESSP)", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "box", type: "ssh" });
    const big = path.join(setup.shared, "restart.f9");
    fs.writeFileSync(big, Buffer.alloc(3 * 1024 * 1024 + 17, 7));
    const guessp = deck("scf", "MgO restart [guessp]").replace(
      /SHRINK\n8 8\nEND\n?$/,
      "SHRINK\n8 8\nGUESSP\nEND\n",
    );
    expect(guessp).toMatch(/^GUESSP$/m); // the stand-in stops without fort.20 when the deck says GUESSP
    const id = addJob(project, "restart", guessp, ["--cluster", "box", "--aux", big, "--no-check"]);
    const run = cli(project, ["run"]);
    expect(run.stdout).toMatch(/done: 1 finished \(1 COMPLETED\)/);
    expect(store.jobs.require(id).status).toBe("COMPLETED");
    store.close();
  });

  it("a failed run is FAILED with CRYSTAL's stderr brought back, and its remote folder kept", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "box", type: "ssh" });
    const id = addJob(project, "broken", deck("scf", "MgO [standin:fail] [fail-keep]"), ["--cluster", "box"]);
    const run = cli(project, ["run"]);
    expect(run.code).toBe(0);
    const job = store.jobs.require(id);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toMatch(/^exit code 1/);
    const stderr = fs.readFileSync(path.join(jobFolder(store, job), ".run", "stderr"), "utf8");
    expect(stderr).toMatch(/^crystal-standin: .*exit code 1/m);
    const remote = store.remoteJobs.getByJobId(id)!;
    const kept = await pool.exec(["test", "-f", `${remote.workingDirectory}/INPUT`]);
    expect(kept.code).toBe(0);
    store.close();
  });

  it("cancel stops the remote process group and the job ends CANCELLED", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "box", type: "ssh" });
    const id = addJob(project, "stuck", deck("scf", "MgO [standin:hang] [cancel-me]"), ["--cluster", "box"]);
    const engine = new Engine(store, {
      runnerFactory: runnerFactory({ remote: { cancelGraceMs: 3000 } }),
      hooks: defaultHooks(),
    });
    const done = engine.run();
    await waitFor("the job to run", () => statusOf(store, id) === "RUNNING");
    const remote = store.remoteJobs.getByJobId(id)!;
    const pid = remote.remoteHandle;
    // CRYSTAL (the stand-in) is running, in the wrapper's process group
    await waitFor("the stand-in to start", () => starts(setup, "[cancel-me]").length === 1);
    // (zombies left to an init that does not reap them are not processes any more)
    const inSession = async () =>
      (await pool.exec(["ps", "-o", "pid=,stat=", "--sid", pid])).stdout
        .split("\n")
        .filter((l) => l.trim() && !/\sZ/.test(l));
    expect((await inSession()).length).toBeGreaterThanOrEqual(2);

    const c = cli(project, ["job", "cancel", String(id)]);
    expect(c.stdout).toMatch(/cancel requested/);
    await done;
    const job = store.jobs.require(id);
    expect(job.status).toBe("CANCELLED");
    expect(await inSession()).toEqual([]);
    // stopped by SIGTERM within the grace period: the wrapper recorded CRYSTAL's exit (143)
    const code = await pool.exec(["cat", `${remote.workingDirectory}/exit_code`]);
    expect(code.stdout.trim()).toBe("143");
    store.close();
  });

  it("the remote wrapper killed alone: CRYSTAL runs on and the job completes with its results", async () => {
    const { project, store } = newProject();
    // about 4 s of output, long enough to kill the wrapper in the middle
    addCluster(project, infra!, setup, { name: "box", type: "ssh", env: { CRYSTAL_STANDIN_DELAY_MS: "8" } });
    const id = addJob(project, "orphan", deck("scf", "MgO [orphaned-run]"), ["--cluster", "box"]);
    const engine = new Engine(store, {
      runnerFactory: runnerFactory({ remote: { pollIntervalMs: 300 } }),
      hooks: defaultHooks(),
      maxIdleMs: 200,
    });
    const done = engine.run();
    await waitFor("the job to run", () => statusOf(store, id) === "RUNNING");
    await waitFor("the stand-in to start", () => starts(setup, "[orphaned-run]").length === 1);
    const pid = store.remoteJobs.getByJobId(id)!.remoteHandle;
    await pool.exec(["kill", "-KILL", pid]);
    await done;
    const job = store.jobs.require(id);
    expect(job.status, job.statusReason ?? "").toBe("COMPLETED");
    expect(job.finalEnergy).not.toBeNull();
    expect(starts(setup, "[orphaned-run]")).toHaveLength(1);
    store.close();
  });

  it("several ranks run under the cluster's MPI launcher; one remote command polls all runs", async () => {
    const { project, store } = newProject();
    // a stand-in for mpirun: N copies of the program, with Open MPI's rank variables
    const mpirun = path.join(setup.exedir, "fake-mpirun");
    fs.writeFileSync(
      mpirun,
      `#!/bin/sh
[ "$1" = -np ] || exit 2
n=$2; shift 2; i=1
while [ $i -lt $n ]; do OMPI_COMM_WORLD_SIZE=$n OMPI_COMM_WORLD_RANK=$i "$@" </dev/null & i=$((i+1)); done
OMPI_COMM_WORLD_SIZE=$n OMPI_COMM_WORLD_RANK=0 "$@"; rc=$?; wait; exit $rc
`,
    );
    fs.chmodSync(mpirun, 0o755);
    addCluster(project, infra!, setup, { name: "box", type: "ssh", extra: ["--mpirun", mpirun] });
    const ids = [
      addJob(project, "mpi", deck("scf", "MgO [mpi]"), ["--cluster", "box", "--ranks", "2"]),
      addJob(project, "plain", deck("scf", "MgO [plain]"), ["--cluster", "box", "--threads", "2"]),
    ];
    const run = cli(project, ["run"]);
    expect(run.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);
    const mpiJob = store.jobs.require(ids[0]!);
    expect(mpiJob.commandLine).toContain(`${mpirun} -np 2 ${setup.exedir}/PcrystalOMP`);
    const err = fs.readFileSync(path.join(jobFolder(store, mpiJob), ".run", "stderr"), "utf8");
    expect(err).toMatch(/as PcrystalOMP \(2 MPI ranks\)/);
    // polling: one remote command answers for every run, whatever their number
    const factory = runnerFactory({ shell: pool });
    const runner = factory(store.clusters.requireByName("box"));
    const runs = ids.flatMap((id) => {
      const job = store.jobs.require(id);
      return Array.from({ length: 20 }, () => ({ job, handle: job.runHandle as never }));
    });
    const before = pool.stats.commands;
    const states = await runner.poll(runs);
    expect(pool.stats.commands - before).toBe(1);
    // their folders were removed after success: gone, said plainly
    expect([...states.values()].every((st) => st.state === "lost" && /is gone/.test(st.reason))).toBe(true);
    await runner.close();
    store.close();
  });

  it("a changed host key is refused with the fingerprint and the trust command; the job waits", async () => {
    const { project, store } = newProject();
    // a known_hosts that holds another key for the test server
    const other = path.join(setup.shared, "known_hosts_other");
    const hostId = `[${infra!.sshHost}]:${infra!.sshPort}`;
    fs.writeFileSync(
      other,
      `${hostId} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`,
    );
    addCluster(project, infra!, setup, { name: "spoofed", type: "ssh", extra: ["--known-hosts", other] });
    const id = addJob(project, "waits", deck("scf", "MgO [never-runs]"), ["--cluster", "spoofed"]);
    const run = cli(project, ["run"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/HAS CHANGED/);
    expect(run.stderr).toMatch(/SHA256:/);
    expect(run.stderr).toMatch(/crystal-tui cluster trust spoofed --replace/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(statusOf(store, id)).toBe("PENDING");
    expect(starts(setup, "[never-runs]")).toHaveLength(0);
    store.close();
  });
});
