// SLURM's view in the TUI (issue 12): the job list shows a SLURM job's id and why it waits or where
// it runs, from the remote job records the engine keeps (the store, through the view cache).
import { afterEach, describe, expect, test } from "vitest";
import { accountingMetadata } from "../../src/domain/accounting.js";
import { Store } from "../../src/store/store.js";
import { MGO_DECK } from "../helpers/project.js";
import { newJob } from "../store/new-jobs.js";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** The line of the job list showing job `id`. */
function rowOf(frame: string, id: number): string {
  return frame.split("\n").find((l) => new RegExp(`^[›● ]\\s*${id} `).test(l)) ?? "";
}

/** A job on the SLURM cluster `hpc` handed to SLURM as `slurmId`, QUEUED (or RUNNING). */
function slurmJob(store: Store, name: string, slurmId: string, running = false) {
  const hpc =
    store.clusters.getByName("hpc") ??
    store.clusters.create({ name: "hpc", type: "slurm", hostname: "10.0.0.5", username: "chem" });
  const job = newJob(store, { name, input: MGO_DECK, clusterId: hpc.id, runnerType: "slurm" });
  store.jobs.transition(job.id, "QUEUED");
  if (running) store.jobs.transition(job.id, "RUNNING");
  store.remoteJobs.create({
    jobId: job.id,
    clusterId: hpc.id,
    remoteHandle: slurmId,
    workingDirectory: `/scratch/${name}`,
  });
  return job;
}

describe("the job list shows SLURM's view of a SLURM job", () => {
  // at 80 columns the SLURM column has 15: a node list longer than "cn042" is cut (with …)
  test.each([
    [80, "cn042"],
    [120, "node[01-04]"],
  ])(
    "its SLURM id and pending reason while queued, its nodes while running (%i columns)",
    async (columns, nodes) => {
      const store = makeStore();
      const waiting = slurmJob(store, "mgo_wait", "48213");
      const running = slurmJob(store, "mgo_run", "48214", true);
      const local = newJob(store, { name: "mgo_here", input: MGO_DECK });
      store.engine.setPendingReason(waiting.id, "Priority");
      store.engine.setNodeList(running.id, nodes);
      m = mount(store, { columns, rows: 24 });
      let f = await m.waitFor("48213 Priority");
      expect(f).toContain("SLURM");
      expect(rowOf(f, waiting.id)).toContain("48213 Priority");
      expect(rowOf(f, running.id)).toContain(`48214 ${nodes}`);
      expect(rowOf(f, local.id)).not.toMatch(/48\d{3}/);
      for (const line of f.split("\n")) expect([...line].length).toBeLessThanOrEqual(columns);

      // SLURM's reason changes (the job is held), seen by an engine in another process: the list follows
      const engineSide = Store.open(store.projectDir);
      engineSide.engine.setPendingReason(waiting.id, "JobHeldUser");
      engineSide.close();
      f = await m.waitFor("48213 JobHeld", 1500);
      expect(rowOf(f, waiting.id)).not.toContain("Priority");
    },
  );

  test("without SLURM jobs on screen the list keeps its creation column", async () => {
    const store = makeStore();
    newJob(store, { name: "mgo_here", input: MGO_DECK });
    m = mount(store, { columns: 80, rows: 24 });
    const f = await m.waitFor("mgo_here");
    expect(f).toContain("CREATED");
    expect(f).not.toContain("SLURM");
  });

  test("the detail's History tab: partition, QOS, account, nodes, ranks × threads, time limit vs elapsed; after the end sacct's Elapsed, MaxRSS, State, ExitCode", async () => {
    const store = makeStore();
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "10.0.0.5", username: "chem" });
    const job = newJob(store, {
      name: "mgo_big",
      input: MGO_DECK,
      clusterId: hpc.id,
      runnerType: "slurm",
      parallelism: { mpi_ranks: 64, threads_per_rank: 2, time: "02:00:00" },
    });
    store.jobs.transition(job.id, "QUEUED");
    const remote = store.remoteJobs.create({
      jobId: job.id,
      clusterId: hpc.id,
      remoteHandle: "77120",
      workingDirectory: "/scratch/mgo_big",
      queueName: "standard",
    });
    // what the engine's poll recorded from squeue (%P %q %a %l, %r)
    store.engine.setSchedulerDetails(job.id, {
      partition: "long",
      qos: "normal",
      account: "chem123",
      timeLimit: "2:00:00",
    });
    store.engine.setPendingReason(job.id, "QOSMaxJobsPerUserLimit");
    m = mount(store, {
      columns: 80,
      rows: 30,
      view: { name: "detail", jobId: job.id, from: { name: "jobs" } },
    });
    await m.waitFor("mgo_big");
    await m.press(KEY.left); // Log ← History
    let f = await m.waitFor("SLURM");
    expect(f).toMatch(/Job id\s+77120/);
    expect(f).toMatch(/Waiting\s+QOSMaxJobsPerUserLimit/);
    expect(f).toMatch(/Partition\s+long/);
    expect(f).toMatch(/QOS\s+normal/);
    expect(f).toMatch(/Account\s+chem123/);
    expect(f).toMatch(/Nodes\s+not yet given/);
    expect(f).toMatch(/Ranks\s+64 ranks × 2 threads/);
    expect(f).toMatch(/Time\s+not started of 2:00:00/);
    expect(f).not.toContain("MaxRSS");

    // it ran 45 min on two nodes, and ended: SLURM's account of it (as the engine keeps it)
    const engineSide = Store.open(store.projectDir);
    engineSide.jobs.transition(job.id, "RUNNING", { set: { start_time: "2026-01-05 10:00:00" } });
    engineSide.engine.setNodeList(job.id, "cn[041-042]");
    engineSide.jobs.transition(job.id, "COMPLETED", { set: { end_time: "2026-01-05 10:45:03" } });
    engineSide.remoteJobs.update(remote.id, {
      metadata: {
        ...engineSide.remoteJobs.getByJobId(job.id)!.metadata,
        ...accountingMetadata({ state: "COMPLETED", exitCode: "0:0", elapsedS: 2703, maxRssMb: 1843.5 }),
      },
    });
    engineSide.close();
    f = await m.waitFor("MaxRSS", 1500);
    expect(f).not.toContain("Waiting");
    expect(f).toMatch(/Nodes\s+cn\[041-042\]/);
    expect(f).toMatch(/Time\s+45m03s elapsed of 2:00:00/);
    expect(f).toMatch(/Elapsed\s+45m03s \(sacct\)/);
    expect(f).toMatch(/MaxRSS\s+1843.5 MB/);
    expect(f).toMatch(/State\s+COMPLETED/);
    expect(f).toMatch(/ExitCode\s+0:0/);
  });
});
