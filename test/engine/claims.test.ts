// The engine's claim: one guarded statement that takes runnable jobs in priority order (equal
// priority: oldest first), within the target's capacity (local: ranks × threads must fit the free
// cores), and never hands the same job to two engines.
import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { Store } from "../../src/store/store.js";
import { tempProject } from "../helpers/project.js";
import { newJob, newJobs } from "../store/new-jobs.js";
import { sql } from "../store/raw-sql.js";

const deck = "MgO\nCRYSTAL\nEND\n";

describe("claims", () => {
  it("highest priority first, then oldest first; dependencies not met are left alone", () => {
    const store = Store.open(tempProject());
    const a = newJob(store, { name: "a", input: deck });
    const b = newJob(store, { name: "b", input: deck, priority: 5 });
    const c = newJob(store, { name: "c", input: deck });
    const d = newJob(store, { name: "d", input: deck, priority: 5 });
    newJob(store, {
      name: "waits",
      input: deck,
      priority: 99,
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    const claimed = store.engine.claim("E1", { clusterId: null, maxJobs: 3 });
    expect(claimed.map((j) => j.name)).toEqual(["b", "d", "a"]);
    expect(claimed.every((j) => j.status === "QUEUED" && j.claimedBy === "E1")).toBe(true);
    expect(store.engine.claim("E1", { clusterId: null, maxJobs: 10 }).map((j) => j.id)).toEqual([c.id]);
    expect(b.id).toBeLessThan(d.id);
    store.close();
  });

  it("local jobs are taken while their cores fit; a too-big job runs alone on an idle machine", () => {
    const store = Store.open(tempProject());
    newJob(store, { name: "t2a", input: deck, parallelism: { threads_per_rank: 2 } });
    newJob(store, { name: "t2b", input: deck, parallelism: { threads_per_rank: 2 } });
    newJob(store, { name: "t1", input: deck });
    expect(
      store.engine.claim("E", { clusterId: null, maxJobs: 10, freeCores: 4 }).map((j) => j.name),
    ).toEqual(["t2a", "t2b"]);
    expect(store.engine.claim("E", { clusterId: null, maxJobs: 10, freeCores: 0 })).toEqual([]);
    const big = Store.open(tempProject());
    newJob(big, { name: "huge", input: deck, parallelism: { mpi_ranks: 8, threads_per_rank: 2 } });
    newJob(big, { name: "small", input: deck });
    expect(big.jobs.list()).toHaveLength(2);
    expect(big.engine.claim("E", { clusterId: null, maxJobs: 10, freeCores: 4, idle: false })).toEqual([]);
    expect(
      big.engine.claim("E", { clusterId: null, maxJobs: 10, freeCores: 4, idle: true }).map((j) => j.name),
    ).toEqual(["huge"]);
    store.close();
    big.close();
  });

  it("jobs the engine found it cannot start here are passed over; the next in order is taken, with its cores", () => {
    const store = Store.open(tempProject());
    const mpi = newJob(store, { name: "mpi", input: deck, priority: 9, parallelism: { mpi_ranks: 4 } });
    newJob(store, { name: "next", input: deck, parallelism: { threads_per_rank: 2 } });
    newJob(store, { name: "last", input: deck, parallelism: { threads_per_rank: 2 } });
    // without the exclusion the 4-rank job fills the 4 free cores
    const target = { clusterId: null, maxJobs: 10, freeCores: 4, exclude: [mpi.id] } as const;
    expect(store.engine.claim("E", target).map((j) => j.name)).toEqual(["next", "last"]);
    expect(store.jobs.require(mpi.id).status).toBe("PENDING");
    expect(store.engine.claim("E", { clusterId: null, maxJobs: 10 }).map((j) => j.name)).toEqual(["mpi"]);
    store.close();
  });

  it("a cluster's jobs are claimed only for that cluster, cancelled requests never", () => {
    const store = Store.open(tempProject());
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "h", username: "u" });
    newJob(store, { name: "remote", input: deck, clusterId: hpc.id, runnerType: "slurm" });
    const local = newJob(store, { name: "local", input: deck });
    sql(store).prepare("UPDATE jobs SET cancel_requested = 1 WHERE id = ?").run(local.id);
    expect(store.engine.claim("E", { clusterId: null, maxJobs: 10 })).toEqual([]);
    expect(store.engine.claim("E", { clusterId: hpc.id, maxJobs: 10 }).map((j) => j.name)).toEqual([
      "remote",
    ]);
    store.close();
  });

  it("on SLURM a job waiting for a job already queued on the same cluster is claimed (native dependency)", () => {
    const store = Store.open(tempProject());
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "h", username: "u" });
    const other = store.clusters.create({ name: "other", type: "slurm", hostname: "h", username: "u" });
    const a = newJob(store, { name: "a", input: deck, clusterId: hpc.id, runnerType: "slurm" });
    const b = newJob(store, {
      name: "b",
      input: deck,
      clusterId: hpc.id,
      runnerType: "slurm",
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    const c = newJob(store, {
      name: "c",
      input: deck,
      clusterId: other.id,
      runnerType: "slurm",
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    expect(
      store.engine
        .claim("E", { clusterId: hpc.id, maxJobs: 10, nativeDependencies: "slurm" })
        .map((j) => j.name),
    ).toEqual(["a"]);
    // a is queued but its sbatch has not answered yet: b still waits
    sql(store)
      .prepare("UPDATE jobs SET run_handle = ? WHERE id = ?")
      .run(JSON.stringify({ kind: "slurm", launching: "t" }), a.id);
    expect(store.engine.claim("E", { clusterId: hpc.id, maxJobs: 10, nativeDependencies: "slurm" })).toEqual(
      [],
    );
    sql(store)
      .prepare("UPDATE jobs SET run_handle = ? WHERE id = ?")
      .run(JSON.stringify({ kind: "slurm", jobId: "42" }), a.id);
    expect(
      store.engine
        .claim("E", { clusterId: hpc.id, maxJobs: 10, nativeDependencies: "slurm" })
        .map((j) => j.id),
    ).toEqual([b.id]);
    // a job whose deck is rendered from its parents' results waits for them to end
    const d = newJob(store, {
      name: "d",
      input: "",
      renderSpec: { template: "single-point" },
      clusterId: hpc.id,
      runnerType: "slurm",
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    expect(store.engine.claim("E", { clusterId: hpc.id, maxJobs: 10, nativeDependencies: "slurm" })).toEqual(
      [],
    );
    expect(store.jobs.require(d.id).status).toBe("PENDING");
    // across clusters the engine enforces the dependency itself
    expect(
      store.engine.claim("E", { clusterId: other.id, maxJobs: 10, nativeDependencies: "slurm" }),
    ).toEqual([]);
    expect(store.jobs.require(c.id).status).toBe("PENDING");
    store.close();
  });

  it("two engines claiming in any interleaving never take the same job", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 20 }),
        (n, turns) => {
          const dir = tempProject();
          const one = Store.open(dir);
          const two = Store.open(dir); // a second connection, as another process would have
          try {
            newJobs(
              one,
              Array.from({ length: n }, (_, i) => ({ name: `j${i}`, input: deck })),
            );
            const taken = new Map<number, string>();
            for (const [first, k] of turns) {
              const [store, id] = first ? [one, "E1"] : [two, "E2"];
              for (const job of store.write(() => store.engine.claim(id, { clusterId: null, maxJobs: k }))) {
                expect(taken.has(job.id)).toBe(false);
                taken.set(job.id, id);
              }
            }
            const queued = sql(one)
              .prepare("SELECT id, claimed_by FROM jobs WHERE status = 'QUEUED'")
              .all() as {
              id: number;
              claimed_by: string;
            }[];
            expect(new Map(queued.map((r) => [r.id, r.claimed_by]))).toEqual(taken);
          } finally {
            one.close();
            two.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
