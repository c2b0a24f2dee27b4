// Version 5: one start time and one end time per job. Until now a move set the Phase-1 columns
// (started_at, completed_at) and the v2 ones (start_time, end_time) separately, and the scheduler's
// times reached only the v2 ones — so a job that went QUEUED → COMPLETED showed no start, or a
// start the engine noticed instead of SLURM's. Existing rows keep the v2 value where there is one
// (the scheduler's), else the Phase-1 one; the triggers from now on keep them equal.
import { installStatusTriggers } from "../status-sql.js";
import type { Migration } from "./types.js";

export const v5: Migration = {
  version: 5,
  description: "one start and one end time per job (the scheduler's when known)",
  up(db) {
    db.exec(`
      UPDATE jobs SET start_time = COALESCE(start_time, started_at), end_time = COALESCE(end_time, completed_at)
        WHERE (start_time IS NULL AND started_at IS NOT NULL) OR (end_time IS NULL AND completed_at IS NOT NULL);
      UPDATE jobs SET started_at = start_time, completed_at = end_time
        WHERE started_at IS NOT start_time OR completed_at IS NOT end_time;
    `);
    installStatusTriggers(db);
  },
};
