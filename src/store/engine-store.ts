// What engines write and read, as store methods: each state change one guarded statement (it only
// touches a job this engine holds, or one still in the status it expects) with its batched twin for
// the hot path. Nothing else in crystal-tui writes a claim, a run handle or a final status.
import {
  accountingMetadata,
  detailsMetadata,
  type SchedulerAccounting,
  type SchedulerDetails,
} from "../domain/accounting.js";
import { UserError } from "../domain/errors.js";
import type { LaunchMark, RunHandle } from "../domain/run-handle.js";
import { ACTIVE_STATUSES, type JobStatus } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import { type DB, statement } from "./database.js";
import { JOB_SELECT, type JobRepository, type JobRow, rowToJob } from "./jobs.js";
import type { EngineStatements } from "./port.js";
import type {
  ClaimTarget,
  EngineRecord,
  Finish,
  Finished,
  FollowUp,
  Load,
  PassSummary,
  SubmissionRecord,
} from "./records.js";
import { CORES_SQL, claimStatement, doomedQueuedStatement, skipDoomedStatement } from "./scheduling.js";
import { sqlList } from "./status-sql.js";
import type { WorkflowRepository } from "./workflows.js";

const ACTIVE = sqlList(ACTIVE_STATUSES);

interface EngineRow {
  id: string;
  host: string;
  pid: number;
  proc_start: string | null;
  started_at: string;
  heartbeat_at: string;
}

export class EngineStore implements EngineStatements {
  constructor(
    private readonly db: DB,
    private readonly jobs: JobRepository,
    private readonly workflows: WorkflowRepository,
  ) {}

  // --- engines ---------------------------------------------------------------------------------

  register(e: Omit<EngineRecord, "startedAt" | "heartbeatAt">, now = new Date().toISOString()): void {
    statement(
      this.db,
      "INSERT OR REPLACE INTO engines (id, host, pid, proc_start, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(e.id, e.host, e.pid, e.procStart, now, now);
  }

  heartbeat(id: string, now = new Date().toISOString()): void {
    statement(this.db, "UPDATE engines SET heartbeat_at = ? WHERE id = ?").run(now, id);
  }

  unregister(id: string): void {
    statement(this.db, "DELETE FROM engines WHERE id = ?").run(id);
  }

  /** Forgets the records of engines found dead. */
  forget(ids: readonly string[]): void {
    if (ids.length === 0) return;
    statement(this.db, "DELETE FROM engines WHERE id IN (SELECT value FROM json_each(?))").run(
      JSON.stringify(ids),
    );
  }

  engines(): EngineRecord[] {
    return (statement(this.db, "SELECT * FROM engines ORDER BY started_at").all() as EngineRow[]).map(
      (r) => ({
        id: r.id,
        host: r.host,
        pid: r.pid,
        procStart: r.proc_start,
        startedAt: r.started_at,
        heartbeatAt: r.heartbeat_at,
      }),
    );
  }

  // --- reading what to do ----------------------------------------------------------------------

  private jobsWhere(where: string, ...params: unknown[]): Job[] {
    return (statement(this.db, `${JOB_SELECT} WHERE ${where} ORDER BY j.id`).all(...params) as JobRow[]).map(
      rowToJob,
    );
  }

  /** The active jobs (QUEUED or RUNNING) an engine holds, in one query. */
  held(engineId: string): Job[] {
    return this.jobsWhere(`j.claimed_by = ? AND j.status IN ${ACTIVE}`, engineId);
  }

  /** Active jobs held by engines other than the live ones listed: their engine crashed. */
  orphaned(liveEngineIds: readonly string[]): Job[] {
    return this.jobsWhere(
      `j.status IN ${ACTIVE} AND (j.claimed_by IS NULL OR j.claimed_by NOT IN (SELECT value FROM json_each(?)))`,
      JSON.stringify(liveEngineIds),
    );
  }

  /**
   * What each target (a cluster, or null = this machine) has waiting and running, the cores local
   * jobs occupy, and a stamp of the clusters' settings that changes when one is added, edited or
   * removed — one query for a whole scheduling pass.
   */
  load(): Load {
    const rows = statement(
      this.db,
      `SELECT 1 AS target, j.cluster_id AS cluster_id, SUM(j.status = 'PENDING') AS pending,
                SUM(j.status IN ${ACTIVE}) AS active,
                SUM(CASE WHEN j.status IN ${ACTIVE} THEN ${CORES_SQL} ELSE 0 END) AS cores, NULL AS stamp
         FROM jobs j WHERE j.status = 'PENDING' OR j.status IN ${ACTIVE} GROUP BY j.cluster_id
         UNION ALL
         SELECT 0, NULL, 0, 0, 0, (SELECT COUNT(*) || '@' || COALESCE(MAX(updated_at), '') FROM clusters)`,
    ).all() as {
      target: number;
      cluster_id: number | null;
      pending: number;
      active: number;
      cores: number;
      stamp: string | null;
    }[];
    const targets = new Map<number | null, { pending: number; active: number; cores: number }>();
    let clustersStamp = "";
    for (const r of rows) {
      if (r.target) targets.set(r.cluster_id, { pending: r.pending, active: r.active, cores: r.cores });
      else clustersStamp = r.stamp ?? "";
    }
    return { targets, clustersStamp };
  }

  /**
   * What is left after a pass, in one query: the active jobs this engine holds, active jobs no live
   * engine holds (a launch still settling after a crash), and how many jobs wait or run anywhere.
   */
  passSummary(engineId: string, liveEngineIds: readonly string[]): PassSummary {
    return statement(
      this.db,
      `SELECT COALESCE(SUM(status IN ${ACTIVE} AND claimed_by = @engineId), 0) AS held,
                COALESCE(SUM(status IN ${ACTIVE} AND (claimed_by IS NULL OR claimed_by NOT IN (SELECT value FROM json_each(@live)))), 0) AS orphaned,
                COALESCE(SUM(status = 'PENDING'), 0) AS pending,
                COALESCE(SUM(status IN ${ACTIVE}), 0) AS active
         FROM jobs WHERE status = 'PENDING' OR status IN ${ACTIVE}`,
    ).get({ engineId, live: JSON.stringify(liveEngineIds) }) as PassSummary;
  }

  countByStatus(statuses: readonly JobStatus[]): number {
    return statement(this.db, `SELECT COUNT(*) FROM jobs WHERE status IN ${sqlList(statuses)}`)
      .pluck()
      .get() as number;
  }

  // --- scheduling ------------------------------------------------------------------------------

  /**
   * Claims runnable jobs for this engine in one statement: highest priority first, equal priority
   * oldest first. Returns the claimed jobs (now QUEUED, claimed_by = engine).
   */
  claim(engineId: string, target: ClaimTarget): Job[] {
    // one UPDATE … RETURNING: atomic by itself, so it needs no transaction of its own
    const ids = claimStatement(this.db, engineId, target);
    if (ids.length === 0) return [];
    return this.jobs.byIds(ids).sort((a, b) => b.priority - a.priority || a.id - b.id);
  }

  /**
   * Finishes PENDING jobs that can never run (SKIPPED with the dependency named); returns how many.
   * Each round is one guarded UPDATE, atomic by itself.
   */
  skipDoomed(): number {
    return skipDoomedStatement(this.db);
  }

  /** Jobs this engine holds that were handed to a scheduler with a dependency that can no longer be met. */
  doomedQueued(engineId: string): { job: Job; reason: string }[] {
    const doomed = doomedQueuedStatement(this.db, engineId);
    const byId = new Map(this.jobs.byIds(doomed.map((d) => d.id)).map((j) => [j.id, j]));
    return doomed.flatMap((d) => {
      const job = byId.get(d.id);
      return job ? [{ job, reason: d.reason }] : [];
    });
  }

  // --- claims and launches ---------------------------------------------------------------------

  /** Takes over an orphaned job; false when another engine was faster. */
  adopt(jobId: number, from: string | null, engineId: string): boolean {
    const guard = from === null ? "claimed_by IS NULL" : "claimed_by = @from";
    return (
      statement(
        this.db,
        `UPDATE jobs SET claimed_by = @engineId WHERE id = @jobId AND ${guard} AND status IN ${ACTIVE}`,
      ).run({ jobId, from, engineId }).changes === 1
    );
  }

  /** Gives up this engine's claim on an active job (the run goes on; the next pass adopts it again). */
  release(jobId: number, engineId: string): boolean {
    return (
      statement(this.db, "UPDATE jobs SET claimed_by = NULL WHERE id = ? AND claimed_by = ?").run(
        jobId,
        engineId,
      ).changes === 1
    );
  }

  /** Records the runner's handle (or a launch about to happen) of a job this engine holds. */
  recordHandle(jobId: number, engineId: string, handle: RunHandle | LaunchMark): boolean {
    return (
      statement(this.db, "UPDATE jobs SET run_handle = ? WHERE id = ? AND claimed_by = ?").run(
        JSON.stringify(handle),
        jobId,
        engineId,
      ).changes === 1
    );
  }

  /**
   * Gives a QUEUED job back (its launch never happened): its handle is cleared and it is PENDING
   * again, in one statement guarded by the claim when an engine is named.
   */
  requeue(jobId: number, reason: string, engineId?: string): boolean {
    return this.db
      .transaction(() => {
        const guard = engineId === undefined ? "" : " AND claimed_by = @engineId";
        const info = statement(
          this.db,
          `UPDATE jobs SET status = 'PENDING', status_reason = @reason, run_handle = NULL, claimed_by = NULL
             WHERE id = @jobId AND status = 'QUEUED'${guard}`,
        ).run({ jobId, reason, engineId });
        return info.changes === 1;
      })
      .immediate();
  }

  /** Clears the handle of a launch that failed for good (the job is then finished as FAILED). */
  clearHandle(jobId: number, engineId: string): void {
    statement(this.db, "UPDATE jobs SET run_handle = NULL WHERE id = ? AND claimed_by = ?").run(
      jobId,
      engineId,
    );
  }

  /** A launch, recorded in one transaction: handle, command line, remote record, RUNNING if it runs. */
  recordSubmission(jobId: number, engineId: string, s: SubmissionRecord): boolean {
    return this.db
      .transaction(() => {
        const held = statement(
          this.db,
          // a job finished by someone else meanwhile (its cluster removed, say) is not recorded as launched
          `UPDATE jobs SET run_handle = ?, command_line = ? WHERE id = ? AND claimed_by = ? AND status IN ${ACTIVE}`,
        ).run(JSON.stringify(s.handle), s.commandLine, jobId, engineId).changes;
        if (held !== 1) return false;
        if (s.remote) {
          const r = s.remote;
          statement(
            this.db,
            `INSERT INTO remote_jobs (job_id, cluster_id, remote_handle, queue_name, node_list,
                 working_directory, stdout_path, stderr_path, metadata)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            jobId,
            r.clusterId,
            r.remoteHandle,
            r.queueName ?? null,
            r.nodeList ?? null,
            r.workingDirectory,
            r.stdoutPath ?? null,
            r.stderrPath ?? null,
            JSON.stringify(r.metadata ?? {}),
          );
        }
        if (s.running) {
          this.jobs.transition(jobId, "RUNNING", {
            from: ["QUEUED"],
            claimedBy: engineId,
            ...(s.running.pid !== undefined ? { set: { pid: s.running.pid } } : {}),
          });
        }
        return true;
      })
      .immediate();
  }

  /** QUEUED → RUNNING for a job this engine holds, with the scheduler's start time when known. */
  markRunning(jobId: number, engineId: string, startedAt?: string): boolean {
    return this.jobs.transition(jobId, "RUNNING", {
      from: ["QUEUED"],
      claimedBy: engineId,
      ...(startedAt ? { set: { start_time: startedAt } } : {}),
    });
  }

  /** Where a remote run executes (SLURM's node list), once known. */
  setNodeList(jobId: number, nodeList: string): void {
    statement(
      this.db,
      `UPDATE remote_jobs SET node_list = ? WHERE id = (SELECT MAX(id) FROM remote_jobs WHERE job_id = ?)
           AND node_list IS NOT ?`,
    ).run(nodeList, jobId, nodeList);
  }

  /** Why the scheduler keeps a queued run waiting (SLURM's Resources, Priority, Dependency …), or null. */
  setPendingReason(jobId: number, reason: string | null): void {
    // written only when it changes: a poll of a job that waits the same way writes nothing
    statement(
      this.db,
      `UPDATE remote_jobs SET metadata = json_set(COALESCE(metadata, '{}'), '$.pending_reason', ?)
         WHERE id = (SELECT MAX(id) FROM remote_jobs WHERE job_id = ?)
           AND json_valid(COALESCE(metadata, '{}'))
           AND json_extract(COALESCE(metadata, '{}'), '$.pending_reason') IS NOT ?`,
    ).run(reason, jobId, reason);
  }

  /** What the scheduler's queue says of a run (domain/accounting.ts), written only when it changes. */
  setSchedulerDetails(jobId: number, details: SchedulerDetails): void {
    const entries = Object.entries(detailsMetadata(details));
    // a poll that finds the job as it was writes nothing
    statement(
      this.db,
      `UPDATE remote_jobs SET metadata = json_set(COALESCE(metadata, '{}'), ${entries.map(() => "?, ?").join(", ")})
         WHERE id = (SELECT MAX(id) FROM remote_jobs WHERE job_id = ?) AND json_valid(COALESCE(metadata, '{}'))
           AND (${entries.map(() => "json_extract(COALESCE(metadata, '{}'), ?) IS NOT ?").join(" OR ")})`,
    ).run(
      ...entries.flatMap(([key, value]) => [`$.${key}`, value]),
      jobId,
      ...entries.flatMap(([key, value]) => [`$.${key}`, value]),
    );
  }

  /** QUEUED → SKIPPED for a job handed to a scheduler whose native dependency can never be met. */
  skipQueued(jobId: number, engineId: string, reason: string): boolean {
    return this.jobs.transition(jobId, "SKIPPED", { from: ["QUEUED"], claimedBy: engineId, reason });
  }

  /**
   * Records final statuses of jobs this engine holds, with their results and follow-ups, as ONE
   * transaction: each status change guarded by the claim (a job that was not this engine's to
   * finish is left alone), then the jobs whose dependencies can now never be met are skipped.
   * Returns the ids of the jobs it finished.
   */
  finish(finishes: readonly Finish[]): Finished {
    const done: Finished = { finished: [], retries: new Map() };
    if (finishes.length === 0) return done;
    return this.db
      .transaction(() => {
        for (const f of finishes) if (this.finishOne(f, done)) done.finished.push(f.jobId);
        if (done.finished.length > 0) skipDoomedStatement(this.db);
        return done;
      })
      .immediate();
  }

  private finishOne(f: Finish, done: Finished): boolean {
    const moved = this.jobs.transition(f.jobId, f.status, {
      from: [...ACTIVE_STATUSES],
      claimedBy: f.engineId,
      reason: f.reason,
      set: {
        ...(f.times?.startedAt ? { start_time: f.times.startedAt } : {}),
        ...(f.times?.endedAt ? { end_time: f.times.endedAt } : {}),
      },
    });
    if (!moved) return false;
    if (f.accounting) this.keepAccounting(f.jobId, f.accounting);
    if (f.result) {
      this.jobs.storeResults(f.jobId, f.result.final_energy_hartree, f.result);
    }
    const follow = f.followUp;
    if (follow?.reason !== undefined) this.setReason(f.jobId, follow.reason);
    if (follow?.retry) {
      const retryId = this.retry(f, follow.retry);
      if (retryId !== null) done.retries.set(f.jobId, retryId);
    }
    return true;
  }

  /** The scheduler's accounting of a run that ended, in its remote job's metadata (domain/accounting.ts). */
  private keepAccounting(jobId: number, accounting: SchedulerAccounting): void {
    const entries = Object.entries(accountingMetadata(accounting));
    statement(
      this.db,
      `UPDATE remote_jobs SET metadata = json_set(COALESCE(metadata, '{}'), ${entries.map(() => "?, ?").join(", ")})
         WHERE id = (SELECT MAX(id) FROM remote_jobs WHERE job_id = ?) AND json_valid(COALESCE(metadata, '{}'))`,
    ).run(...entries.flatMap(([key, value]) => [`$.${key}`, value]), jobId);
  }

  private setReason(jobId: number, reason: string): void {
    statement(this.db, "UPDATE jobs SET status_reason = ? WHERE id = ?").run(reason, jobId);
  }

  /**
   * Creates the retry of a finished job and hands it the job's place: its PENDING dependents wait
   * for the retry instead (rather than being skipped), and take their files from it. A retry that
   * cannot be made is said in the job's reason, and never keeps its status from being recorded.
   */
  private retry(f: Finish, retry: NonNullable<FollowUp["retry"]>): number | null {
    try {
      return this.db.transaction(() => {
        const made = this.jobs.createMany([retry.job])[0]!;
        statement(
          this.db,
          `UPDATE job_dependencies SET depends_on_job_id = @retry WHERE depends_on_job_id = @job
               AND job_id IN (SELECT id FROM jobs WHERE status = 'PENDING')`,
        ).run({ retry: made.id, job: f.jobId });
        this.workflows.retargetInputs(f.jobId, made.id);
        if (retry.planEntry && made.workflowId !== null) {
          this.workflows.addStepJob(made.workflowId, retry.planEntry, made.id);
        }
        this.setReason(f.jobId, retry.reason.replaceAll("{retry}", String(made.id)));
        return made.id;
      })();
    } catch (err) {
      const why = err instanceof UserError ? err.message : `internal error: ${(err as Error).message}`;
      this.setReason(f.jobId, `${f.reason ?? f.status} — not retried: ${why}`);
      return null;
    }
  }
}
