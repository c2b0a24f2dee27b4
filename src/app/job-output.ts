// A job's output so far — CRYSTAL's standard output or the run's stderr — for `job log` (and the TUI's
// Log tab): the one place that knows where it is while the job runs and after it ended.
//
// A local run writes straight into the job's folder. A remote run (SSH, SLURM) writes on the cluster
// until the engine brings its files back at the end; while it runs, the bytes are fetched on demand
// into a mirror in the job's folder (.run/live/), from the mirror's length on: each look moves only
// what was added since the last one, whoever looked (the CLI, the TUI, another process). Bytes are
// written at their own offset (pwrite), so two processes fetching the same range at once write the
// same bytes to the same place: the mirror stays a byte-exact prefix of the remote file.
import fs from "node:fs";
import path from "node:path";
import { outputFileName, RUN_RECORDS_DIR } from "../crystal/files.js";
import { accountingOf } from "../domain/accounting.js";
import { UserError } from "../domain/errors.js";
import { runtimeSeconds } from "../domain/job-times.js";
import { isActive, isTerminal } from "../domain/status.js";
import type { Cluster, Job, RemoteJob } from "../domain/types.js";
import type { RemoteShell } from "../transport/remote-shell.js";
import type { Project } from "./project.js";

export type OutputStream = "output" | "stderr";

/** The most a single look fetches: a tail that fell far behind catches up over a few looks. */
const FETCH_CHUNK = 8 * 1024 * 1024;
/** The mirror of a remote run's files while it runs (inside the job's .run folder). */
const LIVE_DIR = "live";

export interface OutputSoFar {
  /** The bytes so far (the whole file, or its last `maxBytes`). */
  data: Buffer;
  /** The file's size where it is written (what a follower's next look starts from). */
  size: number;
  /** Where the bytes came from, in words (for `job log`'s first line on a terminal). */
  from: string;
  /** True while more can come: the job has not ended. */
  live: boolean;
  /** The file on this machine the bytes were read from (the mirror while a remote run goes on). */
  file: string;
}

export interface OutputLookup {
  /**
   * The remote shell of a cluster (the composition root's transport). The caller owns it: a
   * follower keeps one across its looks and closes it at the end.
   */
  shellFor: (cluster: Cluster) => RemoteShell;
}

/** Where a remote run writes the stream, on the cluster. */
export function remotePathOf(remote: RemoteJob, stream: OutputStream): string | null {
  if (stream === "stderr") return remote.stderrPath?.replace("%j", remote.remoteHandle) ?? null;
  // a batch job's stdout_path is the scheduler's own file: CRYSTAL's output is the run's <name>.out
  const output = remote.metadata.output;
  return typeof output === "string" ? output : remote.stdoutPath;
}

/** Where the stream is in the job's folder once the run ended (a remote run's, once brought back). */
function localPathOf(project: Project, job: Job, stream: OutputStream, remotePath: string | null): string {
  const folder = project.files.folderOf(job);
  if (stream === "output") return path.join(folder, outputFileName(job.name));
  // the runners bring a remote stderr back into .run under its own name (slurm-<id>.err, stderr)
  const name = remotePath ? path.posix.basename(remotePath) : "stderr";
  return path.join(folder, RUN_RECORDS_DIR, name);
}

function mirrorPathOf(project: Project, job: Job, stream: OutputStream): string {
  return path.join(project.files.folderOf(job), RUN_RECORDS_DIR, LIVE_DIR, stream);
}

function readLocal(file: string, maxBytes: number | null): { data: Buffer; size: number } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile())
      throw new UserError(`${file} is not a regular file — crystal-tui reads outputs only from files`);
    const size = st.size;
    const start = maxBytes === null ? 0 : Math.max(0, size - maxBytes);
    const data = Buffer.alloc(size - start);
    let got = 0;
    while (got < data.length) {
      const n = fs.readSync(fd, data, got, data.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return { data: data.subarray(0, got), size: start + got };
  } finally {
    fs.closeSync(fd);
  }
}

/** Brings the mirror up to the remote file's length (at most FETCH_CHUNK more); the remote size, or null. */
async function syncMirror(shell: RemoteShell, remotePath: string, mirror: string): Promise<number | null> {
  fs.mkdirSync(path.dirname(mirror), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(mirror, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    let have = fs.fstatSync(fd).size;
    let got = await shell.readFrom(remotePath, have, FETCH_CHUNK);
    if (got === null) return null;
    if (got.size < have) {
      // the remote file is shorter than the mirror: a new run of the job started over; so does the mirror
      fs.ftruncateSync(fd, 0);
      have = 0;
      got = await shell.readFrom(remotePath, 0, FETCH_CHUNK);
      if (got === null) return null;
    }
    if (got.data.length > 0) fs.writeSync(fd, got.data, 0, got.data.length, have);
    return got.size;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The job's output (or stderr) so far: from its folder for a local run or a run that ended, fetched
 * incrementally from the cluster for a remote run still going. `maxBytes` keeps only the end.
 */
export async function outputSoFar(
  project: Project,
  job: Job,
  stream: OutputStream,
  lookup: OutputLookup,
  opts: { maxBytes?: number } = {},
): Promise<OutputSoFar> {
  const maxBytes = opts.maxBytes ?? null;
  // a pending or queued job will write: a follower waits for it
  const live = !isTerminal(job.status);
  const remote = job.clusterId === null ? undefined : await project.store.remoteJobs.getByJobId(job.id);
  const remotePath = remote ? remotePathOf(remote, stream) : null;
  const local = localPathOf(project, job, stream, remotePath);

  // a remote run still going: the mirror, brought up to date first
  if (isActive(job.status) && remote && remotePath) {
    const cluster = await project.store.clusters.get(remote.clusterId);
    if (!cluster) throw new UserError(`job ${job.id}: its cluster is gone — nothing to read its output from`);
    const mirror = mirrorPathOf(project, job, stream);
    await syncMirror(lookup.shellFor(cluster), remotePath, mirror);
    const got = readLocal(mirror, maxBytes) ?? { data: Buffer.alloc(0), size: 0 };
    return { ...got, from: `${cluster.name}:${remotePath}`, live, file: mirror };
  }
  const got = readLocal(local, maxBytes);
  if (got) return { ...got, from: local, live, file: local };
  // a remote run that ended before its files came back: what the mirror has
  if (remote) {
    const mirror = mirrorPathOf(project, job, stream);
    const mirrored = readLocal(mirror, maxBytes);
    if (mirrored) return { ...mirrored, from: mirror, live, file: mirror };
  }
  return { data: Buffer.alloc(0), size: 0, from: local, live, file: local };
}

/** What `job show --json` says of a remote run (null where unknown). */
export function remoteJobView(job: Job, remote: RemoteJob, clusterName: string | null, now = Date.now()) {
  const elapsed = runtimeSeconds(job, now);
  const pending = remote.metadata.pending_reason;
  // after the end, the scheduler's own account of the run (sacct's ElapsedRaw and MaxRSS)
  const accounting = accountingOf(remote.metadata);
  return {
    cluster: clusterName,
    handle: remote.remoteHandle,
    node_list: remote.nodeList,
    queue: remote.queueName,
    pending_reason: job.status === "QUEUED" && typeof pending === "string" ? pending : null,
    // the scheduler's start and end when it gave them (the one job-time rule, domain/job-times.ts)
    elapsed_s: accounting?.elapsedS ?? (elapsed === null ? null : Math.round(elapsed)),
    max_rss_mb: accounting?.maxRssMb ?? null,
    work_dir: remote.workingDirectory,
    stdout_path: remotePathOf(remote, "output"),
    stderr_path: remotePathOf(remote, "stderr"),
  };
}

/** The last `n` lines of `text` (all of it when it has fewer). */
export function lastLines(text: string, n: number): string {
  if (n <= 0) return "";
  let at = text.length;
  if (text.endsWith("\n")) at--;
  for (let i = 0; i < n; i++) {
    const nl = text.lastIndexOf("\n", at - 1);
    if (nl < 0) return text;
    at = nl;
  }
  return text.slice(at + 1);
}
