// The RemoteShell (remote-shell.ts) that the runners speak, over today's ssh2 transport: one
// SshPool (a connection with a channel cap, health checks and reconnection) and its SFTP channel.
// The composition root (src/app/) builds one per cluster; an OpenSSH-backed shell replaces it
// there, and nowhere else.
import type { SFTPWrapper } from "ssh2";
import { UserError } from "../domain/errors.js";
import { RemoteFileError } from "./errors.js";
import type { ExecOptions, ExecResult, SshPool } from "./pool.js";
import type { RemoteFileContent, RemoteShell, ScriptOptions, ShellStats } from "./remote-shell.js";
import {
  download,
  listRemote,
  mkdirp,
  type RemoteStat,
  readRemoteFile,
  remoteHome,
  removeRemote,
  statRemote,
  type TransferOptions,
  type TransferResult,
  upload,
} from "./sftp.js";

/** Data that fits one SFTP WRITE request (ssh2 sends up to 256 KiB to OpenSSH, ~30 KiB to others). */
const PIPELINED_WRITE_BYTES = 30 * 1024;

const req = <T>(fn: (cb: (err?: Error | null, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));

export class Ssh2Shell implements RemoteShell {
  constructor(
    readonly pool: SshPool,
    /** Whether close() closes the pool (false for a pool shared with others: tests, benchmarks). */
    private readonly owned = true,
  ) {}

  get label(): string {
    return this.pool.target.label;
  }

  get stats(): ShellStats {
    return {
      commands: this.pool.stats.commands,
      connects: this.pool.stats.connects,
      bytesIn: 0,
      bytesOut: 0,
    };
  }

  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.pool.exec(argv, opts);
  }

  execOk(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.pool.execOk(argv, opts);
  }

  script(text: string, opts?: ScriptOptions): Promise<ExecResult> {
    return this.pool.script(text, opts);
  }

  scriptOk(text: string, opts?: ScriptOptions): Promise<ExecResult> {
    return this.pool.scriptOk(text, opts);
  }

  home(): Promise<string> {
    return remoteHome(this.pool);
  }

  stat(remotePath: string): Promise<RemoteStat | null> {
    return statRemote(this.pool, remotePath);
  }

  list(remoteDir: string): Promise<{ name: string; stat: RemoteStat }[]> {
    return listRemote(this.pool, remoteDir);
  }

  mkdirp(remoteDir: string): Promise<void> {
    return mkdirp(this.pool, remoteDir);
  }

  /**
   * The folder and its small files in two round trips: mkdir and every open are sent at once
   * (OpenSSH's sftp-server answers requests in order, so the folder exists before the opens are
   * served), then every write with its close. When that does not work out (the parent folder does
   * not exist yet, a server that answers out of order), the careful way: the parents, the folder
   * (which must not exist), then each file.
   */
  async writeFiles(remoteDir: string, files: readonly RemoteFileContent[]): Promise<void> {
    if (await this.writeFresh(remoteDir, files)) return;
    const parent = remoteDir.replace(/\/[^/]+\/?$/, "") || "/";
    await mkdirp(this.pool, parent);
    await this.pool
      .withSftp((sftp) => req<void>((cb) => sftp.mkdir(remoteDir, cb)))
      .catch((err) => {
        throw new RemoteFileError(
          `cluster '${this.label}': cannot make ${remoteDir}: ${(err as Error).message}`,
        );
      });
    await Promise.all(files.map((f) => this.putFile(`${remoteDir}/${f.name}`, f.data, f.mode)));
  }

  private async writeFresh(dir: string, files: readonly RemoteFileContent[]): Promise<boolean> {
    return this.pool.withSftp(async (sftp: SFTPWrapper) => {
      const made = req<void>((cb) => sftp.mkdir(dir, cb));
      const opened = files.map((f) =>
        req<Buffer>((cb) => sftp.open(`${dir}/${f.name}`, "w", { mode: f.mode ?? 0o644 }, cb)),
      );
      const [mkdir, ...handles] = await Promise.allSettled([made, ...opened]);
      const ok = handles.filter((h): h is PromiseFulfilledResult<Buffer> => h.status === "fulfilled");
      if (mkdir!.status === "rejected" || ok.length < handles.length) {
        await Promise.all(ok.map((h) => req((cb) => sftp.close(h.value, cb)).catch(() => undefined)));
        return false;
      }
      await Promise.all(
        ok.map(async (h, i) => {
          const data = files[i]!.data;
          const write = req((cb) => sftp.write(h.value, data, 0, data.length, 0, cb));
          // one WRITE request: its CLOSE can follow at once; bigger data is written in several
          if (data.length > PIPELINED_WRITE_BYTES) await write;
          await Promise.all([write, req((cb) => sftp.close(h.value, cb))]);
        }),
      );
      return true;
    });
  }

  /** A small file of a folder nobody reads yet: open, write, close (no temporary name). */
  private putFile(remote: string, data: Buffer, mode = 0o644): Promise<void> {
    return this.pool
      .withSftp((sftp) => req<void>((cb) => sftp.writeFile(remote, data, { mode }, cb)))
      .catch((err) => {
        if (err instanceof UserError) throw err;
        throw new RemoteFileError(
          `cluster '${this.label}': could not write ${remote} there: ${(err as Error).message}`,
        );
      });
  }

  readFile(remotePath: string, opts?: { maxBytes?: number }): Promise<Buffer> {
    return readRemoteFile(this.pool, remotePath, opts);
  }

  async readFrom(
    remotePath: string,
    offset: number,
    maxBytes: number,
  ): Promise<{ data: Buffer; size: number } | null> {
    const st = await statRemote(this.pool, remotePath);
    if (!st) return null;
    const length = Math.max(0, Math.min(maxBytes, st.size - offset));
    if (length === 0) return { data: Buffer.alloc(0), size: st.size };
    return this.pool.withSftp(async (sftp) => {
      const handle = await req<Buffer>((cb) => sftp.open(remotePath, "r", cb));
      try {
        const buf = Buffer.alloc(length);
        const n = await new Promise<number>((resolve, reject) =>
          sftp.read(handle, buf, 0, length, offset, (err, bytes) => (err ? reject(err) : resolve(bytes))),
        );
        return { data: buf.subarray(0, n), size: st.size };
      } finally {
        await req((cb) => sftp.close(handle, cb)).catch(() => undefined);
      }
    });
  }

  upload(localPath: string, remotePath: string, opts?: TransferOptions): Promise<TransferResult> {
    return upload(this.pool, localPath, remotePath, opts);
  }

  download(remotePath: string, localPath: string, opts?: TransferOptions): Promise<TransferResult> {
    return download(this.pool, remotePath, localPath, opts);
  }

  remove(remotePath: string, opts?: { recursive?: boolean }): Promise<void> {
    return removeRemote(this.pool, remotePath, opts);
  }

  async close(): Promise<void> {
    if (this.owned) await this.pool.close();
  }
}
