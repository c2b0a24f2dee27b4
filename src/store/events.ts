// The story of a job: every status change with its time and reason, written by the database's
// own trigger (src/store/status-sql.ts) so no code path can forget it.
import type { JobStatus } from "../domain/status.js";
import type { JobEvent } from "../domain/types.js";
import { type DB, statement } from "./database.js";

interface EventRow {
  id: number;
  job_id: number;
  at: string;
  from_status: JobStatus | null;
  to_status: JobStatus;
  reason: string | null;
}

export class EventRepository {
  constructor(private readonly db: DB) {}

  forJob(jobId: number): JobEvent[] {
    return (
      statement(this.db, "SELECT * FROM job_events WHERE job_id = ? ORDER BY id").all(jobId) as EventRow[]
    ).map((r) => ({
      id: r.id,
      jobId: r.job_id,
      at: r.at,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      reason: r.reason,
    }));
  }

  /** The id of the newest event: a cheap "has anything changed?" probe for views that refresh. */
  lastId(): number {
    return (statement(this.db, "SELECT COALESCE(MAX(id), 0) AS m FROM job_events").get() as { m: number }).m;
  }
}
