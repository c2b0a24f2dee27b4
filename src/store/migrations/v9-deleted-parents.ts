// Version 9: a child keeps the provenance of a parent that was deleted (issue 13, defect 8). Deleting
// a job drops its dependency edges (ON DELETE CASCADE), and with them the only record that the child
// was made after, or from the files of, that job. The delete now writes, in its own transaction, one
// row per child naming the parent it lost (id, name, how the child depended on it, when): "parent job
// 4 (mgo_opt), deleted". No foreign key to the parent: it is gone; the row goes with the child.
import type { Migration } from "./types.js";

export const v9: Migration = {
  version: 9,
  description: "deleted_parents: the parents a job lost when they were deleted",
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS deleted_parents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        parent_id INTEGER NOT NULL,
        parent_name TEXT NOT NULL,
        dependency_type TEXT NOT NULL,
        deleted_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
      );
      CREATE INDEX IF NOT EXISTS idx_deleted_parents_job_id ON deleted_parents(job_id);
    `);
  },
};
