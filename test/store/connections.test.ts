// The clusters' shared connection state and poll claims (schema v7), as two processes on one
// project see them (two Store connections to the same file): the state one records is what the
// other's `cluster list --json` shows, an edit's marker (updated_at) is not moved by it; a poll
// claimed by one process within the interval is refused to every other, and granted again once
// the interval has passed — whatever the interleaving (a property over random claim times).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { cli, cliJson, MGO_DECK, tempProject } from "../helpers/project.js";
import { newJob } from "./new-jobs.js";
import { sql } from "./raw-sql.js";

function twoProcesses(): { a: Store; b: Store; dir: string; id: number } {
  const dir = tempProject();
  const a = Store.open(dir);
  const b = Store.open(dir);
  const c = a.clusters.create({ name: "hpc", type: "slurm", hostname: "login.example", username: "chem" });
  return { a, b, dir, id: c.id };
}

describe("shared connection state and poll claims", () => {
  it("a recorded connection state is what every process and `cluster list --json` see; updated_at stays", () => {
    const { a, b, dir, id } = twoProcesses();
    const before = b.clusters.get(id)!;
    expect(before.connection).toBeUndefined();
    expect(cliJson<{ connection: unknown }[]>(dir, ["cluster", "list"])[0]!.connection).toBeNull();
    const since = Date.UTC(2026, 0, 2, 3, 4, 5);
    const error = "cluster 'hpc': the jump host bastion (10.0.0.1) cannot be reached (Connection refused)";
    a.clusters.setConnection(id, { status: "unreachable", lastError: error, since });
    expect(b.clusters.get(id)!.connection).toEqual({ status: "unreachable", lastError: error, since });
    expect(b.clusters.get(id)!.updatedAt).toBe(before.updatedAt);
    const [shown] = cliJson<Record<string, unknown>[]>(dir, ["cluster", "list"]);
    expect(shown).toMatchObject({
      connection: "unreachable",
      connection_error: error,
      connection_since: "2026-01-02T03:04:05.000Z",
    });
    a.clusters.setConnection(id, { status: "connected", lastError: null, since: since + 1000 });
    expect(cliJson<Record<string, unknown>[]>(dir, ["cluster", "list"])[0]).toMatchObject({
      connection: "connected",
      connection_error: null,
    });
    a.close();
    b.close();
  });

  it("at most one process gets a poll per interval, and one always gets it once the interval is over", () => {
    const { a, b, id } = twoProcesses();
    const interval = 30_000;
    fc.assert(
      fc.property(
        // a negative gap: a process whose clock was read a moment before another's claim
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -5_000, max: 20_000 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (steps) => {
          // a fresh cluster's history each run: times move forward by the step's gap
          const c = a.clusters.create({
            name: `c${Math.random().toString(36).slice(2, 10)}`,
            type: "slurm",
            hostname: "login.example",
            username: "chem",
          });
          let now = 1_000_000;
          let last: number | null = null;
          for (const [first, gap] of steps) {
            now += gap;
            const who = first ? a : b;
            const claim = who.clusters.claimPoll(c.id, interval, now);
            // the oracle: granted exactly when no poll was granted within the interval before —
            // or after, by a little (a clock read late); a last poll over an interval ahead is a
            // clock that was put back, which must not stop polling for good
            const expected = last === null || now - last >= interval || last - now > interval;
            expect(claim.claimed).toBe(expected);
            if (claim.claimed) last = now;
            else expect(claim).toEqual({ claimed: false, lastPolledAt: last });
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(a.clusters.claimPoll(id, interval, 5).claimed).toBe(true);
    a.close();
    b.close();
  });

  it("a running job on an unreachable cluster is marked in `job list`; finished and local ones are not", () => {
    const { a, dir, id } = twoProcesses();
    const running = newJob(a, { name: "far", input: MGO_DECK, clusterId: id, runnerType: "slurm" });
    const done = newJob(a, { name: "old", input: MGO_DECK, clusterId: id, runnerType: "slurm" });
    const local = newJob(a, { name: "here", input: MGO_DECK });
    const set = sql(a).prepare("UPDATE jobs SET status = ? WHERE id = ?");
    // the moves an engine makes (the status triggers allow only those)
    for (const [job, path] of [
      [running.id, ["QUEUED", "RUNNING"]],
      [local.id, ["QUEUED", "RUNNING"]],
      [done.id, ["QUEUED", "RUNNING", "COMPLETED"]],
    ] as const)
      for (const st of path) set.run(st, job);
    const marks = () =>
      new Map(
        cliJson<{ id: number; cluster_connection: string | null }[]>(dir, ["job", "list"]).map((j) => [
          j.id,
          j.cluster_connection,
        ]),
      );
    expect([...marks().values()]).toEqual([null, null, null]); // no state known: nothing to say
    a.clusters.setConnection(id, { status: "unreachable", lastError: "cluster 'hpc': down", since: 1 });
    expect(marks().get(running.id)).toBe("unreachable");
    expect(marks().get(done.id)).toBeNull();
    expect(marks().get(local.id)).toBeNull();
    const text = cli(dir, ["job", "list"]).stdout.split("\n");
    expect(text.find((l) => /\bfar\b/.test(l))).toMatch(/hpc \(unreachable\)/);
    expect(text.find((l) => /\bold\b/.test(l))).not.toMatch(/unreachable/);
    a.clusters.setConnection(id, { status: "needs-auth", lastError: "cluster 'hpc': code wanted", since: 2 });
    expect(marks().get(running.id)).toBe("needs-auth");
    a.clusters.setConnection(id, { status: "connected", lastError: null, since: 3 });
    expect(marks().get(running.id)).toBeNull();
    a.close();
  });
});
