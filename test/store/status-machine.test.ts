// The status machine: legal moves only, each one logged with its time and reason, timestamps set by
// the move; a finished job never moves again; the database itself refuses an illegal move.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canTransition,
  isActive,
  isTerminal,
  JOB_STATUSES,
  type JobStatus,
} from "../../src/domain/status.js";
import { openTempStore } from "../helpers/project.js";
import { newJob } from "./new-jobs.js";
import { sql } from "./raw-sql.js";
import { moveTo, PATH_TO } from "./status-paths.js";

describe("job status machine", () => {
  it("sets timestamps and logs every move with its reason", () => {
    const store = openTempStore();
    const job = newJob(store, { name: "mgo", input: "deck\n" });
    expect(store.jobs.transition(job.id, "QUEUED")).toBe(true);
    expect(store.jobs.require(job.id).queueTime).not.toBeNull();
    store.jobs.transition(job.id, "RUNNING", { set: { pid: 4321 } });
    let j = store.jobs.require(job.id);
    expect(j.startedAt).not.toBeNull();
    const times = () =>
      sql(store)
        .prepare("SELECT started_at, start_time, completed_at, end_time FROM jobs WHERE id = ?")
        .get(job.id) as Record<string, string | null>;
    // one start: the Phase-1 column is a copy of the v2 one
    expect(times().started_at).toBe(times().start_time);
    expect(times().start_time).toBe(j.startedAt);
    expect(j.pid).toBe(4321);
    expect(j.completedAt).toBeNull();
    store.jobs.transition(job.id, "FAILED", { reason: "SCF did not converge: TOO MANY CYCLES" });
    j = store.jobs.require(job.id);
    expect(j.completedAt).not.toBeNull();
    expect(times().completed_at).toBe(times().end_time);
    expect(times().end_time).toBe(j.completedAt);
    expect(j.statusReason).toBe("SCF did not converge: TOO MANY CYCLES");
    const story = store.events.forJob(job.id).map((e) => [e.fromStatus, e.toStatus, e.reason]);
    expect(story).toEqual([
      [null, "PENDING", null],
      ["PENDING", "QUEUED", null],
      ["QUEUED", "RUNNING", null],
      ["RUNNING", "FAILED", "SCF did not converge: TOO MANY CYCLES"],
    ]);
  });

  it("refuses illegal moves in code and in the database, for every pair of statuses", () => {
    const store = openTempStore();
    let n = 0;
    for (const from of JOB_STATUSES) {
      for (const to of JOB_STATUSES) {
        if (from === to) continue;
        const job = newJob(store, { name: `j${n++}`, input: "deck\n" });
        moveTo(store, job.id, from);
        if (canTransition(from, to)) {
          expect(store.jobs.transition(job.id, to), `${from}→${to}`).toBe(true);
        } else {
          expect(() => store.jobs.transition(job.id, to), `${from}→${to}`).toThrow(/cannot become/);
          expect(() => sql(store).prepare("UPDATE jobs SET status = ? WHERE id = ?").run(to, job.id)).toThrow(
            /illegal job status transition/,
          );
          expect(store.jobs.require(job.id).status).toBe(from);
        }
      }
    }
  });

  it("the legal moves are exactly the specification's, written out here by hand", () => {
    // The oracle is this literal matrix, not the code's table: making any move legal or illegal in
    // src/domain/status.ts (e.g. COMPLETED → PENDING) must fail this test. Rows: from; columns: to,
    // in the order PENDING QUEUED RUNNING COMPLETED FAILED CANCELLED SKIPPED.
    const order: JobStatus[] = [
      "PENDING",
      "QUEUED",
      "RUNNING",
      "COMPLETED",
      "FAILED",
      "CANCELLED",
      "SKIPPED",
    ];
    const legal: Record<JobStatus, string> = {
      PENDING: "-110111", // claimed, started, or ended without running (failed to stage, cancelled, skipped)
      QUEUED: "1-11111", // back to PENDING (a claim given back), started, or any end
      RUNNING: "00-1110", // only an end: a running job is never re-queued nor skipped
      COMPLETED: "000-000",
      FAILED: "0000-00",
      CANCELLED: "00000-0",
      SKIPPED: "000000-",
    };
    expect([...JOB_STATUSES].sort()).toEqual([...order].sort());
    const store = openTempStore();
    let n = 0;
    for (const from of order) {
      for (const [k, to] of order.entries()) {
        if (from === to) continue;
        const want = legal[from][k] === "1";
        expect(canTransition(from, to), `${from}→${to} in code`).toBe(want);
        // and the database's guard agrees, for a job really in `from`
        const job = newJob(store, { name: `m${n++}`, input: "deck\n" });
        for (const s of PATH_TO[from])
          sql(store).prepare("UPDATE jobs SET status = ? WHERE id = ?").run(s, job.id);
        const move = () => sql(store).prepare("UPDATE jobs SET status = ? WHERE id = ?").run(to, job.id);
        if (want) expect(move, `${from}→${to} in the database`).not.toThrow();
        else expect(move, `${from}→${to} in the database`).toThrow(/illegal job status transition/);
      }
    }
    // every terminal status has no exit, and every other status has one
    for (const s of order) expect(isTerminal(s), s).toBe(!legal[s].includes("1"));
    expect(order.filter(isActive)).toEqual(["QUEUED", "RUNNING"]);
    store.close();
  });

  it("a guarded move that loses a race changes nothing", () => {
    const store = openTempStore();
    const job = newJob(store, { name: "a", input: "deck\n" });
    store.jobs.transition(job.id, "QUEUED");
    sql(store).prepare("UPDATE jobs SET claimed_by = 'engine-A' WHERE id = ?").run(job.id);
    expect(store.jobs.transition(job.id, "RUNNING", { claimedBy: "engine-B" })).toBe(false);
    expect(store.jobs.transition(job.id, "CANCELLED", { from: ["PENDING"] })).toBe(false);
    expect(store.jobs.require(job.id).status).toBe("QUEUED");
    expect(store.jobs.transition(job.id, "RUNNING", { claimedBy: "engine-A" })).toBe(true);
  });

  it("random walks never leave a terminal status and always log one event per move", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...JOB_STATUSES), { maxLength: 12 }), (walk) => {
        const store = openTempStore();
        try {
          const job = newJob(store, { name: "w", input: "deck\n" });
          let current: JobStatus = "PENDING";
          let moves = 0;
          for (const to of walk) {
            let moved = false;
            try {
              moved = store.jobs.transition(job.id, to);
            } catch {
              moved = false;
            }
            expect(moved).toBe(current !== to && canTransition(current, to));
            if (moved) {
              current = to;
              moves++;
            }
          }
          expect(store.jobs.require(job.id).status).toBe(current);
          expect(store.events.forJob(job.id)).toHaveLength(moves + 1);
        } finally {
          store.close();
        }
      }),
      { numRuns: 100 },
    );
  });

  it("cancel: a pending job at once, an active one by request, a finished one not at all", () => {
    const store = openTempStore();
    const a = newJob(store, { name: "a", input: "deck\n" });
    const b = newJob(store, { name: "b", input: "deck\n" });
    const c = newJob(store, { name: "c", input: "deck\n" });
    store.jobs.transition(b.id, "RUNNING");
    store.jobs.transition(c.id, "RUNNING");
    store.jobs.transition(c.id, "COMPLETED");
    expect(store.jobs.requestCancel(a.id)).toBe("cancelled");
    expect(store.jobs.require(a.id).statusReason).toMatch(/cancelled by user/);
    expect(store.jobs.requestCancel(b.id)).toBe("requested");
    expect(store.jobs.require(b.id)).toMatchObject({ status: "RUNNING", cancelRequested: true });
    expect(store.jobs.requestCancel(c.id)).toBe("finished");
    expect(store.jobs.require(c.id).status).toBe("COMPLETED");
    expect(() => store.jobs.delete(b.id)).toThrow(/cancel it first/);
  });
});
