// What a job on a cluster shows of its cluster's connection: a job that runs (or waits in the queue)
// on a cluster crystal-tui cannot reach now is marked, not shown as if all were well — its status is
// the last one known, and it is brought up to date once the connection is back.
import { isActive, type JobStatus } from "./status.js";
import type { ClusterConnection } from "./types.js";

/** The mark of an active job whose cluster is unreachable or waits for a login; null otherwise. */
export function connectionMark(
  status: JobStatus,
  connection: ClusterConnection | undefined,
): "unreachable" | "needs-auth" | null {
  if (!isActive(status) || !connection) return null;
  return connection.status === "unreachable" || connection.status === "needs-auth" ? connection.status : null;
}
