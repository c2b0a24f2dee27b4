// Dependencies: the three types, add/remove, can-run verdicts, refusal of self-dependencies, unknown
// jobs, duplicates and cycles; and the workflow shapes of the specification (linear chain, fan-out,
// fan-in, jobs on different clusters).
import { describe, expect, it } from "vitest";
import type { JobStatus } from "../../src/domain/status.js";
import type { Store } from "../../src/store/store.js";
import { openTempStore } from "../helpers/project.js";
import { newJob } from "./new-jobs.js";
import { sql } from "./raw-sql.js";

const deck = "MgO\nCRYSTAL\nEND\n";

function finishAs(store: Store, id: number, status: JobStatus): void {
  if (status === "PENDING") return;
  if (status === "CANCELLED" || status === "SKIPPED") {
    store.jobs.transition(id, status);
    return;
  }
  store.jobs.transition(id, "RUNNING");
  if (status !== "RUNNING") store.jobs.transition(id, status);
}

describe("dependencies", () => {
  it("after_ok waits for COMPLETED and can never be met after a failure", () => {
    const store = openTempStore();
    const a = newJob(store, { name: "a", input: deck });
    const b = newJob(store, { name: "b", input: deck });
    store.dependencies.add(b.id, a.id, "after_ok");
    let v = store.dependencies.canJobRun(b.id);
    expect(v.ok).toBe(false);
    expect(v.never).toBe(false);
    expect(v.reasons[0]).toMatch(/waiting for job \d+ \(a\)/);
    store.jobs.transition(a.id, "RUNNING");
    store.jobs.transition(a.id, "FAILED", { reason: "SCF did not converge" });
    v = store.dependencies.canJobRun(b.id);
    expect(v).toMatchObject({ ok: false, never: true });
    expect(v.reasons[0]).toMatch(/can never be met: it ended FAILED/);
  });

  it("after_any runs after any end; after_failed only after a failure", () => {
    const store = openTempStore();
    const a = newJob(store, { name: "a", input: deck });
    const any = newJob(store, {
      name: "any",
      input: deck,
      dependencies: [{ dependsOn: a.id, type: "after_any" }],
    });
    const onFail = newJob(store, {
      name: "rescue",
      input: deck,
      dependencies: [{ dependsOn: a.id, type: "after_failed" }],
    });
    expect(store.dependencies.canJobRun(any.id).ok).toBe(false);
    expect(store.dependencies.canJobRun(onFail.id).ok).toBe(false);
    finishAs(store, a.id, "COMPLETED");
    expect(store.dependencies.canJobRun(any.id).ok).toBe(true);
    expect(store.dependencies.canJobRun(onFail.id)).toMatchObject({ ok: false, never: true });
  });

  it("add, list both ways, remove", () => {
    const store = openTempStore();
    const [a, b, c] = ["a", "b", "c"].map((n) => newJob(store, { name: n, input: deck }));
    store.dependencies.add(c!.id, a!.id, "after_ok");
    store.dependencies.add(c!.id, b!.id, "after_any");
    expect(store.dependencies.dependenciesOf(c!.id).map((d) => [d.dependsOnJobId, d.type])).toEqual([
      [a!.id, "after_ok"],
      [b!.id, "after_any"],
    ]);
    expect(store.dependencies.dependentsOf(a!.id).map((d) => d.jobId)).toEqual([c!.id]);
    expect(store.dependencies.remove(c!.id, a!.id)).toBe(true);
    expect(store.dependencies.remove(c!.id, a!.id)).toBe(false);
    expect(store.dependencies.dependenciesOf(c!.id)).toHaveLength(1);
  });

  it("refuses self, unknown jobs, duplicates, cycles and unknown types, changing nothing", () => {
    const store = openTempStore();
    const [a, b, c] = ["a", "b", "c"].map((n) => newJob(store, { name: n, input: deck }));
    store.dependencies.add(b!.id, a!.id);
    store.dependencies.add(c!.id, b!.id);
    const count = () => sql(store).prepare("SELECT COUNT(*) FROM job_dependencies").pluck().get();
    expect(count()).toBe(2);
    expect(() => store.dependencies.add(a!.id, a!.id)).toThrow(/cannot depend on itself/);
    expect(() => store.dependencies.add(a!.id, 999)).toThrow(/no such job/);
    expect(() => store.dependencies.add(999, a!.id)).toThrow(/no job 999/);
    expect(() => store.dependencies.add(b!.id, a!.id, "after_any")).toThrow(/already depends/);
    expect(() => store.dependencies.add(a!.id, c!.id)).toThrow(/cycle/);
    expect(() => store.dependencies.add(a!.id, b!.id)).toThrow(/cycle/);
    expect(() => store.dependencies.add(c!.id, a!.id, "after_never" as never)).toThrow(/unknown/);
    expect(count()).toBe(2);
    // a job created with a dependency on a missing job is not created at all
    const before = store.jobs.count();
    expect(() =>
      newJob(store, { name: "d", input: deck, dependencies: [{ dependsOn: 4242, type: "after_ok" }] }),
    ).toThrow(/no such job/);
    expect(store.jobs.count()).toBe(before);
  });
});

describe("one dependency check for every path (issue 14, item 7)", () => {
  it("a new job can neither wait for itself nor take files from itself or from no job, by any path", () => {
    const store = openTempStore();
    const a = newJob(store, { name: "a", input: deck });
    const next = a.id + 1; // the id the next job gets (AUTOINCREMENT, nothing deleted)
    const count = () => sql(store).prepare("SELECT COUNT(*) FROM jobs").pluck().get();
    expect(() =>
      newJob(store, { name: "b", input: deck, dependencies: [{ dependsOn: next, type: "after_ok" }] }),
    ).toThrow(/job b cannot depend on itself/);
    expect(() =>
      newJob(store, { name: "c", input: deck, inputsFrom: [{ jobId: next, ext: ".gui" }] }),
    ).toThrow(/job c cannot take files from itself/);
    expect(() =>
      newJob(store, { name: "d", input: deck, inputsFrom: [{ jobId: 4242, ext: ".f9" }] }),
    ).toThrow(/job d takes \.f9 from job 4242: there is no such job/);
    expect(() =>
      newJob(store, {
        name: "e",
        input: deck,
        dependencies: [
          { dependsOn: a.id, type: "after_ok" },
          { dependsOn: a.id, type: "after_any" },
        ],
      }),
    ).toThrow(/job e already depends on job \d+ \(after_ok\)/);
    expect(() =>
      newJob(store, {
        name: "f",
        input: deck,
        dependencies: [{ dependsOn: a.id, type: "after_never" as never }],
      }),
    ).toThrow(/dependency type "after_never" is unknown/);
    expect(count()).toBe(1);
    expect(sql(store).prepare("SELECT COUNT(*) FROM job_dependencies").pluck().get()).toBe(0);
  });
});

describe("removing a job others wait for (issue 14, item 6)", () => {
  it("is refused, changing nothing; with force the dependents that needed it are SKIPPED with the reason", () => {
    const store = openTempStore();
    const parent = newJob(store, { name: "parent", input: deck });
    const needs = newJob(store, {
      name: "needs",
      input: deck,
      dependencies: [{ dependsOn: parent.id, type: "after_ok" }],
    });
    const rescue = newJob(store, {
      name: "rescue",
      input: deck,
      dependencies: [{ dependsOn: parent.id, type: "after_failed" }],
    });
    const anyway = newJob(store, {
      name: "anyway",
      input: deck,
      dependencies: [{ dependsOn: parent.id, type: "after_any" }],
    });
    expect(() => store.jobs.delete(parent.id)).toThrow(
      new RegExp(`waited for by jobs ${needs.id} \\(needs, after_ok\\), ${rescue.id} .*pass --force`),
    );
    expect(store.jobs.get(parent.id)).toBeDefined();
    expect(store.dependencies.dependentsOf(parent.id)).toHaveLength(3);

    const removed = store.jobs.delete(parent.id, { force: true });
    expect(removed.skippedDependents.map((d) => d.name)).toEqual(["needs", "rescue"]);
    expect(store.jobs.get(parent.id)).toBeUndefined();
    for (const j of [needs, rescue]) {
      const after = store.jobs.require(j.id);
      expect(after.status).toBe("SKIPPED");
      expect(after.statusReason).toMatch(
        new RegExp(`job ${parent.id} \\(parent\\) can never be met: it was removed`),
      );
    }
    // after_any waits for its parent to end in any way: a parent removed before it ran has ended
    expect(store.jobs.require(anyway.id).status).toBe("PENDING");
    expect(store.dependencies.canJobRun(anyway.id).ok).toBe(true);
  });

  it("a finished parent is removed without --force: nothing waits for it any more", () => {
    const store = openTempStore();
    const parent = newJob(store, { name: "parent", input: deck });
    const child = newJob(store, {
      name: "child",
      input: deck,
      dependencies: [{ dependsOn: parent.id, type: "after_ok" }],
    });
    finishAs(store, parent.id, "COMPLETED");
    expect(store.jobs.delete(parent.id).skippedDependents).toEqual([]);
    expect(store.jobs.require(child.id).status).toBe("PENDING");
  });
});

describe("workflow scenarios", () => {
  it("linear chain a → b → c becomes runnable one step at a time", () => {
    const store = openTempStore();
    const a = newJob(store, { name: "opt", input: deck });
    const b = newJob(store, {
      name: "freq",
      input: deck,
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    const c = newJob(store, {
      name: "bands",
      input: deck,
      dependencies: [{ dependsOn: b.id, type: "after_ok" }],
    });
    const runnable = () =>
      [a, b, c]
        .filter((j) => store.jobs.require(j.id).status === "PENDING" && store.dependencies.canJobRun(j.id).ok)
        .map((j) => j.name);
    expect(runnable()).toEqual(["opt"]);
    finishAs(store, a.id, "COMPLETED");
    expect(runnable()).toEqual(["freq"]);
    finishAs(store, b.id, "COMPLETED");
    expect(runnable()).toEqual(["bands"]);
  });

  it("fan-out: one optimisation feeds several calculations; fan-in: one waits for all", () => {
    const store = openTempStore();
    const opt = newJob(store, { name: "opt", input: deck });
    const kids = [4, 6, 8].map((k) =>
      newJob(store, {
        name: `shrink${k}`,
        input: deck,
        dependencies: [{ dependsOn: opt.id, type: "after_ok" }],
      }),
    );
    const table = newJob(store, {
      name: "table",
      input: deck,
      dependencies: kids.map((k) => ({ dependsOn: k.id, type: "after_any" as const })),
    });
    expect(kids.every((k) => !store.dependencies.canJobRun(k.id).ok)).toBe(true);
    finishAs(store, opt.id, "COMPLETED");
    expect(kids.every((k) => store.dependencies.canJobRun(k.id).ok)).toBe(true);
    finishAs(store, kids[0]!.id, "COMPLETED");
    finishAs(store, kids[1]!.id, "FAILED");
    expect(store.dependencies.canJobRun(table.id).ok).toBe(false);
    expect(store.dependencies.canJobRun(table.id).reasons).toHaveLength(1);
    finishAs(store, kids[2]!.id, "COMPLETED");
    expect(store.dependencies.canJobRun(table.id).ok).toBe(true);
  });

  it("jobs on different clusters depend on each other like local ones", () => {
    const store = openTempStore();
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "h", username: "u" });
    const box = store.clusters.create({ name: "box", type: "ssh", hostname: "b", username: "u" });
    const a = newJob(store, {
      name: "opt",
      input: deck,
      clusterId: hpc.id,
      runnerType: "slurm",
      parallelism: { mpi_ranks: 64, nodes: 2, time: "12:00:00" },
    });
    const b = newJob(store, {
      name: "freq",
      input: deck,
      clusterId: box.id,
      runnerType: "ssh",
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    const c = newJob(store, {
      name: "plot",
      input: deck,
      dependencies: [{ dependsOn: b.id, type: "after_any" }],
    });
    expect(store.jobs.list({ clusterId: hpc.id }).map((j) => j.name)).toEqual(["opt"]);
    expect(store.jobs.list({ clusterId: null }).map((j) => j.name)).toEqual(["plot"]);
    expect(store.jobs.require(a.id).parallelism).toEqual({ mpi_ranks: 64, nodes: 2, time: "12:00:00" });
    finishAs(store, a.id, "COMPLETED");
    expect(store.dependencies.canJobRun(b.id).ok).toBe(true);
    finishAs(store, b.id, "FAILED");
    expect(store.dependencies.canJobRun(c.id).ok).toBe(true);
  });
});
