// A convergence table: one quantity (usually the total energy) along a scanned parameter (SHRINK,
// basis set, TOLINTEG …), each value compared with the previous one and with the last — the most
// converged setting — and the first setting from which every later one agrees within a tolerance.

export interface ConvergencePoint {
  /** The scanned value (e.g. SHRINK 8). */
  value: unknown;
  jobId: number | null;
  status: string;
  /** The quantity, or null when the job has not produced it (yet). */
  quantity: number | null;
}

export interface ConvergenceRow {
  value: unknown;
  job_id: number | null;
  status: string;
  quantity: number | null;
  /** quantity − quantity of the previous row with a value. */
  delta_previous: number | null;
  /** quantity − quantity of the last row with a value (the reference). */
  delta_last: number | null;
  /** |delta_last| ≤ tolerance. */
  within_tolerance: boolean | null;
}

export interface ConvergenceTable {
  quantity: string;
  tolerance: number;
  rows: ConvergenceRow[];
  /** The scanned value the reference comes from (the last one with a result). */
  reference: unknown;
  /** The first scanned value from which every later one is within tolerance of the reference. */
  converged_at: unknown;
  /** Points still without a result. */
  missing: number;
}

export function convergenceTable(
  points: readonly ConvergencePoint[],
  quantity: string,
  tolerance: number,
): ConvergenceTable {
  const withValue = points.filter((p) => p.quantity !== null && Number.isFinite(p.quantity));
  const last = withValue[withValue.length - 1];
  let previous: number | null = null;
  const rows = points.map((p): ConvergenceRow => {
    const q = p.quantity !== null && Number.isFinite(p.quantity) ? p.quantity : null;
    const row: ConvergenceRow = {
      value: p.value,
      job_id: p.jobId,
      status: p.status,
      quantity: q,
      delta_previous: q !== null && previous !== null ? q - previous : null,
      delta_last: q !== null && last ? q - (last.quantity as number) : null,
      within_tolerance: null,
    };
    if (row.delta_last !== null) row.within_tolerance = Math.abs(row.delta_last) <= tolerance;
    if (q !== null) previous = q;
    return row;
  });
  // walk back from the reference while every row stays within tolerance; the reference agreeing
  // with itself shows nothing, so at least one earlier value must agree
  const scored = rows.filter((r) => r.within_tolerance !== null);
  let first = scored.length;
  while (first > 0 && scored[first - 1]!.within_tolerance) first--;
  const convergedAt = scored.length - first >= 2 ? scored[first]!.value : null;
  return {
    quantity,
    tolerance,
    rows,
    reference: last?.value ?? null,
    converged_at: convergedAt,
    missing: points.length - withValue.length,
  };
}
