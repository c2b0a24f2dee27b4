// How a finished run becomes a final status: the exit code and the CRYSTAL output together, on real
// recorded outputs. A zero exit never hides a failed output; a complete output never hides a crash.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseOutputFile } from "../../src/crystal/output-parser.js";
import { decideOutcome, type ParsedOutcome, signalOfExitCode } from "../../src/engine/outcome.js";
import { FIXTURES } from "../helpers/project.js";

const parsed = async (name: string, stderrText?: string) =>
  (await parseOutputFile(
    path.join(FIXTURES, name),
    stderrText ? { stderrText } : {},
  )) as unknown as ParsedOutcome;

describe("run outcome", () => {
  it("exit 0 and a completed output → COMPLETED", async () => {
    expect(
      decideOutcome({ state: "finished", exitCode: 0 }, await parsed("aiida-crystal17__mgo_sto3g_scf.out")),
    ).toEqual({
      status: "COMPLETED",
      reason: null,
    });
  });

  it("exit 0 with a normal banner but TOO MANY CYCLES → FAILED, SCF did not converge", async () => {
    const o = decideOutcome(
      { state: "finished", exitCode: 0 },
      await parsed("aiida-crystal17__nio_sto3g_afm_scf_maxcyc.out"),
    );
    expect(o.status).toBe("FAILED");
    expect(o.reason).toMatch(/^SCF did not converge/);
  });

  it("an output that stops mid-run → FAILED (incomplete), never COMPLETED", async () => {
    const o = decideOutcome(
      { state: "finished", exitCode: 0 },
      await parsed("aiida-crystal17__cry17_incomplete_scf.out"),
    );
    expect(o.status).toBe("FAILED");
  });

  it("a complete output with a non-zero exit or a signal → FAILED with the exit", async () => {
    const ok = await parsed("aiida-crystal17__mgo_sto3g_scf.out");
    expect(decideOutcome({ state: "finished", exitCode: 2 }, ok)).toEqual({
      status: "FAILED",
      reason: "exit code 2",
    });
    expect(decideOutcome({ state: "finished", exitCode: 139 }, ok).reason).toBe("killed by SIGSEGV");
    expect(decideOutcome({ state: "finished", exitCode: null, signal: "SIGKILL" }, ok).reason).toBe(
      "killed by SIGKILL",
    );
  });

  it("a scheduler's walltime verdict is kept, with the parser's view", async () => {
    const out = await parsed(
      "aiida-crystal17__nio_sto3g_afm_opt_walltime.out",
      "slurmstepd: error: *** JOB 123 ON node01 CANCELLED AT 2019-01-01T00:00:00 DUE TO TIME LIMIT ***",
    );
    const o = decideOutcome(
      {
        state: "finished",
        exitCode: 0,
        schedulerState: "TIMEOUT",
        stoppedByScheduler: true,
        reason: "walltime exceeded (--time 00:01:00)",
      },
      out,
    );
    expect(o.status).toBe("FAILED");
    expect(o.reason).toMatch(/^walltime exceeded \(--time 00:01:00\)/);
  });

  it("cancelled → CANCELLED, unless the run had already completed when the cancel arrived", async () => {
    const ok = await parsed("aiida-crystal17__mgo_sto3g_scf.out");
    const cut = await parsed("aiida-crystal17__cry17_incomplete_scf.out");
    expect(decideOutcome({ state: "finished", exitCode: 143 }, cut, { cancelRequested: true }).status).toBe(
      "CANCELLED",
    );
    expect(decideOutcome({ state: "finished", exitCode: 0 }, ok, { cancelRequested: true }).status).toBe(
      "COMPLETED",
    );
    expect(
      decideOutcome(
        {
          state: "finished",
          exitCode: null,
          cancelled: true,
          reason: "cancelled by jmtest outside crystal-tui",
        },
        cut,
      ),
    ).toEqual({ status: "CANCELLED", reason: "cancelled by jmtest outside crystal-tui" });
  });

  it("no output at all → FAILED, and exit codes above 128 name their signal", () => {
    expect(decideOutcome({ state: "finished", exitCode: 0 }, null)).toEqual({
      status: "FAILED",
      reason: "no CRYSTAL output was produced",
    });
    expect(signalOfExitCode(137)).toBe("SIGKILL");
    expect(signalOfExitCode(143)).toBe("SIGTERM");
    expect(signalOfExitCode(1)).toBeNull();
  });
});
