// Jobs: their records (the folders are made before, by src/crystal/project-files.ts), reading,
// transition-checked status changes, results, cancel requests, deletion.
import type { CrystalResult } from "../crystal/result.js";
import { type DependencyType, dependencyState, stateAfterRemoval } from "../domain/dependencies.js";
import { UserError } from "../domain/errors.js";
import { checkJobName } from "../domain/names.js";
import { checkParallelism } from "../domain/parallelism.js";
import { readRunRecord } from "../domain/run-handle.js";
import { canTransition, isActive, isJobStatus, type JobStatus, legalSources } from "../domain/status.js";
import type { InputFromParent, Job, JobRef, NewJobRecord, Parallelism, RunnerType } from "../domain/types.js";
import { checkPriority } from "../domain/whole-numbers.js";
import { type DB, statement } from "./database.js";
import { insertDependency } from "./dependencies.js";
import { parseJsonArray, parseJsonObject } from "./json.js";
import type { JobStore } from "./port.js";
import type { ListJobsOptions, RemovedJob } from "./records.js";
import { sqlList } from "./status-sql.js";

export interface JobRow {
  id: number;
  name: string;
  work_dir: string;
  status: string;
  status_reason: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  pid: number | null;
  input_file: string | null;
  final_energy: number | null;
  key_results: string | null;
  cluster_id: number | null;
  cluster_name: string | null;
  runner_type: string;
  parallelism_config: string | null;
  queue_time: string | null;
  start_time: string | null;
  end_time: string | null;
  priority: number;
  command_line: string | null;
  aux_files: string | null;
  cancel_requested: number;
  claimed_by: string | null;
  run_handle: string | null;
  workflow_id: number | null;
  workflow_step: string | null;
  retry_of: number | null;
  attempt: number;
  inputs_from: string | null;
  render_spec: string | null;
}

export const JOB_SELECT = `
  SELECT j.*, c.name AS cluster_name
  FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id`;

const RUN_STATUSES: readonly string[] = ["completed", "failed", "incomplete"];

/**
 * The results column read once, at the boundary: the parser's result as a CrystalResult, or — for
 * a row the Phase-1 tool wrote — that tool's own JSON, kept apart and untyped.
 */
function resultsOf(text: string | null): Pick<Job, "keyResults" | "legacyResults"> {
  const stored = parseJsonObject(text);
  if (stored === null) return { keyResults: null, legacyResults: null };
  // the parser's result always says its status in its own words; the Phase-1 tool's never did
  const parsed = typeof stored.status === "string" && RUN_STATUSES.includes(stored.status);
  return parsed
    ? { keyResults: stored as unknown as CrystalResult, legacyResults: null }
    : { keyResults: null, legacyResults: stored };
}

export function rowToJob(r: JobRow): Job {
  return {
    id: r.id,
    name: r.name,
    workDir: r.work_dir,
    status: (isJobStatus(r.status) ? r.status : "FAILED") as JobStatus,
    statusReason: r.status_reason,
    createdAt: r.created_at,
    // the one start and end (src/domain/job-times.ts); started_at/completed_at are their copies
    startedAt: r.start_time,
    completedAt: r.end_time,
    pid: r.pid,
    inputFile: r.input_file,
    finalEnergy: r.final_energy,
    ...resultsOf(r.key_results),
    clusterId: r.cluster_id,
    clusterName: r.cluster_name,
    runnerType: (r.runner_type ?? "local") as RunnerType,
    parallelism: (parseJsonObject(r.parallelism_config) ?? {}) as Parallelism,
    queueTime: r.queue_time,
    priority: r.priority,
    commandLine: r.command_line,
    auxFiles: parseJsonArray(r.aux_files).map(String),
    cancelRequested: r.cancel_requested === 1,
    claimedBy: r.claimed_by,
    runHandle: readRunRecord(r.run_handle),
    workflowId: r.workflow_id,
    workflowStep: r.workflow_step,
    retryOf: r.retry_of,
    attempt: r.attempt,
    inputsFrom: parseJsonArray(r.inputs_from) as InputFromParent[],
    renderSpec: parseJsonObject(r.render_spec),
  };
}

export interface TransitionOptions {
  reason?: string | null;
  /** Only move if the job is in one of these statuses (a guarded move that may lose a race). */
  from?: JobStatus[];
  /** Only move if this engine holds the claim. */
  claimedBy?: string;
  /** Columns to set in the same statement. */
  set?: Partial<{
    pid: number | null;
    command_line: string | null;
    claimed_by: string | null;
    run_handle: string | null;
    start_time: string | null;
    end_time: string | null;
    cancel_requested: 0 | 1;
  }>;
}

export class JobRepository implements JobStore {
  constructor(private readonly db: DB) {}

  /** Records a job whose folder is made (src/crystal/project-files.ts). */
  create(record: NewJobRecord): Job {
    return this.createMany([record])[0]!;
  }

  /**
   * Records jobs and their dependencies in one IMMEDIATE transaction: all of them, or none (an
   * unknown parent, a bad field). A job may name one made before it in the same batch
   * (`{ batchIndex }`). Ids are the database's (AUTOINCREMENT), never predicted.
   */
  createMany(records: readonly NewJobRecord[]): Job[] {
    const rows = records.map((r) => this.row(r));
    const ids = this.db
      .transaction(() => {
        const insert = statement(
          this.db,
          `
          INSERT INTO jobs (name, work_dir, status, input_file, cluster_id, runner_type, parallelism_config,
                            priority, aux_files, workflow_id, workflow_step, retry_of, attempt, inputs_from, render_spec)
          VALUES (@name, @work_dir, @status, @input_file, @cluster_id, @runner_type, @parallelism_config,
                  @priority, @aux_files, @workflow_id, @workflow_step, @retry_of, @attempt, @inputs_from, @render_spec)`,
        );
        const parentStatus = statement(this.db, "SELECT status FROM jobs WHERE id = ?").pluck();
        const created: number[] = [];
        /** A job of this batch by its place in it (only earlier ones exist), or a job by id. */
        const resolve = (ref: JobRef, what: string): number => {
          if (typeof ref === "number") return ref;
          const id = created[ref.batchIndex];
          if (id === undefined) {
            throw new UserError(`${what}: job #${ref.batchIndex} of the batch is not made before it`);
          }
          return id;
        };
        for (const [i, record] of records.entries()) {
          const inputsFrom = (record.inputsFrom ?? []).map((f) => ({
            ...f,
            jobId: resolve(f.jobId, `job ${record.name}`),
          }));
          const id = Number(
            insert.run({ ...rows[i]!, inputs_from: inputsFrom.length ? JSON.stringify(inputsFrom) : null })
              .lastInsertRowid,
          );
          for (const input of inputsFrom) {
            if (input.jobId === id) throw new UserError(`job ${record.name} cannot take files from itself`);
            if (parentStatus.get(input.jobId) === undefined) {
              throw new UserError(
                `job ${record.name} takes ${input.ext} from job ${input.jobId}: there is no such job — see \`crystal-tui job list\``,
              );
            }
          }
          for (const dep of record.dependencies ?? []) {
            const parentId = resolve(dep.dependsOn, `job ${record.name}`);
            insertDependency(
              this.db,
              { jobId: id, parentId, type: dep.type, jobLabel: record.name },
              { newJob: true },
            );
          }
          created.push(id);
        }
        return created;
      })
      .immediate();
    return this.byIds(ids);
  }

  /** A record checked and turned into its row. */
  private row(spec: NewJobRecord) {
    checkJobName(spec.name);
    if (!spec.renderSpec && (typeof spec.input !== "string" || spec.input.trim() === "")) {
      throw new UserError(`job ${spec.name}: the input deck is empty — give a CRYSTAL .d12 deck`);
    }
    const parallelism = checkParallelism(spec.parallelism ?? {});
    const runnerType: RunnerType = spec.runnerType ?? "local";
    if (runnerType !== "local" && (spec.clusterId === undefined || spec.clusterId === null)) {
      throw new UserError(`job ${spec.name}: a ${runnerType} job needs a cluster — pass --cluster NAME`);
    }
    return {
      name: spec.name,
      work_dir: spec.workDir,
      status: spec.status ?? "PENDING",
      input_file: spec.input || null,
      cluster_id: spec.clusterId ?? null,
      runner_type: runnerType,
      parallelism_config: JSON.stringify(parallelism),
      priority: checkPriority(spec.priority ?? 0, `job ${spec.name}: the priority`),
      aux_files: JSON.stringify(spec.auxFileNames),
      workflow_id: spec.workflowId ?? null,
      workflow_step: spec.workflowStep ?? null,
      retry_of: spec.retryOf ?? null,
      attempt: spec.attempt ?? 1,
      render_spec: spec.renderSpec ? JSON.stringify(spec.renderSpec) : null,
    };
  }

  /** Jobs by id, in the order given, in one query. */
  byIds(ids: readonly number[]): Job[] {
    const rows = statement(this.db, `${JOB_SELECT} WHERE j.id IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(ids),
    ) as JobRow[];
    const byId = new Map(rows.map((r) => [r.id, rowToJob(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  get(id: number): Job | undefined {
    const row = statement(this.db, `${JOB_SELECT} WHERE j.id = ?`).get(id) as JobRow | undefined;
    return row ? rowToJob(row) : undefined;
  }

  require(id: number): Job {
    const job = this.get(id);
    if (!job) throw new UserError(`there is no job ${id} — see \`crystal-tui job list\``);
    return job;
  }

  /** Newest first. */
  list(options: ListJobsOptions = {}): Job[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.status !== undefined) {
      const statuses = Array.isArray(options.status) ? options.status : [options.status];
      where.push(`j.status IN ${sqlList(statuses)}`);
    }
    if (options.clusterId !== undefined) {
      if (options.clusterId === null) where.push("j.cluster_id IS NULL");
      else {
        where.push("j.cluster_id = ?");
        params.push(options.clusterId);
      }
    }
    if (options.workflowId !== undefined) {
      where.push("j.workflow_id = ?");
      params.push(options.workflowId);
    }
    const sql = `${JOB_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY j.created_at DESC, j.id DESC ${options.limit !== undefined ? `LIMIT ${Math.floor(options.limit)}` : ""}
      ${options.offset !== undefined ? `OFFSET ${Math.floor(options.offset)}` : ""}`;
    return (statement(this.db, sql).all(...params) as JobRow[]).map(rowToJob);
  }

  count(): number {
    return (statement(this.db, "SELECT COUNT(*) AS n FROM jobs").get() as { n: number }).n;
  }

  /** Statuses of many jobs in one query. Unknown ids are absent from the map. */
  statuses(ids: readonly number[]): Map<number, JobStatus> {
    const rows = statement(
      this.db,
      "SELECT id, status FROM jobs WHERE id IN (SELECT value FROM json_each(?))",
    ).all(JSON.stringify(ids)) as { id: number; status: JobStatus }[];
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /**
   * Moves a job to `to`. Illegal moves are refused with a clear error before touching the database
   * (and the database's own guard trigger refuses them too). A guarded move (`from`, `claimedBy`)
   * that loses a race returns false and changes nothing.
   */
  transition(id: number, to: JobStatus, options: TransitionOptions = {}): boolean {
    const current = statement(this.db, "SELECT status FROM jobs WHERE id = ?").pluck().get(id) as
      | JobStatus
      | undefined;
    if (current === undefined) throw new UserError(`there is no job ${id} — see \`crystal-tui job list\``);
    if (current === to) return false;
    if (!canTransition(current, to)) {
      if (options.from && !options.from.includes(current)) return false;
      throw new UserError(`job ${id} is ${current} and cannot become ${to}`);
    }
    const allowed = (options.from ?? legalSources(to)).filter((s) => canTransition(s, to));
    const sets = ["status = @to", "status_reason = @reason"];
    const params: Record<string, unknown> = { id, to, reason: options.reason ?? null };
    for (const [col, value] of Object.entries(options.set ?? {})) {
      sets.push(`${col} = @${col}`);
      params[col] = value;
    }
    let guard = `id = @id AND status IN ${sqlList(allowed)}`;
    if (options.claimedBy !== undefined) {
      guard += " AND claimed_by = @claimedBy";
      params.claimedBy = options.claimedBy;
    }
    const info = statement(this.db, `UPDATE jobs SET ${sets.join(", ")} WHERE ${guard}`).run(params);
    return info.changes === 1;
  }

  /** Stores the parsed results of a run (final energy + key results JSON). */
  storeResults(id: number, finalEnergy: number | null, keyResults: CrystalResult | null): void {
    const info = statement(this.db, "UPDATE jobs SET final_energy = ?, key_results = ? WHERE id = ?").run(
      finalEnergy,
      keyResults === null ? null : JSON.stringify(keyResults),
      id,
    );
    if (info.changes === 0) throw new UserError(`there is no job ${id} — see \`crystal-tui job list\``);
  }

  setCommandLine(id: number, commandLine: string): void {
    statement(this.db, "UPDATE jobs SET command_line = ? WHERE id = ?").run(commandLine, id);
  }

  setPriority(id: number, priority: number): void {
    this.require(id);
    statement(this.db, "UPDATE jobs SET priority = ? WHERE id = ?").run(checkPriority(priority), id);
  }

  /**
   * Asks for a job to stop. A job that has not been handed to a runner is cancelled at once; an
   * active one is flagged, and the engine that owns it stops it within one poll interval.
   */
  requestCancel(id: number, by = "user"): "cancelled" | "requested" | "finished" {
    return this.db
      .transaction((): "cancelled" | "requested" | "finished" => {
        const job = this.require(id);
        if (job.status === "PENDING") {
          this.transition(id, "CANCELLED", { from: ["PENDING"], reason: `cancelled by ${by}` });
          return "cancelled";
        }
        if (isActive(job.status)) {
          statement(this.db, "UPDATE jobs SET cancel_requested = 1 WHERE id = ?").run(id);
          return "requested";
        }
        return "finished";
      })
      .immediate();
  }

  /**
   * Deletes a job's record (its dependencies and remote records go with it). A job that is queued
   * or running is refused: it must be cancelled first, or its process would be orphaned. A job
   * other pending jobs still wait for is refused too, unless `force`: then each dependent whose
   * dependency can no longer be met once it is gone (domain/dependencies.ts stateAfterRemoval) is
   * SKIPPED with the reason, in the same transaction — never left to run without what it needed.
   */
  delete(id: number, options: { force?: boolean } = {}): RemovedJob {
    return this.db
      .transaction(() => {
        const job = this.require(id);
        if (isActive(job.status)) {
          throw new UserError(
            `job ${id} is ${job.status} — cancel it first (\`crystal-tui job cancel ${id}\`)`,
          );
        }
        const waiting = (
          statement(
            this.db,
            `SELECT d.job_id AS id, c.name, d.dependency_type AS type FROM job_dependencies d
               JOIN jobs c ON c.id = d.job_id
              WHERE d.depends_on_job_id = ? AND c.status = 'PENDING' ORDER BY d.job_id`,
          ).all(id) as { id: number; name: string; type: DependencyType }[]
        ).filter((d) => dependencyState(d.type, job.status) === "waiting");
        if (waiting.length > 0 && !options.force) {
          const who = waiting.map((d) => `${d.id} (${d.name}, ${d.type})`).join(", ");
          throw new UserError(
            `job ${id} (${job.name}) is waited for by job${waiting.length > 1 ? "s" : ""} ${who} — remove ${waiting.length > 1 ? "them" : "it"} first, or pass --force to remove job ${id} and skip the jobs that needed it`,
          );
        }
        const skipped: { id: number; name: string }[] = [];
        for (const d of waiting) {
          if (stateAfterRemoval(d.type, job.status) !== "never") continue;
          const reason = `${d.type} job ${id} (${job.name}) can never be met: it was removed (job rm --force)`;
          if (this.transition(d.id, "SKIPPED", { from: ["PENDING"], reason })) skipped.push(d);
        }
        // the children keep a note of the parent they lose, before its edges go with it
        const noted = statement(
          this.db,
          `INSERT INTO deleted_parents (job_id, parent_id, parent_name, dependency_type)
           SELECT job_id, depends_on_job_id, ?, dependency_type FROM job_dependencies
            WHERE depends_on_job_id = ?`,
        ).run(job.name, id).changes;
        statement(this.db, "DELETE FROM jobs WHERE id = ?").run(id);
        return {
          ...job,
          notedChildren: noted,
          skippedDependents: skipped.map(({ id, name }) => ({ id, name })),
        };
      })
      .immediate();
  }
}
