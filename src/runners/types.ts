// The runner interface shared by the local, SSH and SLURM runners. The engine only speaks this; a
// runner knows how to start a job somewhere, see how it is doing, stop it, and bring its results back.

import type { SchedulerAccounting, SchedulerDetails } from "../domain/accounting.js";
import type { RunHandle } from "../domain/run-handle.js";
import type { Cluster, Job } from "../domain/types.js";

/**
 * What a runner needs to find a run again, even after crystal-tui restarted: stored as JSON in
 * jobs.run_handle (and, for remote runs, mirrored in remote_jobs), read back by the store into the
 * runner's own type (src/domain/run-handle.ts).
 */
export type { RunHandle };

export type RunState =
  /** Waiting in a scheduler's queue. */
  | { state: "queued"; detail?: string; scheduler?: SchedulerDetails }
  | { state: "running"; nodeList?: string; startedAt?: string; scheduler?: SchedulerDetails }
  /**
   * The run is over (any outcome). `exitCode` null = unknown (killed by a signal: see `signal`);
   * `schedulerState` is e.g. SLURM's COMPLETED / TIMEOUT / OUT_OF_MEMORY, `reason` a chemist's words.
   */
  | {
      state: "finished";
      exitCode: number | null;
      signal?: string;
      schedulerState?: string;
      /**
       * The scheduler ended the run itself (time limit, memory, node failure, preemption, …): its
       * verdict, in `reason`, stands whatever the output says. Set by the scheduler's own module.
       */
      stoppedByScheduler?: boolean;
      reason?: string;
      cancelled?: boolean;
      /**
       * The exit code was never recorded (the local run's wrapper was killed while CRYSTAL went on):
       * only a completed output makes it a success; otherwise `reason` stands.
       */
      exitUnrecorded?: boolean;
      startedAt?: string;
      endedAt?: string;
      /** The scheduler's accounting of the run (SLURM's sacct), kept with the remote job. */
      accounting?: SchedulerAccounting;
    }
  /** The run is gone without a trace (process vanished, scheduler forgot it). */
  | { state: "lost"; reason: string }
  /** Could not find out right now (connection dropped): change nothing, ask again next poll. */
  | { state: "unknown"; reason: string };

export interface Submission {
  handle: RunHandle;
  /** For remote runs: the remote_jobs record the engine writes. */
  remote?: {
    remoteHandle: string;
    workingDirectory: string;
    stdoutPath?: string;
    stderrPath?: string;
    queueName?: string;
    nodeList?: string;
    metadata?: Record<string, unknown>;
  };
  /** The exact command line executed (or the sbatch script's launch line). */
  commandLine: string;
  /** Whether the run is already executing (local) or waiting in a queue (SLURM). */
  state: "queued" | "running";
  pid?: number;
}

export interface FetchedOutputs {
  /** Local path of the CRYSTAL standard output brought back into the job folder. */
  outputFile: string;
  /** Scheduler / process stderr text, if any (e.g. "DUE TO TIME LIMIT"), for the parser. */
  stderr?: string;
  /** Files brought back, by their names in the job folder. */
  files: string[];
}

export interface SubmitContext {
  /** The job's folder on this machine (deck, auxiliary files, live output). */
  jobFolder: string;
  /**
   * A token unique to this launch attempt, recorded in the job's run_handle before submit() is
   * called. If the engine dies between the launch and recording the handle, findLaunch(token) lets
   * the next engine find the run instead of starting it a second time.
   */
  token: string;
  /** Native scheduler dependencies: handles of parent runs on the same cluster, with their type. */
  nativeDependencies?: { handle: RunHandle; type: "after_ok" | "after_any" | "after_failed" }[];
}

export interface Runner {
  /** The runner type of its jobs (jobs.runner_type): "local", "ssh", or a batch scheduler's. */
  readonly kind: string;
  /** Stages the inputs and starts (or queues) the job. Throws a UserError-style message on failure. */
  submit(job: Job, ctx: SubmitContext): Promise<Submission>;
  /** The states of many runs in one call (one remote command per cluster for remote runners). */
  poll(runs: { job: Job; handle: RunHandle }[]): Promise<Map<number, RunState>>;
  /** Asks the run to stop (SIGTERM to the group then SIGKILL after a grace period; scancel). */
  cancel(job: Job, handle: RunHandle): Promise<void>;
  /** Brings the outputs of a finished run back into the job folder. */
  fetchOutputs(job: Job, handle: RunHandle, ctx: SubmitContext): Promise<FetchedOutputs>;
  /** Takes over a run recorded before a restart (no-op when nothing needs restoring). */
  reattach(job: Job, handle: RunHandle): Promise<void>;
  /**
   * After a crash between "about to launch" and "launch recorded": finds the run started with this
   * token, or null when it was never started (the job then goes back to PENDING and runs once).
   */
  findLaunch(job: Job, token: string, ctx: SubmitContext): Promise<Submission | null>;
  /**
   * Removes what a launch that findLaunch() found never started left behind (a remote run folder
   * half uploaded when the connection dropped), so no stale folder stays on the cluster.
   */
  discardLaunch?(job: Job, token: string): Promise<void>;
  /** Called once the outcome is recorded: e.g. remove the scratch folder of a successful run. */
  cleanup?(job: Job, handle: RunHandle, outcome: { success: boolean }): Promise<void>;
  /** Whether the runner can start jobs now (e.g. CRYSTAL found); a message says how to fix it if not. */
  available?(): Promise<{ ok: true } | { ok: false; message: string }>;
  /** Seconds between polls of this runner's runs (local runs also wake the engine when they end). */
  readonly pollIntervalMs: number;
  /** Wakes the engine early (set by the engine; a local run calls it when its process ends). */
  onWake?: () => void;
  /** Whether a native dependency on this runner can be handed to the scheduler itself. */
  supportsNativeDependencies?: boolean;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Builds the runner of a cluster (or the local runner for cluster null). */
export type RunnerFactory = (cluster: Cluster | null) => Runner;
