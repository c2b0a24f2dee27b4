import type { Database } from "better-sqlite3";

export interface Migration {
  version: number;
  description: string;
  /**
   * SQLite cannot change a CHECK constraint in place: the table is rebuilt, which must happen with
   * foreign keys off (a pragma that cannot change inside a transaction). The runner does that and
   * runs `PRAGMA foreign_key_check` before committing.
   */
  rebuildsTables?: boolean;
  /** Applies the change. Must be idempotent: it may meet a half-applied earlier attempt. */
  up(db: Database): void;
}

export function tableExists(db: Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

export function columnNames(db: Database, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** ALTER TABLE … ADD COLUMN unless an earlier, interrupted attempt already added it. */
export function addColumnIfMissing(db: Database, table: string, column: string, definition: string): void {
  if (!columnNames(db, table).has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}
