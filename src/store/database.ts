// Opening a project database: the file (private to its user), the pragmas every connection needs,
// and the automatic migrations to the current schema version.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { UserError } from "../domain/errors.js";
import { LATEST_VERSION, MIGRATIONS } from "./migrations/index.js";
import { tableExists } from "./migrations/types.js";

export type DB = Database.Database;

const statements = new WeakMap<DB, Map<string, Database.Statement>>();

/**
 * The prepared statement for `sql` on `db`, prepared once per connection and text: a scheduling
 * pass runs the same few statements over and over, and preparing one costs more than running it.
 * (A call site that uses .pluck() uses it for its own text only.)
 */
export function statement(db: DB, sql: string): Database.Statement {
  let byText = statements.get(db);
  if (!byText) {
    byText = new Map();
    statements.set(db, byText);
  }
  let stmt = byText.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    byText.set(sql, stmt);
  }
  return stmt;
}

export const DB_FILE_NAME = ".crystal_tui.db";
/** Long enough that a writer in another process (a bulk insert, a migration) is waited for. */
export const BUSY_TIMEOUT_MS = 15_000;

export function databasePath(projectDir: string): string {
  return path.join(projectDir, DB_FILE_NAME);
}

/** The schema version recorded in the file: 0 for an empty file, 1 for a Phase-1 file without the table. */
export function schemaVersion(db: DB): number {
  if (!tableExists(db, "schema_version")) return tableExists(db, "jobs") ? 1 : 0;
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
  return row.v ?? 0;
}

export interface OpenOptions {
  /** Apply missing migrations (default true). `db status` of a newer file still refuses. */
  migrate?: boolean;
  readonly?: boolean;
  /** How long a statement waits for another process's write lock (default BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
  /** Called with the text of every SQL statement executed (benchmarks count statements with it). */
  verbose?: (sql: unknown) => void;
}

export function openDatabase(file: string, options: OpenOptions = {}): DB {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) {
    throw new UserError(`project folder ${dir} does not exist — create it or pass --project DIR`);
  }
  if (!options.readonly && !fs.existsSync(file)) {
    // created before SQLite touches it, so it is never readable by others, not even for a moment
    fs.closeSync(fs.openSync(file, "a", 0o600));
  }
  let db: DB;
  try {
    db = new Database(file, {
      timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
      readonly: options.readonly ?? false,
      ...(options.verbose ? { verbose: options.verbose } : {}),
    });
  } catch (err) {
    throw new UserError(`cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    const found = schemaVersion(db);
    if (found > LATEST_VERSION) {
      throw new UserError(
        `${file} has schema version ${found}, newer than this crystal-tui understands (${LATEST_VERSION}) — upgrade crystal-tui; the file was not changed`,
      );
    }
    if (!options.readonly) {
      try {
        fs.chmodSync(file, 0o600);
      } catch {
        // not ours to change (another user's project): SQLite's own permission check will speak
      }
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
    }
    db.pragma("foreign_keys = ON");
    if (options.migrate !== false && !options.readonly) migrate(db);
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === "SQLITE_NOTADB") {
      throw new UserError(
        `${file} is not a crystal-tui database (not SQLite) — move it away or choose another --project`,
      );
    }
    throw err;
  }
}

/**
 * Applies every missing migration, each in its own IMMEDIATE transaction. The version is re-read
 * inside the transaction, so two processes opening the same old file at once apply each step once.
 */
export function migrate(db: DB): number[] {
  const applied: number[] = [];
  const pending = MIGRATIONS.filter((m) => m.version > schemaVersion(db));
  if (pending.length === 0) return applied;
  // a table rebuild rewrites every row and index: give SQLite room so it does not thrash its cache
  const cacheSize = db.pragma("cache_size", { simple: true }) as number;
  db.pragma("cache_size = -131072");
  try {
    for (const migration of pending) applyMigration(db, migration, applied);
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
  }
  return applied;
}

function applyMigration(db: DB, migration: (typeof MIGRATIONS)[number], applied: number[]): void {
  if (schemaVersion(db) >= migration.version) return;
  if (migration.rebuildsTables) db.pragma("foreign_keys = OFF");
  try {
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
      );
      // a Phase-1 file written before schema_version existed is recorded as what it is
      if (
        migration.version > 1 &&
        (db.prepare("SELECT COUNT(*) AS n FROM schema_version").get() as { n: number }).n === 0
      ) {
        db.prepare("INSERT OR IGNORE INTO schema_version (version) VALUES (1)").run();
      }
      migration.up(db);
      if (migration.rebuildsTables) {
        const broken = db.pragma("foreign_key_check") as unknown[];
        if (broken.length > 0) {
          throw new Error(
            `migration ${migration.version} would break ${broken.length} foreign keys; nothing was changed`,
          );
        }
      }
      db.prepare(
        "INSERT OR IGNORE INTO schema_version (version, applied_at) VALUES (?, CURRENT_TIMESTAMP)",
      ).run(migration.version);
      applied.push(migration.version);
    }).immediate();
  } finally {
    if (migration.rebuildsTables) db.pragma("foreign_keys = ON");
  }
}
