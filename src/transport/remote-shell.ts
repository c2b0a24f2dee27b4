// The seam between the remote runners and whatever carries their commands and files to a cluster.
// Runners (SSH, SLURM, and any other scheduler) speak only this interface; the transport is the
// system's own OpenSSH through one shared master connection per cluster (src/transport/openssh/),
// so that whatever `ssh ALIAS` reaches — jump hosts, one-time codes, certificates, multiplexing —
// crystal-tui reaches. Every argument arrives literally: commands are argv vectors or the caller's
// own script text with user values passed as "$@", never pasted.

export interface ExecOptions {
  /** Fed to the command's standard input (then EOF). Without it, stdin is closed at once. */
  stdin?: string | Buffer;
  /** Folder to run in (default: the login folder). */
  cwd?: string;
  /** Environment variables set for the command (quoted). */
  env?: Record<string, string>;
  /** Give up after this long: a CommandTimeoutError (transient) is thrown. */
  timeoutMs?: number;
  /** Output beyond this many bytes (each of stdout and stderr) is dropped; default 64 MiB. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** The exit status; null when the command died from a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** stdout exactly as received. */
  stdoutBytes: Buffer;
  /** The command line that was run (without the cd / environment prelude). */
  command: string;
}

export interface TransferOptions {
  /** Attempts in all before giving up (default 3). */
  attempts?: number;
  /** Called as bytes move: transferred so far, total, attempt number (from 1). */
  onProgress?: (transferred: number, total: number, attempt: number) => void;
  /** Permissions of an uploaded file (default 0644, or the local file's mode). */
  mode?: number;
  /** Size of the pieces read from the local file (default 256 KiB). */
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

/** `~` and `~/x` as remote commands take them: relative to the login folder (where they start). */
export function remotePath(p: string): string {
  if (p === "" || p === "~" || p === "~/") return ".";
  if (p.startsWith("~/")) return p.slice(2).replace(/^\/+/, "") || ".";
  return p;
}

export interface ScriptOptions extends Omit<ExecOptions, "stdin"> {
  /** The script's "$@". */
  args?: readonly string[];
}

/** A file written into a remote folder as part of one staging flight. */
export interface RemoteFileContent {
  /** A plain file name inside the folder (no slashes). */
  name: string;
  data: Buffer;
  /** Default 0644. */
  mode?: number;
}

/** What a transport counts, for tests and benchmarks (commands per minute, connections made). */
export interface ShellStats {
  /** Remote commands started (each exec/script, each file operation that needed a command). */
  commands: number;
  /** New authenticated connections made by this process (a reused shared master counts 0). */
  connects: number;
  /** Bytes moved by file reads and transfers. */
  bytesIn: number;
  bytesOut: number;
}

export interface RemoteShell {
  /** The cluster's name, for messages ("cluster 'hpc': …"). */
  readonly label: string;
  readonly stats: ShellStats;

  /** Runs a program with arguments on the remote side; every argument arrives literally. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Like exec, but a non-zero exit becomes a RemoteCommandError (one line, with stderr's gist). */
  execOk(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a multi-line script (the caller's own code) with /bin/sh -s; user values go in `args`. */
  script(text: string, opts?: ScriptOptions): Promise<ExecResult>;
  scriptOk(text: string, opts?: ScriptOptions): Promise<ExecResult>;

  /** The login folder (what `~` means remotely). */
  home(): Promise<string>;
  stat(remotePath: string): Promise<RemoteStat | null>;
  list(remoteDir: string): Promise<{ name: string; stat: RemoteStat }[]>;
  mkdirp(remoteDir: string): Promise<void>;
  /**
   * Creates `remoteDir` (which must not exist: a leftover folder is an error, so two launches never
   * share one) and writes the files into it, in as few round trips as the transport allows.
   */
  writeFiles(remoteDir: string, files: readonly RemoteFileContent[]): Promise<void>;
  /**
   * writeFiles, then a command in that folder, in one round trip where the transport can (how a
   * submission costs what a bare `sbatch` does). The command runs only if every file was written.
   */
  writeFilesAndExec(
    remoteDir: string,
    files: readonly RemoteFileContent[],
    argv: readonly string[],
    opts?: Omit<ExecOptions, "stdin" | "cwd">,
  ): Promise<ExecResult>;
  readFile(remotePath: string, opts?: { maxBytes?: number }): Promise<Buffer>;
  /**
   * Bytes of a file from `offset` on (at most `maxBytes`), and the file's size now: how a live log
   * is followed without moving the whole file again. Null when the file does not exist (yet).
   */
  readFrom(
    remotePath: string,
    offset: number,
    maxBytes: number,
  ): Promise<{ data: Buffer; size: number } | null>;
  /** Streamed, size-checked, a partial transfer retried. */
  upload(localPath: string, remotePath: string, opts?: TransferOptions): Promise<TransferResult>;
  download(remotePath: string, localPath: string, opts?: TransferOptions): Promise<TransferResult>;
  remove(remotePath: string, opts?: { recursive?: boolean }): Promise<void>;

  /** Releases what this process holds (a shared master may outlive it, by design). */
  close(): Promise<void>;
}
