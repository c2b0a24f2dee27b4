// What a batch scheduler's accounting (SLURM's sacct) says of a run once it has ended — its own
// state, exit code, elapsed time and peak memory — and how that is kept with the remote job (keys of
// remote_jobs.metadata, written by the store, read by `job show` and the TUI). One place for the keys.

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
