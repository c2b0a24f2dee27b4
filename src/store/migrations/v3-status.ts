// Version 3: the status vocabulary grows (CANCELLED, SKIPPED) — a table rebuild, since SQLite cannot
// alter a CHECK — and jobs gain what the engine needs: a status reason, a priority, the exact command
// line, auxiliary files, a cancel request, the engine that claimed them, and the runner's handle
// (what it needs to find the run again after a restart). Every status change is
// logged in job_events by trigger; engines register themselves in `engines` so that a crashed one
// can be told from a live one.
import { installStatusTriggers, STATUS_CHECK } from "../status-sql.js";
import { columnNames, type Migration, tableExists } from "./types.js";

const V2_COLUMNS = [
  "id",
  "name",
  "work_dir",
  "status",
  "created_at",
  "started_at",
  "completed_at",
  "pid",
  "input_file",
  "final_energy",
  "key_results",
  "cluster_id",
  "runner_type",
  "parallelism_config",
  "queue_time",
  "start_time",
  "end_time",
];

export const v3: Migration = {
  version: 3,
  description: "status vocabulary (CANCELLED, SKIPPED), job events, engine claims",
  rebuildsTables: true,
  up(db) {
    if (!columnNames(db, "jobs").has("claimed_by")) {
      const seqRow = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").get() as
        | { seq: number }
        | undefined;
      db.exec(`
        DROP TABLE IF EXISTS jobs_v3;
        CREATE TABLE jobs_v3 (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          name TEXT NOT NULL,
          work_dir TEXT NOT NULL,
          status TEXT NOT NULL ${STATUS_CHECK},
          created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
          started_at TIMESTAMP,
          completed_at TIMESTAMP,
          pid INTEGER,
          input_file TEXT,
          final_energy REAL,
          key_results TEXT,
          cluster_id INTEGER REFERENCES clusters(id) ON DELETE SET NULL,
          runner_type TEXT NOT NULL DEFAULT 'local' CHECK(runner_type IN ('local','ssh','slurm')),
          parallelism_config TEXT,
          queue_time TIMESTAMP,
          start_time TIMESTAMP,
          end_time TIMESTAMP,
          status_reason TEXT,
          priority INTEGER NOT NULL DEFAULT 0,
          command_line TEXT,
          aux_files TEXT,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          claimed_by TEXT,
          run_handle TEXT
        );
        INSERT INTO jobs_v3 (${V2_COLUMNS.join(",")}) SELECT ${V2_COLUMNS.join(",")} FROM jobs;
        DROP TABLE jobs;
        ALTER TABLE jobs_v3 RENAME TO jobs;
      `);
      if (seqRow) {
        // keep ids of deleted jobs from being handed out again
        db.prepare("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'jobs'").run(seqRow.seq);
      }
    }
    db.exec(`
      -- the Phase-1 UNIQUE(work_dir) as an index built once after the copy (sorting beats 100,000
      -- random inserts into an index maintained during the copy)
      CREATE UNIQUE INDEX IF NOT EXISTS idx_jobs_work_dir ON jobs(work_dir);
      CREATE INDEX IF NOT EXISTS idx_jobs_status ON jobs(status);
      CREATE INDEX IF NOT EXISTS idx_jobs_created ON jobs(created_at DESC);
      CREATE INDEX IF NOT EXISTS idx_jobs_cluster ON jobs(cluster_id);
      CREATE INDEX IF NOT EXISTS idx_jobs_status_cluster ON jobs(status, cluster_id);
      CREATE INDEX IF NOT EXISTS idx_jobs_claim ON jobs(status, priority DESC, id);
      CREATE TABLE IF NOT EXISTS job_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT
      );
      CREATE INDEX IF NOT EXISTS idx_job_events_job ON job_events(job_id, id);
      CREATE TABLE IF NOT EXISTS engines (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        proc_start TEXT,
        started_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
      );
    `);
    if (!tableExists(db, "job_events")) throw new Error("job_events was not created");
    installStatusTriggers(db);
  },
};
