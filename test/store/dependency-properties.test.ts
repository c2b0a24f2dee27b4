// Property tests: for random DAGs and random job outcomes canJobRun agrees with a simple reference
// evaluator written from the specification's sentences; in random insertion orders no cycle is ever
// admitted (checked against an independent reachability computation).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DependencyType } from "../../src/domain/dependencies.js";
import type { JobStatus } from "../../src/domain/status.js";
import { openTempStore } from "../helpers/project.js";
import { newJob } from "./new-jobs.js";
import { sql } from "./raw-sql.js";
import { moveTo } from "./status-paths.js";

const TYPES: DependencyType[] = ["after_ok", "after_any", "after_failed"];
const OUTCOMES: JobStatus[] = ["PENDING", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "SKIPPED"];

/** The specification, read literally: after_ok = parent COMPLETED, after_any = parent finished in
 *  any way, after_failed = parent FAILED. */
function reference(edges: { type: DependencyType; parent: JobStatus }[]): { ok: boolean; never: boolean } {
  const finished = (s: JobStatus) => ["COMPLETED", "FAILED", "CANCELLED", "SKIPPED"].includes(s);
  const met = (e: { type: DependencyType; parent: JobStatus }) =>
    e.type === "after_ok"
      ? e.parent === "COMPLETED"
      : e.type === "after_any"
        ? finished(e.parent)
        : e.parent === "FAILED";
  // once a parent has finished, its status never changes again: an unmet edge then stays unmet
  const never = edges.some((e) => finished(e.parent) && !met(e));
  return { ok: edges.every(met), never };
}

/** A random project: n jobs, edges only from a later job to an earlier one (always a DAG), and each
 *  job's status drawn from `statuses`. */
const randomProject = (statuses: readonly JobStatus[]) =>
  fc.integer({ min: 2, max: 9 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.uniqueArray(
        fc.record({
          child: fc.integer({ min: 1, max: n - 1 }),
          back: fc.nat(),
          type: fc.constantFrom(...TYPES),
        }),
        { maxLength: 20, selector: (e) => `${e.child}:${e.back % e.child}` },
      ),
      outcomes: fc.array(fc.constantFrom(...statuses), { minLength: n, maxLength: n }),
    }),
  );

type Project = {
  n: number;
  edges: { child: number; back: number; type: DependencyType }[];
  outcomes: JobStatus[];
};

/** The project in a store: its jobs (ids by index), edges and statuses. */
function build(store: ReturnType<typeof openTempStore>, { n, edges, outcomes }: Project): number[] {
  const ids = Array.from({ length: n }, (_, i) => newJob(store, { name: `j${i}`, input: "deck\n" }).id);
  for (const e of edges) store.dependencies.add(ids[e.child]!, ids[e.back % e.child]!, e.type);
  for (const [i, s] of outcomes.entries()) moveTo(store, ids[i]!, s);
  return ids;
}

describe("dependency properties", () => {
  it("canJobRun agrees with the reference evaluator on random DAGs and outcomes", () => {
    fc.assert(
      fc.property(randomProject(OUTCOMES), ({ n, edges, outcomes }) => {
        const store = openTempStore();
        try {
          const ids = build(store, { n, edges, outcomes });
          for (let i = 0; i < n; i++) {
            const mine = edges
              .filter((e) => e.child === i)
              .map((e) => ({ type: e.type, parent: outcomes[e.back % e.child]! }));
            const verdict = store.dependencies.canJobRun(ids[i]!);
            const want = reference(mine);
            expect(verdict.ok).toBe(want.ok);
            expect(verdict.never).toBe(want.never);
            expect(verdict.reasons.length === 0).toBe(want.ok);
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("the engine's skip and claim SQL agree with the reference evaluator on random DAGs and outcomes", () => {
    // The engine never calls canJobRun: it runs set-based SQL (claim, skipDoomed). The same
    // random projects, run through those statements, must skip and claim exactly what the
    // reference says — skipping cascades (a skipped job can doom its own dependents).
    fc.assert(
      fc.property(randomProject([...OUTCOMES, "PENDING", "PENDING"]), ({ n, edges, outcomes }) => {
        const store = openTempStore();
        try {
          const ids = build(store, { n, edges, outcomes });
          const parentsOf = (i: number) =>
            edges.filter((e) => e.child === i).map((e) => ({ type: e.type, parent: e.back % e.child }));

          // reference: the claim takes every PENDING job whose edges are all met (first, so that
          // a job the claim must leave alone is still there to be wrongly taken)
          const status = [...outcomes];
          const wantClaimed = status.flatMap((s, i) =>
            s === "PENDING" &&
            reference(parentsOf(i).map((e) => ({ type: e.type, parent: status[e.parent]! }))).ok
              ? [i]
              : [],
          );
          const claimed = store.engine.claim("E", { clusterId: null, maxJobs: 100 }).map((j) => j.id);
          expect(claimed).toEqual(wantClaimed.map((i) => ids[i]));
          for (const i of wantClaimed) status[i] = "QUEUED";

          // reference: skip PENDING jobs with an edge that can never be met, until nothing changes
          for (let changed = true; changed; ) {
            changed = false;
            const doomed = status.map(
              (s, i) =>
                s === "PENDING" &&
                parentsOf(i).some((e) => reference([{ type: e.type, parent: status[e.parent]! }]).never),
            );
            for (const [i, d] of doomed.entries()) {
              if (!d) continue;
              status[i] = "SKIPPED";
              changed = true;
            }
          }
          const wantSkipped = status.flatMap((s, i) =>
            s === "SKIPPED" && outcomes[i] !== "SKIPPED" ? [i] : [],
          );
          expect(store.engine.skipDoomed()).toBe(wantSkipped.length);
          for (let i = 0; i < n; i++) {
            const job = store.jobs.require(ids[i]!);
            expect(job.status, `j${i}`).toBe(status[i]);
            if (!wantSkipped.includes(i)) continue;
            // the reason names one of its dependencies that can never be met, as it ended (which
            // one, when several are, depends on the order the database skips a chain in)
            const named = parentsOf(i)
              .filter((e) => reference([{ type: e.type, parent: status[e.parent]! }]).never)
              .map(
                (e) =>
                  `dependency ${e.type} on job ${ids[e.parent]} (j${e.parent}) can never be met: it ended ${status[e.parent]}`,
              );
            expect(named, `j${i}`).toContain(job.statusReason);
          }
        } finally {
          store.close();
        }
      }),
      {
        numRuns: 60,
        // and every single edge (each type, each parent status) with a waiting child, always
        examples: TYPES.flatMap((type) =>
          OUTCOMES.map((parent): [Project] => [
            { n: 2, edges: [{ child: 1, back: 0, type }], outcomes: [parent, "PENDING"] },
          ]),
        ),
      },
    );
  });

  it("no insertion order ever admits a cycle, and every acyclic edge is admitted", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            tries: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }),
          }),
        ),
        ({ n, tries }) => {
          const store = openTempStore();
          try {
            const ids = Array.from(
              { length: n },
              (_, i) => newJob(store, { name: `j${i}`, input: "deck\n" }).id,
            );
            const parents = new Map<number, Set<number>>(ids.map((id) => [id, new Set()]));
            const reaches = (from: number, to: number): boolean => {
              const seen = new Set<number>();
              const stack = [from];
              while (stack.length) {
                const x = stack.pop()!;
                if (x === to) return true;
                if (seen.has(x)) continue;
                seen.add(x);
                stack.push(...parents.get(x)!);
              }
              return false;
            };
            for (const [ci, pi] of tries) {
              const child = ids[ci]!;
              const parent = ids[pi]!;
              const wouldCycle = child === parent || reaches(parent, child);
              const duplicate = parents.get(child)!.has(parent);
              let admitted = true;
              try {
                store.dependencies.add(child, parent, "after_any");
              } catch {
                admitted = false;
              }
              expect(admitted).toBe(!wouldCycle && !duplicate);
              if (admitted) parents.get(child)!.add(parent);
            }
            const stored = sql(store).prepare("SELECT COUNT(*) FROM job_dependencies").pluck().get();
            expect(stored).toBe([...parents.values()].reduce((s, p) => s + p.size, 0));
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
