// What `job show` says about a job's dependencies: one line per dependency not met, in the user's
// words, written out here.
import { describe, expect, it } from "vitest";
import { evaluateDependencies, isDependencyType } from "../../src/domain/dependencies.js";
import { isJobStatus } from "../../src/domain/status.js";

describe("dependency reasons", () => {
  it("says what each unmet dependency waits for, or that it can never be met", () => {
    expect(
      evaluateDependencies([
        { parentId: 1, parentName: "opt", parentStatus: "RUNNING", type: "after_ok" },
        { parentId: 2, parentStatus: "QUEUED", type: "after_any" },
        { parentId: 3, parentName: "scf", parentStatus: "PENDING", type: "after_failed" },
        { parentId: 4, parentName: "freq", parentStatus: "COMPLETED", type: "after_ok" },
      ]),
    ).toEqual({
      ok: false,
      never: false,
      reasons: [
        "waiting for job 1 (opt) (RUNNING) to complete",
        "waiting for job 2 (QUEUED) to finish",
        "waiting for job 3 (scf) (PENDING) to fail",
      ],
    });
    expect(
      evaluateDependencies([
        { parentId: 5, parentName: "opt", parentStatus: "CANCELLED", type: "after_failed" },
        { parentId: 6, parentStatus: "FAILED", type: "after_ok" },
        { parentId: 7, parentStatus: "FAILED", type: "after_failed" },
      ]),
    ).toEqual({
      ok: false,
      never: true,
      reasons: [
        "after_failed job 5 (opt) can never be met: it ended CANCELLED",
        "after_ok job 6 can never be met: it ended FAILED",
      ],
    });
    expect(evaluateDependencies([])).toEqual({ ok: true, never: false, reasons: [] });
  });

  it("knows the words of its types and statuses, nothing else", () => {
    for (const t of ["after_ok", "after_any", "after_failed"]) expect(isDependencyType(t), t).toBe(true);
    for (const t of ["afterok", "AFTER_OK", "", null, 1]) expect(isDependencyType(t), String(t)).toBe(false);
    for (const s of ["PENDING", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "SKIPPED"])
      expect(isJobStatus(s), s).toBe(true);
    for (const s of ["pending", "DONE", "", undefined, 3]) expect(isJobStatus(s), String(s)).toBe(false);
  });
});
