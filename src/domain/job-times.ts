// A job's times, one rule: a job has ONE start time and ONE end time. A move into RUNNING sets the
// start and a move into a final status sets the end — unless the runner knows better: the times a
// scheduler (SLURM's Start/End) or the run's own wrapper recorded win over the moment the engine
// noticed. The database applies the rule in its status trigger (src/store/status-sql.ts); every
// reader asks runtimeSeconds() how long a job ran.
import type { JobStatus } from "./status.js";

export type JobTime = "queued" | "started" | "ended";

/** Which of a job's times a move into `to` sets (when the move does not bring its own). */
export function timesSetBy(to: JobStatus): JobTime[] {
  switch (to) {
    case "QUEUED":
      return ["queued"];
    case "RUNNING":
      return ["started"];
    case "COMPLETED":
    case "FAILED":
    case "CANCELLED":
    case "SKIPPED":
      return ["ended"];
    default:
      return [];
  }
}

/** The database's timestamps (UTC "YYYY-MM-DD HH:MM:SS", no zone) as ms since the epoch; ISO passes. */
export function parseDbTime(text: string | null | undefined): number | null {
  if (!text) return null;
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(text) ? `${text.replace(" ", "T")}Z` : text;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * How long a job ran, in seconds — up to `now` while it runs; null when it never started. The one
 * accessor of a job's run time (the list, the detail, workflow totals, `job show`).
 */
export function runtimeSeconds(
  job: { startedAt: string | null; completedAt: string | null },
  now: number = Date.now(),
): number | null {
  const start = parseDbTime(job.startedAt);
  if (start === null) return null;
  const end = parseDbTime(job.completedAt) ?? now;
  return Math.max(0, (end - start) / 1000);
}
