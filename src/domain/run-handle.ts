// What a runner records to find a run again, even after crystal-tui restarted (jobs.run_handle),
// read once where it leaves the database into the type of its runner. Before anything is started a
// launch mark is recorded (the crash-safe launch: a run found by its token is never started twice);
// then the runner's handle replaces it.

/** Recorded before a runner starts anything: the launch's token and when. */
export interface LaunchMark {
  kind: string;
  launching: string;
  at: number;
}

/** A run on this machine: its bookkeeping folder, its scratch folder, its process. */
export interface LocalHandle {
  kind: "local";
  token: string;
  /** Bookkeeping folder: pid, exit_code, stderr. */
  runDir: string;
  scratch: string;
  pid?: number;
  /** The process's start time (with the pid, its identity). */
  procStart?: string | null;
}

/** A run in a folder of a remote machine (its name carries the launch token). */
export interface RemoteHandle {
  kind: string;
  token: string;
  /** The run's folder on the remote side (absolute). */
  dir: string;
}

/** A run on a plain SSH machine: its wrapper's PID (= its process group and session). */
export interface SshHandle extends RemoteHandle {
  kind: "ssh";
  pid: number;
}

/** A run handed to a batch scheduler (SLURM, …): the scheduler's job id and its output files. */
export interface BatchHandle extends RemoteHandle {
  /** The scheduler's own job id. */
  jobId: string;
  stdout: string;
  stderr: string;
  partition?: string;
  /** --time and --mem as asked, for the reasons of a time-out or an out-of-memory end. */
  time?: string;
  mem?: string;
}

export type RunHandle = LocalHandle | SshHandle | BatchHandle;

/** A run_handle the program cannot read (hand-edited, or from a newer crystal-tui). */
export interface UnreadableHandle {
  kind: "unreadable";
  text: string;
}

export type RunRecord = LaunchMark | RunHandle | UnreadableHandle;

export function isLaunchMark(r: RunRecord | null | undefined): r is LaunchMark {
  return r !== null && r !== undefined && typeof (r as LaunchMark).launching === "string";
}

/** A handle a runner can work with (not a launch mark, not unreadable). */
export function isRunHandle(r: RunRecord | null | undefined): r is RunHandle {
  return r !== null && r !== undefined && !isLaunchMark(r) && r.kind !== "unreadable";
}

const str = (v: unknown): v is string => typeof v === "string" && v !== "";

/** Reads jobs.run_handle (JSON) into the record of its runner, checking the fields it needs. */
export function readRunRecord(text: string | null): RunRecord | null {
  if (text === null || text === "") return null;
  let v: Record<string, unknown>;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("not an object");
    v = parsed as Record<string, unknown>;
  } catch {
    return { kind: "unreadable", text };
  }
  if (!str(v.kind)) return { kind: "unreadable", text };
  if (str(v.launching)) return { kind: v.kind, launching: v.launching, at: Number(v.at ?? 0) };
  if (v.kind === "local" && str(v.token) && str(v.runDir) && str(v.scratch))
    return v as unknown as LocalHandle;
  if (v.kind === "ssh" && str(v.token) && str(v.dir) && typeof v.pid === "number")
    return v as unknown as SshHandle;
  if (
    str(v.token) &&
    str(v.dir) &&
    str(v.jobId) &&
    typeof v.stdout === "string" &&
    typeof v.stderr === "string"
  ) {
    return v as unknown as BatchHandle;
  }
  return { kind: "unreadable", text };
}

/** A handle handed to the wrong runner is a program error, said as such. */
function wrong(h: RunHandle, runner: string): never {
  throw new Error(`a ${h.kind} run was handed to the ${runner} runner`);
}

export function localHandle(h: RunHandle): LocalHandle {
  return h.kind === "local" ? (h as LocalHandle) : wrong(h, "local");
}

export function sshHandle(h: RunHandle): SshHandle {
  return h.kind === "ssh" ? (h as SshHandle) : wrong(h, "ssh");
}

export function batchHandle(h: RunHandle): BatchHandle {
  return "jobId" in h ? h : wrong(h, "batch");
}
