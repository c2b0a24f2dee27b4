// Version 4: workflows. A workflow is stored with its source (the YAML as run) and the parameters
// it was run with; its jobs point back at it and at their step, and a retry or continuation made by
// a recovery policy points at the job it replaces. A job may take files from its parents' results
// (inputs_from) and may have its deck rendered only when it starts (render_spec).
import { addColumnIfMissing, type Migration } from "./types.js";

export const v4: Migration = {
  version: 4,
  description: "workflows, job ↔ workflow step, retry links",
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS workflows (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        source_path TEXT,
        params TEXT NOT NULL DEFAULT '{}',
        spec TEXT NOT NULL DEFAULT '{}',
        results TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
      );
    `);
    addColumnIfMissing(db, "jobs", "workflow_id", "INTEGER REFERENCES workflows(id) ON DELETE SET NULL");
    addColumnIfMissing(db, "jobs", "workflow_step", "TEXT");
    addColumnIfMissing(db, "jobs", "retry_of", "INTEGER REFERENCES jobs(id) ON DELETE SET NULL");
    addColumnIfMissing(db, "jobs", "attempt", "INTEGER NOT NULL DEFAULT 1");
    // files a job takes from a parent's results when it starts (e.g. the optimised geometry as fort.34)
    addColumnIfMissing(db, "jobs", "inputs_from", "TEXT");
    // a deck rendered only when the job starts, because it uses a parent's results (template + params)
    addColumnIfMissing(db, "jobs", "render_spec", "TEXT");
    db.exec("CREATE INDEX IF NOT EXISTS idx_jobs_workflow ON jobs(workflow_id)");
  },
};
