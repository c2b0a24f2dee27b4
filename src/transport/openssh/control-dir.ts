// The private folder where crystal-tui keeps what its ssh processes share across processes: the
// master connections' sockets, the lock that serialises starting one, the settings file every hop
// is given, the askpass helper. Short (unix socket paths are limited to ~104 bytes), this user's
// only (0700, owned by us — a socket there is as good as a logged-in session).
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { UserError } from "../../domain/errors.js";

/** ssh binds `<ControlPath>.<16 random chars>` first, then renames: leave room for that. */
const MAX_DIR_LENGTH = 104 - 1 - 20 - 18;

export function defaultControlDir(): string {
  if (process.env.CRYSTAL_TUI_CONTROL_DIR) return process.env.CRYSTAL_TUI_CONTROL_DIR;
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime && `${runtime}/crystal-tui`.length <= MAX_DIR_LENGTH) return path.join(runtime, "crystal-tui");
  return path.join(os.tmpdir().length <= 20 ? os.tmpdir() : "/tmp", `crystal-tui-${os.userInfo().uid}`);
}

/** Creates (or checks) the folder: ours, 0700, short enough for sockets. */
export function ensureControlDir(dir: string): string {
  if (dir.length > MAX_DIR_LENGTH) {
    throw new UserError(
      `the connection folder ${dir} is too long for unix sockets (${dir.length} > ${MAX_DIR_LENGTH} characters) — set CRYSTAL_TUI_CONTROL_DIR to a shorter folder`,
    );
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.() ?? st.uid;
  if (!st.isDirectory() || st.uid !== uid) {
    throw new UserError(
      `the connection folder ${dir} is not a folder of this user — remove it, or set CRYSTAL_TUI_CONTROL_DIR`,
    );
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  return dir;
}

/** A short stable name for one cluster's connection settings (same settings → same master). */
export function connectionKey(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface LockOptions {
  /** Give up waiting after this long (someone may be typing a one-time code: be patient). */
  waitMs: number;
  /** Told once when the lock is held by another process. */
  onWait?: (holderPid: number) => void;
}

/**
 * Runs `fn` holding an exclusive lock file across processes (O_EXCL create; a lock whose holder
 * died is taken over). In-process callers must serialise themselves first (the shell does).
 */
export async function withFileLock<T>(file: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const end = Date.now() + opts.waitMs;
  let told = false;
  for (;;) {
    try {
      const fd = fs.openSync(file, "wx", 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let holder = Number.NaN;
    try {
      holder = Number(fs.readFileSync(file, "utf8").trim());
    } catch {}
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) {
      // a dead holder's lock: remove it only if it is still that one (another may have taken it)
      try {
        if (Number(fs.readFileSync(file, "utf8").trim()) === holder) fs.unlinkSync(file);
      } catch {}
      continue;
    }
    if (!told && Number.isInteger(holder)) {
      told = true;
      opts.onWait?.(holder);
    }
    if (Date.now() > end) {
      throw new UserError(
        `another crystal-tui process (PID ${holder}) has been connecting for over ${Math.round(opts.waitMs / 1000)} s — let it finish, or stop it`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await fn();
  } finally {
    try {
      if (Number(fs.readFileSync(file, "utf8").trim()) === process.pid) fs.unlinkSync(file);
    } catch {}
  }
}

/** Writes a file only when its content differs (atomically, 0600). */
export function writeIfChanged(file: string, content: string, mode = 0o600): void {
  try {
    if (fs.readFileSync(file, "utf8") === content) return;
  } catch {}
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
