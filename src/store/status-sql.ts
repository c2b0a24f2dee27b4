// SQL generated from the domain's status machine and dependency rules, so that each rule is written
// once (in src/domain) and the database enforces exactly the same thing the code believes.
import type { Database } from "better-sqlite3";
import { DEPENDENCY_RULES, DEPENDENCY_TYPES } from "../domain/dependencies.js";
import { type JobTime, timesSetBy } from "../domain/job-times.js";
import { JOB_STATUSES, type JobStatus, TRANSITIONS } from "../domain/status.js";

/** A SQL string literal. */
export const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** A parenthesised SQL list of string literals (`(NULL)` when empty, which matches nothing). */
export const sqlList = (values: readonly string[]): string =>
  values.length === 0 ? "(NULL)" : `(${values.map(sqlString).join(",")})`;

export const STATUS_CHECK = `CHECK(status IN ${sqlList(JOB_STATUSES)})`;

/** A SQL boolean: the edge `d` (job_dependencies) to parent `p` (jobs) is satisfied. */
export function dependencyMetSql(d: string, p: string): string {
  return `(${DEPENDENCY_TYPES.map(
    (t) => `(${d}.dependency_type = '${t}' AND ${p}.status IN ${sqlList(DEPENDENCY_RULES[t].satisfiedBy)})`,
  ).join(" OR ")})`;
}

/** A SQL boolean: the edge `d` to parent `p` can never be satisfied. */
export function dependencyNeverSql(d: string, p: string): string {
  return `(${DEPENDENCY_TYPES.map(
    (t) => `(${d}.dependency_type = '${t}' AND ${p}.status IN ${sqlList(DEPENDENCY_RULES[t].neverAfter)})`,
  ).join(" OR ")})`;
}

/** The columns of a job's times (src/domain/job-times.ts). */
export const TIME_COLUMNS: Readonly<Record<JobTime, string>> = {
  queued: "queue_time",
  started: "start_time",
  ended: "end_time",
};

/** The Phase-1 tool's names for the start and end, kept equal to the one start and end. */
export const MIRROR_V1_TIMES =
  "UPDATE jobs SET started_at = start_time, completed_at = end_time WHERE id = NEW.id AND (started_at IS NOT start_time OR completed_at IS NOT end_time);";

/**
 * Triggers that make the database itself guard the status machine and keep the story of every job:
 *  - jobs_status_guard refuses an illegal move (RAISE ABORT, the statement changes nothing);
 *  - jobs_status_log records every move (and every creation) in job_events with its reason;
 *  - the job's times follow the one rule of src/domain/job-times.ts: a move sets its time unless it
 *    brings its own (the scheduler's), and the Phase-1 names (started_at, completed_at) are always
 *    copies of start_time and end_time, so no reader can see two different start times.
 * Re-run by any future migration that changes the status table.
 */
export function installStatusTriggers(db: Database): void {
  const legalPairs = JOB_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => `'${from}>${to}'`));
  const setTimestamps = JOB_STATUSES.map((to: JobStatus) => {
    const cols = timesSetBy(to).map((t) => TIME_COLUMNS[t]);
    if (cols.length === 0) return "";
    const sets = cols.map((c) => `${c} = COALESCE(NEW.${c}, CURRENT_TIMESTAMP)`).join(", ");
    return `UPDATE jobs SET ${sets} WHERE id = NEW.id AND NEW.status = '${to}';`;
  }).join("\n      ");
  db.exec(`
    DROP TRIGGER IF EXISTS jobs_status_guard;
    DROP TRIGGER IF EXISTS jobs_status_log;
    DROP TRIGGER IF EXISTS jobs_created_log;
    DROP TRIGGER IF EXISTS jobs_times_mirror;
    CREATE TRIGGER jobs_status_guard BEFORE UPDATE OF status ON jobs
    WHEN OLD.status <> NEW.status AND (OLD.status || '>' || NEW.status) NOT IN (${legalPairs.join(",")})
    BEGIN
      SELECT RAISE(ABORT, 'illegal job status transition');
    END;
    CREATE TRIGGER jobs_status_log AFTER UPDATE OF status ON jobs
    WHEN OLD.status <> NEW.status
    BEGIN
      ${setTimestamps}
      ${MIRROR_V1_TIMES}
      INSERT INTO job_events (job_id, at, from_status, to_status, reason)
      VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'), OLD.status, NEW.status, NEW.status_reason);
    END;
    CREATE TRIGGER jobs_times_mirror AFTER UPDATE OF start_time, end_time ON jobs
    WHEN NEW.started_at IS NOT NEW.start_time OR NEW.completed_at IS NOT NEW.end_time
    BEGIN
      ${MIRROR_V1_TIMES}
    END;
    CREATE TRIGGER jobs_created_log AFTER INSERT ON jobs
    BEGIN
      INSERT INTO job_events (job_id, at, from_status, to_status, reason)
      VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'), NULL, NEW.status, NEW.status_reason);
    END;
  `);
}
