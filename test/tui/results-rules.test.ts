// The rules behind the results' marks, against literal tables written by hand: when an energy is
// final, the lowest final energy, the list's marks; and the elastic tensor's eigenvalues (Born's
// stability criterion) against the cubic formula and the matrix's own invariants.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { energyStanding, lowestFinalEnergy } from "../../src/domain/final-energy.js";
import type { JobStatus } from "../../src/domain/status.js";
import { symmetricEigenvalues } from "../../src/tui/components/results/elastic.js";
import { energyText, jobMarks } from "../../src/tui/components/results/list-marks.js";

describe("an energy is final only when its run reached its goal", () => {
  // job status, the result's own status and error kind → final?, words of why not
  const TABLE: [JobStatus, string | null, string | null, boolean, string][] = [
    ["COMPLETED", "completed", null, true, ""],
    ["COMPLETED", null, null, true, ""], // an earlier tool's result: the job's status decides
    ["FAILED", "completed", null, true, ""], // converged, then e.g. MPI_Finalize failed: the energy is good
    ["FAILED", "failed", "geometry_not_converged", false, "the geometry optimisation did not converge"],
    ["FAILED", "failed", "scf_not_converged", false, "the SCF did not converge"],
    ["FAILED", "incomplete", "walltime", false, "the run reached its time limit"],
    ["FAILED", "incomplete", "killed", false, "the run was killed before it finished"],
    ["FAILED", "incomplete", null, false, "the run stopped before it finished"],
    ["FAILED", "failed", null, false, "the run failed"],
    ["CANCELLED", "incomplete", null, false, "the run stopped before it finished"],
    ["FAILED", null, null, false, "the job is FAILED"],
    ["CANCELLED", null, null, false, "the job is CANCELLED"],
    ["RUNNING", "completed", null, false, "the job is still running"],
    ["QUEUED", null, null, false, "the job is still running"],
  ];
  test.each(TABLE)("%s with a %s result (%s) → final %s", (job, status, kind, final, why) => {
    const s = energyStanding(job, status === null ? null : { status, error_kind: kind });
    expect(s.final).toBe(final);
    if (!s.final) expect(s.why).toBe(why);
  });

  test("the lowest energy leaves out runs whose energy is not final, whatever their order", () => {
    const jobs = [
      { id: 1, e: -271.2, final: true },
      { id: 2, e: -271.9, final: false }, // lowest, but an optimisation that did not converge
      { id: 3, e: -271.25, final: true },
      { id: 4, e: null, final: true },
      { id: 5, e: Number.NaN, final: true },
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(jobs, { minLength: 0 }), (some) => {
        const best = lowestFinalEnergy(
          some,
          (j) => j.e,
          (j) => (j.final ? { final: true } : { final: false, why: "x" }),
        );
        const expected = some.filter((j) => j.final && j.e !== null && Number.isFinite(j.e));
        if (expected.length === 0) expect(best).toBeNull();
        else expect(best!.job.id).toBe(expected.some((j) => j.id === 3) ? 3 : 1);
      }),
    );
  });
});

describe("the job list's marks", () => {
  test("~ after an energy that is not final, ⚠ for imaginary modes, a blank otherwise", () => {
    const base = { finalEnergy: -271.25962069, imaginaryModes: null };
    expect(jobMarks({ ...base, status: "COMPLETED", verdict: { status: "completed" } })).toMatchObject({
      energy: "-271.25962069",
      mark: " ",
      bad: false,
      why: [],
    });
    const nc = jobMarks({
      ...base,
      status: "FAILED",
      verdict: { status: "failed", error_kind: "geometry_not_converged" },
    });
    expect(nc.mark).toBe("~");
    expect(nc.why).toEqual(["~ not a final energy: the geometry optimisation did not converge"]);
    const imag = jobMarks({
      ...base,
      status: "COMPLETED",
      verdict: { status: "completed" },
      imaginaryModes: 2,
    });
    expect(imag.mark).toBe("⚠");
    expect(imag.why).toEqual(["⚠ 2 imaginary modes"]);
    // no energy: nothing to mark as not final (a failed SCF has none)
    expect(
      jobMarks({ ...base, finalEnergy: null, status: "FAILED", verdict: { status: "failed" } }).mark,
    ).toBe(" ");
  });

  test("energies keep to 14 columns: fewer decimals for a big cell", () => {
    expect(energyText(-271.21814374931)).toBe("-271.21814375");
    expect(energyText(-3747.550819471)).toBe("-3747.55081947");
    expect(energyText(-123456.123456789)).toBe("-123456.123457");
    expect(energyText(null)).toBe("");
    fc.assert(
      fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), (e) => {
        expect(energyText(e).length).toBeLessThanOrEqual(14);
        expect(Number(energyText(e))).toBeCloseTo(e, 2);
      }),
    );
  });
});

describe("elastic tensor eigenvalues (Born's criterion)", () => {
  test("cubic MgO: C11 + 2 C12 once, C11 − C12 twice, C44 three times", () => {
    const [c11, c12, c44] = [1024.92, 193.388, 289.268];
    const c = [
      [c11, c12, c12, 0, 0, 0],
      [c12, c11, c12, 0, 0, 0],
      [c12, c12, c11, 0, 0, 0],
      [0, 0, 0, c44, 0, 0],
      [0, 0, 0, 0, c44, 0],
      [0, 0, 0, 0, 0, c44],
    ];
    const expected = [c44, c44, c44, c11 - c12, c11 - c12, c11 + 2 * c12];
    symmetricEigenvalues(c).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 8);
    });
  });

  test("any symmetric matrix: the eigenvalues sum to the trace, their squares to the squared entries", () => {
    const n = fc.integer({ min: 1, max: 6 });
    fc.assert(
      fc.property(
        n.chain((size) =>
          fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), {
            minLength: (size * (size + 1)) / 2,
            maxLength: (size * (size + 1)) / 2,
          }),
        ),
        (upper) => {
          const size = Math.round((Math.sqrt(8 * upper.length + 1) - 1) / 2);
          const m = Array.from({ length: size }, () => Array<number>(size).fill(0));
          let k = 0;
          for (let i = 0; i < size; i++)
            for (let j = i; j < size; j++) {
              m[i]![j] = upper[k]!;
              m[j]![i] = upper[k++]!;
            }
          const values = symmetricEigenvalues(m);
          const trace = m.reduce((a, r, i) => a + r[i]!, 0);
          const frobenius = m.flat().reduce((a, x) => a + x * x, 0);
          const scale = Math.max(1, Math.sqrt(frobenius));
          expect(Math.abs(values.reduce((a, v) => a + v, 0) - trace)).toBeLessThan(1e-8 * scale);
          expect(Math.abs(values.reduce((a, v) => a + v * v, 0) - frobenius)).toBeLessThan(
            1e-8 * scale * scale,
          );
          for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
        },
      ),
      { numRuns: 300 },
    );
  });
});
