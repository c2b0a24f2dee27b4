// Version 1: the schema of the earlier Python tool (Phase 1), kept exactly so that its databases open.
import type { Migration } from "./types.js";

export const V1_DDL = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  work_dir TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK(status IN ('PENDING','QUEUED','RUNNING','COMPLETED','FAILED')),
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  started_at TIMESTAMP,
  completed_at TIMESTAMP,
  pid INTEGER,
  input_file TEXT,
  final_energy REAL,
  key_results TEXT
);
CREATE INDEX IF NOT EXISTS idx_jobs_status ON jobs(status);
CREATE INDEX IF NOT EXISTS idx_jobs_created ON jobs(created_at DESC);
`;

export const v1: Migration = {
  version: 1,
  description: "Phase 1: jobs",
  up(db) {
    db.exec(V1_DDL);
  },
};
