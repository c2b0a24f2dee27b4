import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  energyChanges,
  labelLine,
  layoutSeries,
  logDecades,
  niceTicks,
  POINT,
  plotSeries,
} from "../../src/tui/plots.js";

/** Row index (0 = top) and column (after the axis) of every point drawn. */
function pointCells(lines: string[], height: number): { row: number; col: number }[] {
  const out: { row: number; col: number }[] = [];
  lines.slice(0, height).forEach((line, row) => {
    const axis = line.indexOf("┤");
    [...line.slice(axis + 1)].forEach((ch, col) => {
      if (ch === POINT) out.push({ row, col });
    });
  });
  return out;
}

/** The y label of each row (text left of the axis), "" where none. */
const yLabelsOf = (lines: string[], height: number) =>
  lines.slice(0, height).map((l) => l.slice(0, l.indexOf("┤")).trim());

// the SCF of aiida-crystal17__mgo_sto3g_scf.out: CYC 0 (the guess) then cycles 1–7
const MGO_GUESS = -2.706739657077e2;
const MGO_CYCLES = [
  -2.711666822111e2, -2.712134676811e2, -2.712170056968e2, -2.712181418677e2, -2.712181436129e2,
  -2.712181437444e2, -2.712181437493e2,
];

describe("SCF convergence plot (log scale)", () => {
  test("every cycle CRYSTAL printed is drawn: cycle 1 against the guess, x labelled with cycle numbers", () => {
    const d = energyChanges(MGO_CYCLES, MGO_GUESS);
    expect(d).toHaveLength(7);
    // CRYSTAL printed DETOT -4.93E-01 for cycle 1, -4.68E-02 for cycle 2
    expect(d[0]).toBeCloseTo(0.4927165034, 8);
    expect(d[1]).toBeCloseTo(0.04678547, 7);
    const lines = plotSeries(d, { width: 60, height: 8, log: true, xLabel: "cycle" });
    expect(lines).toHaveLength(10);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(60);
    const pts = pointCells(lines, 8);
    expect(pts).toHaveLength(7);
    // cycle 1 is in the first column, cycle 7 in the last
    expect(pts.some((p) => p.col === 0)).toBe(true);
    expect(Math.max(...pts.map((p) => p.col))).toBe(lines[0]!.length - lines[0]!.indexOf("┤") - 2);
    const x = lines[9]!;
    expect(x.trim().startsWith("1")).toBe(true);
    expect(x.trimEnd().endsWith("7")).toBe(true);
    expect(x).toContain("cycle");
    // 0.49 Ha at the top decade, 4.9e-9 Ha above the bottom one
    expect(yLabelsOf(lines, 8)[0]).toBe("1e0");
    expect(yLabelsOf(lines, 8).filter(Boolean).at(-1)).toMatch(/^1e-9$|^1e-10$/);
  });

  test("without the guess's energy, cycle 1 is a gap but still on the axis", () => {
    const d = energyChanges(MGO_CYCLES);
    expect(d).toHaveLength(7);
    expect(Number.isNaN(d[0])).toBe(true);
    const lines = plotSeries(d, { width: 60, height: 8, log: true, xLabel: "cycle" });
    expect(pointCells(lines, 8)).toHaveLength(6);
    expect(lines[9]!.trim().startsWith("1")).toBe(true);
  });

  test("twelve decades on the 6 rows of an 80×24 screen keep their labels: every other decade, both ends", () => {
    const values = Array.from({ length: 30 }, (_, i) => 10 ** (-(i * 12) / 29));
    const lines = plotSeries(values, { width: 78, height: 6, log: true, xLabel: "cycle" });
    const labels = yLabelsOf(lines, 6);
    expect(labels[0]).toBe("1e0");
    expect(labels[5]).toMatch(/^1e-1[2-5]$/);
    const shown = labels.filter(Boolean).map((l) => Number(l.slice(2)));
    expect(shown.length).toBeGreaterThanOrEqual(4);
    const steps = new Set(shown.slice(1).map((e, i) => shown[i]! - e));
    expect(steps.size).toBe(1); // evenly spaced decades
  });

  test("zero and negative changes cannot be drawn on a log axis and are left out", () => {
    const lines = plotSeries([1e-2, 0, 1e-4], { width: 40, height: 6, log: true });
    expect(pointCells(lines, 6)).toHaveLength(2);
  });

  test("an empty series says there is nothing to plot", () => {
    expect(plotSeries([], { width: 40, height: 6 })).toEqual(["(nothing to plot yet)"]);
    expect(plotSeries([0, -1], { width: 40, height: 6, log: true })).toEqual(["(nothing to plot yet)"]);
  });

  test("an optimisation's energies on a linear axis with round labels", () => {
    const e = [-271.2181, -271.24, -271.255, -271.259, -271.25962, -271.2596206888];
    const lines = plotSeries(e, { width: 70, height: 8, xLabel: "step" });
    const labels = yLabelsOf(lines, 8).filter(Boolean);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const l of labels) expect(l).toMatch(/^-271\.2\d$/);
    expect(pointCells(lines, 8)).toHaveLength(6);
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

  test("every point lands in the cell its x and y give on the axes the plot reports", () => {
    fc.assert(
      fc.property(series, dims, fc.boolean(), (ys, { width, height }, log) => {
        const layout = layoutSeries(ys, { width, height, log });
        const drawable = ys.map((y) => Number.isFinite(y) && (!log || y > 0));
        if (!drawable.some(Boolean)) {
          expect(layout.lines).toHaveLength(1);
          return;
        }
        expect(layout.lines).toHaveLength(height + 2);
        for (const l of layout.lines) expect([...l].length).toBeLessThanOrEqual(width);
        const { lo, hi } = layout.y;
        const expected = new Set<string>();
        ys.forEach((v, i) => {
          if (!drawable[i]) return;
          const y = log ? Math.log10(v) : v;
          const x = i + 1;
          // the oracle: linear interpolation of the reported ranges onto rows and columns
          const row = Math.round(((hi - y) / (hi - lo)) * (height - 1));
          const col =
            layout.x.hi === layout.x.lo
              ? 0
              : Math.round(((x - layout.x.lo) / (layout.x.hi - layout.x.lo)) * (layout.plotWidth - 1));
          expect(row).toBeGreaterThanOrEqual(0);
          expect(row).toBeLessThan(height);
          expect([...layout.lines[row]!][layout.plotLeft + col]).toBe(POINT);
          expected.add(`${row}:${col}`);
        });
        // and nothing else is drawn
        expect(pointCells(layout.lines, height)).toHaveLength(expected.size);
      }),
      { numRuns: 300 },
    );
  });

  test("a log axis labels its top and bottom decades, each on the row where that decade is drawn", () => {
    fc.assert(
      fc.property(series, dims, (ys, { width, height }) => {
        const layout = layoutSeries(ys, { width, height, log: true });
        if (!ys.some((y) => y > 0)) return;
        const { lo, hi } = layout.y;
        const labels = yLabelsOf(layout.lines, height);
        expect(labels[0]).toBe(`1e${hi}`);
        expect(labels[height - 1]).toBe(`1e${lo}`);
        for (const [row, text] of labels.entries()) {
          if (!text) continue;
          const e = Number(text.slice(2));
          expect(Math.round(((hi - e) / (hi - lo)) * (height - 1)) + 0).toBe(row);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("the x labels never overlap and the first and last x are always labelled", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), dims, (n, { width, height }) => {
        const lines = plotSeries(
          Array.from({ length: n }, (_, i) => i + 1),
          { width, height, xLabel: "cycle" },
        );
        const x = lines.at(-1)!;
        const words = x.trim().split(/ +/);
        expect(words[0]).toBe("1");
        if (n > 1) expect(words.at(-1)).toBe(String(n));
        // labels are words separated by at least one blank: the numbers read increase left to right
        const numbers = words.filter((w) => /^\d+$/.test(w)).map(Number);
        for (let i = 1; i < numbers.length; i++) expect(numbers[i]!).toBeGreaterThan(numbers[i - 1]!);
      }),
      { numRuns: 300 },
    );
  });
});

describe("axis helpers", () => {
  test("niceTicks: round, evenly spaced values (1, 2 or 5 × 10^k apart) inside the range", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e5, noNaN: true }),
        fc.integer({ min: 2, max: 20 }),
        (lo, span, max) => {
          const hi = lo + span;
          const ticks = niceTicks(lo, hi, max);
          if (max >= 3) expect(ticks.length).toBeGreaterThanOrEqual(1);
          expect(ticks.length).toBeLessThanOrEqual(max);
          for (const t of ticks) {
            expect(t).toBeGreaterThanOrEqual(lo - span * 1e-6);
            expect(t).toBeLessThanOrEqual(hi + span * 1e-6);
          }
          if (ticks.length >= 2) {
            const step = ticks[1]! - ticks[0]!;
            const decade = 10 ** Math.floor(Math.log10(step) + 1e-6);
            // a double near 66666 holds ~1e-11: the step is round up to what the values can hold
            const slack = 1e-10 * Math.max(1, Math.abs(lo), Math.abs(hi));
            const mantissa = [1, 2, 5, 10].find((m) => Math.abs(step - m * decade) <= slack);
            expect(mantissa).toBeDefined();
            // and it is the finest round step that fits: the next finer one gives more than `max`
            const finer = mantissa! * decade * (mantissa === 5 ? 0.4 : 0.5);
            const inRange = Math.floor(hi / finer + 1e-9) - Math.ceil(lo / finer - 1e-9) + 1;
            expect(inRange).toBeGreaterThan(max);
            for (let i = 2; i < ticks.length; i++)
              expect(Math.abs(ticks[i]! - ticks[i - 1]! - step)).toBeLessThanOrEqual(2 * slack);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("logDecades: a whole number of label steps, every step fits a row", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -40, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 30 }),
        (lo, span, rows) => {
          const d = logDecades(lo, lo + span, rows);
          expect(d.hi).toBe(lo + span);
          expect(d.lo).toBeLessThanOrEqual(lo);
          expect((d.hi - d.lo) % d.step).toBe(0);
          expect((d.hi - d.lo) / d.step).toBeLessThanOrEqual(rows - 1);
          expect(d.lo).toBeGreaterThan(lo - d.step);
        },
      ),
    );
  });

  test("labelLine: placed labels fit the width, keep a blank between them, and the first one wins", () => {
    const label = fc.record({
      col: fc.integer({ min: -5, max: 120 }),
      text: fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom("Γ", "X", "W", "|", "1", "a") }),
      align: fc.constantFrom("start" as const, "center" as const, "end" as const),
    });
    fc.assert(
      fc.property(fc.array(label, { maxLength: 30 }), fc.integer({ min: 1, max: 120 }), (labels, width) => {
        const { line, placed } = labelLine(labels, width);
        expect([...line]).toHaveLength(width);
        const spans = placed.map((p) => [p.start, p.start + [...p.label.text].length - 1] as const);
        for (const [a, b] of spans) {
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThan(width);
        }
        for (let i = 0; i < spans.length; i++)
          for (let j = i + 1; j < spans.length; j++) {
            const [a1, b1] = spans[i]!;
            const [a2, b2] = spans[j]!;
            expect(b1 + 1 < a2 || b2 + 1 < a1).toBe(true);
          }
        for (const p of placed)
          expect([...line].slice(p.start, p.start + [...p.label.text].length).join("")).toBe(p.label.text);
        const first = labels[0];
        if (first && [...first.text].length <= width) expect(placed[0]?.label).toBe(first);
      }),
      { numRuns: 300 },
    );
  });
});
