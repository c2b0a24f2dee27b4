// Version 2 (Phase 2 of the specification): clusters, remote jobs, job dependencies, and the
// columns that say where and how a job runs. Old jobs become local jobs with no cluster.
import { addColumnIfMissing, type Migration } from "./types.js";

export const v2: Migration = {
  version: 2,
  description: "Phase 2: clusters, remote_jobs, job_dependencies, extended jobs",
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS clusters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL CHECK(type IN ('ssh','slurm')),
        hostname TEXT NOT NULL,
        port INTEGER NOT NULL DEFAULT 22,
        username TEXT NOT NULL,
        connection_config TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
      );
      CREATE INDEX IF NOT EXISTS idx_clusters_status ON clusters(status);
      CREATE INDEX IF NOT EXISTS idx_clusters_type ON clusters(type);

      CREATE TABLE IF NOT EXISTS remote_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        remote_handle TEXT NOT NULL,
        submission_time TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        queue_name TEXT,
        node_list TEXT,
        working_directory TEXT NOT NULL,
        stdout_path TEXT,
        stderr_path TEXT,
        metadata TEXT
      );
      CREATE INDEX IF NOT EXISTS idx_remote_jobs_job_id ON remote_jobs(job_id);
      CREATE INDEX IF NOT EXISTS idx_remote_jobs_cluster_id ON remote_jobs(cluster_id);
      CREATE INDEX IF NOT EXISTS idx_remote_jobs_handle ON remote_jobs(remote_handle);

      CREATE TABLE IF NOT EXISTS job_dependencies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        depends_on_job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        dependency_type TEXT NOT NULL CHECK(dependency_type IN ('after_ok','after_any','after_failed')),
        UNIQUE(job_id, depends_on_job_id)
      );
      CREATE INDEX IF NOT EXISTS idx_dependencies_job_id ON job_dependencies(job_id);
      CREATE INDEX IF NOT EXISTS idx_dependencies_depends_on ON job_dependencies(depends_on_job_id);
    `);
    addColumnIfMissing(db, "jobs", "cluster_id", "INTEGER REFERENCES clusters(id) ON DELETE SET NULL");
    // the CHECK on runner_type comes with the v3 rebuild: adding it here would scan every old row
    addColumnIfMissing(db, "jobs", "runner_type", "TEXT NOT NULL DEFAULT 'local'");
    addColumnIfMissing(db, "jobs", "parallelism_config", "TEXT");
    addColumnIfMissing(db, "jobs", "queue_time", "TIMESTAMP");
    addColumnIfMissing(db, "jobs", "start_time", "TIMESTAMP");
    addColumnIfMissing(db, "jobs", "end_time", "TIMESTAMP");
  },
};
