// Opening a project database: the file (private to its user), the pragmas every connection needs,
// and the automatic migrations to the current schema version.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { UserError } from "../domain/errors.js";
import { LATEST_VERSION, MIGRATIONS } from "./migrations/index.js";
import { tableExists } from "./migrations/types.js";
import { networkFsOf } from "./network-fs.js";

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
  /** The mount table the project folder is judged by (/proc/mounts form; default the machine's). */
  mountsText?: string;
  /** Where a one-line notice goes (a project on a network file system); default stderr. */
  notice?: (line: string) => void;
  /** Called with the text of every SQL statement executed (benchmarks count statements with it). */
  verbose?: (sql: unknown) => void;
}

export function openDatabase(file: string, options: OpenOptions = {}): DB {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) {
    throw new UserError(`project folder ${dir} does not exist — create it or pass --project DIR`);
  }
  refuseUntrustedPath(file);
  if (!options.readonly && !fs.existsSync(file)) {
    // created before SQLite touches it, so it is never readable by others, not even for a moment
    // ("wx": a file or link that appeared meanwhile is not followed)
    try {
      fs.closeSync(fs.openSync(file, "wx", 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      refuseUntrustedPath(file);
    }
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
    // before anything is written: a damaged file is never made worse, another application's file
    // never gets our tables
    checkIntact(db, file);
    refuseForeign(db, file);
    const found = schemaVersion(db);
    if (found > LATEST_VERSION) {
      throw new UserError(
        `${file} has schema version ${found}, newer than this crystal-tui understands (${LATEST_VERSION}) — upgrade crystal-tui; the file was not changed`,
      );
    }
    const migrating = options.migrate !== false && !options.readonly;
    if (migrating && found >= 1 && found < LATEST_VERSION) backupBeforeMigration(db, file, found);
    if (!options.readonly) {
      try {
        fs.chmodSync(file, 0o600);
      } catch {
        // not ours to change (another user's project): SQLite's own permission check will speak
      }
      const network = networkFsOf(dir, options.mountsText);
      if (network === null) {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
      } else {
        // WAL's shared memory does not work across the machines of a network file system
        db.pragma("journal_mode = DELETE");
        db.pragma("synchronous = FULL");
        noticeOnce(
          file,
          `crystal-tui: ${dir} is on a network file system (${network}): its database uses SQLite's rollback journal instead of WAL (slower, safe across machines)`,
          options.notice,
        );
      }
    }
    db.pragma("foreign_keys = ON");
    if (migrating) migrate(db);
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === "SQLITE_NOTADB") {
      throw new UserError(
        `${file} is not a crystal-tui database (not SQLite) — move it away or choose another --project`,
      );
    }
    if (code?.startsWith("SQLITE_CORRUPT")) throw damaged(file, (err as Error).message);
    throw err;
  }
}

const noticed = new Set<string>();

function noticeOnce(file: string, line: string, notice?: (line: string) => void): void {
  if (noticed.has(file)) return;
  noticed.add(file);
  (notice ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
}

/** A symbolic link (dangling or not) or anything but a regular file where the database belongs. */
function refuseUntrustedPath(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return; // nothing there yet
  }
  if (stat.isSymbolicLink()) {
    throw new UserError(
      `${file} is a symbolic link — crystal-tui keeps its database only in a regular file of the project folder; remove the link (and move the file itself there, if it is one)`,
    );
  }
  if (!stat.isFile()) {
    throw new UserError(`${file} is not a regular file — move it away or choose another --project`);
  }
}

/** How to get out of a damaged file, in one line. */
function damaged(file: string, detail: string): UserError {
  return new UserError(
    `${file} is damaged (SQLite: ${detail}) — nothing was written to it. Recover what it holds with \`sqlite3 ${file} .recover | sqlite3 recovered.db\` and put recovered.db in its place, or restore a backup (${path.basename(file)}.*.bak beside it, kept before each schema migration)`,
  );
}

/** SQLite's quick_check: the b-trees and their pages are sound (cheaper than integrity_check). */
function checkIntact(db: DB, file: string): void {
  const rows = db.pragma("quick_check(1)", { simple: false }) as { quick_check: string }[];
  const first = rows[0]?.quick_check ?? "ok";
  if (first !== "ok") throw damaged(file, first);
}

/**
 * An SQLite file that is neither empty, nor crystal-tui's, nor the earlier tool's (a `jobs` table with
 * its columns) belongs to another application: opening it would add our tables to it.
 */
function refuseForeign(db: DB, file: string): void {
  if (tableExists(db, "schema_version")) return;
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  if (tables.length === 0) return;
  if (tables.includes("jobs")) {
    const columns = new Set(
      (db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name),
    );
    if (["id", "name", "work_dir", "status"].every((c) => columns.has(c))) return;
  }
  const shown = tables.slice(0, 5).join(", ") + (tables.length > 5 ? ", …" : "");
  throw new UserError(
    `${file} is not a crystal-tui database (it holds the tables ${shown} of another application) — it was not changed; move it away or choose another --project`,
  );
}

/**
 * A copy of the file as it was (all its content, the WAL's too), private to its user, before a
 * migration changes it: ".crystal_tui.db.v<version>-<time>.bak" beside it.
 */
function backupBeforeMigration(db: DB, file: string, version: number): void {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  let copy = `${file}.v${version}-${stamp}.bak`;
  for (let n = 1; fs.existsSync(copy); n++) copy = `${file}.v${version}-${stamp}-${n}.bak`;
  fs.closeSync(fs.openSync(copy, "wx", 0o600));
  try {
    db.prepare("VACUUM INTO ?").run(copy);
  } catch (err) {
    fs.rmSync(copy, { force: true });
    throw new UserError(
      `could not keep a copy of ${file} before migrating it (${(err as Error).message}) — nothing was changed; free some disk space and try again`,
    );
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
