// What SLURM says, read from real squeue / sacct / scontrol output captured on the test cluster
// (fixtures/slurm/*.txt), and what a chemist then sees: the final status and its reason, decided by
// the engine's own rule (decideOutcome). States the loopback cluster cannot produce (NODE_FAIL,
// OUT_OF_MEMORY, …) are written in the exact sacct format of the captured lines.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideOutcome } from "../../src/engine/outcome.js";
import {
  ACCOUNTING_LAG_MS,
  baseState,
  type EndedEvidence,
  endedStateOf,
  FINISHED_STATES,
  parseMemMb,
  parseQueue,
  parseSacct,
  parseScontrol,
  parseSqueue,
  phaseOf,
  runStateOf,
  type SlurmRecord,
  slurmTime,
  splitSections,
} from "../../src/runners/slurm-states.js";
import type { RunState } from "../../src/runners/types.js";

const FIX = path.join(import.meta.dirname, "fixtures/slurm");
const running = splitSections(fs.readFileSync(path.join(FIX, "while-running.txt"), "utf8"));
const ended = splitSections(fs.readFileSync(path.join(FIX, "ended.txt"), "utf8"));
const accounting = splitSections(fs.readFileSync(path.join(FIX, "accounting.txt"), "utf8"));

function finished(s: RunState): Extract<RunState, { state: "finished" }> {
  if (s.state !== "finished") throw new Error(`expected finished, got ${JSON.stringify(s)}`);
  return s;
}

describe("reading captured SLURM output", () => {
  it("squeue -t all: queued, running and just-ended jobs, with times in UTC", () => {
    const q = parseSqueue(running.get("squeue")!);
    expect([...q.keys()].sort()).toEqual(["12", "13", "14", "15", "16", "17", "18", "19", "20"]);
    expect(q.get("12")).toMatchObject({
      state: "RUNNING",
      nodeList: "vm",
      partition: "debug",
      timeLimit: "1:00",
    });
    // 1795868920 s since the epoch
    expect(q.get("12")!.start).toBe(new Date(1795868920 * 1000).toISOString().slice(0, 19).replace("T", " "));
    expect(q.get("17")).toMatchObject({ state: "PENDING", reason: "Dependency" });
    expect(q.get("17")!.nodeList).toBeUndefined();
    expect(q.get("20")).toMatchObject({ state: "PENDING", partition: "batch" });
    expect(q.has("999999")).toBe(false);
  });

  it("sacct: who cancelled, exit codes and signals, steps left out", () => {
    const a = parseSacct(ended.get("sacct")!);
    expect(a.get("19")).toMatchObject({ state: "CANCELLED", cancelledByUid: "1001" });
    expect(a.get("15")).toMatchObject({ state: "FAILED", exitCode: 3 });
    expect(a.get("16")).toMatchObject({ state: "FAILED", exitCode: 0, exitSignal: 9 });
    expect(a.get("12")).toMatchObject({ state: "TIMEOUT", timeLimit: "00:01:00" });
    expect(a.get("18")!.nodeList).toBeUndefined(); // "None assigned"
    expect(parseSacct("123.batch|COMPLETED|0:0|1|2|vm|UNLIMITED|debug\n").size).toBe(0);
  });

  it("scontrol show job -o and sacct -c (no accounting database) say the same", () => {
    const c = parseScontrol(ended.get("scontrol")!);
    expect(c.get("12")).toMatchObject({ state: "TIMEOUT", exitCode: 0, exitSignal: 15, user: "jmtest" });
    expect(c.get("18")).toMatchObject({ state: "PENDING", reason: "DependencyNeverSatisfied" });
    const j = parseSacct(ended.get("jobcomp")!);
    expect(j.get("15")).toMatchObject({ state: "FAILED", exitCode: 3 });
    expect(j.get("19")).toMatchObject({ state: "CANCELLED" });
    expect(j.get("19")!.cancelledByUid).toBeUndefined();
  });

  it("a job never satisfied stays queued with SLURM's reason", () => {
    const s = runStateOf(parseSqueue(ended.get("squeue")!).get("18")!);
    expect(s).toEqual({ state: "queued", detail: "DependencyNeverSatisfied" });
  });
});

describe("the outcome a chemist sees", () => {
  const acct = parseSacct(ended.get("sacct")!);
  const users = new Map([["1001", "jmtest"]]);

  it("TIMEOUT → FAILED, walltime exceeded with the job's --time", () => {
    const s = finished(runStateOf(acct.get("12")!, { timeLimit: "00:01:00" }));
    expect(s).toMatchObject({ schedulerState: "TIMEOUT", reason: "walltime exceeded (--time 00:01:00)" });
    expect(decideOutcome(s, null)).toEqual({
      status: "FAILED",
      reason: "walltime exceeded (--time 00:01:00)",
    });
    // without the job's setting, SLURM's own limit is named
    expect(finished(runStateOf(acct.get("12")!)).reason).toBe("walltime exceeded (--time 00:01:00)");
  });

  it("scancel from outside → CANCELLED, naming who; crystal-tui's own cancel → cancelled by user", () => {
    const outside = finished(runStateOf(acct.get("19")!, { userNames: users }));
    expect(outside).toMatchObject({ cancelled: true, reason: "cancelled by jmtest outside crystal-tui" });
    expect(decideOutcome(outside, null)).toEqual({
      status: "CANCELLED",
      reason: "cancelled by jmtest outside crystal-tui",
    });
    const ours = finished(runStateOf(acct.get("19")!, { userNames: users, cancelRequested: true }));
    expect(decideOutcome(ours, null, { cancelRequested: true })).toEqual({
      status: "CANCELLED",
      reason: "cancelled by user",
    });
    expect(finished(runStateOf(acct.get("19")!)).reason).toBe("cancelled by uid 1001 outside crystal-tui");
  });

  it("FAILED by a signal and by an exit code; CRYSTAL's own recorded exit code wins", () => {
    expect(decideOutcome(finished(runStateOf(acct.get("16")!)), null).reason).toBe("killed by SIGKILL");
    const failed = finished(runStateOf(acct.get("15")!));
    expect(failed).toMatchObject({ exitCode: 3, schedulerState: "FAILED" });
    const own = finished(runStateOf(acct.get("15")!, { crystalExitCode: 0 }));
    expect(own.exitCode).toBe(0);
  });

  it("COMPLETED keeps start and end", () => {
    const s = finished(runStateOf(acct.get("13")!));
    expect(s).toMatchObject({ exitCode: 0, schedulerState: "COMPLETED" });
    expect(s.startedAt).toBe(slurmTime("1795868926"));
    expect(s.endedAt).toBe(slurmTime("1795868956"));
  });

  // the states a loopback cluster cannot produce, in sacct's captured line format
  const constructed: [string, string, RegExp][] = [
    ["NODE_FAIL", "0:0", /^node failure on vm/],
    ["OUT_OF_MEMORY", "0:125", /^out of memory \(--mem 4G\)/],
    ["PREEMPTED", "0:15", /preempted/],
    ["BOOT_FAIL", "0:0", /failed to boot/],
    ["DEADLINE", "0:0", /deadline/],
  ];
  it.each(constructed)("%s → FAILED with the reason in words", (state, exit, reason) => {
    const line = `77|${state}|${exit}|1795868920|1795868995|vm|00:10:00|debug`;
    const rec = parseSacct(line).get("77")!;
    const s = finished(runStateOf(rec, { mem: "4G" }));
    expect(s.schedulerState).toBe(state);
    const outcome = decideOutcome(s, { status: "incomplete", error_kind: null, errors: [] });
    expect(outcome.status).toBe("FAILED");
    expect(outcome.reason).toMatch(reason);
  });

  it("every state the issue names has a place", () => {
    const expected: Record<string, string> = {
      PENDING: "queued",
      RUNNING: "running",
      COMPLETING: "running",
      COMPLETED: "finished",
      FAILED: "finished",
      CANCELLED: "finished",
      TIMEOUT: "finished",
      NODE_FAIL: "finished",
      OUT_OF_MEMORY: "finished",
      PREEMPTED: "finished",
      BOOT_FAIL: "finished",
      DEADLINE: "finished",
    };
    for (const [state, phase] of Object.entries(expected)) expect(phaseOf(state), state).toBe(phase);
    expect(phaseOf("CANCELLED by 0")).toBe("finished");
    expect(baseState("RUNNING+")).toBe("RUNNING");
    expect(runStateOf({ id: "1", state: "WEIRD" }).state).toBe("unknown");
  });
});

describe("a job that left squeue", () => {
  const base = (e: Partial<EndedEvidence>): EndedEvidence => ({
    slurmJobId: "42",
    dir: "/scratch/42-mgo-abc",
    cluster: "hpc",
    ctx: {},
    waitedMs: 0,
    ...e,
  });
  const acct = parseSacct(ended.get("sacct")!);
  const ctl = parseScontrol(ended.get("scontrol")!);

  it("with no record anywhere and no exit code is lost, never a success", () => {
    const { state } = endedStateOf(base({}));
    expect(state.state).toBe("lost");
    expect((state as { reason: string }).reason).toMatch(/no record of job 42/);
  });

  it("with only its recorded exit code is finished with that code", () => {
    const s = finished(endedStateOf(base({ ctx: { crystalExitCode: 0 } })).state);
    expect(s.exitCode).toBe(0);
    expect(s.schedulerState).toBeUndefined();
  });

  it("without accounting, scontrol's record decides", () => {
    const s = finished(endedStateOf(base({ ctl: ctl.get("12"), ctx: { timeLimit: "00:01:00" } })).state);
    expect(s.reason).toBe("walltime exceeded (--time 00:01:00)");
  });

  it("waits a little for accounting to name who cancelled, then does without", () => {
    const queue = parseSqueue(ended.get("squeue")!).get("19");
    const lagging: SlurmRecord = { id: "19", state: "PENDING" };
    const early = endedStateOf(base({ queue, acct: lagging, waitedMs: 1000 }));
    expect(early).toMatchObject({ waitingForAccounting: true, state: { state: "running" } });
    const late = endedStateOf(base({ queue, acct: lagging, waitedMs: ACCOUNTING_LAG_MS + 1 }));
    expect(finished(late.state).reason).toBe("cancelled outside crystal-tui");
    const named = endedStateOf(
      base({ queue, acct: acct.get("19"), ctx: { userNames: new Map([["1001", "jmtest"]]) } }),
    );
    expect(finished(named.state).reason).toBe("cancelled by jmtest outside crystal-tui");
  });

  it("property: finished only when some record says it ended, or an exit code was recorded", () => {
    const stateArb = fc.constantFrom("PENDING", "RUNNING", "COMPLETING", "REQUEUED", ...FINISHED_STATES);
    const recordArb = fc.option(
      stateArb.map((state): SlurmRecord => ({ id: "42", state })),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        recordArb,
        recordArb,
        recordArb,
        recordArb,
        fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
        fc.nat(100_000),
        fc.boolean(),
        (acctRec, ctlRec, compRec, queueRec, code, waitedMs, cancelRequested) => {
          const { state } = endedStateOf(
            base({
              acct: acctRec,
              ctl: ctlRec,
              comp: compRec,
              queue: queueRec,
              waitedMs,
              ctx: { cancelRequested, ...(code !== undefined ? { crystalExitCode: code } : {}) },
            }),
          );
          const saysEnded = [acctRec, ctlRec, compRec, queueRec].some(
            (r) => r && phaseOf(r.state) === "finished",
          );
          if (state.state === "finished") expect(saysEnded || code !== undefined).toBe(true);
          if (!saysEnded && code === undefined) expect(state.state).not.toBe("finished");
          if (state.state === "finished" && state.schedulerState === "COMPLETED") {
            expect([acctRec, ctlRec, compRec, queueRec].some((r) => r?.state === "COMPLETED")).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("SLURM's accounting of a job that ended (sacct with its steps)", () => {
  const acct = parseSacct(accounting.get("sacct")!);

  it("the steps' MaxRSS is folded into the job, ElapsedRaw read; a run with no sample has none", () => {
    expect([...acct.keys()].sort()).toEqual(["2", "3", "4"]);
    // 2.batch: 128756K
    expect(acct.get("2")).toMatchObject({ state: "COMPLETED", elapsedS: 35, maxRssMb: 125.7 });
    expect(acct.get("3")).toMatchObject({ state: "FAILED", exitCode: 3, elapsedS: 0 });
    expect(acct.get("3")!.maxRssMb).toBeUndefined();
    const s = finished(
      endedStateOf({ slurmJobId: "2", dir: "/d", cluster: "hpc", ctx: {}, waitedMs: 0, acct: acct.get("2") })
        .state,
    );
    expect(s.accounting).toEqual({ state: "COMPLETED", exitCode: "0:0", elapsedS: 35, maxRssMb: 125.7 });
    const f = finished(
      endedStateOf({ slurmJobId: "3", dir: "/d", cluster: "hpc", ctx: {}, waitedMs: 0, acct: acct.get("3") })
        .state,
    );
    expect(f.accounting).toEqual({ state: "FAILED", exitCode: "3:0", elapsedS: 0, maxRssMb: null });
  });

  it("the highest step wins, whatever the order of the lines", () => {
    const lines = [
      "7.0|COMPLETED|0:0|1|2|vm|||2G|1",
      "7|COMPLETED|0:0|1|2|vm|UNLIMITED|debug||1",
      "7.batch|COMPLETED|0:0|1|2|vm|||512M|1",
      "7.extern|COMPLETED|0:0|1|2|vm|||900K|1",
    ];
    expect(parseSacct(lines.join("\n")).get("7")!.maxRssMb).toBe(2048);
    expect(parseSacct([...lines].reverse().join("\n")).get("7")!.maxRssMb).toBe(2048);
  });

  it("the queue screen's squeue: each job once, in squeue's order, with its name (which may hold |)", () => {
    const text = [
      "91|PENDING|JobHeldUser||N/A|N/A|debug|jmtest|UNLIMITED|normal|testacct|outside_job",
      "90|RUNNING|None|vm|1796225407|NONE|batch|jmtest|1:00:00|normal|testacct|scan|a=1",
      "squeue: error: something the user should not see as a job",
    ].join("\n");
    const q = parseQueue(text);
    expect(q.map((e) => [e.record.id, e.name])).toEqual([
      ["91", "outside_job"],
      ["90", "scan|a=1"],
    ]);
    expect(q[1]!.record).toMatchObject({
      state: "RUNNING",
      nodeList: "vm",
      partition: "batch",
      timeLimit: "1:00:00",
    });
  });

  it("squeue's QOS and account", () => {
    const q = parseSqueue(accounting.get("squeue")!);
    expect(q.get("4")).toMatchObject({
      state: "PENDING",
      reason: "JobHeldUser",
      qos: "normal",
      account: "testacct",
    });
  });

  it("property: parseMemMb reads SLURM's memory figures in MB", () => {
    const perUnit: [string, number][] = [
      ["", 1 / 1048576],
      ["K", 1 / 1024],
      ["M", 1],
      ["G", 1024],
      ["T", 1048576],
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 99 }),
        fc.constantFrom(...perUnit),
        fc.boolean(),
        (whole, hundredths, [unit, mb], lower) => {
          const text = `${whole}${hundredths ? `.${String(hundredths).padStart(2, "0")}` : ""}${lower ? unit.toLowerCase() : unit}`;
          const expected = (whole + hundredths / 100) * mb;
          const got = parseMemMb(text)!;
          expect(Math.abs(got - expected)).toBeLessThanOrEqual(0.05 + 1e-6 + 1e-9 * expected);
        },
      ),
    );
    expect(parseMemMb("1234K")).toBe(1.2);
    expect(parseMemMb("12M")).toBe(12);
    expect(parseMemMb("1.5G")).toBe(1536);
    for (const bad of ["", "K", "12X", "-3M", "1,5G", "N/A"]) expect(parseMemMb(bad)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (t) => {
        const v = parseMemMb(t);
        expect(v === undefined || (Number.isFinite(v) && v >= 0)).toBe(true);
      }),
    );
  });
});

describe("parsers on open-ended input", () => {
  it("never throw, and read back every well-formed sacct line", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
    const lineArb = fc.record({
      id: fc.integer({ min: 1, max: 99_999_999 }).map(String),
      state: fc.constantFrom(...FINISHED_STATES, "PENDING", "RUNNING"),
      by: fc.option(fc.integer({ min: 0, max: 65_000 }).map(String), { nil: undefined }),
      code: fc.integer({ min: 0, max: 255 }),
      signal: fc.integer({ min: 0, max: 64 }),
      start: fc.integer({ min: 1, max: 4_000_000_000 }),
      nodes: word,
      partition: word,
    });
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 20 }), fc.string(), (lines, noise) => {
        const text = [
          noise.replace(/\|/g, ""),
          ...lines.map(
            (l) =>
              `${l.id}|${l.state}${l.by && l.state === "CANCELLED" ? ` by ${l.by}` : ""}|${l.code}:${l.signal}|${l.start}|${l.start + 5}|${l.nodes}|UNLIMITED|${l.partition}`,
          ),
        ].join("\n");
        const parsed = parseSacct(text);
        for (const l of lines.filter((x, i) => lines.findLastIndex((y) => y.id === x.id) === i)) {
          const r = parsed.get(l.id)!;
          expect(r.state).toBe(l.state);
          expect(r.exitCode).toBe(l.code);
          expect(r.exitSignal).toBe(l.signal > 0 ? l.signal : undefined);
          expect(r.start).toBe(new Date(l.start * 1000).toISOString().slice(0, 19).replace("T", " "));
          if (l.state === "CANCELLED" && l.by) expect(r.cancelledByUid).toBe(l.by);
        }
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        parseSqueue(text);
        parseSacct(text);
        parseScontrol(text);
        splitSections(text);
        slurmTime(text);
      }),
    );
  });
});
