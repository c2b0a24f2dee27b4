// The scheduling statements, in the manner of graphile-worker: each one guarded SQL statement that
// takes only jobs that are still in the status it expects, so a statement that loses a race to
// another engine changes nothing. Their conditions are generated from the domain's tables
// (src/domain/dependencies.ts, src/domain/status.ts), so the SQL decides exactly what the code's
// rules say. The number of statements in a scheduling pass depends on the number of clusters,
// never on the number of jobs.
import { ACTIVE_STATUSES } from "../domain/status.js";
import { type DB, statement } from "./database.js";
import type { ClaimTarget } from "./records.js";
import { dependencyMetSql, dependencyNeverSql, sqlList, sqlString } from "./status-sql.js";

/** Cores a job occupies on one machine (ranks × threads), as SQL over the jobs row `j`. */
export const CORES_SQL = `(MAX(1, COALESCE(json_extract(j.parallelism_config, '$.mpi_ranks'), 1))
  * MAX(1, COALESCE(json_extract(j.parallelism_config, '$.threads_per_rank'), 1)))`;

/** The jobs of a target that may start now (`j` = the candidate job). */
export function runnableWhere(target: ClaimTarget): string {
  const runnerType = target.nativeDependencies;
  const native = runnerType
    ? ` OR (p.cluster_id = j.cluster_id AND p.runner_type = ${sqlString(runnerType)}
          AND p.status IN ${sqlList(ACTIVE_STATUSES)}
          AND p.run_handle IS NOT NULL AND json_extract(p.run_handle, '$.launching') IS NULL
          -- files taken from the parent's results (inputs_from) exist only once it has ended
          AND NOT EXISTS (SELECT 1 FROM json_each(COALESCE(j.inputs_from, '[]')) f
                          WHERE json_extract(f.value, '$.jobId') = p.id)
          -- nor when its deck is rendered from the parents' results, known only once they ended
          AND j.render_spec IS NULL)`
    : "";
  // jobs the engine found it cannot start here (no mpirun, …): left PENDING, not claimed again
  const excluded = target.exclude?.length ? " AND j.id NOT IN (SELECT value FROM json_each(@exclude))" : "";
  return `j.status = 'PENDING' AND j.cancel_requested = 0${excluded}
    AND ${target.clusterId === null ? "j.cluster_id IS NULL AND j.runner_type = 'local'" : "j.cluster_id = @clusterId"}
    AND NOT EXISTS (
      SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
      WHERE d.job_id = j.id AND NOT (${dependencyMetSql("d", "p")}${native}))`;
}

/** Claims runnable jobs for an engine in one statement; returns their ids in claim order. */
export function claimStatement(db: DB, engineId: string, target: ClaimTarget): number[] {
  if (target.maxJobs <= 0) return [];
  const params: Record<string, unknown> = { engineId, limit: target.maxJobs, clusterId: target.clusterId };
  if (target.exclude?.length) params.exclude = JSON.stringify(target.exclude);
  let pick: string;
  if (target.freeCores !== undefined) {
    params.freeCores = target.freeCores;
    params.idle = target.idle ? 1 : 0;
    pick = `SELECT id FROM (
        SELECT j.id, SUM(${CORES_SQL}) OVER w AS cum, ROW_NUMBER() OVER w AS rn
        FROM jobs j WHERE ${runnableWhere(target)}
        WINDOW w AS (ORDER BY j.priority DESC, j.id ROWS UNBOUNDED PRECEDING)
      ) WHERE cum <= @freeCores OR (rn = 1 AND @idle = 1)
      ORDER BY rn LIMIT @limit`;
  } else {
    pick = `SELECT j.id FROM jobs j WHERE ${runnableWhere(target)} ORDER BY j.priority DESC, j.id LIMIT @limit`;
  }
  return statement(
    db,
    `UPDATE jobs SET status = 'QUEUED', claimed_by = @engineId, status_reason = NULL, run_handle = NULL
       WHERE id IN (${pick}) AND status = 'PENDING' RETURNING id`,
  )
    .pluck()
    .all(params) as number[];
}

/** Why a job can never run: its first dependency that can never be met, as a sentence (`j` = the job). */
const DOOM_REASON_SQL = (job: string) => `(
  SELECT 'dependency ' || d.dependency_type || ' on job ' || p.id || ' (' || p.name || ') can never be met: it ended ' || p.status
  FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
  WHERE d.job_id = ${job}.id AND ${dependencyNeverSql("d", "p")} ORDER BY p.id LIMIT 1)`;

/**
 * Finishes PENDING jobs that can never run because a dependency can no longer be met (SKIPPED, with
 * the dependency named in the reason). Repeated until nothing changes, since skipping one job can
 * doom its own dependents: the number of rounds is the depth of the newly doomed chain.
 */
export function skipDoomedStatement(db: DB): number {
  const stmt = statement(
    db,
    `
    UPDATE jobs SET status = 'SKIPPED', status_reason = ${DOOM_REASON_SQL("jobs")}
    WHERE status = 'PENDING' AND EXISTS (
      SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
      WHERE d.job_id = jobs.id AND ${dependencyNeverSql("d", "p")})`,
  );
  let total = 0;
  for (;;) {
    const n = stmt.run().changes;
    total += n;
    if (n === 0) return total;
  }
}

/** Ids (and reasons) of QUEUED jobs an engine holds whose native dependency can no longer be met. */
export function doomedQueuedStatement(db: DB, engineId: string): { id: number; reason: string }[] {
  return statement(
    db,
    `SELECT id, doom AS reason FROM (SELECT j.id, ${DOOM_REASON_SQL("j")} AS doom
       FROM jobs j WHERE j.claimed_by = ? AND j.status = 'QUEUED') WHERE doom IS NOT NULL ORDER BY id`,
  ).all(engineId) as { id: number; reason: string }[];
}
