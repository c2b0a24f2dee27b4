// Dependency semantics, written once. The store builds its set-based SQL (claim runnable jobs, skip
// jobs that can never run) from these tables, and canJobRun() evaluates the same tables in code.

import { isTerminal, type JobStatus } from "./status.js";

export const DEPENDENCY_TYPES = ["after_ok", "after_any", "after_failed"] as const;
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

export function isDependencyType(value: unknown): value is DependencyType {
  return typeof value === "string" && (DEPENDENCY_TYPES as readonly string[]).includes(value);
}

/**
 * For each type: the parent statuses that satisfy it, and those after which it can never be
 * satisfied. Any other parent status means "wait".
 *  - after_ok: the parent COMPLETED.
 *  - after_any: the parent finished, whatever the outcome.
 *  - after_failed: the parent FAILED. A parent that was cancelled or skipped did not fail (it never
 *    produced a result to rescue), so an after_failed step waiting on it will never run.
 */
export const DEPENDENCY_RULES: Readonly<
  Record<DependencyType, { satisfiedBy: readonly JobStatus[]; neverAfter: readonly JobStatus[] }>
> = {
  after_ok: { satisfiedBy: ["COMPLETED"], neverAfter: ["FAILED", "CANCELLED", "SKIPPED"] },
  after_any: { satisfiedBy: ["COMPLETED", "FAILED", "CANCELLED", "SKIPPED"], neverAfter: [] },
  after_failed: { satisfiedBy: ["FAILED"], neverAfter: ["COMPLETED", "CANCELLED", "SKIPPED"] },
};

export type DependencyState = "met" | "waiting" | "never";

export function dependencyState(type: DependencyType, parentStatus: JobStatus): DependencyState {
  const rule = DEPENDENCY_RULES[type];
  if (rule.satisfiedBy.includes(parentStatus)) return "met";
  if (rule.neverAfter.includes(parentStatus)) return "never";
  return "waiting";
}

/**
 * What becomes of a dependency when its parent's record is removed (`job rm --force`): a parent that
 * finished keeps the state its end gave; one that never ran counts as cancelled — it will never
 * complete nor fail — so after_ok and after_failed can never be met, and after_any is met.
 */
export function stateAfterRemoval(type: DependencyType, parentStatus: JobStatus): DependencyState {
  return dependencyState(type, isTerminal(parentStatus) ? parentStatus : "CANCELLED");
}

/** SLURM's names for the same three relations (sbatch --dependency). */
export const SLURM_DEPENDENCY: Readonly<Record<DependencyType, string>> = {
  after_ok: "afterok",
  after_any: "afterany",
  after_failed: "afternotok",
};

export interface DependencyVerdict {
  /** All dependencies met: the job may start. */
  ok: boolean;
  /** At least one dependency can never be met: the job must be finished (SKIPPED), not left waiting. */
  never: boolean;
  /** One line per dependency that is not met, in a chemist's words. */
  reasons: string[];
}

export interface ParentEdge {
  parentId: number;
  parentName?: string;
  parentStatus: JobStatus;
  type: DependencyType;
}

/** Evaluates all of a job's dependencies at once. */
export function evaluateDependencies(edges: readonly ParentEdge[]): DependencyVerdict {
  const reasons: string[] = [];
  let never = false;
  for (const edge of edges) {
    const state = dependencyState(edge.type, edge.parentStatus);
    if (state === "met") continue;
    const who = edge.parentName ? `job ${edge.parentId} (${edge.parentName})` : `job ${edge.parentId}`;
    if (state === "never") {
      never = true;
      reasons.push(`${edge.type} ${who} can never be met: it ended ${edge.parentStatus}`);
    } else {
      reasons.push(`waiting for ${who} (${edge.parentStatus}) to ${waitingFor(edge.type)}`);
    }
  }
  return { ok: reasons.length === 0, never, reasons };
}

function waitingFor(type: DependencyType): string {
  switch (type) {
    case "after_ok":
      return "complete";
    case "after_any":
      return "finish";
    case "after_failed":
      return "fail";
  }
}
