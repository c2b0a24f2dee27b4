// Files to and from a cluster over the pool's SFTP channel: streamed transfers (never a whole file in
// memory), folders, mkdir -p, small reads and writes.
//
// A transfer lands under a temporary name next to its target and is renamed into place only once
// its size matches the source — so a reader never sees half a file, and a partial transfer (a
// dropped connection, a short write) is detected and the transfer retried from scratch.
//
// Remote paths are absolute, or relative to the login folder; a leading `~/` means the same.
import type fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { SFTPWrapper, Stats } from "ssh2";
import { UserError } from "../domain/errors.js";
import { ConnectionError, RemoteFileError } from "./errors.js";
import type { SshPool } from "./pool.js";

export interface TransferOptions {
  /** Attempts in all before giving up (default 3). */
  attempts?: number;
  /** Called as bytes move: transferred so far, total, attempt number (from 1). */
  onProgress?: (transferred: number, total: number, attempt: number) => void;
  /** Permissions of an uploaded file (default 0644, or the local file's mode). */
  mode?: number;
  /** Requests in flight per file (default 8) and their size (default 256 KiB): a 2 MiB window. */
  concurrency?: number;
  chunkSize?: number;
}

export interface TransferResult {
  bytes: number;
  attempts: number;
}

export interface RemoteStat {
  size: number;
  mtime: number;
  mode: number;
  isDirectory: boolean;
  isFile: boolean;
}

const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;
const SFTP_FAILURE = 4;

/** `~` and `~/x` as SFTP understands them: relative to the login folder. */
export function remotePath(p: string): string {
  if (p === "" || p === "~" || p === "~/") return ".";
  if (p.startsWith("~/")) return p.slice(2).replace(/^\/+/, "") || ".";
  return p;
}

function remoteDirname(p: string): string {
  return path.posix.dirname(p);
}

function partName(target: string): string {
  return path.posix.join(remoteDirname(target), `.${path.posix.basename(target)}.ctui-part`);
}

type SftpCallback<T> = (err: Error | null | undefined, value?: T) => void;
function call<T>(fn: (cb: SftpCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (err) {
      reject(err);
    }
  });
}

function fileError(pool: SshPool, what: string, p: string, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const e = err as Error & { code?: number | string };
  const where = `cluster '${pool.target.label}'`;
  switch (e.code) {
    case SFTP_NO_SUCH_FILE:
      return new RemoteFileError(`${where}: ${p} does not exist there (${what})`, SFTP_NO_SUCH_FILE);
    case SFTP_PERMISSION_DENIED:
      return new RemoteFileError(
        `${where}: permission denied for ${p} (${what}) — check the cluster's remote folder and its permissions`,
        SFTP_PERMISSION_DENIED,
      );
    case SFTP_FAILURE:
      return new RemoteFileError(
        `${where}: ${what} of ${p} failed there (${e.message}) — disk full or over quota?`,
        SFTP_FAILURE,
      );
    default:
      return new RemoteFileError(`${where}: ${what} of ${p} failed: ${e.message}`);
  }
}

/** An SFTP operation with its failures as UserErrors (ConnectionError when the connection broke). */
async function op<T>(
  pool: SshPool,
  what: string,
  p: string,
  fn: (sftp: SFTPWrapper) => Promise<T>,
): Promise<T> {
  try {
    return await pool.withSftp(fn);
  } catch (err) {
    throw fileError(pool, what, p, err);
  }
}

function toStat(s: Stats): RemoteStat {
  return { size: s.size, mtime: s.mtime, mode: s.mode, isDirectory: s.isDirectory(), isFile: s.isFile() };
}

/** A remote file's or folder's facts, or null when it does not exist. */
export async function statRemote(pool: SshPool, p: string): Promise<RemoteStat | null> {
  const rp = remotePath(p);
  try {
    return await pool.withSftp(async (sftp) => toStat(await call<Stats>((cb) => sftp.stat(rp, cb))));
  } catch (err) {
    if ((err as { code?: number }).code === SFTP_NO_SUCH_FILE) return null;
    throw fileError(pool, "stat", rp, err);
  }
}

/** The login folder's absolute path on the remote side. */
export function remoteHome(pool: SshPool): Promise<string> {
  return op(pool, "realpath", ".", (sftp) => call<string>((cb) => sftp.realpath(".", cb)));
}

/** Creates a folder and its missing parents (like mkdir -p); an existing folder is fine. */
export async function mkdirp(pool: SshPool, dir: string): Promise<void> {
  const rp = remotePath(dir);
  await op(pool, "mkdir", rp, async (sftp) => {
    const stat = (d: string) => call<Stats>((cb) => sftp.stat(d, cb)).catch(() => null);
    const make = async (d: string): Promise<void> => {
      const there = await stat(d);
      if (there?.isDirectory()) return;
      if (there) throw new RemoteFileError(`cluster '${pool.target.label}': ${d} exists and is not a folder`);
      const parent = remoteDirname(d);
      if (parent !== d && parent !== ".") await make(parent);
      try {
        await call((cb) => sftp.mkdir(d, cb));
      } catch (err) {
        if (!(await stat(d))?.isDirectory()) throw err; // made meanwhile by someone else: fine
      }
    };
    await make(rp);
  });
}

/** Renames over an existing target atomically where the server allows it (OpenSSH does). */
async function renameInto(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  try {
    await call((cb) => sftp.ext_openssh_rename(from, to, cb));
    return;
  } catch (err) {
    if (!/does not support/i.test((err as Error).message)) throw err;
  }
  await call((cb) => sftp.unlink(to, cb)).catch(() => {});
  await call((cb) => sftp.rename(from, to, cb));
}

interface Pipelined {
  concurrency: number;
  chunkSize: number;
  mode?: number;
  onProgress: (done: number) => void;
}

/** Closes a remote handle without waiting for ever on a connection that is going away. */
async function closeHandle(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  await Promise.race([
    call((cb) => sftp.close(handle, cb)).catch(() => {}),
    new Promise<void>((r) => setTimeout(r, 5_000).unref()),
  ]);
}

/**
 * Streams a local file to a remote path with `concurrency` writes in flight (a link's latency is
 * paid once, not per chunk). Reads until the local end of file, whatever its size was at the start,
 * and returns the bytes sent — the caller compares sizes. (ssh2's fastPut hangs when the source
 * shrinks or the connection dies mid-way; this does not.)
 */
async function sendFile(sftp: SFTPWrapper, localPath: string, remote: string, o: Pipelined): Promise<number> {
  const fd = await fsp.open(localPath, "r");
  let handle: Buffer | undefined;
  try {
    handle = await call<Buffer>((cb) => sftp.open(remote, "w", { mode: o.mode ?? 0o644 }, cb));
    const h = handle;
    let next = 0;
    let sent = 0;
    let end = false;
    const worker = async () => {
      const buf = Buffer.allocUnsafe(o.chunkSize);
      while (!end) {
        const pos = next;
        next += o.chunkSize;
        const { bytesRead } = await fd.read(buf, 0, o.chunkSize, pos);
        if (bytesRead < o.chunkSize) end = true;
        if (bytesRead === 0) break;
        await call((cb) => sftp.write(h, buf, 0, bytesRead, pos, cb));
        sent += bytesRead;
        o.onProgress(sent);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return sent;
  } finally {
    await fd.close();
    if (handle) await closeHandle(sftp, handle);
  }
}

/** Streams a remote file of `size` bytes into a local file, `concurrency` reads in flight. */
async function receiveFile(
  sftp: SFTPWrapper,
  remote: string,
  localPath: string,
  size: number,
  o: Pipelined,
): Promise<number> {
  const handle = await call<Buffer>((cb) => sftp.open(remote, "r", cb));
  const fd = await fsp.open(localPath, "w");
  try {
    let next = 0;
    let received = 0;
    let end = false;
    const worker = async () => {
      const buf = Buffer.allocUnsafe(o.chunkSize);
      while (!end && next < size) {
        const pos = next;
        const len = Math.min(o.chunkSize, size - pos);
        next += len;
        let got = 0;
        while (got < len) {
          // a server may answer with fewer bytes than asked; 0 (or EOF) means the file got shorter
          const n = await call<number>((cb) => sftp.read(handle, buf, got, len - got, pos + got, cb)).catch(
            (err: { code?: number }) => {
              if (err.code === 1 /* EOF */) return 0;
              throw err;
            },
          );
          if (n === 0) break;
          got += n;
        }
        if (got > 0) await fd.write(buf, 0, got, pos);
        received += got;
        o.onProgress(received);
        if (got < len) end = true;
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return received;
  } finally {
    await fd.close();
    await closeHandle(sftp, handle);
  }
}

async function removeQuietly(pool: SshPool, p: string): Promise<void> {
  await pool.withSftp((sftp) => call((cb) => sftp.unlink(p, cb))).catch(() => {});
}

/** Uploads one file (streamed, in parallel chunks), retrying a partial or interrupted transfer. */
export async function upload(
  pool: SshPool,
  localPath: string,
  remote: string,
  opts: TransferOptions = {},
): Promise<TransferResult> {
  const target = remotePath(remote);
  const tmp = partName(target);
  const attempts = opts.attempts ?? 3;
  let problem: UserError | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let local: fs.Stats;
    try {
      local = await fsp.stat(localPath);
    } catch {
      throw new UserError(`cannot upload ${localPath}: it does not exist or cannot be read`);
    }
    const mode = opts.mode ?? (local.mode & 0o777 ? local.mode & 0o777 : 0o644);
    try {
      const sent = await op(pool, "upload", target, (sftp) =>
        sendFile(sftp, localPath, tmp, {
          mode,
          concurrency: opts.concurrency ?? 8,
          chunkSize: opts.chunkSize ?? 256 * 1024,
          onProgress: (done) => opts.onProgress?.(done, local.size, attempt),
        }),
      );
      const landed = await op(pool, "upload", target, (sftp) => call<Stats>((cb) => sftp.stat(tmp, cb)));
      if (landed.size !== local.size || sent !== local.size) {
        problem = new RemoteFileError(
          `cluster '${pool.target.label}': upload of ${localPath} to ${target} stopped short (${Math.min(landed.size, sent)} of ${local.size} bytes)`,
        );
        await removeQuietly(pool, tmp);
        continue;
      }
      await op(pool, "upload", target, (sftp) => renameInto(sftp, tmp, target));
      return { bytes: local.size, attempts: attempt };
    } catch (err) {
      if (!(err instanceof ConnectionError)) {
        await removeQuietly(pool, tmp);
        throw err;
      }
      problem = err;
    }
  }
  await removeQuietly(pool, tmp);
  throw retriesExhausted(problem, attempts);
}

/** Downloads one file (streamed, in parallel chunks), retrying a partial or interrupted transfer. */
export async function download(
  pool: SshPool,
  remote: string,
  localPath: string,
  opts: TransferOptions = {},
): Promise<TransferResult> {
  const source = remotePath(remote);
  const tmp = path.join(path.dirname(localPath), `.${path.basename(localPath)}.ctui-part`);
  const attempts = opts.attempts ?? 3;
  let problem: UserError | null = null;
  await fsp.mkdir(path.dirname(localPath), { recursive: true });
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const st = await op(pool, "download", source, (sftp) => call<Stats>((cb) => sftp.stat(source, cb)));
        await op(pool, "download", source, (sftp) =>
          receiveFile(sftp, source, tmp, st.size, {
            concurrency: opts.concurrency ?? 8,
            chunkSize: opts.chunkSize ?? 256 * 1024,
            onProgress: (done) => opts.onProgress?.(done, st.size, attempt),
          }),
        );
        const got = (await fsp.stat(tmp)).size;
        if (got !== st.size) {
          problem = new RemoteFileError(
            `cluster '${pool.target.label}': download of ${source} stopped short (${got} of ${st.size} bytes)`,
          );
          continue;
        }
        await fsp.rename(tmp, localPath);
        return { bytes: got, attempts: attempt };
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
        problem = err;
      }
    }
    throw retriesExhausted(problem, attempts);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

function retriesExhausted(problem: UserError | null, attempts: number): UserError {
  if (problem instanceof ConnectionError) return problem; // still transient: the caller may try later
  return new RemoteFileError(`${problem?.message ?? "transfer failed"} — gave up after ${attempts} attempts`);
}

async function inBatches<T>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Uploads a local folder's files (recursively) into a remote folder; returns their relative paths. */
export async function uploadDir(
  pool: SshPool,
  localDir: string,
  remoteDir: string,
  opts: TransferOptions & { parallel?: number; filter?: (relativePath: string) => boolean } = {},
): Promise<string[]> {
  const files: string[] = [];
  const dirs: string[] = [""];
  const walk = async (rel: string) => {
    for (const e of await fsp.readdir(path.join(localDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.push(r);
        await walk(r);
      } else if (e.isFile() && (opts.filter?.(r) ?? true)) files.push(r);
    }
  };
  await walk("");
  const base = remotePath(remoteDir);
  for (const d of dirs) await mkdirp(pool, d ? path.posix.join(base, d) : base);
  await inBatches(files, opts.parallel ?? 4, async (r) => {
    await upload(pool, path.join(localDir, r), path.posix.join(base, r), opts);
  });
  return files.sort();
}

/** Lists a remote folder (names, with facts); a missing folder is an error. */
export async function listRemote(pool: SshPool, dir: string): Promise<{ name: string; stat: RemoteStat }[]> {
  const rp = remotePath(dir);
  const entries = await op(pool, "list", rp, (sftp) =>
    call<{ filename: string; attrs: Stats }[]>((cb) => sftp.readdir(rp, cb as never)),
  );
  return entries
    .filter((e) => e.filename !== "." && e.filename !== "..")
    .map((e) => ({ name: e.filename, stat: toStat(e.attrs) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Downloads a remote folder's files (recursively) into a local folder; returns their relative paths. */
export async function downloadDir(
  pool: SshPool,
  remoteDir: string,
  localDir: string,
  opts: TransferOptions & { parallel?: number; filter?: (relativePath: string) => boolean } = {},
): Promise<string[]> {
  const base = remotePath(remoteDir);
  const files: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await listRemote(pool, rel ? path.posix.join(base, rel) : base)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.stat.isDirectory) await walk(r);
      else if (e.stat.isFile && !e.name.endsWith(".ctui-part") && (opts.filter?.(r) ?? true)) files.push(r);
    }
  };
  await walk("");
  await inBatches(files, opts.parallel ?? 4, async (r) => {
    await download(pool, path.posix.join(base, r), path.join(localDir, ...r.split("/")), opts);
  });
  return files.sort();
}

/** A whole (small) remote file in memory; refuses files larger than maxBytes (default 16 MiB). */
export async function readRemoteFile(
  pool: SshPool,
  p: string,
  opts: { maxBytes?: number } = {},
): Promise<Buffer> {
  const rp = remotePath(p);
  const max = opts.maxBytes ?? 16 * 1024 * 1024;
  const st = await statRemote(pool, rp);
  if (!st)
    throw fileError(pool, "read", rp, Object.assign(new Error("no such file"), { code: SFTP_NO_SUCH_FILE }));
  if (st.size > max) {
    throw new RemoteFileError(
      `cluster '${pool.target.label}': ${rp} is ${st.size} bytes, more than the ${max} read at once — download it instead`,
    );
  }
  return op(pool, "read", rp, (sftp) => call<Buffer>((cb) => sftp.readFile(rp, cb)));
}

/** Writes a (small) remote file: under a temporary name, then renamed into place. */
export async function writeRemoteFile(
  pool: SshPool,
  p: string,
  data: string | Buffer,
  opts: { mode?: number } = {},
): Promise<void> {
  const rp = remotePath(p);
  const tmp = partName(rp);
  await op(pool, "write", rp, async (sftp) => {
    await call((cb) => sftp.writeFile(tmp, data, { mode: opts.mode ?? 0o644 }, cb));
    await renameInto(sftp, tmp, rp);
  });
}

/** Removes a remote file; with recursive, a folder and everything in it. Missing is fine. */
export async function removeRemote(
  pool: SshPool,
  p: string,
  opts: { recursive?: boolean } = {},
): Promise<void> {
  const rp = remotePath(p);
  const st = await statRemote(pool, rp);
  if (!st) return;
  if (!st.isDirectory) {
    await op(pool, "remove", rp, (sftp) => call((cb) => sftp.unlink(rp, cb)));
    return;
  }
  if (!opts.recursive) throw new RemoteFileError(`cluster '${pool.target.label}': ${rp} is a folder`);
  for (const e of await listRemote(pool, rp)) {
    await removeRemote(pool, path.posix.join(rp, e.name), opts);
  }
  await op(pool, "remove", rp, (sftp) => call((cb) => sftp.rmdir(rp, cb)));
}
