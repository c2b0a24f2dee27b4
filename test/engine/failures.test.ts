// The failure vocabulary: every way the parser says a run failed has its words in a job's reason,
// and a workflow's recovery policy accepts exactly the failures it can get past. The words and the
// lists are written out here by hand, so a wrong table in src/domain/failures.ts fails a test.
import { describe, expect, it } from "vitest";
import type { CrystalResult } from "../../src/crystal/result.js";
import { decideOutcome } from "../../src/engine/outcome.js";
import { recoverableFailure } from "../../src/workflows/recovery.js";
import { parseWorkflowFile } from "../../src/workflows/workflow-file.js";

const WORDS: Record<string, string> = {
  scf_not_converged: "SCF did not converge",
  geometry_not_converged: "geometry optimisation did not converge",
  input_error: "CRYSTAL rejected the input",
  memory: "out of memory",
  mpi_abort: "MPI aborted",
  walltime: "walltime exceeded",
  killed: "killed",
  crashed: "crashed",
};

describe("the failure vocabulary", () => {
  it("each kind of failure reads in a chemist's words", () => {
    for (const [kind, words] of Object.entries(WORDS)) {
      const o = decideOutcome(
        { state: "finished", exitCode: 0 },
        { status: "failed", error_kind: kind, errors: ["the line CRYSTAL printed"] },
      );
      expect(o).toEqual({ status: "FAILED", reason: `${words}: the line CRYSTAL printed` });
    }
  });

  it("recovery policies take exactly the failures a retry can get past", () => {
    const recoverable = ["scf_not_converged", "walltime", "geometry_not_converged"];
    for (const kind of Object.keys(WORDS)) {
      expect(recoverableFailure({ status: "failed", error_kind: kind } as CrystalResult), kind).toBe(
        recoverable.includes(kind) ? kind : null,
      );
    }
    const file = parseWorkflowFile("steps:\n  a:\n    template: single-point\n    recovery: true\n", null);
    expect(file.steps[0]!.recovery!.on).toEqual(recoverable);
    expect(() =>
      parseWorkflowFile("steps:\n  a:\n    template: single-point\n    recovery: {on: [memory]}\n", null),
    ).toThrow(/memory/);
  });
});
