// Faults while remote jobs run, on the real sshd and SLURM: sshd restarted (and the connection cut)
// mid-run, slurmctld restarted mid-run, the engine killed with SIGKILL and started again, and the
// engine dying between a launch and recording it. In every case no job fails because of the fault,
// and every job runs exactly once (the stand-in counts its starts).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultHooks } from "../../src/app/engine.js";
import { runnerFactory } from "../../src/app/runners.js";
import { Engine } from "../../src/engine/engine.js";
import type { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { type Infra, isRoot, masterClientPort, requireInfra, restartSshd } from "../helpers/infra.js";
import { CLI, cli } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";
import { sql } from "../store/raw-sql.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  newProject,
  type RemoteSetup,
  remoteSetup,
  starts,
  statusOf,
  testShell,
  waitFor,
} from "./helpers.js";

const infra = await requireInfra("remote faults against the real sshd and SLURM");
const root = isRoot();
if (infra && !root)
  process.stderr.write("*** SKIPPED: remote fault tests restart sshd/slurmctld and need root\n");

/** PID of a daemon from its PID file, only if /proc says it is that program. */
function daemonPid(pidFile: string, exe: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
    return pid > 0 && fs.readlinkSync(`/proc/${pid}/exe`).startsWith(exe) ? pid : null;
  } catch {
    return null;
  }
}

async function startSlurmctld(i: Infra, env: NodeJS.ProcessEnv): Promise<void> {
  const r = spawnSync("/usr/sbin/slurmctld", [], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`slurmctld did not start: ${r.stderr}`);
  await waitFor(
    "slurmctld to answer",
    () => /is UP/.test(spawnSync("scontrol", ["ping"], { env, encoding: "utf8" }).stdout),
    30_000,
    200,
  );
  // sacct -c opens the jobcomp file for writing even to read it; slurmctld resets its mode
  fs.chmodSync(i.env.SLURM_JOBCOMP_FILE ?? path.join(path.dirname(i.slurmConf), "log/jobcomp.txt"), 0o666);
}

async function restartSlurmctld(i: Infra, downMs: number): Promise<void> {
  const pidFile = path.join(path.dirname(i.slurmConf), "slurmctld.pid");
  const env = { ...process.env, SLURM_CONF: i.slurmConf };
  const pid = daemonPid(pidFile, "/usr/sbin/slurmctld");
  if (pid === null) throw new Error("slurmctld is not running");
  process.kill(pid, "SIGTERM");
  let stopProblem: unknown = null;
  try {
    await waitFor("slurmctld to stop", () => daemonPid(pidFile, "/usr/sbin/slurmctld") === null, 20_000);
    await new Promise((r) => setTimeout(r, downMs));
  } catch (err) {
    stopProblem = err;
  }
  // whatever happened: never leave the shared controller down
  await startSlurmctld(i, env);
  if (stopProblem) throw stopProblem;
}

describe.skipIf(!infra || !root)("faults during remote runs (real sshd and SLURM)", () => {
  let setup: RemoteSetup;
  let pool: OpenSshShell;
  beforeAll(() => {
    setup = remoteSetup("faults");
    pool = testShell(infra!);
  });
  afterAll(async () => {
    await pool.exec(["rm", "-rf", "--", setup.remoteDir]).catch(() => undefined);
    await pool.close();
    cleanupLocal();
  });

  it("sshd restarted and the connection cut mid-run: the engine reconnects, no job fails", async () => {
    const { project, store } = newProject();
    const paced = { CRYSTAL_STANDIN_DELAY_MS: "8" }; // ~4 s per run
    addCluster(project, infra!, setup, { name: "box", type: "ssh", env: paced });
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm", env: paced });
    const ids = [
      addJob(project, "s1", deck("scf", "MgO [sshd-s1]"), ["--cluster", "box"]),
      addJob(project, "s2", deck("scf", "MgO [sshd-s2]"), ["--cluster", "box"]),
      addJob(project, "h1", deck("scf", "MgO [sshd-h1]"), ["--cluster", "hpc"]),
      addJob(project, "h2", deck("scf", "MgO [sshd-h2]"), ["--cluster", "hpc"]),
    ];
    // the engine's runners share this shell, so the test knows which connection to cut
    const shared = testShell(infra!, "shared");
    const log: string[] = [];
    const engine = new Engine(store, {
      runnerFactory: runnerFactory({ shell: shared }),
      hooks: defaultHooks(),
      log: (l) => log.push(l),
    });
    const done = engine.run();
    // the SSH runs running, the SLURM ones handed to SLURM (the node's 2 CPUs may be busy with
    // other suites' jobs, so they may still wait in its queue)
    const [s1, s2, h1, h2] = ids as [number, number, number, number];
    await waitFor(
      "the SSH runs to run and the SLURM ones to be queued",
      () =>
        statusOf(store, s1) === "RUNNING" &&
        statusOf(store, s2) === "RUNNING" &&
        store.remoteJobs.getByJobId(h1) &&
        store.remoteJobs.getByJobId(h2),
      60_000,
    );
    const port = masterClientPort(await shared.master.ensure(), infra!.sshPort);
    // the master may be one another suite of this run started (masters are shared per connection
    // across processes, and then this shell's first login counted 0): count the logins after the cut
    const before = shared.stats.connects;
    await restartSshd(infra!, { dropClientPorts: [port], downMs: 1500 });
    const summary = await done;
    await shared.close();
    expect(summary.byStatus).toEqual({ COMPLETED: 4 });
    expect(shared.stats.connects - before).toBeGreaterThanOrEqual(1);
    for (const tag of ["s1", "s2", "h1", "h2"]) expect(starts(setup, `[sshd-${tag}]`), tag).toHaveLength(1);
    expect(log.filter((l) => /FAILED/.test(l))).toEqual([]);
    store.close();
  });

  it("a SLURM job that ends while sshd is down: its runtime is SLURM's (sacct Elapsed ± 2 s), not when it was seen", async () => {
    const { project, store } = newProject();
    // ~6 s of output: it ends during the 12 s outage below
    addCluster(project, infra!, setup, {
      name: "hpc",
      type: "slurm",
      env: { CRYSTAL_STANDIN_DELAY_MS: "12" },
    });
    const id = addJob(project, "r1", deck("scf", "MgO [outage-r1]"), ["--cluster", "hpc"]);
    const shared = testShell(infra!, "outage");
    const engine = new Engine(store, {
      runnerFactory: runnerFactory({ shell: shared }),
      hooks: defaultHooks(),
    });
    const done = engine.run();
    await waitFor("the job running on SLURM", () => statusOf(store, id) === "RUNNING", 90_000);
    const port = masterClientPort(await shared.master.ensure(), infra!.sshPort);
    const cutAt = Date.now();
    await restartSshd(infra!, { dropClientPorts: [port], downMs: 12_000 });
    const summary = await done;
    const seenAt = Date.now();
    await shared.close();
    expect(summary.byStatus).toEqual({ COMPLETED: 1 });
    const shown = JSON.parse(cli(project, ["job", "show", String(id), "--json"]).stdout) as {
      runtime_s: number;
      remote: { handle: string };
    };
    // SLURM's own account of the run, read with plain sacct on the cluster
    const acct = await pool.execOk([
      "sacct",
      "-n",
      "-X",
      "-P",
      "-j",
      shown.remote.handle,
      "-o",
      "ElapsedRaw,State",
    ]);
    const [elapsed, state] = acct.stdout.trim().split("|");
    expect(state).toBe("COMPLETED");
    expect(Math.abs(shown.runtime_s - Number(elapsed))).toBeLessThanOrEqual(2);
    // and not the time the engine could first see the end (after the outage)
    expect(seenAt - cutAt).toBeGreaterThanOrEqual(12_000);
    expect(starts(setup, "[outage-r1]")).toHaveLength(1);
    store.close();
  });

  it("slurmctld restarted mid-run: polling waits it out and resumes, the chain completes", async () => {
    const { project, store } = newProject();
    // ~6 s per run: the runs outlast the restart
    addCluster(project, infra!, setup, {
      name: "hpc",
      type: "slurm",
      env: { CRYSTAL_STANDIN_DELAY_MS: "12" },
    });
    const a = addJob(project, "a", deck("scf", "MgO [ctld-a]"), ["--cluster", "hpc"]);
    const b = addJob(project, "b", deck("scf", "MgO [ctld-b]"), ["--cluster", "hpc"]);
    const c = addJob(project, "c", deck("scf", "MgO [ctld-c]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(a),
    ]);
    // every poll: when it started and ended, and what it reported
    const polls: { from: number; to: number; states: string[] }[] = [];
    const factory = runnerFactory();
    const engine = new Engine(store, {
      runnerFactory: (cluster) => {
        const runner = factory(cluster);
        const poll = runner.poll.bind(runner);
        runner.poll = async (runs) => {
          const from = Date.now();
          const states = await poll(runs);
          polls.push({ from, to: Date.now(), states: [...states.values()].map((st) => st.state) });
          return states;
        };
        return runner;
      },
      hooks: defaultHooks(),
    });
    const done = engine.run();
    await waitFor(
      "a to run and b to be queued",
      () => statusOf(store, a) === "RUNNING" && store.remoteJobs.getByJobId(b),
      90_000,
    );
    const down = Date.now();
    await restartSlurmctld(infra!, 3000);
    const up = Date.now();
    const summary = await done;
    expect(summary.byStatus).toEqual({ COMPLETED: 3 });
    for (const id of [a, b, c]) expect(statusOf(store, id)).toBe("COMPLETED");
    for (const tag of ["a", "b", "c"]) expect(starts(setup, `[ctld-${tag}]`), tag).toHaveLength(1);
    // polls were asked while the controller was away, and none took its absence for an ending
    const during = polls.filter((p) => p.to > down && p.from < up);
    expect(during.length).toBeGreaterThan(0);
    expect(polls.flatMap((p) => p.states)).not.toContain("lost");
    expect(polls.filter((p) => p.from > up).length).toBeGreaterThan(0);
    store.close();
  });

  it("the engine killed (SIGKILL) while remote jobs run: the next one re-attaches through remote_jobs", async () => {
    const { project, store } = newProject();
    const paced = { CRYSTAL_STANDIN_DELAY_MS: "8" };
    addCluster(project, infra!, setup, { name: "box", type: "ssh", env: paced });
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm", env: paced });
    const s = addJob(project, "s", deck("scf", "MgO [kill-s]"), ["--cluster", "box"]);
    const h = addJob(project, "h", deck("scf", "MgO [kill-h]"), ["--cluster", "hpc"]);
    const h2 = addJob(project, "h2", deck("scf", "MgO [kill-h2]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(h),
    ]);
    const first = spawn(process.execPath, [CLI, "--project", project, "run"], { stdio: "ignore" });
    await waitFor(
      "s to run and h to be queued",
      () => statusOf(store, s) === "RUNNING" && store.remoteJobs.getByJobId(h),
      60_000,
    );
    await waitFor("the dependent to be queued in SLURM", () => store.remoteJobs.getByJobId(h2));
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    expect(statusOf(store, s)).toBe("RUNNING");

    const second = cli(project, ["run"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`job ${s} \\(s\\) re-attached after a restart`));
    expect(second.stdout).toMatch(/done: 3 finished \(3 COMPLETED\)/);
    for (const tag of ["s", "h", "h2"]) expect(starts(setup, `[kill-${tag}]`), tag).toHaveLength(1);
    store.close();
  });

  it("the engine died between a launch and recording it: the next one finds the launch by its token", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "box", type: "ssh" });
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm" });
    const ids = [
      addJob(project, "s", deck("scf", "MgO [token-s]"), ["--cluster", "box"]),
      addJob(project, "h", deck("scf", "MgO [token-h]"), ["--cluster", "hpc"]),
    ];
    // what a crashed engine leaves: the job claimed, `launching` recorded, the run started, no handle
    const factory = runnerFactory();
    for (const [i, id] of ids.entries()) {
      const job = store.jobs.require(id);
      const token = `deadbeef000${i}`;
      sql(store)
        .prepare(
          "UPDATE jobs SET status = 'QUEUED', claimed_by = 'crashed-engine', run_handle = ? WHERE id = ?",
        )
        .run(JSON.stringify({ kind: job.runnerType, launching: token, at: Date.now() }), id);
      const runner = factory(store.clusters.get(job.clusterId!)!);
      const sub = await runner.submit(job, { jobFolder: jobFolder(store, job), token });
      await runner.close();
      // the submission kept SLURM's answer in the run folder in its own session (the cluster's
      // folders are on this machine): the next engine reads the id there before asking squeue
      if (sub.handle.kind === "slurm")
        expect(fs.readFileSync(path.join(sub.handle.dir, "batch_job_id"), "utf8").trim()).toBe(
          sub.handle.jobId,
        );
    }
    const run = cli(project, ["run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);
    for (const tag of ["s", "h"]) expect(starts(setup, `[token-${tag}]`), tag).toHaveLength(1);
    for (const id of ids)
      expect(store.remoteJobs.getByJobId(id)!.metadata.token).toBe(`deadbeef000${ids.indexOf(id)}`);
    store.close();
  });

  it("an upload dropped mid-launch: its half folder is removed, the job runs once, no false history (issue 14, item 17)", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "box", type: "ssh" });
    const id = addJob(project, "u", deck("scf", "MgO [dropped-upload]"), ["--cluster", "box"]);
    // what a dropped upload leaves: the job let go to retry with `launching` recorded (no handle),
    // and on the cluster a run folder with half of its inputs and no process
    const token = "feedface0001";
    sql(store)
      .prepare("UPDATE jobs SET status = 'QUEUED', claimed_by = NULL, run_handle = ? WHERE id = ?")
      .run(JSON.stringify({ kind: "ssh", launching: token, at: Date.now() - 60_000 }), id);
    const runner = runnerFactory()(store.clusters.get(store.jobs.require(id).clusterId!)!) as unknown as {
      runDirFor(job: { id: number; name: string }, token: string): Promise<string>;
      close(): Promise<void>;
    };
    const stale = await runner.runDirFor(store.jobs.require(id), token);
    await runner.close();
    await pool.exec(["sh", "-c", 'mkdir -p "$1" && printf "MgO\\nCRYS" > "$1/INPUT"', "sh", stale]);
    const run = cli(project, ["run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/done: 1 finished \(1 COMPLETED\)/);
    expect(starts(setup, "[dropped-upload]")).toHaveLength(1);
    const gone = await pool.exec(["sh", "-c", 'test -e "$1" && echo present || echo gone', "sh", stale]);
    expect(gone.stdout.trim()).toBe("gone");
    const history = store.events.forJob(id).map((e) => e.reason ?? "");
    expect(history.join("\n")).not.toMatch(/engine restarted/);
    expect(history).toContain(
      "launch interrupted before CRYSTAL started (no run has its token); queued again",
    );
    store.close();
  });
});
