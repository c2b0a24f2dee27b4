// The convergence table: each scanned value against the previous and the last (most converged).
import { describe, expect, it } from "vitest";
import { convergenceTable } from "../../src/workflows/convergence.js";

const point = (value: number, quantity: number | null, status = "COMPLETED") => ({
  value,
  jobId: value,
  status,
  quantity,
});

describe("convergenceTable", () => {
  it("finds the first SHRINK from which every later one is within tolerance of the last", () => {
    const t = convergenceTable(
      [point(4, -271.2), point(6, -271.21), point(8, -271.21005), point(10, -271.210001), point(12, -271.21)],
      "final_energy_hartree",
      1e-4,
    );
    expect(t.reference).toBe(12);
    expect(t.converged_at).toBe(6);
    expect(t.rows.map((r) => r.within_tolerance)).toEqual([false, true, true, true, true]);
    expect(t.rows[1]!.delta_previous).toBeCloseTo(-0.01, 10);
    expect(t.rows[0]!.delta_last).toBeCloseTo(0.01, 10);
    expect(t.missing).toBe(0);
  });

  it("is not converged when the last two disagree, and skips points without results", () => {
    const t = convergenceTable(
      [point(4, -1), point(6, null, "FAILED"), point(8, -1.5), point(10, -2)],
      "e",
      1e-3,
    );
    // only the reference agrees with itself: nothing is shown to be converged
    expect(t.converged_at).toBeNull();
    expect(t.rows[1]).toMatchObject({ quantity: null, delta_previous: null, within_tolerance: null });
    expect(t.rows[2]!.delta_previous).toBe(-0.5);
    expect(t.missing).toBe(1);
    const one = convergenceTable([point(4, -1)], "e", 1);
    expect(one.converged_at).toBeNull();
  });
});
