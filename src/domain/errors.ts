// Errors are values with a message a chemist can act on. A UserError is bad input or a state the
// user can fix (exit code 1, one line on stderr); a UsageError is a malformed command line (exit 2).
// Anything else reaching the CLI is a bug and is reported as such.

export class UserError extends Error {
  override readonly name: string = "UserError";
  readonly exitCode: number = 1;
}

export class UsageError extends UserError {
  override readonly exitCode: number = 2;
}

/**
 * A job that cannot start on this machine as it is (its CRYSTAL binary or mpirun not found): the
 * engine leaves it PENDING with this reason instead of launching it into an `exit code 127`.
 */
export class NotRunnableHere extends UserError {
  override readonly name: string = "NotRunnableHere";
}

/** Collapse a message to one line: the contract is one line per error on stderr. */
export function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, " — ");
}

/**
 * What the machine refused, not the program — a full disk, a read-only filesystem, a permission —
 * in words, with what to do: "internal error … please report it" sends a chemist to the wrong
 * door. Node's errno codes and SQLite's result codes alike; null for anything else (a real bug).
 */
export function environmentProblem(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  const file = (err as { path?: unknown }).path;
  const at = typeof file === "string" ? ` (${file})` : "";
  if (code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL") {
    return `the disk is full${at} — free some space (or ask for more quota), then run the command again; the database keeps what was there before`;
  }
  if (code === "EROFS" || code.startsWith("SQLITE_READONLY")) {
    return `the project cannot be written${at}: its folder, its database or the filesystem is read-only — run this where the project can be written, or copy the project to a folder you own`;
  }
  if (code === "EACCES" || code === "EPERM" || code === "SQLITE_PERM" || code === "SQLITE_AUTH") {
    return `permission denied${at} — check the owner and permissions of the project folder and of .crystal_tui.db in it`;
  }
  if (code === "SQLITE_CANTOPEN") {
    return "the project database cannot be opened — check that you can write the project folder (SQLite keeps its journal beside the database, so a read-only folder or filesystem cannot hold one)";
  }
  if (code.startsWith("SQLITE_IOERR") || code === "EIO") {
    // SQLite reports a full disk under its WAL as a failed write, not as SQLITE_FULL
    return `the disk refused a write or read${at} — most often it is full (see df -h): free some space, or check the filesystem (dmesg); the database keeps what was there before`;
  }
  if (code === "EMFILE" || code === "ENFILE") {
    return "too many files are open — raise the limit (ulimit -n 4096) and run the command again";
  }
  if (code === "ENOMEM" || code === "SQLITE_NOMEM")
    return "the machine ran out of memory — free some and run the command again";
  return null;
}
