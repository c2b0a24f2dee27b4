// What a failed store operation means for its caller: a database that cannot take a write right now
// (another process holds its write lock past the busy timeout, its disk is full, an I/O error) may
// take it a moment later — the write is worth retrying, and nothing it was about is known to have failed.

const TEMPORARY = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_PROTOCOL"];

/** The store could not take the write now; the same write may succeed later. */
export function isTemporaryStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && TEMPORARY.some((c) => code === c || code.startsWith(`${c}_`));
}
