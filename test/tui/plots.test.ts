import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { energyChanges, POINT, plotSeries } from "../../src/tui/plots.js";

const rowsOf = (lines: string[], height: number) => lines.slice(0, height);
/** Row index (0 = top) of the point in plot column `col` (after the label and axis). */
function pointRows(lines: string[], height: number): { row: number; col: number }[] {
  const out: { row: number; col: number }[] = [];
  rowsOf(lines, height).forEach((line, row) => {
    const axis = line.indexOf("┤");
    [...line.slice(axis + 1)].forEach((ch, col) => {
      if (ch === POINT) out.push({ row, col });
    });
  });
  return out;
}

describe("SCF convergence plot (log scale)", () => {
  test("|ΔE| per cycle of a real SCF: decades labelled, the biggest change at the top, the last at the bottom", () => {
    // the SCF of aiida-crystal17__mgo_sto3g_scf.out (cycles 1–7)
    const energies = [
      -2.7083377764568e2, -2.7115539010427e2, -2.7120959946427e2, -2.7121762617813e2, -2.7121811316474e2,
      -2.7121814333289e2, -2.7121814374931e2,
    ];
    const d = energyChanges(energies);
    expect(d).toHaveLength(6);
    expect(d[0]).toBeCloseTo(0.32161245859, 8);
    const lines = plotSeries(d, { width: 60, height: 8, log: true, xLabel: "cycle" });
    expect(lines).toHaveLength(10);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(60);
    expect(lines[0]).toMatch(/^\s*1e0┤/);
    // the last change is 4.2e-7 Ha: the axis ends at the decade below it
    expect(lines[7]).toMatch(/^\s*1e-7┤/);
    const pts = pointRows(lines, 8);
    expect(pts).toHaveLength(6);
    const first = pts.find((p) => p.col === 0)!;
    const last = pts.reduce((a, b) => (b.col > a.col ? b : a));
    expect(first.row).toBeLessThan(last.row);
    expect(lines[9]).toContain("cycle");
    expect(lines[9]!.trimEnd().endsWith("6")).toBe(true);
  });

  test("zero and negative changes cannot be drawn on a log axis and are left out", () => {
    const lines = plotSeries([1e-2, 0, 1e-4], { width: 40, height: 6, log: true });
    expect(pointRows(lines, 6)).toHaveLength(2);
  });

  test("an empty series says there is nothing to plot", () => {
    expect(plotSeries([], { width: 40, height: 6 })).toEqual(["(nothing to plot yet)"]);
    expect(plotSeries([0, -1], { width: 40, height: 6, log: true })).toEqual(["(nothing to plot yet)"]);
  });
});

describe("plot invariants (any series)", () => {
  const series = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), {
    minLength: 1,
    maxLength: 300,
  });
  const dims = fc.record({
    width: fc.integer({ min: 20, max: 200 }),
    height: fc.integer({ min: 2, max: 30 }),
  });

  test("every line fits the width; height + 2 lines; one point per drawable value that has its own column", () => {
    fc.assert(
      fc.property(series, dims, fc.boolean(), (ys, { width, height }, log) => {
        const lines = plotSeries(ys, { width, height, log });
        for (const l of lines) expect([...l].length).toBeLessThanOrEqual(width);
        const drawable = ys.filter((y) => Number.isFinite(y) && (!log || y > 0));
        if (drawable.length === 0) {
          expect(lines).toHaveLength(1);
          return;
        }
        expect(lines).toHaveLength(height + 2);
        const pts = pointRows(lines, height);
        expect(pts.length).toBeGreaterThanOrEqual(1);
        expect(pts.length).toBeLessThanOrEqual(drawable.length);
      }),
      { numRuns: 300 },
    );
  });

  test("a larger value is never drawn below a smaller one (the y axis is monotone)", () => {
    fc.assert(
      fc.property(series, dims, fc.boolean(), (ys, { width, height }, log) => {
        const lines = plotSeries(ys, { width: Math.max(width, ys.length + 20), height, log });
        const drawable = ys.map((y) => Number.isFinite(y) && (!log || y > 0));
        if (!drawable.some(Boolean)) return;
        const pts = pointRows(lines, height);
        // with at least as many columns as points, point i sits in its own column, in order
        const byCol = new Map(pts.map((p) => [p.col, p.row]));
        const cols = [...byCol.keys()].sort((a, b) => a - b);
        const values = ys.filter((_, i) => drawable[i]);
        expect(cols).toHaveLength(values.length);
        for (let i = 0; i < values.length; i++) {
          for (let j = 0; j < values.length; j++) {
            if (values[i]! > values[j]!)
              expect(byCol.get(cols[i]!)!).toBeLessThanOrEqual(byCol.get(cols[j]!)!);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
