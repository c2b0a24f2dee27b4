// The job status machine: the one place that says which statuses exist and which moves between
// them are legal. The store turns this table into a guard trigger (so no code path, not even a
// hand-written UPDATE, can make an illegal move) and into the guarded UPDATE statements the engine uses.

export const JOB_STATUSES = [
  "PENDING", // created; waiting for its dependencies and for capacity
  "QUEUED", // claimed by an engine and handed to a runner (a SLURM queue, or about to start locally)
  "RUNNING", // the calculation is executing
  "COMPLETED", // finished and the output says it reached its goal
  "FAILED", // finished without reaching its goal (the reason says why)
  "CANCELLED", // stopped (or never started) because somebody asked
  "SKIPPED", // never ran: a dependency can no longer be satisfied (the reason names it)
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses of the earlier Python tool's schema (v1 CHECK constraint). */
export const V1_STATUSES: readonly JobStatus[] = ["PENDING", "QUEUED", "RUNNING", "COMPLETED", "FAILED"];

export const TERMINAL_STATUSES: readonly JobStatus[] = ["COMPLETED", "FAILED", "CANCELLED", "SKIPPED"];
export const ACTIVE_STATUSES: readonly JobStatus[] = ["QUEUED", "RUNNING"];

/**
 * Legal moves. A terminal job never moves again: a re-run is a new job, so a job's history stays true.
 * QUEUED → PENDING is the engine giving back a claim it could not submit (e.g. a connection dropped
 * before sbatch answered), so the job is retried instead of being lost. QUEUED → SKIPPED is a job
 * handed to SLURM with a native dependency that can no longer be met (it never ran).
 */
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  PENDING: ["QUEUED", "RUNNING", "CANCELLED", "SKIPPED", "FAILED"],
  QUEUED: ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "SKIPPED"],
  RUNNING: ["COMPLETED", "FAILED", "CANCELLED"],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
  SKIPPED: [],
};

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === "string" && (JOB_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Handed to a runner and not finished: it has (or may have) a process or a scheduler job. */
export function isActive(status: JobStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a job may be in for a move to `to` to be legal. */
export function legalSources(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

/** A symbol per status, so the status reads without colour (NO_COLOR, screen readers, logs). */
export const STATUS_SYMBOL: Readonly<Record<JobStatus, string>> = {
  PENDING: "…",
  QUEUED: "◷",
  RUNNING: "▶",
  COMPLETED: "✔",
  FAILED: "✖",
  CANCELLED: "⊘",
  SKIPPED: "↷",
};

/** What each status means, in a chemist's words (the `?` legend of the symbols above). */
export const STATUS_MEANING: Readonly<Record<JobStatus, string>> = {
  PENDING: "waiting (for its parents, or for free cores)",
  QUEUED: "in a cluster's queue",
  RUNNING: "running",
  COMPLETED: "completed",
  FAILED: "failed (the job says why)",
  CANCELLED: "cancelled",
  SKIPPED: "skipped (a job it needed did not end as asked)",
};
