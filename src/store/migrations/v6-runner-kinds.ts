// Version 6: which cluster types and runner types exist is data, not a CHECK frozen in the schema.
// The types come from the registry of schedulers (src/runners/schedulers.ts), which the program
// registers when it opens a project (Store.registerRunnerKinds); a trigger refuses any other value,
// as the CHECK did. So a new scheduler needs no migration. The CHECKs are removed in place, as
// SQLite documents for removing a constraint (sqlite.org/lang_altertable.html, "other kinds of
// table schema changes"): the stored CREATE TABLE text is edited and the schema version bumped —
// no table is rebuilt, whatever its size.
import type { Database } from "better-sqlite3";
import type { Migration } from "./types.js";

/** Removes a CHECK from a table's stored definition (idempotent: a second run finds none). */
function dropCheck(db: Database, table: string, check: RegExp): void {
  const sql = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
    .pluck()
    .get(table) as string | undefined;
  if (!sql || !check.test(sql)) return;
  const version = db.pragma("schema_version", { simple: true }) as number;
  db.unsafeMode(true);
  try {
    db.pragma("writable_schema = ON");
    db.prepare("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?").run(
      sql.replace(check, ""),
      table,
    );
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma("writable_schema = OFF");
  } finally {
    db.unsafeMode(false);
  }
}

/** The triggers that refuse a cluster or runner type not registered in runner_kinds. */
export function installRunnerKindTriggers(db: Database): void {
  db.exec(`
    DROP TRIGGER IF EXISTS clusters_type_insert;
    DROP TRIGGER IF EXISTS clusters_type_update;
    DROP TRIGGER IF EXISTS jobs_runner_type_insert;
    DROP TRIGGER IF EXISTS jobs_runner_type_update;
    CREATE TRIGGER clusters_type_insert BEFORE INSERT ON clusters
    WHEN NEW.type NOT IN (SELECT kind FROM runner_kinds WHERE remote = 1)
    BEGIN SELECT RAISE(ABORT, 'unknown cluster type'); END;
    CREATE TRIGGER clusters_type_update BEFORE UPDATE OF type ON clusters
    WHEN NEW.type NOT IN (SELECT kind FROM runner_kinds WHERE remote = 1)
    BEGIN SELECT RAISE(ABORT, 'unknown cluster type'); END;
    CREATE TRIGGER jobs_runner_type_insert BEFORE INSERT ON jobs
    WHEN NEW.runner_type NOT IN (SELECT kind FROM runner_kinds)
    BEGIN SELECT RAISE(ABORT, 'unknown runner type'); END;
    CREATE TRIGGER jobs_runner_type_update BEFORE UPDATE OF runner_type ON jobs
    WHEN NEW.runner_type NOT IN (SELECT kind FROM runner_kinds)
    BEGIN SELECT RAISE(ABORT, 'unknown runner type'); END;
  `);
}

export const v6: Migration = {
  version: 6,
  description: "cluster and runner types as data (registered by the program), not a CHECK",
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS runner_kinds (kind TEXT PRIMARY KEY, remote INTEGER NOT NULL);
      -- the types the earlier versions' CHECKs allowed
      INSERT OR IGNORE INTO runner_kinds (kind, remote) VALUES ('local', 0), ('ssh', 1), ('slurm', 1);
    `);
    dropCheck(db, "clusters", /\s*CHECK\s*\(\s*type\s+IN\s*\([^)]*\)\s*\)/);
    dropCheck(db, "jobs", /\s*CHECK\s*\(\s*runner_type\s+IN\s*\([^)]*\)\s*\)/);
    installRunnerKindTriggers(db);
  },
};
