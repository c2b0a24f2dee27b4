// How commands speak: JSON for scripts (--json), short aligned text for people.

import { runtimeSeconds } from "../domain/job-times.js";
import type { JobStatus } from "../domain/status.js";
import { STATUS_SYMBOL } from "../domain/status.js";
import type { Cluster, Job } from "../domain/types.js";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function jobToJson(job: Job) {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    status_reason: job.statusReason,
    runner_type: job.runnerType,
    cluster: job.clusterName,
    cluster_id: job.clusterId,
    final_energy: job.finalEnergy,
    created_at: job.createdAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    queue_time: job.queueTime,
    // the same start and end under the v2 names (one value each: src/domain/job-times.ts)
    start_time: job.startedAt,
    end_time: job.completedAt,
    runtime_s: runtimeSeconds(job),
    work_dir: job.workDir,
    pid: job.pid,
    priority: job.priority,
    parallelism: job.parallelism,
    command_line: job.commandLine,
    aux_files: job.auxFiles,
    cancel_requested: job.cancelRequested,
    workflow_id: job.workflowId,
    workflow_step: job.workflowStep,
    retry_of: job.retryOf,
    attempt: job.attempt,
    // the stored results as they are: the parser's, or the Phase-1 tool's own
    key_results: job.keyResults ?? job.legacyResults,
  };
}

export function clusterToJson(c: Cluster) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    hostname: c.hostname,
    port: c.port,
    username: c.username,
    status: c.status,
    config: c.config,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

/** A plain aligned table; the first row is the header. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - [...cell].length),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function statusLabel(status: JobStatus): string {
  return `${STATUS_SYMBOL[status]} ${status}`;
}

export function formatEnergy(e: number | null): string {
  return e === null ? "" : e.toFixed(8);
}
