// What a failed store operation means for its caller: a database that cannot take a write right now
// (another process holds its write lock past the busy timeout, its disk is full, an I/O error) may
// take it a moment later — the write is worth retrying, and nothing it was about is known to have failed.

import path from "node:path";
import { UserError } from "../domain/errors.js";

const TEMPORARY = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_PROTOCOL"];

/** The store could not take the write now; the same write may succeed later. */
export function isTemporaryStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && TEMPORARY.some((c) => code === c || code.startsWith(`${c}_`));
}

/** How to get out of a damaged database file, in one line. */
export function damagedDatabase(file: string, detail: string): UserError {
  return new UserError(
    `${file} is damaged (SQLite: ${detail}) — nothing was written to it. Recover what it holds with \`sqlite3 ${file} .recover | sqlite3 recovered.db\` and put recovered.db in its place, or restore a backup (${path.basename(file)}.*.bak beside it, kept before each schema migration)`,
  );
}

/**
 * A store error the user can act on, in their words (the database file named), or null for one that
 * is a bug. The transaction it broke was rolled back: nothing of it was written.
 */
export function storeErrorInWords(err: unknown, file: string): UserError | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== "string") return null;
  const message = (err as Error).message;
  if (code.startsWith("SQLITE_CORRUPT")) return damagedDatabase(file, message);
  if (code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR")) {
    return new UserError(
      `${file}: the disk is full (or failing): this change was not written — free some space and run the command again`,
    );
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new UserError(
      `${file} is busy: another process held its write lock too long — nothing was written; wait for it (or stop it) and run the command again`,
    );
  }
  return null;
}
