// The plan of a workflow as it is stored (workflows.spec): each step with how it was made and its
// jobs — every attempt, linked to the sweep point it computes — so that recovery policies, deferred
// decks, aggregates and `workflow show` all read the same record.
import type { Template } from "./templates.js";
import type { AggregateDecl, RecoveryPolicy, StepEdge, StepKind } from "./workflow-file.js";

export type SweepValue = string | number | boolean;

export interface StoredJob {
  id: number;
  /** The sweep point this job computes (0 for a step without foreach). */
  point: number;
  attempt: number;
  retry_of: number | null;
  sweep: Record<string, SweepValue>;
  /** Template values the deck was rendered from (null: a deck file, or a deck rendered at start). */
  values: Record<string, unknown> | null;
  /** Cell volume of the point for an eos aggregate, when given by an expression (Å³). */
  volume: number | null;
}

export interface StoredStep {
  name: string;
  kind: StepKind;
  /** The template the jobs were rendered from, as it was then. */
  template: Template | null;
  deck_file: string | null;
  sweep_vars: string[];
  edges: StepEdge[];
  geometry_from: string | null;
  wavefunction_from: string | null;
  hessian_from: string | null;
  refs: string[];
  recovery: RecoveryPolicy | null;
  aggregate: AggregateDecl | null;
  cluster: string | null;
  jobs: StoredJob[];
}

export interface StoredPlan {
  version: 1;
  description: string;
  steps: StoredStep[];
}

export function readStoredPlan(spec: Record<string, unknown>): StoredPlan {
  const steps = Array.isArray(spec.steps) ? (spec.steps as StoredStep[]) : [];
  return {
    version: 1,
    description: typeof spec.description === "string" ? spec.description : "",
    steps: steps.map((s) => ({ ...s, jobs: Array.isArray(s.jobs) ? s.jobs : [] })),
  };
}

/** For each sweep point of a step, its latest attempt. */
export function latestAttempts(step: StoredStep): StoredJob[] {
  const byPoint = new Map<number, StoredJob>();
  for (const j of step.jobs) {
    const current = byPoint.get(j.point);
    if (!current || j.attempt > current.attempt || (j.attempt === current.attempt && j.id > current.id)) {
      byPoint.set(j.point, j);
    }
  }
  return [...byPoint.values()].sort((a, b) => a.point - b.point);
}

export function stepOfJob(plan: StoredPlan, jobId: number): { step: StoredStep; job: StoredJob } | null {
  for (const step of plan.steps) {
    const job = step.jobs.find((j) => j.id === jobId);
    if (job) return { step, job };
  }
  return null;
}
