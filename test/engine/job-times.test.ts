// One job-time rule: a job has one start and one end, the scheduler's when it said. A job that goes
// QUEUED → COMPLETED with the scheduler's times must show the real run time everywhere — the store,
// `job show --json`, the TUI's list — and the Phase-1 columns must say the same.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runtimeSeconds } from "../../src/domain/job-times.js";
import { Engine } from "../../src/engine/engine.js";
import type { Runner, RunState } from "../../src/runners/types.js";
import { Store } from "../../src/store/store.js";
import { cliJson, FIXTURES, tempProject } from "../helpers/project.js";
import { jobFolder, newJob } from "../store/new-jobs.js";
import { sql } from "../store/raw-sql.js";
import { mount } from "../tui/helpers.js";

const OUTPUT = path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out");

/** A scheduler-like runner: every job waits in a queue, then is reported with the scheduler's times. */
function schedulerRunner(states: (job: { id: number }) => RunState[]): Runner {
  const seen = new Map<number, number>();
  return {
    kind: "local",
    pollIntervalMs: 1,
    submit: async () => ({
      handle: { kind: "local", token: "t", runDir: "/nowhere", scratch: "/nowhere" },
      commandLine: "queued",
      state: "queued",
    }),
    poll: async (runs) => {
      const out = new Map<number, RunState>();
      for (const { job } of runs) {
        const n = seen.get(job.id) ?? 0;
        const list = states(job);
        out.set(job.id, list[Math.min(n, list.length - 1)]!);
        seen.set(job.id, n + 1);
      }
      return out;
    },
    cancel: async () => {},
    fetchOutputs: async (job, _h, ctx) => {
      const file = path.join(ctx.jobFolder, `${job.name}.out`);
      fs.copyFileSync(OUTPUT, file);
      return { outputFile: file, files: [] };
    },
    reattach: async () => {},
    findLaunch: async () => null,
    close: async () => {},
  };
}

const STARTED = "2026-01-01 10:00:00";
const ENDED = "2026-01-01 10:05:30";

describe("one job-time rule", () => {
  it("QUEUED → COMPLETED with the scheduler's times: the real run time in the store, the CLI, the TUI and the Phase-1 columns", async () => {
    const dir = tempProject();
    const store = Store.open(dir);
    const job = newJob(store, { name: "mgo", input: "MgO\nCRYSTAL\nEND\n" });
    const engine = new Engine(store, {
      runnerFactory: () =>
        schedulerRunner(() => [
          { state: "queued" },
          { state: "finished", exitCode: 0, startedAt: STARTED, endedAt: ENDED, schedulerState: "COMPLETED" },
        ]),
      cores: 2,
      maxIdleMs: 5,
    });
    const summary = await engine.run();
    expect(summary.byStatus).toEqual({ COMPLETED: 1 });
    const done = store.jobs.require(job.id);
    expect(store.events.forJob(job.id).map((e) => e.toStatus)).toEqual(["PENDING", "QUEUED", "COMPLETED"]);
    expect([done.startedAt, done.completedAt]).toEqual([STARTED, ENDED]);
    expect(runtimeSeconds(done)).toBe(330);
    const raw = sql(store)
      .prepare("SELECT started_at, completed_at, start_time, end_time FROM jobs WHERE id = ?")
      .get(job.id);
    expect(raw).toEqual({ started_at: STARTED, completed_at: ENDED, start_time: STARTED, end_time: ENDED });
    const shown = cliJson<Record<string, unknown>>(dir, ["job", "show", String(job.id)]);
    expect([shown.started_at, shown.completed_at, shown.runtime_s]).toEqual([STARTED, ENDED, 330]);
    const m = mount(store, { columns: 100 });
    try {
      const frame = await m.waitFor("mgo");
      expect(frame).toMatch(/mgo\s+✔ COMPLETED\s+local\s+5m30s/);
    } finally {
      m.unmount();
      store.close();
    }
  });

  it("the scheduler's start wins over the moment the engine noticed the job running", async () => {
    const store = Store.open(tempProject());
    const job = newJob(store, { name: "late", input: "MgO\nCRYSTAL\nEND\n" });
    const engine = new Engine(store, {
      runnerFactory: () =>
        schedulerRunner(() => [
          { state: "running" },
          { state: "finished", exitCode: 0, startedAt: STARTED, endedAt: ENDED },
        ]),
      cores: 2,
      maxIdleMs: 5,
    });
    await engine.run();
    const done = store.jobs.require(job.id);
    expect(store.events.forJob(job.id).map((e) => e.toStatus)).toContain("RUNNING");
    expect([done.startedAt, done.completedAt]).toEqual([STARTED, ENDED]);
    expect(fs.existsSync(path.join(jobFolder(store, done), "late.out"))).toBe(true);
    store.close();
  });

  it("a database written before the rule gets one start and one end (the v2 value, else the Phase-1 one)", () => {
    const dir = tempProject();
    const store = Store.open(dir);
    const a = newJob(store, { name: "a", input: "deck\n" });
    const b = newJob(store, { name: "b", input: "deck\n" });
    // as version 4 left them: the scheduler's start only in start_time, a Phase-1 start only in started_at
    const db = sql(store);
    db.exec("DROP TRIGGER jobs_times_mirror");
    db.prepare(
      "UPDATE jobs SET start_time = ?, end_time = ?, started_at = NULL, completed_at = '2026-01-01 11:00:00' WHERE id = ?",
    ).run(STARTED, ENDED, a.id);
    db.prepare("UPDATE jobs SET started_at = ?, completed_at = ? WHERE id = ?").run(STARTED, ENDED, b.id);
    db.prepare("DELETE FROM schema_version WHERE version >= 5").run();
    store.close();
    const again = Store.open(dir);
    for (const id of [a.id, b.id]) {
      expect(
        sql(again)
          .prepare("SELECT started_at, completed_at, start_time, end_time FROM jobs WHERE id = ?")
          .get(id),
      ).toEqual({
        started_at: STARTED,
        completed_at: ENDED,
        start_time: STARTED,
        end_time: ENDED,
      });
    }
    again.close();
  });
});
