// What a batch scheduler says of a run and how that is kept with the remote job (keys of
// remote_jobs.metadata, written by the store, read by `job show` and the TUI): while it waits or runs,
// the queue's view (partition, QOS, account, time limit — SLURM's squeue); once it has ended, the
// accounting (SLURM's sacct: its own state, exit code, elapsed time and peak memory). One place for
// the keys.

/** The runners that hand no job to a batch scheduler (their remote handle is a PID, not a job id). */
const NOT_BATCH_RUNNERS: readonly string[] = ["local", "ssh"];

/** Whether jobs of this runner type are held by a batch scheduler (SLURM), which has its own view. */
export function isBatchRunner(runnerType: string): boolean {
  return !NOT_BATCH_RUNNERS.includes(runnerType);
}

/** What the queue says of a run while it waits or runs (null where it says nothing). */
export interface SchedulerDetails {
  partition: string | null;
  qos: string | null;
  account: string | null;
  /** As the scheduler prints it ("1:00:00", "2-00:00:00", "UNLIMITED"). */
  timeLimit: string | null;
}

/** The remote job's metadata keys the queue's view is kept under. */
export function detailsMetadata(d: SchedulerDetails): Record<string, string | null> {
  return { partition: d.partition, qos: d.qos, account: d.account, time_limit: d.timeLimit };
}

/** The queue's view kept in a remote job's metadata (nulls when none was recorded). */
export function detailsOf(metadata: Record<string, unknown>): SchedulerDetails {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  return {
    partition: text(metadata.partition),
    qos: text(metadata.qos),
    account: text(metadata.account),
    timeLimit: text(metadata.time_limit),
  };
}

/** A scheduler's account of a run that ended. */
export interface SchedulerAccounting {
  /** The scheduler's final state (COMPLETED, TIMEOUT, OUT_OF_MEMORY, …). */
  state: string;
  /** As the scheduler prints it: "exit:signal" ("0:0", "3:0", "0:15"); null when not given. */
  exitCode: string | null;
  /** The run's wall-clock seconds by the scheduler's own clock (sacct ElapsedRaw). */
  elapsedS: number | null;
  /**
   * The highest resident memory of any step, in MB; null when accounting sampled none (SLURM's
   * jobacct_gather samples every JobAcctGatherFrequency, 30 s by default: a shorter run has none).
   */
  maxRssMb: number | null;
}

/** The remote job's metadata keys the accounting is kept under. */
export function accountingMetadata(a: SchedulerAccounting): Record<string, string | number | null> {
  return {
    sacct_state: a.state,
    sacct_exit_code: a.exitCode,
    elapsed_s: a.elapsedS,
    max_rss_mb: a.maxRssMb,
  };
}

/** The accounting kept in a remote job's metadata, or null when none was recorded. */
export function accountingOf(metadata: Record<string, unknown>): SchedulerAccounting | null {
  const state = metadata.sacct_state;
  if (typeof state !== "string") return null;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const exit = metadata.sacct_exit_code;
  return {
    state,
    exitCode: typeof exit === "string" ? exit : null,
    elapsedS: num(metadata.elapsed_s),
    maxRssMb: num(metadata.max_rss_mb),
  };
}
