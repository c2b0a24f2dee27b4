// Backward compatibility: Phase-1-style use of the API (a local job with a name and a deck, moved
// PENDING → RUNNING → COMPLETED with a pid and results) still works, and a project mixing jobs
// migrated from a Phase-1 database with new cluster jobs lists, filters and reads them all.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { CrystalResult } from "../../src/crystal/result.js";
import { databasePath } from "../../src/store/database.js";
import { V1_DDL } from "../../src/store/migrations/v1-phase1.js";
import { Store } from "../../src/store/store.js";
import { cli, tempProject } from "../helpers/project.js";
import { standinEnv } from "../helpers/standin.js";
import { newJob } from "./new-jobs.js";

describe("backward compatibility", () => {
  it("Phase-1-style calls: create with name and deck, run with a pid, store results", () => {
    const store = Store.open(tempProject());
    const job = newJob(store, { name: "mgo", input: "MgO\nCRYSTAL\nEND\n" });
    expect(job).toMatchObject({ status: "PENDING", runnerType: "local", clusterId: null, parallelism: {} });
    store.jobs.transition(job.id, "RUNNING", { set: { pid: 12345 } });
    store.jobs.transition(job.id, "COMPLETED");
    // a result in another shape than the parser's (the Phase-1 tool's) is kept apart, as it is
    store.jobs.storeResults(job.id, -275.44859113743, {
      scf_cycles: 7,
      band_gap_ev: 7.1237,
    } as unknown as CrystalResult);
    const done = store.jobs.require(job.id);
    expect(done).toMatchObject({ status: "COMPLETED", pid: 12345, finalEnergy: -275.44859113743 });
    expect(done.keyResults).toBeNull();
    expect(done.legacyResults).toEqual({ scf_cycles: 7, band_gap_ev: 7.1237 });
    expect(done.startedAt).not.toBeNull();
    expect(done.completedAt).not.toBeNull();
    expect(store.jobs.list({ status: "COMPLETED" }).map((j) => j.id)).toEqual([job.id]);
    store.close();
  });

  it("old migrated jobs and new cluster jobs live side by side", () => {
    const dir = tempProject();
    const raw = new Database(databasePath(dir));
    raw.exec(V1_DDL);
    raw.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)");
    raw.exec("INSERT INTO schema_version VALUES (1, CURRENT_TIMESTAMP)");
    raw
      .prepare(
        "INSERT INTO jobs (name, work_dir, status, created_at, final_energy, key_results) VALUES ('old_opt', '/data/old_opt', 'COMPLETED', '2023-05-01 09:00:00', -271.2596206888, '{\"opt\":true}')",
      )
      .run();
    raw
      .prepare(
        "INSERT INTO jobs (name, work_dir, status, created_at) VALUES ('old_pending', '/data/old_pending', 'PENDING', '2023-05-02 09:00:00')",
      )
      .run();
    raw.close();

    const store = Store.open(dir);
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "login", username: "chem" });
    const fresh = newJob(store, {
      name: "new_freq",
      input: "MgO\nEXTERNAL\nEND\n",
      clusterId: hpc.id,
      runnerType: "slurm",
      parallelism: { mpi_ranks: 32, threads_per_rank: 2, time: "02:00:00" },
      dependencies: [{ dependsOn: 1, type: "after_ok" }],
    });
    const all = store.jobs.list();
    expect(all.map((j) => j.name)).toEqual(["new_freq", "old_pending", "old_opt"]); // newest first
    expect(store.jobs.list({ clusterId: null }).map((j) => j.name)).toEqual(["old_pending", "old_opt"]);
    expect(store.jobs.list({ clusterId: hpc.id }).map((j) => j.name)).toEqual(["new_freq"]);
    // a new job may depend on an old one, and the old job's result counts
    expect(store.dependencies.canJobRun(fresh.id).ok).toBe(true);
    expect(store.jobs.statuses([1, 2, fresh.id, 999])).toEqual(
      new Map([
        [1, "COMPLETED"],
        [2, "PENDING"],
        [fresh.id, "PENDING"],
      ]),
    );
    // an old pending job runs like a new one
    store.jobs.transition(2, "RUNNING");
    expect(store.jobs.require(2).startedAt).not.toBeNull();
    store.close();
  });

  it("a Phase-1 database with jobs left RUNNING and QUEUED: adopted as FAILED with the reason; run ends, rm acts", () => {
    const dir = tempProject();
    const raw = new Database(databasePath(dir));
    raw.exec(V1_DDL); // no schema_version at all: as the earlier tool left it
    const add = raw.prepare(
      "INSERT INTO jobs (name, work_dir, status, created_at, started_at, pid) VALUES (?, ?, ?, '2023-05-01 09:00:00', ?, ?)",
    );
    add.run("old_running", `${dir}/old_running`, "RUNNING", "2023-05-01 09:01:00", 999_999);
    add.run("old_queued", `${dir}/old_queued`, "QUEUED", null, null);
    add.run("old_pending", `${dir}/old_pending`, "PENDING", null, null);
    raw.close();

    const started = Date.now();
    const run = cli(dir, ["run", "--quiet"], standinEnv());
    expect(Date.now() - started).toBeLessThan(50_000); // it ends (it hung for ever)
    expect(run.stderr).not.toMatch(/internal error/);
    const store = Store.open(dir);
    for (const id of [1, 2]) {
      const job = store.jobs.require(id);
      expect(job.status).toBe("FAILED");
      expect(job.statusReason).toBe("was running under the earlier tool; no record of its process");
    }
    store.close();
    const rm = cli(dir, ["job", "rm", "1"]);
    expect(rm.code, rm.stderr).toBe(0);
    const after = Store.open(dir);
    expect(after.jobs.get(1)).toBeUndefined();
    after.close();
  }, 90_000);

  it("a job RUNNING with no record of its process (written by another tool): the engine ends it as lost, never hangs", () => {
    const dir = tempProject();
    const store = Store.open(dir);
    const job = newJob(store, { name: "mgo", input: "MgO\nCRYSTAL\nEND\n" });
    store.jobs.transition(job.id, "RUNNING", { set: { pid: 999_999 } });
    store.close();
    const started = Date.now();
    const run = cli(dir, ["run", "--quiet"], standinEnv());
    expect(Date.now() - started).toBeLessThan(50_000);
    expect(run.stderr).not.toMatch(/internal error/);
    const after = Store.open(dir);
    expect(after.jobs.require(job.id)).toMatchObject({ status: "FAILED" });
    expect(after.jobs.require(job.id).statusReason).toMatch(/^lost: no record of its process/);
    after.close();
  }, 90_000);
});
