// The final status and its reason for every combination a user can meet — the runner's view (exit
// code, signal, the scheduler's own stop, a cancel) with the output's verdict — each reason written
// out here as the user reads it in `job show`, not built from the code's words.
import { describe, expect, it } from "vitest";
import { decideOutcome, type ParsedOutcome } from "../../src/engine/outcome.js";
import type { RunState } from "../../src/runners/types.js";

type Finished = Extract<RunState, { state: "finished" }>;
const run = (r: Partial<Finished> = {}): Finished => ({ state: "finished", exitCode: 0, ...r });
const done: ParsedOutcome = { status: "completed", error_kind: null, errors: [] };
const scf: ParsedOutcome = {
  status: "failed",
  error_kind: "scf_not_converged",
  errors: ["  TOO MANY CYCLES  "],
};
const kindOnly: ParsedOutcome = { status: "failed", error_kind: "input_error", errors: [] };
const lineOnly: ParsedOutcome = { status: "failed", error_kind: null, errors: ["ERROR **** NEIGH"] };
const stopped: ParsedOutcome = { status: "incomplete", error_kind: null, errors: [] };
const bare: ParsedOutcome = { status: "failed", error_kind: null, errors: [] };
const unknownKind: ParsedOutcome = { status: "failed", error_kind: "gremlins", errors: [] };

describe("run outcome, every case", () => {
  const cases: [
    string,
    Finished,
    ParsedOutcome | null,
    { cancelRequested?: boolean },
    string,
    string | null,
  ][] = [
    ["exit 0, completed", run(), done, {}, "COMPLETED", null],
    ["exit 0, SCF failed", run(), scf, {}, "FAILED", "SCF did not converge: TOO MANY CYCLES"],
    ["exit 0, a kind and no line", run(), kindOnly, {}, "FAILED", "CRYSTAL rejected the input"],
    ["exit 0, a line and no kind", run(), lineOnly, {}, "FAILED", "ERROR **** NEIGH"],
    ["exit 0, unknown kind", run(), unknownKind, {}, "FAILED", "gremlins"],
    [
      "exit 0, output stops",
      run(),
      stopped,
      {},
      "FAILED",
      "output incomplete: the run stopped before CRYSTAL finished",
    ],
    ["exit 0, failed with nothing said", run(), bare, {}, "FAILED", "CRYSTAL reported a failure"],
    ["no output", run(), null, {}, "FAILED", "no CRYSTAL output was produced"],
    ["no output, runner says why", run({ reason: "scratch full" }), null, {}, "FAILED", "scratch full"],
    ["exit 1, completed output", run({ exitCode: 1 }), done, {}, "FAILED", "exit code 1"],
    [
      "exit 2, SCF failed",
      run({ exitCode: 2 }),
      scf,
      {},
      "FAILED",
      "exit code 2: SCF did not converge: TOO MANY CYCLES",
    ],
    [
      "exit 1, output stops",
      run({ exitCode: 1 }),
      stopped,
      {},
      "FAILED",
      "exit code 1: output incomplete: the run stopped before CRYSTAL finished",
    ],
    ["exit null, completed", run({ exitCode: null }), done, {}, "COMPLETED", null],
    ["exit 137, completed output", run({ exitCode: 137 }), done, {}, "FAILED", "killed by SIGKILL"],
    [
      "exit 139, SCF failed",
      run({ exitCode: 139 }),
      scf,
      {},
      "FAILED",
      "killed by SIGSEGV (SCF did not converge: TOO MANY CYCLES)",
    ],
    [
      "exit 137, output stops without a line",
      run({ exitCode: 137 }),
      stopped,
      {},
      "FAILED",
      "killed by SIGKILL",
    ],
    ["exit 137, no output", run({ exitCode: 137 }), null, {}, "FAILED", "killed by SIGKILL"],
    ["signal, exit 0", run({ signal: "SIGTERM" }), done, {}, "FAILED", "killed by SIGTERM"],
    [
      "signal, output with a line",
      run({ signal: "SIGBUS", exitCode: null }),
      lineOnly,
      {},
      "FAILED",
      "killed by SIGBUS (ERROR **** NEIGH)",
    ],
    [
      "scheduler stop, output stops",
      run({ stoppedByScheduler: true, reason: "walltime exceeded (--time 01:00:00)", exitCode: null }),
      stopped,
      {},
      "FAILED",
      "walltime exceeded (--time 01:00:00) (output incomplete: the run stopped before CRYSTAL finished)",
    ],
    [
      "scheduler stop, output completed",
      run({ stoppedByScheduler: true, reason: "node failure" }),
      done,
      {},
      "FAILED",
      "node failure",
    ],
    [
      "scheduler stop, no output, no reason",
      run({ stoppedByScheduler: true }),
      null,
      {},
      "FAILED",
      "stopped by the scheduler",
    ],
    ["cancelled run", run({ cancelled: true }), done, {}, "CANCELLED", "cancelled by user"],
    [
      "cancelled run with the runner's reason",
      run({ cancelled: true, reason: "cancelled: cluster removed" }),
      null,
      {},
      "CANCELLED",
      "cancelled: cluster removed",
    ],
    [
      "cancel asked, the run failed",
      run({ exitCode: 1 }),
      scf,
      { cancelRequested: true },
      "CANCELLED",
      "cancelled by user",
    ],
    [
      "cancel asked, killed",
      run({ exitCode: 143 }),
      done,
      { cancelRequested: true },
      "CANCELLED",
      "cancelled by user",
    ],
    [
      "cancel asked, signal with exit 0",
      run({ signal: "SIGTERM" }),
      done,
      { cancelRequested: true },
      "CANCELLED",
      "cancelled by user",
    ],
    [
      "cancel asked, output stops",
      run(),
      stopped,
      { cancelRequested: true },
      "CANCELLED",
      "cancelled by user",
    ],
    ["cancel asked too late: it completed", run(), done, { cancelRequested: true }, "COMPLETED", null],
  ];
  for (const [name, r, parsed, options, status, reason] of cases) {
    it(name, () => {
      expect(decideOutcome(r, parsed, options)).toEqual({ status, reason });
    });
  }
});
