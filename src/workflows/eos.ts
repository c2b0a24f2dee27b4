// The third-order Birch–Murnaghan equation of state, fitted to energies at several volumes:
// equilibrium volume V0, energy E0, bulk modulus B0 and its pressure derivative B0'.
//
// The fit is exact linear least squares: BM3 is a cubic polynomial in x = V^(-2/3), so
// E = c0 + c1·x + c2·x² + c3·x³ is fitted (x centred and scaled, solved by QR), and V0, E0, B0, B0'
// follow from the polynomial's minimum and its derivatives there. No starting guess, no iterations.

/** 1 Ha/Å³ in GPa (CODATA 2018 Hartree energy: 4.3597447222071e-18 J). */
export const HARTREE_PER_A3_TO_GPA = 4359.7447222071;

export interface EosPoint {
  /** Cell volume, Å³. */
  volume: number;
  /** Total energy, Hartree. */
  energy: number;
}

export interface EosFit {
  /** Equilibrium volume, Å³. */
  V0: number;
  /** Energy at V0, Hartree. */
  E0: number;
  /** Bulk modulus at V0, GPa. */
  B0_GPa: number;
  /** Pressure derivative of the bulk modulus at V0 (dimensionless). */
  B0_prime: number;
  /** Root-mean-square deviation of the fitted energies from the data, Hartree. */
  rms_residual_hartree: number;
  points: number;
  warnings: string[];
}

export class EosFitError extends Error {
  override readonly name = "EosFitError";
}

export interface BirchMurnaghanParams {
  V0: number;
  E0: number;
  /** GPa */
  B0_GPa: number;
  B0_prime: number;
}

/** The BM3 energy at volume V (for tests, benchmarks and plots). */
export function birchMurnaghanEnergy(volume: number, p: BirchMurnaghanParams): number {
  const B0 = p.B0_GPa / HARTREE_PER_A3_TO_GPA;
  const eta = (p.V0 / volume) ** (2 / 3);
  const s = eta - 1;
  return p.E0 + ((9 * p.V0 * B0) / 16) * (s ** 3 * p.B0_prime + s ** 2 * (6 - 4 * eta));
}

/** Least squares A·c ≈ b by modified Gram–Schmidt QR (A is n×m, n ≥ m, small). */
function leastSquares(A: number[][], b: number[]): number[] {
  const n = A.length;
  const m = A[0]!.length;
  const Q = A.map((row) => [...row]);
  const R: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += Q[i]![k]! * Q[i]![j]!;
      R[k]![j] = dot;
      for (let i = 0; i < n; i++) Q[i]![j]! -= dot * Q[i]![k]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += Q[i]![j]! ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12))
      throw new EosFitError("the volumes are too few or too close together to fit a curve");
    R[j]![j] = norm;
    for (let i = 0; i < n; i++) Q[i]![j]! /= norm;
  }
  const qtb = new Array<number>(m).fill(0);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) qtb[j]! += Q[i]![j]! * b[i]!;
  const c = new Array<number>(m).fill(0);
  for (let j = m - 1; j >= 0; j--) {
    let s = qtb[j]!;
    for (let k = j + 1; k < m; k++) s -= R[j]![k]! * c[k]!;
    c[j] = s / R[j]![j]!;
  }
  return c;
}

export function fitBirchMurnaghan(input: readonly EosPoint[]): EosFit {
  const points = input.filter((p) => Number.isFinite(p.volume) && Number.isFinite(p.energy) && p.volume > 0);
  const distinct = new Set(points.map((p) => p.volume)).size;
  if (distinct < 4) {
    throw new EosFitError(
      `an equation of state needs energies at 4 or more different volumes (got ${distinct}) — add volumes to the scan`,
    );
  }
  const xs = points.map((p) => p.volume ** (-2 / 3));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const spread = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
  const eMean = points.reduce((a, p) => a + p.energy, 0) / points.length;
  const ts = xs.map((x) => (x - mean) / spread);
  // energies relative to their mean: the fit works on differences of micro-Hartree in −1000 Ha
  const c = leastSquares(
    ts.map((t) => [1, t, t * t, t * t * t]),
    points.map((p) => p.energy - eMean),
  );
  const [c0, c1, c2, c3] = c as [number, number, number, number];
  const poly = (t: number) => c0 + t * (c1 + t * (c2 + t * c3));
  const residuals = points.map((p, i) => p.energy - eMean - poly(ts[i]!));
  const rms = Math.sqrt(residuals.reduce((a, r) => a + r * r, 0) / residuals.length);

  // stationary points: c1 + 2 c2 t + 3 c3 t² = 0; keep minima (second derivative > 0)
  const roots: number[] = [];
  const qa = 3 * c3;
  const qb = 2 * c2;
  const qc = c1;
  if (Math.abs(qa) < 1e-14 * (Math.abs(qb) + Math.abs(qc) + 1e-300)) {
    if (qb !== 0) roots.push(-qc / qb);
  } else {
    const disc = qb * qb - 4 * qa * qc;
    if (disc >= 0) {
      const q = -0.5 * (qb + Math.sign(qb || 1) * Math.sqrt(disc));
      if (q !== 0) roots.push(q / qa, qc / q);
      else roots.push(0);
    }
  }
  const minima = roots.filter((t) => Number.isFinite(t) && qb + 2 * qa * t > 0);
  if (minima.length === 0) {
    throw new EosFitError(
      "the energies have no minimum over these volumes (they only rise or only fall) — scan volumes on both sides of the equilibrium",
    );
  }
  // the minimum nearest the data
  const t0 = minima.reduce((best, t) => (Math.abs(t) < Math.abs(best) ? t : best));
  const x0 = mean + spread * t0;
  if (!(x0 > 0))
    throw new EosFitError("the fitted minimum lies at a non-physical volume — check the energies");
  const V0 = x0 ** (-3 / 2);
  const E0 = poly(t0) + eMean;
  const Exx = (2 * c2 + 6 * c3 * t0) / spread ** 2;
  const Exxx = (6 * c3) / spread ** 3;
  const xV = (-2 / 3) * V0 ** (-5 / 3);
  const xVV = (10 / 9) * V0 ** (-8 / 3);
  const EVV = Exx * xV * xV;
  const EVVV = Exxx * xV ** 3 + 3 * Exx * xV * xVV;
  const B0 = V0 * EVV;
  const B0p = -1 - (V0 * EVVV) / EVV;
  const warnings: string[] = [];
  const vols = points.map((p) => p.volume);
  const vmin = Math.min(...vols);
  const vmax = Math.max(...vols);
  if (V0 < vmin || V0 > vmax) {
    warnings.push(
      `V0 = ${V0.toFixed(3)} Å³ lies outside the volumes scanned (${vmin.toFixed(3)}–${vmax.toFixed(3)}) — centre the scan on it`,
    );
  }
  if (distinct < 5)
    warnings.push("only 4 volumes: the fit passes through every point and cannot show noise — use 5 or more");
  return {
    V0,
    E0,
    B0_GPa: B0 * HARTREE_PER_A3_TO_GPA,
    B0_prime: B0p,
    rms_residual_hartree: rms,
    points: points.length,
    warnings,
  };
}

/** Volume of a cell from its parameters (Å, degrees). */
export function cellVolume(
  a: number,
  b: number,
  c: number,
  alpha: number,
  beta: number,
  gamma: number,
): number {
  const rad = Math.PI / 180;
  const ca = Math.cos(alpha * rad);
  const cb = Math.cos(beta * rad);
  const cg = Math.cos(gamma * rad);
  return a * b * c * Math.sqrt(Math.max(0, 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg));
}
