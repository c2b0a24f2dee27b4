// Remote jobs: where a job lives on a remote machine (its PID or SLURM job id, its folder, its
// output files). Enough to find it again after crystal-tui restarts.
import { ACTIVE_STATUSES } from "../domain/status.js";
import type { NewRemoteJob, RemoteJob } from "../domain/types.js";
import { type DB, statement } from "./database.js";
import { parseJsonObject } from "./json.js";
import type { RemoteJobPatch } from "./records.js";
import { sqlList } from "./status-sql.js";

interface RemoteJobRow {
  id: number;
  job_id: number;
  cluster_id: number;
  remote_handle: string;
  submission_time: string | null;
  queue_name: string | null;
  node_list: string | null;
  working_directory: string;
  stdout_path: string | null;
  stderr_path: string | null;
  metadata: string | null;
}

function rowToRemoteJob(r: RemoteJobRow): RemoteJob {
  return {
    id: r.id,
    jobId: r.job_id,
    clusterId: r.cluster_id,
    remoteHandle: r.remote_handle,
    submissionTime: r.submission_time,
    queueName: r.queue_name,
    nodeList: r.node_list,
    workingDirectory: r.working_directory,
    stdoutPath: r.stdout_path,
    stderrPath: r.stderr_path,
    metadata: parseJsonObject(r.metadata) ?? {},
  };
}

export class RemoteJobRepository {
  constructor(private readonly db: DB) {}

  create(spec: NewRemoteJob): RemoteJob {
    const info = statement(
      this.db,
      `INSERT INTO remote_jobs (job_id, cluster_id, remote_handle, submission_time, queue_name, node_list,
           working_directory, stdout_path, stderr_path, metadata)
         VALUES (?, ?, ?, COALESCE(?, CURRENT_TIMESTAMP), ?, ?, ?, ?, ?, ?)`,
    ).run(
      spec.jobId,
      spec.clusterId,
      spec.remoteHandle,
      spec.submissionTime ?? null,
      spec.queueName ?? null,
      spec.nodeList ?? null,
      spec.workingDirectory,
      spec.stdoutPath ?? null,
      spec.stderrPath ?? null,
      JSON.stringify(spec.metadata ?? {}),
    );
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): RemoteJob | undefined {
    const row = statement(this.db, "SELECT * FROM remote_jobs WHERE id = ?").get(id) as
      | RemoteJobRow
      | undefined;
    return row ? rowToRemoteJob(row) : undefined;
  }

  /** The latest remote record of a job (a resubmission makes a new one). */
  getByJobId(jobId: number): RemoteJob | undefined {
    const row = statement(this.db, "SELECT * FROM remote_jobs WHERE job_id = ? ORDER BY id DESC LIMIT 1").get(
      jobId,
    ) as RemoteJobRow | undefined;
    return row ? rowToRemoteJob(row) : undefined;
  }

  update(id: number, patch: RemoteJobPatch): RemoteJob {
    const cols: Record<string, string> = {
      remoteHandle: "remote_handle",
      queueName: "queue_name",
      nodeList: "node_list",
      workingDirectory: "working_directory",
      stdoutPath: "stdout_path",
      stderrPath: "stderr_path",
      metadata: "metadata",
    };
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(patch)) {
      const col = cols[key];
      if (!col || value === undefined) continue;
      sets.push(`${col} = ?`);
      values.push(key === "metadata" ? JSON.stringify(value) : value);
    }
    if (sets.length > 0)
      statement(this.db, `UPDATE remote_jobs SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
    return this.get(id)!;
  }

  /** A cluster's remote jobs; with `activeOnly`, only those whose job is QUEUED or RUNNING. */
  listByCluster(clusterId: number, options: { activeOnly?: boolean } = {}): RemoteJob[] {
    const sql = options.activeOnly
      ? `SELECT r.* FROM remote_jobs r JOIN jobs j ON j.id = r.job_id
         WHERE r.cluster_id = ? AND j.status IN ${sqlList(ACTIVE_STATUSES)}
           AND r.id = (SELECT MAX(id) FROM remote_jobs WHERE job_id = r.job_id) ORDER BY r.id`
      : "SELECT * FROM remote_jobs WHERE cluster_id = ? ORDER BY id";
    return (statement(this.db, sql).all(clusterId) as RemoteJobRow[]).map(rowToRemoteJob);
  }
}
