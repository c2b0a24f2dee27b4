// The Birch–Murnaghan fit recovers the parameters the energies were made from, over the range of
// real solids, and says plainly when energies cannot give an equation of state.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  birchMurnaghanEnergy,
  cellVolume,
  EosFitError,
  fitBirchMurnaghan,
  HARTREE_PER_A3_TO_GPA,
} from "../../src/workflows/eos.js";

const solid = fc.record({
  V0: fc.double({ min: 5, max: 500, noNaN: true }),
  E0: fc.double({ min: -5000, max: -1, noNaN: true }),
  B0_GPa: fc.double({ min: 5, max: 450, noNaN: true }),
  B0_prime: fc.double({ min: 2.5, max: 7, noNaN: true }),
});

/** A scan of n volumes from lo·V0 to hi·V0 (V0 inside). */
const scan = fc.record({
  n: fc.integer({ min: 5, max: 15 }),
  lo: fc.double({ min: 0.85, max: 0.97, noNaN: true }),
  hi: fc.double({ min: 1.03, max: 1.15, noNaN: true }),
});

function volumes(V0: number, s: { n: number; lo: number; hi: number }): number[] {
  return Array.from({ length: s.n }, (_, i) => V0 * (s.lo + ((s.hi - s.lo) * i) / (s.n - 1)));
}

describe("fitBirchMurnaghan", () => {
  it("recovers V0, E0, B0 and B0' from synthetic BM3 energies", () => {
    fc.assert(
      fc.property(solid, scan, (p, s) => {
        const points = volumes(p.V0, s).map((volume) => ({
          volume,
          energy: birchMurnaghanEnergy(volume, p),
        }));
        const fit = fitBirchMurnaghan(points);
        expect(Math.abs(fit.V0 - p.V0) / p.V0).toBeLessThan(1e-6);
        expect(Math.abs(fit.E0 - p.E0)).toBeLessThan(1e-7);
        expect(Math.abs(fit.B0_GPa - p.B0_GPa) / p.B0_GPa).toBeLessThan(1e-4);
        expect(Math.abs(fit.B0_prime - p.B0_prime)).toBeLessThan(1e-2);
        expect(fit.rms_residual_hartree).toBeLessThan(1e-8);
        expect(fit.points).toBe(s.n);
        expect(fit.warnings).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("recovers MgO-like parameters within their error under micro-Hartree noise", () => {
    const p = { V0: 18.65, E0: -275.2, B0_GPa: 160, B0_prime: 4.1 };
    const noise = [3, -2, 1, -3, 2, -1, 0, 2, -2].map((x) => x * 1e-7);
    const points = volumes(p.V0, { n: 9, lo: 0.9, hi: 1.1 }).map((volume, i) => ({
      volume,
      energy: birchMurnaghanEnergy(volume, p) + noise[i]!,
    }));
    const fit = fitBirchMurnaghan(points);
    expect(fit.V0).toBeCloseTo(18.65, 2);
    expect(fit.B0_GPa).toBeGreaterThan(155);
    expect(fit.B0_GPa).toBeLessThan(165);
    expect(fit.rms_residual_hartree).toBeGreaterThan(1e-8);
    expect(fit.rms_residual_hartree).toBeLessThan(1e-6);
  });

  it("does not depend on the order of the points", () => {
    const p = { V0: 40, E0: -100, B0_GPa: 90, B0_prime: 4.5 };
    const points = volumes(p.V0, { n: 7, lo: 0.92, hi: 1.08 }).map((volume) => ({
      volume,
      energy: birchMurnaghanEnergy(volume, p),
    }));
    const a = fitBirchMurnaghan(points);
    const b = fitBirchMurnaghan([...points].reverse());
    expect(b.V0).toBeCloseTo(a.V0, 9);
    expect(b.B0_GPa).toBeCloseTo(a.B0_GPa, 6);
  });

  it("warns when V0 lies outside the scanned volumes or only 4 volumes were given", () => {
    const p = { V0: 20, E0: -10, B0_GPa: 100, B0_prime: 4 };
    const shifted = [21, 22, 23, 24, 25].map((volume) => ({
      volume,
      energy: birchMurnaghanEnergy(volume, p),
    }));
    expect(fitBirchMurnaghan(shifted).warnings.join()).toMatch(/outside the volumes scanned/);
    const four = [19, 19.5, 20.5, 21].map((volume) => ({ volume, energy: birchMurnaghanEnergy(volume, p) }));
    expect(fitBirchMurnaghan(four).warnings.join()).toMatch(/only 4 volumes/);
  });

  it("says why it cannot fit", () => {
    expect(() => fitBirchMurnaghan([1, 2, 3].map((v) => ({ volume: v, energy: -v })))).toThrow(EosFitError);
    expect(() => fitBirchMurnaghan([1, 2, 3].map((v) => ({ volume: v, energy: -v })))).toThrow(
      /4 or more different volumes/,
    );
    // energies of the same volume repeated count once
    expect(() => fitBirchMurnaghan([10, 10, 10, 11, 12].map((v) => ({ volume: v, energy: v })))).toThrow(
      /got 3/,
    );
    // energies that only fall: no minimum (the stand-in replays one recording: all equal)
    expect(() => fitBirchMurnaghan([10, 11, 12, 13, 14].map((v) => ({ volume: v, energy: -v * v })))).toThrow(
      /no minimum/,
    );
    expect(() =>
      fitBirchMurnaghan([10, 11, 12, 13, 14].map((volume) => ({ volume, energy: -271.2 }))),
    ).toThrow(EosFitError);
  });
});

describe("units and cells", () => {
  it("converts Hartree/Å³ to GPa with CODATA 2018", () => {
    expect(HARTREE_PER_A3_TO_GPA).toBeCloseTo(4359.7447, 3);
  });

  it("computes cell volumes: cubic, the FCC primitive cell of MgO, hexagonal", () => {
    expect(cellVolume(4.21, 4.21, 4.21, 90, 90, 90)).toBeCloseTo(4.21 ** 3, 10);
    const a = 4.21 / Math.SQRT2;
    expect(cellVolume(a, a, a, 60, 60, 60)).toBeCloseTo(4.21 ** 3 / 4, 10);
    expect(cellVolume(3, 3, 5, 90, 90, 120)).toBeCloseTo(((3 * 3 * Math.sqrt(3)) / 2) * 5, 10);
  });
});
