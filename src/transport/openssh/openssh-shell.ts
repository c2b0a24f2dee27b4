// RemoteShell over the system's OpenSSH: every command and file operation is one `ssh` session
// multiplexed on the cluster's shared master (master.ts). The session's own ssh reads no config
// (-F /dev/null): it only talks to the master's socket; should there be none (the master died, or
// ControlPersist ended it), its ProxyCommand prints a marker instead of connecting anywhere, so a
// command never logs in by itself — the master is restarted (once, under the lock) and the
// command, which never started, is sent again.
//
// Files travel inside those sessions too: a staging flight is one tar stream into one `tar -x`,
// a live tail is `tail -c +OFFSET | head -c N` with the size first, transfers are streamed through
// `cat` and checked for size before they are renamed into place. No SFTP subsystem is needed.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { UserError } from "../../domain/errors.js";
import type { ConnectionState } from "../connection-state.js";
import { CommandTimeoutError, ConnectionError, RemoteCommandError, RemoteFileError } from "../errors.js";
import { LocalPart } from "../local-part.js";
import { shellAssignment, shellCommand, shellQuote } from "../quote.js";
import type {
  ExecOptions,
  ExecResult,
  RemoteFileContent,
  RemoteShell,
  RemoteStat,
  ScriptOptions,
  ShellStats,
  TransferOptions,
  TransferResult,
} from "../remote-shell.js";
import { remotePath } from "../remote-shell.js";
import { type MasterOptions, OpenSshMaster, type OpenSshSettings } from "./master.js";
import {
  DOWNLOAD,
  LIST,
  NO_SUCH_FILE,
  READ,
  READ_FROM,
  REMOVE,
  STAT,
  statOf,
  UPLOAD,
  WRITE_FILES,
} from "./remote-files.js";
import { tarArchive } from "./tar.js";

export interface OpenSshShellOptions extends MasterOptions {
  /** Sessions this process runs at once on the master (the server's MaxSessions lowers it). */
  maxSessions?: number;
  /** Share a master object (and its state) with other shells of this process. */
  master?: OpenSshMaster;
}

/** No remote process was started: the master is gone, or the server refused another session. */
class NotStarted extends Error {
  constructor(readonly reason: "no-master" | "refused") {
    super(reason);
  }
}

interface RunSpec {
  /** A stream is made only when the session starts (nothing flows while a master is being started). */
  stdin?: string | Buffer | (() => fs.ReadStream);
  /** Receives stdout instead of it being collected (downloads). */
  onStdout?: (chunk: Buffer) => void;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

function short(command: string): string {
  const one = command.replace(/\s*\n\s*/g, " ⏎ ");
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

export class OpenSshShell implements RemoteShell {
  readonly master: OpenSshMaster;
  readonly stats: ShellStats;
  private cap: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly marker = `ctui-no-master-${randomBytes(6).toString("hex")}`;

  constructor(settings: OpenSshSettings, opts: OpenSshShellOptions = {}) {
    this.master = opts.master ?? new OpenSshMaster(settings, opts);
    this.cap = opts.maxSessions ?? 8;
    const master = this.master;
    this.stats = {
      commands: 0,
      get connects() {
        return master.connects;
      },
      bytesIn: 0,
      bytesOut: 0,
    };
  }

  get label(): string {
    return this.master.settings.label;
  }

  /** The connection as users should see it (connected, connecting, needs-auth, unreachable). */
  get state(): ConnectionState {
    return this.master.state;
  }

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) return Promise.reject(new UserError("exec needs a program to run"));
    return this.execLine(shellCommand(argv), opts);
  }

  async execOk(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.ok(await this.exec(argv, opts));
  }

  script(text: string, opts: ScriptOptions = {}): Promise<ExecResult> {
    const { args = [], ...rest } = opts;
    return this.execLine(shellCommand(["/bin/sh", "-s", "--", ...args]), { ...rest, stdin: text });
  }

  async scriptOk(text: string, opts: ScriptOptions = {}): Promise<ExecResult> {
    return this.ok(await this.script(text, opts));
  }

  /** A command line as the remote login shell reads it: only lines built with quote.ts. */
  async execLine(commandLine: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const prelude: string[] = [];
    if (opts.cwd !== undefined) prelude.push(`cd -- ${shellQuote(opts.cwd)} || exit 1`);
    for (const [k, v] of Object.entries(opts.env ?? {})) prelude.push(`export ${shellAssignment(k, v)}`);
    const line = [...prelude, commandLine].join("\n");
    return this.run(line, commandLine, {
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.maxOutputBytes !== undefined ? { maxOutputBytes: opts.maxOutputBytes } : {}),
    });
  }

  /** A script of ours with its arguments, stdin left free for data. */
  private fileOp(script: string, args: readonly string[], spec: RunSpec = {}): Promise<ExecResult> {
    return this.run(shellCommand(["sh", "-c", script, "sh", ...args]), `sh -c … ${args.join(" ")}`, spec);
  }

  private ok(r: ExecResult): ExecResult {
    if (r.code === 0) return r;
    const gist = r.stderr.trim().split("\n").filter(Boolean).pop() ?? r.stdout.trim().split("\n").pop() ?? "";
    throw new RemoteCommandError(
      `cluster '${this.label}': \`${short(r.command)}\` failed (exit ${r.code})${gist ? `: ${gist}` : ""}`,
      r.code,
      r.signal,
      r.stderr,
    );
  }

  // ---------------------------------------------------------------- sessions

  private async slot(): Promise<void> {
    if (this.running < this.cap) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.running <= this.cap ? this.waiting.shift() : undefined;
    if (next) next();
    else this.running--;
  }

  private async run(line: string, shown: string, spec: RunSpec): Promise<ExecResult> {
    const refusedUntil = Date.now() + 120_000;
    let restarts = 0;
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      let controlPath: string;
      try {
        controlPath = await this.master.ensure();
      } catch (err) {
        this.release();
        throw err;
      }
      try {
        const r = await this.session(controlPath, line, shown, spec);
        this.stats.commands++;
        if (r.code === 255 && !(await this.master.check(controlPath))) {
          this.master.lost(controlPath, "the connection dropped");
          throw new ConnectionError(
            `cluster '${this.label}': the connection dropped while running \`${short(shown)}\` — crystal-tui reconnects by itself`,
          );
        }
        return r;
      } catch (err) {
        if (!(err instanceof NotStarted)) throw err;
        if (err.reason === "no-master") {
          this.master.lost(controlPath, "the shared connection ended");
          if (++restarts > 2) {
            throw new ConnectionError(
              `cluster '${this.label}': the shared connection keeps ending — see ${await this.master.logFile()}`,
            );
          }
        } else {
          // the server allows fewer sessions per connection (MaxSessions) than we ran: run fewer
          this.cap = Math.max(1, this.running - 1);
          if (Date.now() > refusedUntil) {
            throw new ConnectionError(
              `cluster '${this.label}': the server keeps refusing new sessions (MaxSessions) — crystal-tui retries later`,
            );
          }
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * Math.min(attempt + 1, 10)));
        }
      } finally {
        this.release();
      }
    }
  }

  private session(controlPath: string, line: string, shown: string, spec: RunSpec): Promise<ExecResult> {
    const args = [
      "-F",
      "/dev/null",
      "-o",
      `ControlPath=${controlPath}`,
      "-o",
      "ControlMaster=no",
      "-o",
      // in a shell of its own, not ssh's `exec printf … >&2`: that moves the proxy's stdout (ssh's
      // connection) onto stderr before printing, ssh sees the connection end and kills the proxy
      // with SIGHUP, and the marker is lost whenever the kill comes first (seen: every time here)
      `ProxyCommand=sh -c 'printf ${this.marker} >&2'`,
      "-o",
      "BatchMode=yes",
      "-T",
      "crystal-tui",
      "--",
      line,
    ];
    const max = spec.maxOutputBytes ?? 64 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let timedOut = false;
      child.stdout.on("data", (d: Buffer) => {
        if (spec.onStdout) return spec.onStdout(d);
        if (outLen < max) out.push(d);
        outLen += d.length;
      });
      child.stderr.on("data", (d: Buffer) => {
        if (errLen < max) err.push(d);
        errLen += d.length;
      });
      child.stdin.on("error", () => {}); // a command that does not read its input
      const timer =
        spec.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              child.kill("SIGTERM");
              // the master holds the session's descriptors until the remote command ends: do not
              // wait for them (the command itself may run on: sshd has no way to be told to stop it)
              child.stdout.destroy();
              child.stderr.destroy();
              child.emit("close", null, "SIGTERM");
            }, spec.timeoutMs)
          : null;
      child.on("error", (e) => {
        if (timer) clearTimeout(timer);
        reject(new UserError(`cannot run ssh (${e.message}) — install the OpenSSH client`));
      });
      let closed = false;
      child.on("close", (code, signal) => {
        if (closed) return;
        closed = true;
        if (timer) clearTimeout(timer);
        const stderr = Buffer.concat(err).toString("utf8");
        if (timedOut) {
          return reject(
            new CommandTimeoutError(
              `cluster '${this.label}': \`${short(shown)}\` gave no answer within ${spec.timeoutMs} ms — crystal-tui retries later`,
            ),
          );
        }
        // the session was never opened: our ProxyCommand's marker (no master to talk to), or the
        // mux handshake failing on a master that is going away
        if (code === 255 && /^mux_client_request_session: session request failed/m.test(stderr)) {
          return reject(new NotStarted("refused"));
        }
        if (
          code === 255 &&
          (stderr.includes(this.marker) ||
            /^(Control socket connect\(|muxclient: master hello exchange failed)/m.test(stderr))
        ) {
          return reject(new NotStarted("no-master"));
        }
        if (code === null) {
          return reject(
            new ConnectionError(
              `cluster '${this.label}': ssh for \`${short(shown)}\` ended by ${signal ?? "a signal"}`,
            ),
          );
        }
        const stdoutBytes = Buffer.concat(out);
        resolve({
          code,
          signal: null,
          stdout: stdoutBytes.toString("utf8"),
          stderr,
          stdoutBytes,
          command: shown,
        });
      });
      const input = spec.stdin;
      if (input === undefined) child.stdin.end();
      else if (typeof input === "string" || Buffer.isBuffer(input)) child.stdin.end(input);
      else input().pipe(child.stdin);
    });
  }

  // ---------------------------------------------------------------- files

  private fileError(what: string, p: string, r: ExecResult): RemoteFileError {
    const where = `cluster '${this.label}'`;
    const why = r.stderr.trim().split("\n").pop() ?? "";
    if (r.code === 3)
      return new RemoteFileError(`${where}: ${p} does not exist there (${what})`, NO_SUCH_FILE);
    if (/permission denied/i.test(why)) {
      return new RemoteFileError(
        `${where}: permission denied for ${p} (${what}) — check the cluster's remote folder and its permissions`,
        3,
      );
    }
    if (/no space|quota/i.test(why)) {
      return new RemoteFileError(
        `${where}: ${what} of ${p} failed there (${why}) — disk full or over quota?`,
        4,
      );
    }
    return new RemoteFileError(`${where}: ${what} of ${p} failed${why ? `: ${why}` : ` (exit ${r.code})`}`);
  }

  async home(): Promise<string> {
    const r = await this.exec(["pwd", "-P"]);
    if (r.code !== 0) throw this.fileError("realpath", "~", r);
    return r.stdout.trim();
  }

  async stat(p: string): Promise<RemoteStat | null> {
    const rp = remotePath(p);
    const r = await this.fileOp(STAT, [rp]);
    if (r.code !== 0) throw this.fileError("stat", rp, r);
    if (r.stdout.trim() === "MISSING") return null;
    return statOf(r.stdout.trim().split(" "));
  }

  async list(dir: string): Promise<{ name: string; stat: RemoteStat }[]> {
    const rp = remotePath(dir);
    const r = await this.fileOp(LIST, [rp]);
    if (r.code === 4) throw new RemoteFileError(`cluster '${this.label}': ${rp} is not a folder there`);
    if (r.code !== 0) throw this.fileError("list", rp, r);
    return r.stdout
      .split("\0")
      .filter(Boolean)
      .map((entry) => {
        const [size, mtime, mode, ...name] = entry.split(" ");
        return { name: name.join(" "), stat: statOf([size!, mtime!, mode!]) };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async mkdirp(dir: string): Promise<void> {
    const rp = remotePath(dir);
    const r = await this.exec(["mkdir", "-p", "--", rp]);
    if (r.code !== 0) throw this.fileError("mkdir", rp, r);
  }

  async writeFiles(remoteDir: string, files: readonly RemoteFileContent[]): Promise<void> {
    const rp = remotePath(remoteDir);
    const archive = this.archiveOf(files);
    const r = await this.fileOp(WRITE_FILES, [rp, path.posix.dirname(rp)], { stdin: archive });
    this.stats.bytesOut += archive.length;
    if (r.code !== 0) {
      if (/exists already/.test(r.stderr)) {
        throw new RemoteFileError(
          `cluster '${this.label}': ${rp} exists already there — a run folder is never reused`,
        );
      }
      throw this.fileError("write", rp, r);
    }
  }

  /**
   * writeFiles and then a command in that folder, in ONE session (one round trip): how a submission
   * costs what a bare `sbatch` does (bench/transport.bench.ts: 1.1× instead of 1.7× for two sessions).
   * The command runs only if every file was written; its result is returned as exec's.
   */
  async writeFilesAndExec(
    remoteDir: string,
    files: readonly RemoteFileContent[],
    argv: readonly string[],
    opts: Omit<ExecOptions, "stdin" | "cwd"> = {},
  ): Promise<ExecResult> {
    const rp = remotePath(remoteDir);
    const archive = this.archiveOf(files);
    if (argv.length === 0) throw new UserError("writeFilesAndExec needs a program to run");
    const line = shellCommand(["sh", "-c", WRITE_FILES, "sh", rp, path.posix.dirname(rp), ...argv]);
    const r = await this.execLine(line, { ...opts, stdin: archive });
    this.stats.bytesOut += archive.length;
    if (r.code === 97 || r.code === 96) {
      throw new RemoteFileError(
        `cluster '${this.label}': could not write ${rp} there: ${r.stderr.trim().split("\n").pop() ?? ""}`,
      );
    }
    return { ...r, command: shellCommand(argv) };
  }

  private archiveOf(files: readonly RemoteFileContent[]): Buffer {
    for (const f of files) {
      if (!f.name || f.name.includes("/") || f.name === "." || f.name === "..") {
        throw new UserError(`writeFiles: ${JSON.stringify(f.name)} is not a plain file name`);
      }
    }
    return tarArchive(files.map((f) => ({ name: f.name, data: f.data, mode: f.mode ?? 0o644 })));
  }

  async readFile(p: string, opts: { maxBytes?: number } = {}): Promise<Buffer> {
    const rp = remotePath(p);
    const max = opts.maxBytes ?? 16 * 1024 * 1024;
    const r = await this.fileOp(READ, [rp, String(max)], { maxOutputBytes: max + 1 });
    if (r.code === 4) {
      throw new RemoteFileError(
        `cluster '${this.label}': ${rp} is ${r.stdout.trim()} bytes, more than the ${max} read at once — download it instead`,
      );
    }
    if (r.code !== 0) throw this.fileError("read", rp, r);
    this.stats.bytesIn += r.stdoutBytes.length;
    return r.stdoutBytes;
  }

  async readFrom(
    p: string,
    offset: number,
    maxBytes: number,
  ): Promise<{ data: Buffer; size: number } | null> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new UserError(`readFrom needs a whole offset and length ≥ 0, not ${offset} and ${maxBytes}`);
    }
    const rp = remotePath(p);
    const r = await this.fileOp(READ_FROM, [rp, String(offset), String(maxBytes)], {
      maxOutputBytes: maxBytes + 64,
    });
    if (r.code !== 0) throw this.fileError("read", rp, r);
    const nl = r.stdoutBytes.indexOf(0x0a);
    const head = r.stdoutBytes
      .subarray(0, nl < 0 ? undefined : nl)
      .toString("utf8")
      .trim();
    if (head === "NONE") return null;
    const data = nl < 0 ? Buffer.alloc(0) : Buffer.from(r.stdoutBytes.subarray(nl + 1));
    this.stats.bytesIn += data.length;
    // the file may have grown between the size and the read: never report less than was read
    return { data, size: Math.max(Number(head), data.length > 0 ? offset + data.length : 0) };
  }

  async upload(localPath: string, remote: string, opts: TransferOptions = {}): Promise<TransferResult> {
    const target = remotePath(remote);
    const attempts = opts.attempts ?? 3;
    let problem: UserError | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // a name of its own per attempt: the remote end of a cut attempt finishes (and cleans up) by
      // itself later, and must not touch the next attempt's file
      const tmp = path.posix.join(
        path.posix.dirname(target),
        `.${path.posix.basename(target)}.${randomBytes(4).toString("hex")}.ctui-part`,
      );
      let size: number;
      let mode: number;
      try {
        const st = await fsp.stat(localPath);
        size = st.size;
        mode = opts.mode ?? (st.mode & 0o777 ? st.mode & 0o777 : 0o644);
      } catch {
        throw new UserError(`cannot upload ${localPath}: it does not exist or cannot be read`);
      }
      let stream: fs.ReadStream | null = null;
      let sent = 0;
      const open = () => {
        sent = 0; // a session that never started may have read some already
        stream?.destroy();
        stream = fs.createReadStream(localPath, { highWaterMark: opts.chunkSize ?? 256 * 1024 });
        stream.on("data", (d) => {
          sent += d.length;
          opts.onProgress?.(sent, size, attempt);
        });
        return stream;
      };
      try {
        const r = await this.fileOp(UPLOAD, [target, tmp, String(size), mode.toString(8)], { stdin: open });
        this.stats.bytesOut += sent;
        const m = /^(OK|SHORT) (\d+)/m.exec(r.stdout);
        if (r.code === 0 && m?.[1] === "OK") return { bytes: size, attempts: attempt };
        if (r.code !== 0) throw this.fileError("upload", target, r);
        problem = new RemoteFileError(
          `cluster '${this.label}': upload of ${localPath} to ${target} stopped short (${m?.[2] ?? "?"} of ${size} bytes)`,
        );
      } catch (err) {
        (stream as fs.ReadStream | null)?.destroy();
        if (!(err instanceof ConnectionError)) throw err;
        problem = err;
      }
    }
    throw problem instanceof ConnectionError
      ? problem
      : new RemoteFileError(`${problem?.message ?? "upload failed"} — gave up after ${attempts} attempts`);
  }

  async download(remote: string, localPath: string, opts: TransferOptions = {}): Promise<TransferResult> {
    const source = remotePath(remote);
    const tmp = path.join(path.dirname(localPath), `.${path.basename(localPath)}.ctui-part`);
    const attempts = opts.attempts ?? 3;
    await fsp.mkdir(path.dirname(localPath), { recursive: true });
    let problem: UserError | null = null;
    try {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const part = new LocalPart(tmp);
        let size = -1;
        let head = Buffer.alloc(0);
        let got = 0;
        try {
          const r = await this.fileOp(DOWNLOAD, [source], {
            onStdout: (chunk) => {
              let data = chunk;
              if (size < 0) {
                head = Buffer.concat([head, chunk]);
                const nl = head.indexOf(0x0a);
                if (nl < 0) return;
                size = Number(head.subarray(0, nl).toString("utf8").trim());
                data = head.subarray(nl + 1);
              }
              if (!part.write(data)) return;
              got += data.length;
              opts.onProgress?.(got, size, attempt);
            },
          });
          this.stats.bytesIn += got;
          if (part.error) {
            throw new RemoteFileError(
              `cluster '${this.label}': download of ${source} could not be written to ${localPath} (${part.error.code ?? part.error.message}) — free some space there and collect again`,
            );
          }
          if (r.code !== 0) throw this.fileError("download", source, r);
          if (got === size) {
            part.close();
            await fsp.rename(tmp, localPath);
            return { bytes: got, attempts: attempt };
          }
          problem = new RemoteFileError(
            `cluster '${this.label}': download of ${source} stopped short (${got} of ${size} bytes)`,
          );
        } catch (err) {
          if (!(err instanceof ConnectionError)) throw err;
          problem = err;
        } finally {
          try {
            part.close();
          } catch {}
        }
      }
      throw problem instanceof ConnectionError
        ? problem
        : new RemoteFileError(
            `${problem?.message ?? "download failed"} — gave up after ${attempts} attempts`,
          );
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  async remove(p: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const rp = remotePath(p);
    const r = await this.fileOp(REMOVE, [rp, opts.recursive ? "1" : "0"]);
    if (r.code === 4) throw new RemoteFileError(`cluster '${this.label}': ${rp} is a folder`);
    if (r.code !== 0) throw this.fileError("remove", rp, r);
  }

  /** Nothing to release per process: the master outlives it by design (ControlPersist). */
  async close(): Promise<void> {}
}
