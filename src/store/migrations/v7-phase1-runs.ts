// Version 7: runs the earlier tool (Phase 1) left RUNNING or QUEUED. It kept no record by which a run
// can be found again (no launch token, no run folder of ours), so such a job would wait for ever for
// an engine able to follow it — `run` never ended, `job cancel` never acted, `job rm` refused. They
// are ended as FAILED with the reason, once: a user who knows it finished can add it again.
import { sqlString } from "../status-sql.js";
import type { Migration } from "./types.js";

export const PHASE1_RUN_REASON = "was running under the earlier tool; no record of its process";

export const v7: Migration = {
  version: 7,
  description: "Phase-1 runs without a record: FAILED with the reason",
  up(db) {
    // a job this tool claimed has claimed_by (and a run handle once launched): only the earlier
    // tool's are active without both
    db.exec(`
      UPDATE jobs SET status = 'FAILED', status_reason = ${sqlString(PHASE1_RUN_REASON)}, cancel_requested = 0
        WHERE status IN ('RUNNING', 'QUEUED') AND run_handle IS NULL AND claimed_by IS NULL;
    `);
  },
};
