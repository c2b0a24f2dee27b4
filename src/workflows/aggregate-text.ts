// A workflow's aggregate results as a chemist reads them — the equation-of-state fit (V0, E0, B0,
// B0', or why it failed) and the convergence table — one text for `workflow show` and the TUI's
// Workflows screen, so the two cannot drift.
import { table } from "../domain/text-table.js";
import { formatCrystalNumber } from "./numbers.js";
import type { AggregateResult } from "./progress.js";

function num(v: number | null | undefined, digits = 8): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  return v.toFixed(digits);
}

/** The lines of one aggregate step's result (indented under its step). */
export function aggregateLines(name: string, r: AggregateResult): string[] {
  if (r.type === "eos") {
    const lines = [`  equation of state (Birch–Murnaghan, ${r.points.length} points): ${r.status}`];
    if (r.fit) {
      lines.push(
        `    V0 = ${r.fit.V0.toFixed(4)} Å³   E0 = ${r.fit.E0.toFixed(8)} Ha   B0 = ${r.fit.B0_GPa.toFixed(2)} GPa   B0' = ${r.fit.B0_prime.toFixed(3)}   (rms ${r.fit.rms_residual_hartree.toExponential(2)} Ha)`,
      );
      for (const w of r.fit.warnings) lines.push(`    note: ${w}`);
    }
    if (r.error) lines.push(`    ${name}: ${r.error}`);
    return lines;
  }
  const t = r.table;
  const rows = [[r.by ?? "point", "JOB", "STATUS", `${t.quantity}`, "Δ previous", "Δ last", ""]];
  for (const row of t.rows) {
    rows.push([
      typeof row.value === "number" ? formatCrystalNumber(row.value) : String(row.value),
      row.job_id === null ? "" : String(row.job_id),
      row.status,
      num(row.quantity),
      num(row.delta_previous),
      num(row.delta_last),
      row.within_tolerance ? "✔" : "",
    ]);
  }
  const lines = [`  convergence of ${t.quantity} (tolerance ${t.tolerance}): ${r.status}`];
  lines.push(
    ...table(rows)
      .split("\n")
      .map((l) => `    ${l}`),
  );
  lines.push(
    t.converged_at !== null
      ? `    converged from ${r.by ?? "point"} = ${typeof t.converged_at === "number" ? formatCrystalNumber(t.converged_at) : String(t.converged_at)}`
      : "    not converged within the tolerance over the values scanned",
  );
  if (r.error) lines.push(`    ${name}: ${r.error}`);
  return lines;
}
