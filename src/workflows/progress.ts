// Where a workflow stands: each step's status from the latest attempt of each of its points, the
// aggregates (convergence table, equation-of-state fit) computed from the results so far, and the
// `steps` a deferred deck sees (`{{ steps.opt.final_energy_hartree }}`).
import { isActive, type JobStatus } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import type { ProjectStore } from "../store/port.js";
import type { Workflow } from "../store/records.js";
import { type ConvergenceTable, convergenceTable } from "./convergence.js";
import { cellVolume, type EosFit, EosFitError, fitBirchMurnaghan } from "./eos.js";
import { latestAttempts, readStoredPlan, type StoredPlan, type StoredStep, type SweepValue } from "./spec.js";
import { type SummaryJob, standingOf, type WorkflowSummary, workflowSummary } from "./summary.js";

const FINISHED: readonly JobStatus[] = ["COMPLETED", "FAILED", "CANCELLED", "SKIPPED"];

export type StepStatus = "PENDING" | "RUNNING" | "COMPLETED" | "FAILED";

export interface ConvergenceResult {
  type: "convergence";
  /** waiting: points still running; done: every point finished. */
  status: "waiting" | "done" | "failed";
  by: string | null;
  table: ConvergenceTable;
  error?: string;
}

export interface EosResult {
  type: "eos";
  status: "waiting" | "done" | "failed";
  points: { value: Record<string, SweepValue>; job_id: number; volume: number; energy: number }[];
  fit: EosFit | null;
  error?: string;
}

export type AggregateResult = ConvergenceResult | EosResult;

/** A value from a parsed result by a dotted path ("final_energy_hartree", "scf.cycles"). */
export function resultValue(job: Job, path: string): unknown {
  if (path === "final_energy_hartree" && job.finalEnergy !== null) return job.finalEnergy;
  let v: unknown = job.keyResults ?? job.legacyResults;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** The cell volume a finished job reports (from its parsed cell), Å³. */
export function volumeFromResult(job: Job): number | null {
  const lattice = job.keyResults?.lattice;
  if (!lattice) return null;
  const [a, b, c, al, be, ga] = [
    lattice.a,
    lattice.b,
    lattice.c,
    lattice.alpha,
    lattice.beta,
    lattice.gamma,
  ].map(numberOrNull);
  if ([a, b, c, al, be, ga].some((x) => x === null)) return null;
  return cellVolume(a!, b!, c!, al!, be!, ga!);
}

function pointsOf(step: StoredStep, jobs: Map<number, Job>) {
  return latestAttempts(step)
    .map((s) => ({ stored: s, job: jobs.get(s.id) }))
    .filter((p): p is { stored: (typeof p)["stored"]; job: Job } => p.job !== undefined);
}

export function stepStatus(step: StoredStep, jobs: Map<number, Job>): StepStatus {
  const statuses = pointsOf(step, jobs).map((p) => p.job.status);
  if (statuses.some(isActive)) return "RUNNING";
  if (statuses.some((s) => s === "PENDING"))
    return statuses.some((s) => s !== "PENDING") ? "RUNNING" : "PENDING";
  if (statuses.length > 0 && statuses.every((s) => s === "COMPLETED")) return "COMPLETED";
  return "FAILED";
}

export function computeAggregate(
  plan: StoredPlan,
  step: StoredStep,
  jobs: Map<number, Job>,
): AggregateResult | null {
  const agg = step.aggregate;
  if (!agg) return null;
  const over = plan.steps.find((s) => s.name === agg.over);
  const points = over ? pointsOf(over, jobs) : [];
  const allDone = points.length > 0 && points.every((p) => FINISHED.includes(p.job.status));
  if (agg.type === "convergence") {
    const by = agg.by ?? over?.sweep_vars[0] ?? null;
    const table = convergenceTable(
      points.map((p) => ({
        value: by ? p.stored.sweep[by] : p.stored.point,
        jobId: p.job.id,
        status: p.job.status,
        quantity: p.job.status === "COMPLETED" ? numberOrNull(resultValue(p.job, agg.quantity)) : null,
      })),
      agg.quantity,
      agg.tolerance,
    );
    const usable = table.rows.filter((r) => r.quantity !== null).length;
    if (allDone && usable < 2) {
      return {
        type: "convergence",
        status: "failed",
        by,
        table,
        error: `only ${usable} point(s) produced ${agg.quantity}`,
      };
    }
    return { type: "convergence", status: allDone ? "done" : "waiting", by, table };
  }
  const eosPoints: EosResult["points"] = [];
  for (const p of points) {
    if (p.job.status !== "COMPLETED") continue;
    const energy = numberOrNull(resultValue(p.job, agg.energy));
    const volume = p.stored.volume ?? volumeFromResult(p.job);
    if (energy === null || volume === null) continue;
    eosPoints.push({ value: p.stored.sweep, job_id: p.job.id, volume, energy });
  }
  if (!allDone) return { type: "eos", status: "waiting", points: eosPoints, fit: null };
  try {
    return { type: "eos", status: "done", points: eosPoints, fit: fitBirchMurnaghan(eosPoints) };
  } catch (err) {
    if (!(err instanceof EosFitError)) throw err;
    return { type: "eos", status: "failed", points: eosPoints, fit: null, error: err.message };
  }
}

/** What `{{ steps.NAME… }}` shows of a job: its parsed results plus who it is. */
function jobView(job: Job, sweep: Record<string, SweepValue>): Record<string, unknown> {
  return {
    ...(job.keyResults ?? job.legacyResults ?? {}),
    final_energy_hartree: job.finalEnergy ?? job.keyResults?.final_energy_hartree ?? null,
    job_id: job.id,
    name: job.name,
    status: job.status,
    ...sweep,
  };
}

/**
 * The `steps` context for a deferred deck: a one-job step is that job's results; a sweep is the
 * list of its points' results; an aggregate is its result (e.g. steps.fit.V0).
 */
export function stepsContext(
  plan: StoredPlan,
  jobs: Map<number, Job>,
  refs: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of refs) {
    const step = plan.steps.find((s) => s.name === name);
    if (!step) continue;
    if (step.kind === "aggregate") {
      const r = computeAggregate(plan, step, jobs);
      if (r?.type === "eos")
        out[name] = { ...(r.fit ?? {}), status: r.status, error: r.error ?? null, points: r.points };
      else if (r) out[name] = { ...r.table, status: r.status };
      continue;
    }
    const points = pointsOf(step, jobs).map((p) => jobView(p.job, p.stored.sweep));
    out[name] = step.sweep_vars.length === 0 ? (points[0] ?? {}) : points;
  }
  return out;
}

export interface StepView {
  name: string;
  kind: StoredStep["kind"];
  /** The template, deck file or aggregate the step comes from. */
  source: string;
  status: StepStatus | "waiting" | "done" | "failed";
  jobs: {
    id: number;
    name: string;
    status: JobStatus;
    status_reason: string | null;
    attempt: number;
    retry_of: number | null;
    sweep: Record<string, SweepValue>;
    final_energy: number | null;
    /** False for the energy of a run that did not converge or finish (null: no energy). */
    energy_is_final: boolean | null;
    latest: boolean;
  }[];
  result: AggregateResult | null;
}

export interface WorkflowView {
  workflow: Workflow;
  description: string;
  steps: StepView[];
  /** Jobs completed and the lowest final energy (runs that did not converge left out). */
  summary: WorkflowSummary;
}

function summaryJob(job: Job): SummaryJob {
  return {
    id: job.id,
    name: job.name,
    step: job.workflowStep,
    status: job.status,
    finalEnergy: job.finalEnergy,
    verdict: job.keyResults,
    standin: Boolean(job.keyResults?.standin),
  };
}

export async function workflowView(store: ProjectStore, id: number): Promise<WorkflowView> {
  const workflow = await store.workflows.require(id);
  const plan = readStoredPlan(workflow.spec);
  const jobs = new Map((await store.workflows.jobs(id)).map((j) => [j.id, j]));
  const steps = plan.steps.map((step): StepView => {
    const latest = new Set(latestAttempts(step).map((j) => j.id));
    const result = computeAggregate(plan, step, jobs);
    return {
      name: step.name,
      kind: step.kind,
      source:
        step.kind === "aggregate"
          ? `${step.aggregate?.type} over ${step.aggregate?.over}`
          : step.kind === "deck"
            ? `deck ${step.deck_file}`
            : `template ${step.template?.name}`,
      status: result ? result.status : stepStatus(step, jobs),
      jobs: step.jobs
        .map((s) => ({ s, j: jobs.get(s.id) }))
        .filter((x): x is { s: (typeof x)["s"]; j: Job } => x.j !== undefined)
        .map(({ s, j }) => ({
          id: j.id,
          name: j.name,
          status: j.status,
          status_reason: j.statusReason,
          attempt: j.attempt,
          retry_of: j.retryOf,
          sweep: s.sweep,
          final_energy: j.finalEnergy,
          energy_is_final: j.finalEnergy === null ? null : standingOf(summaryJob(j)).final,
          latest: latest.has(j.id),
        })),
      result,
    };
  });
  const latest = plan.steps.flatMap((step) => latestAttempts(step).flatMap((a) => jobs.get(a.id) ?? []));
  return { workflow, description: plan.description, steps, summary: workflowSummary(latest.map(summaryJob)) };
}

/** Recomputes the aggregates of a workflow and stores them (workflows.results). */
export async function refreshResults(
  store: ProjectStore,
  workflowId: number,
): Promise<Record<string, AggregateResult>> {
  const workflow = await store.workflows.require(workflowId);
  const plan = readStoredPlan(workflow.spec);
  // most workflows have no aggregate: their finished jobs cost no look-up of all the others
  if (!plan.steps.some((s) => s.aggregate)) return {};
  const jobs = new Map((await store.workflows.jobs(workflowId)).map((j) => [j.id, j]));
  const results: Record<string, AggregateResult> = {};
  for (const step of plan.steps) {
    const r = computeAggregate(plan, step, jobs);
    if (r) results[step.name] = r;
  }
  if (Object.keys(results).length > 0) await store.workflows.setResults(workflowId, results);
  return results;
}
