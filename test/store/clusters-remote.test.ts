// Clusters and remote jobs: create, read, update, delete, with the cascades the specification asks
// for (a cluster's remote-job records go with it; its jobs stay, with no cluster).
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { openTempStore } from "../helpers/project.js";
import { newJob } from "./new-jobs.js";

describe("clusters", () => {
  it("create, get by id and name, list, list active, update", () => {
    const store = openTempStore();
    const a = store.clusters.create({
      name: "archer",
      type: "slurm",
      hostname: "login.archer2.ac.uk",
      username: "chem",
      config: { partition: "standard", modules: ["crystal/23"], poll_interval: 60 },
    });
    const b = store.clusters.create({
      name: "box",
      type: "ssh",
      hostname: "10.0.0.5",
      port: 2200,
      username: "me",
    });
    expect(a.port).toBe(22);
    expect(b.port).toBe(2200);
    expect(store.clusters.get(a.id)?.config.modules).toEqual(["crystal/23"]);
    expect(store.clusters.getByName("box")?.id).toBe(b.id);
    expect(store.clusters.getByName("nope")).toBeUndefined();
    expect(store.clusters.list().map((c) => c.name)).toEqual(["archer", "box"]);
    store.clusters.update(b.id, { status: "inactive" });
    expect(store.clusters.listActive().map((c) => c.name)).toEqual(["archer"]);
    const moved = store.clusters.update(a.id, {
      hostname: "login2.archer2.ac.uk",
      config: { ...a.config, qos: "short" },
    });
    expect(moved.hostname).toBe("login2.archer2.ac.uk");
    expect(moved.config.qos).toBe("short");
    store.close();
  });

  it("refuses duplicates, unknown types, bad ports and any stored secret", () => {
    const store = openTempStore();
    store.clusters.create({ name: "hpc", type: "ssh", hostname: "h", username: "u" });
    expect(() => store.clusters.create({ name: "hpc", type: "ssh", hostname: "h2", username: "u" })).toThrow(
      /already exists/,
    );
    expect(() =>
      store.clusters.create({ name: "x", type: "pbs" as "ssh", hostname: "h", username: "u" }),
    ).toThrow(/unknown — use ssh or slurm/);
    expect(() =>
      store.clusters.create({ name: "y", type: "ssh", hostname: "h", username: "u", port: 70000 }),
    ).toThrow(/port/);
    expect(() =>
      store.clusters.create({
        name: "z",
        type: "ssh",
        hostname: "h",
        username: "u",
        config: { password: "hunter2" } as never,
      }),
    ).toThrow(/never stores secrets/);
    expect(() =>
      store.clusters.create({ name: "a;rm -rf", type: "ssh", hostname: "h", username: "u" }),
    ).toThrow(/not allowed/);
    expect(store.clusters.list()).toHaveLength(1);
    store.close();
  });

  it("deleting a cluster removes its remote jobs and keeps its jobs with no cluster", () => {
    const store = openTempStore();
    const c = store.clusters.create({ name: "hpc", type: "slurm", hostname: "h", username: "u" });
    const other = store.clusters.create({ name: "other", type: "slurm", hostname: "h", username: "u" });
    const job = newJob(store, { name: "opt", input: "deck\n", clusterId: c.id, runnerType: "slurm" });
    const keep = newJob(store, {
      name: "keep",
      input: "deck\n",
      clusterId: other.id,
      runnerType: "slurm",
    });
    store.remoteJobs.create({
      jobId: job.id,
      clusterId: c.id,
      remoteHandle: "4242",
      workingDirectory: "/scratch/u/opt",
    });
    store.remoteJobs.create({
      jobId: keep.id,
      clusterId: other.id,
      remoteHandle: "77",
      workingDirectory: "/w",
    });
    expect(store.clusters.delete(c.id)).toBe(true);
    expect(store.remoteJobs.getByJobId(job.id)).toBeUndefined();
    const orphan = store.jobs.require(job.id);
    expect(orphan.clusterId).toBeNull();
    expect(orphan.runnerType).toBe("slurm");
    expect(store.remoteJobs.getByJobId(keep.id)?.remoteHandle).toBe("77");
    store.close();
  });
});

describe("remote jobs", () => {
  it("create, get, get by job id, update, and list a cluster's jobs", () => {
    const store = openTempStore();
    const c = store.clusters.create({ name: "hpc", type: "slurm", hostname: "h", username: "u" });
    const j1 = newJob(store, { name: "a", input: "deck\n", clusterId: c.id, runnerType: "slurm" });
    const j2 = newJob(store, { name: "b", input: "deck\n", clusterId: c.id, runnerType: "slurm" });
    const r1 = store.remoteJobs.create({
      jobId: j1.id,
      clusterId: c.id,
      remoteHandle: "1001",
      workingDirectory: "/scratch/a",
      stdoutPath: "/scratch/a/slurm.out",
      queueName: "debug",
      metadata: { script: "job.sbatch" },
    });
    store.remoteJobs.create({
      jobId: j2.id,
      clusterId: c.id,
      remoteHandle: "1002",
      workingDirectory: "/scratch/b",
    });
    expect(store.remoteJobs.get(r1.id)?.remoteHandle).toBe("1001");
    expect(r1.submissionTime).not.toBeNull();
    expect(store.remoteJobs.getByJobId(j1.id)?.metadata).toEqual({ script: "job.sbatch" });
    const updated = store.remoteJobs.update(r1.id, {
      nodeList: "node[01-02]",
      metadata: { state: "RUNNING" },
    });
    expect(updated.nodeList).toBe("node[01-02]");
    expect(updated.queueName).toBe("debug");
    expect(store.remoteJobs.listByCluster(c.id).map((r) => r.remoteHandle)).toEqual(["1001", "1002"]);
    // only jobs that are queued or running count as active
    store.jobs.transition(j1.id, "QUEUED");
    expect(store.remoteJobs.listByCluster(c.id, { activeOnly: true }).map((r) => r.jobId)).toEqual([j1.id]);
    store.close();
  });

  it("deleting a job removes its remote record and dependencies", () => {
    const store = openTempStore();
    const c = store.clusters.create({ name: "hpc", type: "ssh", hostname: "h", username: "u" });
    const a = newJob(store, { name: "a", input: "deck\n", clusterId: c.id, runnerType: "ssh" });
    const b = newJob(store, {
      name: "b",
      input: "deck\n",
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    store.remoteJobs.create({ jobId: a.id, clusterId: c.id, remoteHandle: "123", workingDirectory: "/w" });
    store.jobs.delete(a.id, { force: true }); // b waits for a: refused without force
    expect(store.remoteJobs.listByCluster(c.id)).toEqual([]);
    expect(store.dependencies.dependenciesOf(b.id)).toEqual([]);
    // b needed a to complete: it never runs without it (issue 14, item 6)
    expect(store.jobs.get(b.id)?.status).toBe("SKIPPED");
    store.close();
  });
});

describe("what the scheduler says of a remote job", () => {
  it("the queue's view is written when it changes only, and kept beside the other metadata", () => {
    const store = openTempStore();
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "h", username: "u" });
    const job = newJob(store, { name: "j", input: "x\n", clusterId: hpc.id, runnerType: "slurm" });
    store.remoteJobs.create({
      jobId: job.id,
      clusterId: hpc.id,
      remoteHandle: "9",
      workingDirectory: "/w",
      metadata: { token: "t" },
    });
    const details = { partition: "debug", qos: "normal", account: "chem", timeLimit: "1:00:00" };
    // what every other process (a TUI) sees: the project's change counter
    const other = Store.open(store.projectDir);
    store.engine.setSchedulerDetails(job.id, details);
    const seen = other.changeCounter();
    store.engine.setSchedulerDetails(job.id, details); // the same poll answer again
    expect(other.changeCounter()).toBe(seen);
    store.engine.setSchedulerDetails(job.id, { ...details, qos: "long" });
    expect(other.changeCounter()).not.toBe(seen);
    other.close();
    expect(store.remoteJobs.getByJobId(job.id)!.metadata).toEqual({
      token: "t",
      partition: "debug",
      qos: "long",
      account: "chem",
      time_limit: "1:00:00",
    });
    store.close();
  });
});
