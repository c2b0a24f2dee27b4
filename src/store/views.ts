// What the TUI's lists show, read in one place: the job list's window (only the rows on screen, with
// a COUNT for the scrollbar, so 10,000 jobs cost what 20 do), the counts per status, the clusters
// with their active jobs, the workflows with their steps. Statements are prepared once per SQL text:
// a key press must not pay for parsing.
import type { Statement } from "better-sqlite3";
import { isBatchRunner } from "../domain/accounting.js";
import { ACTIVE_STATUSES, JOB_STATUSES, type JobStatus } from "../domain/status.js";
import { isStatusGroup, STATUS_GROUPS } from "../domain/status-groups.js";
import type { RunnerType } from "../domain/types.js";
import type { DB } from "./database.js";
import { parseJsonObject } from "./json.js";
import type {
  JobListQuery,
  JobListRow,
  SchedulerJobMark,
  SortColumn,
  WorkflowListRow,
  WorkflowStepRow,
} from "./records.js";
import { sqlList } from "./status-sql.js";

/**
 * The columns the list sorts by. Ids are handed out in creation order, so "created" sorts by id: the
 * creation order at full resolution (created_at has whole seconds, and a workflow creates many jobs
 * in one), and the primary key makes any page of it free to read.
 */
export const SORT_COLUMNS = [
  "created",
  "name",
  "status",
  "where",
  "runtime",
  "energy",
] as const satisfies readonly SortColumn[];

export const DEFAULT_QUERY: JobListQuery = { status: null, search: "", sort: "created", descending: true };

const statusOrder = `CASE j.status ${JOB_STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(" ")} END`;

const SORT_SQL: Readonly<Record<SortColumn, string>> = {
  created: "j.id",
  // a trailing number sorts as a number (scan-4 before scan-10), the rest case-insensitively
  name: [
    "rtrim(j.name, '0123456789') COLLATE NOCASE",
    "CAST(substr(j.name, length(rtrim(j.name, '0123456789')) + 1) AS INTEGER)",
    "j.name COLLATE NOCASE",
  ].join(" {dir}, "),
  status: statusOrder,
  where: "COALESCE(c.name, '')",
  // jobs that never started sort as the shortest
  runtime: "COALESCE(julianday(COALESCE(j.end_time, 'now')) - julianday(j.start_time), -1)",
  energy: "j.final_energy",
};

function whereClause(q: JobListQuery): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (q.status && isStatusGroup(q.status)) parts.push(`j.status IN ${sqlList(STATUS_GROUPS[q.status])}`);
  else if (q.status) {
    parts.push("j.status = ?");
    params.push(q.status);
  }
  if (q.search.trim() !== "") {
    parts.push("j.name LIKE ? ESCAPE '\\'");
    params.push(`%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

function orderBy(q: JobListQuery): string {
  const dir = q.descending ? "DESC" : "ASC";
  // empty energies last whichever way the list is sorted, and ties broken by id so paging is stable
  const nulls = q.sort === "energy" ? "j.final_energy IS NULL, " : "";
  return `ORDER BY ${nulls}${SORT_SQL[q.sort].replaceAll("{dir}", dir)} ${dir}, j.id ${dir}`;
}

interface ListRow {
  id: number;
  name: string;
  status: JobStatus;
  runner_type: RunnerType;
  cluster_name: string | null;
  started_at: string | null;
  completed_at: string | null;
  final_energy: number | null;
  created_at: string;
  cancel_requested: number;
  workflow_id: number | null;
}

const textOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);

interface SchedulerRow {
  job_id: number;
  remote_handle: string;
  node_list: string | null;
  pending_reason: unknown;
}

interface MarkRow {
  id: number;
  result_status: string | null;
  error_kind: string | null;
  n_imaginary: number | null;
  standin: number | null;
}

export class ViewStore {
  private readonly statements = new Map<string, Statement<unknown[]>>();

  constructor(private readonly db: DB) {}

  private prepared(sql: string): Statement<unknown[]> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** How many jobs the list shows with this query. */
  countJobs(q: JobListQuery): number {
    const w = whereClause(q);
    return (this.prepared(`SELECT COUNT(*) AS n FROM jobs j ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  /** The rows from `offset` on, at most `limit` of them, in the list's order. */
  jobWindow(q: JobListQuery, offset: number, limit: number): JobListRow[] {
    const w = whereClause(q);
    const sql = `SELECT j.id, j.name, j.status, j.runner_type, c.name AS cluster_name, j.start_time AS started_at,
        j.end_time AS completed_at, j.final_energy, j.created_at, j.cancel_requested, j.workflow_id
      FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id ${w.sql} ${orderBy(q)} LIMIT ? OFFSET ?`;
    const rows = this.prepared(sql).all(
      ...w.params,
      Math.max(0, Math.floor(limit)),
      Math.max(0, Math.floor(offset)),
    ) as ListRow[];
    const marks = this.resultMarks(rows.map((r) => r.id));
    const scheduled = this.schedulerMarks(rows.filter((r) => isBatchRunner(r.runner_type)).map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      runnerType: r.runner_type,
      clusterName: r.cluster_name,
      startedAt: r.started_at,
      completedAt: r.completed_at,
      finalEnergy: r.final_energy,
      createdAt: r.created_at,
      cancelRequested: r.cancel_requested === 1,
      workflowId: r.workflow_id,
      resultStatus: textOrNull(marks.get(r.id)?.result_status),
      errorKind: textOrNull(marks.get(r.id)?.error_kind),
      imaginaryModes: typeof marks.get(r.id)?.n_imaginary === "number" ? marks.get(r.id)!.n_imaginary : null,
      standin: marks.get(r.id)?.standin === 1,
      schedulerJob: scheduled.get(r.id) ?? null,
    }));
  }

  /** The scheduler's id, pending reason and node list of the batch jobs on screen (their latest run). */
  private schedulerMarks(ids: number[]): Map<number, SchedulerJobMark> {
    if (ids.length === 0) return new Map();
    const rows = this.prepared(
      `SELECT job_id, remote_handle, node_list,
         CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.pending_reason') END AS pending_reason
       FROM remote_jobs WHERE id IN
         (SELECT MAX(id) FROM remote_jobs WHERE job_id IN (SELECT value FROM json_each(?)) GROUP BY job_id)`,
    ).all(JSON.stringify(ids)) as SchedulerRow[];
    return new Map(
      rows.map((r) => [
        r.job_id,
        {
          id: r.remote_handle,
          pendingReason: typeof r.pending_reason === "string" ? r.pending_reason : null,
          nodeList: r.node_list,
        },
      ]),
    );
  }

  /**
   * The few result fields the list marks a row with, read for the rows on screen only: a JSON look-up
   * in the window's SELECT would parse every job's results whenever the sort needs all rows (53 ms
   * for 10,000 jobs sorted by name, measured), this costs the rows shown.
   */
  private resultMarks(ids: number[]): Map<number, MarkRow> {
    if (ids.length === 0) return new Map();
    const rows = this.prepared(
      `SELECT id,
         CASE WHEN json_valid(key_results) THEN json_extract(key_results, '$.status') END AS result_status,
         CASE WHEN json_valid(key_results) THEN json_extract(key_results, '$.error_kind') END AS error_kind,
         CASE WHEN json_valid(key_results) THEN json_extract(key_results, '$.frequencies.n_imaginary') END AS n_imaginary,
         CASE WHEN json_valid(key_results) THEN json_type(key_results, '$.standin') = 'object' END AS standin
       FROM jobs WHERE id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids)) as MarkRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** How many jobs are in each status (for the status line). */
  statusCounts(): Record<JobStatus, number> {
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    const rows = this.prepared("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all() as {
      status: JobStatus;
      n: number;
    }[];
    for (const r of rows) if (r.status in counts) counts[r.status] = r.n;
    return counts;
  }

  /** A job's place in the list's order (to keep the cursor on it when the order changes), or null. */
  positionOf(q: JobListQuery, id: number): number | null {
    const w = whereClause(q);
    const sql = `SELECT n FROM (SELECT j.id, ROW_NUMBER() OVER (${orderBy(q)}) - 1 AS n
      FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id ${w.sql}) WHERE id = ?`;
    const row = this.prepared(sql).get(...w.params, id) as { n: number } | undefined;
    return row ? row.n : null;
  }

  /** How many jobs are active (queued or running) on each cluster. */
  activeJobsByCluster(): Map<number, number> {
    const rows = this.prepared(
      `SELECT cluster_id, COUNT(*) AS n FROM jobs WHERE cluster_id IS NOT NULL AND status IN ${sqlList(ACTIVE_STATUSES)}
       GROUP BY cluster_id`,
    ).all() as { cluster_id: number; n: number }[];
    return new Map(rows.map((r) => [r.cluster_id, r.n]));
  }

  /** Workflows, newest first, with how many of their jobs are in each status. */
  workflows(): WorkflowListRow[] {
    const rows = this.prepared(
      "SELECT id, name, created_at, results, params FROM workflows ORDER BY created_at DESC, id DESC",
    ).all() as {
      id: number;
      name: string;
      created_at: string;
      results: string | null;
      params: string | null;
    }[];
    const counts = this.prepared(
      "SELECT workflow_id, status, COUNT(*) AS n FROM jobs WHERE workflow_id IS NOT NULL GROUP BY workflow_id, status",
    ).all() as { workflow_id: number; status: JobStatus; n: number }[];
    const byWorkflow = new Map<number, Partial<Record<JobStatus, number>>>();
    for (const c of counts) {
      const m = byWorkflow.get(c.workflow_id) ?? {};
      m[c.status] = c.n;
      byWorkflow.set(c.workflow_id, m);
    }
    return rows.map((r) => {
      const c = byWorkflow.get(r.id) ?? {};
      return {
        id: r.id,
        name: r.name,
        createdAt: r.created_at,
        results: parseJsonObject(r.results),
        params: parseJsonObject(r.params),
        counts: c,
        total: Object.values(c).reduce((a, b) => a + (b ?? 0), 0),
      };
    });
  }

  /** The jobs of a workflow with the edges between them, in creation order. */
  workflowSteps(workflowId: number): WorkflowStepRow[] {
    const rows = this.prepared(
      `SELECT id, name, workflow_step, status, status_reason, final_energy, start_time AS started_at,
         end_time AS completed_at, retry_of
       FROM jobs WHERE workflow_id = ? ORDER BY id`,
    ).all(workflowId) as {
      id: number;
      name: string;
      workflow_step: string | null;
      status: JobStatus;
      status_reason: string | null;
      final_energy: number | null;
      started_at: string | null;
      completed_at: string | null;
      retry_of: number | null;
    }[];
    const edges = this.prepared(
      `SELECT d.job_id, d.depends_on_job_id FROM job_dependencies d JOIN jobs j ON j.id = d.job_id
       WHERE j.workflow_id = ?`,
    ).all(workflowId) as { job_id: number; depends_on_job_id: number }[];
    const parents = new Map<number, number[]>();
    for (const e of edges) parents.set(e.job_id, [...(parents.get(e.job_id) ?? []), e.depends_on_job_id]);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      step: r.workflow_step,
      status: r.status,
      statusReason: r.status_reason,
      finalEnergy: r.final_energy,
      startedAt: r.started_at,
      completedAt: r.completed_at,
      retryOf: r.retry_of,
      parents: parents.get(r.id) ?? [],
    }));
  }
}
