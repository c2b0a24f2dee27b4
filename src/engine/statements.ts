// The engine's state changes, each one guarded SQL statement (in the manner of graphile-worker): a
// claim only takes jobs that are still PENDING, a finish only touches a job this engine holds. A
// statement that loses a race to another engine changes nothing. The number of statements in a
// scheduling pass depends on the number of clusters, never on the number of jobs.
import type { Job } from "../domain/types.js";
import { JOB_SELECT, type JobRow, rowToJob } from "../store/jobs.js";
import { dependencyMetSql, dependencyNeverSql, sqlList } from "../store/status-sql.js";
import type { Store } from "../store/store.js";

const CORES_SQL = `(MAX(1, COALESCE(json_extract(j.parallelism_config, '$.mpi_ranks'), 1))
  * MAX(1, COALESCE(json_extract(j.parallelism_config, '$.threads_per_rank'), 1)))`;

/** Which jobs a claim may take: one target = the local machine, or one cluster. */
export interface ClaimTarget {
  clusterId: number | null;
  /** Jobs to take at most. */
  maxJobs: number;
  /** Local only: cores still free; jobs are taken while their cores fit (ranks × threads). */
  freeCores?: number;
  /** Local only: when nothing runs locally, the first job may take more cores than the machine has. */
  idle?: boolean;
  /**
   * SLURM only: a dependency on a job already handed to the same cluster counts as met, because it is
   * handed to SLURM itself (--dependency), so a chain is queued at once and progresses while
   * crystal-tui is closed.
   */
  nativeDependencies?: boolean;
}

function runnableWhere(target: ClaimTarget): string {
  const native = target.nativeDependencies
    ? ` OR (p.cluster_id = j.cluster_id AND p.runner_type = 'slurm' AND p.status IN ('QUEUED','RUNNING')
          AND p.run_handle IS NOT NULL AND json_extract(p.run_handle, '$.launching') IS NULL
          -- files taken from the parent's results (inputs_from) exist only once it has ended
          AND NOT EXISTS (SELECT 1 FROM json_each(COALESCE(j.inputs_from, '[]')) f
                          WHERE json_extract(f.value, '$.jobId') = p.id)
          -- nor when its deck is rendered from the parents' results, known only once they ended
          AND j.render_spec IS NULL)`
    : "";
  return `j.status = 'PENDING' AND j.cancel_requested = 0
    AND ${target.clusterId === null ? "j.cluster_id IS NULL AND j.runner_type = 'local'" : "j.cluster_id = @clusterId"}
    AND NOT EXISTS (
      SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
      WHERE d.job_id = j.id AND NOT (${dependencyMetSql("d", "p")}${native}))`;
}

/**
 * Claims runnable jobs for this engine in one statement: highest priority first, equal priority
 * oldest first. Returns the claimed jobs (now QUEUED, claimed_by = engine).
 */
export function claimJobs(store: Store, engineId: string, target: ClaimTarget): Job[] {
  if (target.maxJobs <= 0) return [];
  const params: Record<string, unknown> = { engineId, limit: target.maxJobs, clusterId: target.clusterId };
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
  const ids = store.db
    .prepare(
      `UPDATE jobs SET status = 'QUEUED', claimed_by = @engineId, status_reason = NULL, run_handle = NULL
       WHERE id IN (${pick}) AND status = 'PENDING' RETURNING id`,
    )
    .pluck()
    .all(params) as number[];
  if (ids.length === 0) return [];
  return store.jobs.byIds(ids).sort((a, b) => b.priority - a.priority || a.id - b.id);
}

export function jobsByIds(store: Store, ids: readonly number[]): Job[] {
  if (ids.length === 0) return [];
  return (
    store.db
      .prepare(`${JOB_SELECT} WHERE j.id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as JobRow[]
  ).map(rowToJob);
}

/**
 * Finishes PENDING jobs that can never run because a dependency can no longer be met (SKIPPED, with
 * the dependency named in the reason). Repeated until nothing changes, since skipping one job can
 * doom its own dependents: the number of rounds is the depth of the newly doomed chain.
 */
export function skipDoomedJobs(store: Store): number {
  const stmt = store.db.prepare(`
    UPDATE jobs SET status = 'SKIPPED', status_reason = (
      SELECT 'dependency ' || d.dependency_type || ' on job ' || p.id || ' (' || p.name || ') can never be met: it ended ' || p.status
      FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
      WHERE d.job_id = jobs.id AND ${dependencyNeverSql("d", "p")} ORDER BY p.id LIMIT 1)
    WHERE status = 'PENDING' AND EXISTS (
      SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
      WHERE d.job_id = jobs.id AND ${dependencyNeverSql("d", "p")})`);
  let total = 0;
  for (;;) {
    const n = stmt.run().changes;
    total += n;
    if (n === 0) return total;
  }
}

/** Jobs this engine holds that were handed to SLURM with a dependency that can no longer be met. */
export function doomedQueuedJobs(store: Store, engineId: string): { job: Job; reason: string }[] {
  const rows = store.db
    .prepare(
      `SELECT * FROM (SELECT j.*, c.name AS cluster_name, (
        SELECT 'dependency ' || d.dependency_type || ' on job ' || p.id || ' (' || p.name || ') can never be met: it ended ' || p.status
        FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
        WHERE d.job_id = j.id AND ${dependencyNeverSql("d", "p")} ORDER BY p.id LIMIT 1) AS doom
       FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id
       WHERE j.claimed_by = ? AND j.status = 'QUEUED') WHERE doom IS NOT NULL`,
    )
    .all(engineId) as (JobRow & { doom: string })[];
  return rows.map((r) => ({ job: rowToJob(r), reason: r.doom }));
}

/** The active jobs (QUEUED or RUNNING) this engine holds, in one query. */
export function heldJobs(store: Store, engineId: string): Job[] {
  return (
    store.db
      .prepare(`${JOB_SELECT} WHERE j.claimed_by = ? AND j.status IN ('QUEUED','RUNNING') ORDER BY j.id`)
      .all(engineId) as JobRow[]
  ).map(rowToJob);
}

/** Active jobs held by engines other than the live ones listed: their engine crashed. */
export function orphanedJobs(store: Store, liveEngineIds: readonly string[]): Job[] {
  return (
    store.db
      .prepare(
        `${JOB_SELECT} WHERE j.status IN ('QUEUED','RUNNING')
         AND (j.claimed_by IS NULL OR j.claimed_by NOT IN (SELECT value FROM json_each(?))) ORDER BY j.id`,
      )
      .all(JSON.stringify(liveEngineIds)) as JobRow[]
  ).map(rowToJob);
}

/** Takes over an orphaned job; false when another engine was faster. */
export function adoptJob(store: Store, jobId: number, from: string | null, engineId: string): boolean {
  const sql =
    from === null
      ? "UPDATE jobs SET claimed_by = ? WHERE id = ? AND claimed_by IS NULL AND status IN ('QUEUED','RUNNING')"
      : "UPDATE jobs SET claimed_by = ? WHERE id = ? AND claimed_by = ? AND status IN ('QUEUED','RUNNING')";
  const args = from === null ? [engineId, jobId] : [engineId, jobId, from];
  return store.db.prepare(sql).run(...args).changes === 1;
}

/** Records the runner's handle of a job this engine holds. */
export function recordHandle(
  store: Store,
  jobId: number,
  engineId: string,
  handle: Record<string, unknown>,
): void {
  store.db
    .prepare("UPDATE jobs SET run_handle = ? WHERE id = ? AND claimed_by = ?")
    .run(JSON.stringify(handle), jobId, engineId);
}

/** Active jobs per cluster (null = local), and the cores local jobs occupy — one query. */
export function activeLoad(store: Store): { perCluster: Map<number | null, number>; localCores: number } {
  const rows = store.db
    .prepare(
      `SELECT j.cluster_id AS cluster_id, COUNT(*) AS n, SUM(${CORES_SQL}) AS cores FROM jobs j
       WHERE j.status IN ('QUEUED','RUNNING') GROUP BY j.cluster_id`,
    )
    .all() as { cluster_id: number | null; n: number; cores: number }[];
  const perCluster = new Map<number | null, number>();
  let localCores = 0;
  for (const r of rows) {
    perCluster.set(r.cluster_id, r.n);
    if (r.cluster_id === null) localCores = r.cores;
  }
  return { perCluster, localCores };
}

/** Targets that have PENDING jobs at all (local = null), so idle clusters cost no claim statement. */
export function targetsWithPendingJobs(store: Store): (number | null)[] {
  return (
    store.db.prepare("SELECT DISTINCT cluster_id FROM jobs WHERE status = 'PENDING'").all() as {
      cluster_id: number | null;
    }[]
  ).map((r) => r.cluster_id);
}

export function countByStatus(store: Store, statuses: readonly string[]): number {
  return (
    store.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status IN ${sqlList(statuses)}`).get() as {
      n: number;
    }
  ).n;
}

/** Active jobs whose cancel was requested, among those this engine holds. */
export function cancelRequests(store: Store, engineId: string): number[] {
  return store.db
    .prepare(
      "SELECT id FROM jobs WHERE claimed_by = ? AND cancel_requested = 1 AND status IN ('QUEUED','RUNNING')",
    )
    .pluck()
    .all(engineId) as number[];
}
