// `workflow show N --format csv|tsv [--step NAME]`: one table of a workflow for other programs — a
// convergence table, an equation of state's points, or the jobs of its steps with their sweep values.
import { UsageError } from "../../domain/errors.js";
import type { StepView, WorkflowView } from "../../workflows/progress.js";
import type { Cell } from "../delimited.js";

function sweepCell(v: unknown): Cell {
  return v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : (v as Cell);
}

function jobsTable(steps: readonly StepView[]): Cell[][] {
  const vars = [...new Set(steps.flatMap((s) => s.jobs.flatMap((j) => Object.keys(j.sweep))))];
  const rows: Cell[][] = [
    [
      "step",
      "job_id",
      "name",
      "status",
      "attempt",
      "latest",
      ...vars,
      "final_energy_hartree",
      "energy_is_final",
    ],
  ];
  for (const s of steps) {
    for (const j of s.jobs) {
      rows.push([
        s.name,
        j.id,
        j.name,
        j.status,
        j.attempt,
        j.latest,
        ...vars.map((v) => sweepCell(j.sweep[v])),
        j.final_energy,
        j.energy_is_final,
      ]);
    }
  }
  return rows;
}

/**
 * The table of step `stepName` (an aggregate's table, or a step's jobs); without a name, the first
 * aggregate's table, else the jobs of every step.
 */
export function workflowTable(view: WorkflowView, stepName?: string): Cell[][] {
  const step =
    stepName !== undefined ? view.steps.find((s) => s.name === stepName) : view.steps.find((s) => s.result);
  if (stepName !== undefined && !step) {
    throw new UsageError(
      `workflow ${view.workflow.id} has no step ${JSON.stringify(stepName)} — its steps: ${view.steps.map((s) => s.name).join(", ")}`,
    );
  }
  if (!step) return jobsTable(view.steps);
  const r = step.result;
  if (!r) return jobsTable([step]);
  if (r.type === "convergence") {
    const t = r.table;
    const rows: Cell[][] = [
      [r.by ?? "point", "job_id", "status", t.quantity, "delta_previous", "delta_last", "within_tolerance"],
    ];
    for (const row of t.rows)
      rows.push([
        sweepCell(row.value),
        row.job_id,
        row.status,
        row.quantity,
        row.delta_previous,
        row.delta_last,
        row.within_tolerance,
      ]);
    return rows;
  }
  const vars = [...new Set(r.points.flatMap((p) => Object.keys(p.value)))];
  const rows: Cell[][] = [[...vars, "job_id", "volume", "energy_hartree"]];
  for (const p of r.points)
    rows.push([...vars.map((v) => sweepCell(p.value[v])), p.job_id, p.volume, p.energy]);
  return rows;
}
