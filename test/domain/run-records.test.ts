// What crystal-tui reads back about a run: the run handle stored with a job (read once into its
// runner's type, anything else unreadable rather than trusted), a cluster's self-test lines, a
// job's run time, the signal that killed it, and the order a workflow's steps are made in.
import { describe, expect, it } from "vitest";
import { findCycle, topologicalOrder } from "../../src/domain/graph.js";
import { parseDbTime, runtimeSeconds, timesSetBy } from "../../src/domain/job-times.js";
import {
  batchHandle,
  isLaunchMark,
  isRunHandle,
  localHandle,
  type RunHandle,
  readRunRecord,
  sshHandle,
} from "../../src/domain/run-handle.js";
import { readSelfTest } from "../../src/domain/self-test.js";
import { signalName, signalOfExitCode } from "../../src/domain/signals.js";

describe("run handles", () => {
  const local = { kind: "local", token: "t1", runDir: "/r", scratch: "/s", pid: 12 };
  const ssh = { kind: "ssh", token: "t2", dir: "/home/u/run", pid: 99 };
  const slurm = { kind: "slurm", token: "t3", dir: "/home/u/run", jobId: "123", stdout: "o", stderr: "" };

  it("reads each runner's handle, a launch mark, and nothing else", () => {
    expect(readRunRecord(null)).toBeNull();
    expect(readRunRecord("")).toBeNull();
    expect(readRunRecord(JSON.stringify(local))).toEqual(local);
    expect(readRunRecord(JSON.stringify(ssh))).toEqual(ssh);
    expect(readRunRecord(JSON.stringify(slurm))).toEqual(slurm);
    expect(readRunRecord(JSON.stringify({ kind: "slurm", launching: "tok", at: 5 }))).toEqual({
      kind: "slurm",
      launching: "tok",
      at: 5,
    });
    expect(readRunRecord(JSON.stringify({ kind: "local", launching: "tok" }))).toEqual({
      kind: "local",
      launching: "tok",
      at: 0,
    });
    for (const text of [
      "not json",
      "null",
      "[1]",
      '"local"',
      JSON.stringify({ token: "t" }),
      JSON.stringify({ kind: "" }),
      JSON.stringify({ ...local, token: "" }),
      JSON.stringify({ ...local, runDir: undefined }),
      JSON.stringify({ ...local, scratch: 3 }),
      JSON.stringify({ ...ssh, pid: "99" }),
      JSON.stringify({ ...ssh, dir: "" }),
      JSON.stringify({ ...ssh, token: undefined }),
      JSON.stringify({ ...slurm, jobId: "" }),
      JSON.stringify({ ...slurm, stdout: undefined }),
      JSON.stringify({ ...slurm, stderr: 1 }),
      JSON.stringify({ ...slurm, dir: undefined }),
      JSON.stringify({ ...slurm, token: "" }),
      JSON.stringify({ kind: "local", launching: "" }),
    ]) {
      expect(readRunRecord(text), text).toEqual({ kind: "unreadable", text });
    }
  });

  it("tells launch marks, handles and unreadable records apart", () => {
    const mark = readRunRecord(JSON.stringify({ kind: "ssh", launching: "tok", at: 1 }));
    const handle = readRunRecord(JSON.stringify(ssh));
    const junk = readRunRecord("{");
    expect([isLaunchMark(mark), isLaunchMark(handle), isLaunchMark(junk), isLaunchMark(null)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect([isRunHandle(mark), isRunHandle(handle), isRunHandle(junk), isRunHandle(undefined)]).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });

  it("a handle given to the wrong runner is a program error naming both", () => {
    const l = local as RunHandle;
    const s = ssh as RunHandle;
    const b = slurm as RunHandle;
    expect(localHandle(l)).toBe(l);
    expect(sshHandle(s)).toBe(s);
    expect(batchHandle(b)).toBe(b);
    expect(() => localHandle(s)).toThrow("a ssh run was handed to the local runner");
    expect(() => sshHandle(b)).toThrow("a slurm run was handed to the ssh runner");
    expect(() => batchHandle(l)).toThrow("a local run was handed to the batch runner");
  });
});

describe("self-test lines", () => {
  it("programs found and missing, modules that failed, partitions with the default", () => {
    const found = readSelfTest(
      [
        "FOUND crystal /opt/crystal/bin/crystal",
        "FOUND mpirun /usr/bin/mpi run",
        "MISSING Pcrystal",
        "MODULE-FAILED CRYSTAL/23 not found",
        "PARTITION batch*",
        "PARTITION gpu",
        "PARTITION gpu",
        "  PARTITION debug  ",
        "FOUND",
        "",
        "NOISE x y",
      ].join("\n"),
    );
    expect(Object.fromEntries(found.programs)).toEqual({
      crystal: "/opt/crystal/bin/crystal",
      mpirun: "/usr/bin/mpi run",
    });
    expect([...found.missing]).toEqual(["Pcrystal"]);
    expect(found.modulesFailed).toEqual(["CRYSTAL/23 not found"]);
    expect(found.partitions).toEqual(["batch", "gpu", "debug"]);
    expect(found.defaultPartition).toBe("batch");
    expect(readSelfTest("PARTITION a\n").defaultPartition).toBeUndefined();
  });
});

describe("job times", () => {
  it("a move sets the time it is named for", () => {
    expect(timesSetBy("PENDING")).toEqual([]);
    expect(timesSetBy("QUEUED")).toEqual(["queued"]);
    expect(timesSetBy("RUNNING")).toEqual(["started"]);
    for (const end of ["COMPLETED", "FAILED", "CANCELLED", "SKIPPED"] as const)
      expect(timesSetBy(end), end).toEqual(["ended"]);
  });

  it("database times are UTC; the run time runs up to now while the job runs", () => {
    expect(parseDbTime("2026-01-02 03:04:05")).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseDbTime("2026-01-02 03:04:05.250")).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 250));
    expect(parseDbTime("2026-01-02T03:04:05+01:00")).toBe(Date.UTC(2026, 0, 2, 2, 4, 5));
    // in any time zone: the database's times carry none and are UTC
    const zone = process.env.TZ;
    try {
      process.env.TZ = "Asia/Kolkata";
      expect(parseDbTime("2026-01-02 03:04:05")).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
      expect(parseDbTime("2026-01-02 03:04")).toBe(Date.UTC(2026, 0, 2, 3, 4));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(parseDbTime(null)).toBeNull();
    expect(parseDbTime("")).toBeNull();
    expect(parseDbTime("yesterday")).toBeNull();
    const job = { startedAt: "2026-01-02 03:00:00", completedAt: "2026-01-02 03:01:30" };
    expect(runtimeSeconds(job)).toBe(90);
    const now = Date.UTC(2026, 0, 2, 3, 0, 10);
    expect(runtimeSeconds({ startedAt: job.startedAt, completedAt: null }, now)).toBe(10);
    expect(runtimeSeconds({ startedAt: null, completedAt: job.completedAt }, now)).toBeNull();
    // a clock that went back never gives a negative run time
    expect(runtimeSeconds({ startedAt: job.completedAt, completedAt: job.startedAt })).toBe(0);
  });
});

describe("signals", () => {
  it("exit codes 129–192 are deaths by signal, named as this system names them", () => {
    expect(signalName(9)).toBe("SIGKILL");
    expect(signalName(11)).toBe("SIGSEGV");
    expect(signalName(15)).toBe("SIGTERM");
    expect(signalName(250)).toBe("signal 250");
    expect(signalOfExitCode(137)).toBe("SIGKILL");
    expect(signalOfExitCode(129)).toBe("SIGHUP");
    expect(signalOfExitCode(192)).toBe("signal 64");
    for (const code of [null, 0, 1, 128, 193, 255]) expect(signalOfExitCode(code), String(code)).toBeNull();
  });
});

describe("step order", () => {
  const parents: Record<string, string[]> = { opt: [], freq: ["opt"], band: ["opt"], doss: ["band", "freq"] };
  const of = (g: Record<string, string[]>) => (n: string) => g[n] ?? [];

  it("every step after the steps it waits for", () => {
    const order = topologicalOrder(["doss", "band", "freq", "opt"], of(parents));
    expect(order).toEqual(["opt", "band", "freq", "doss"]);
    expect(topologicalOrder(["opt", "freq"], of(parents))).toEqual(["opt", "freq"]);
    expect(findCycle(Object.keys(parents), of(parents))).toBeNull();
  });

  it("a cycle is found and named from its first step back to it", () => {
    const g = { a: ["c"], b: ["a"], c: ["b"], d: [] };
    expect(findCycle(["d", "a", "b", "c"], of(g))).toEqual(["a", "c", "b", "a"]);
    expect(findCycle(["x"], of({ x: ["x"] }))).toEqual(["x", "x"]);
    // a cycle reached through a step outside it is named without that step
    expect(findCycle(["e"], of({ e: ["f"], f: ["g"], g: ["f"] }))).toEqual(["f", "g", "f"]);
  });
});
