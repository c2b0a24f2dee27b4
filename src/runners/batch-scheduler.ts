// The seam under the batch-scheduled clusters: what a scheduler (SLURM today; PBS or another
// tomorrow) tells the generic batch runner (src/runners/batch.ts) — how a job's script is rendered,
// how it is submitted and the answer read, how its runs are polled, how one is cancelled, what the
// cluster's self-test adds, whether dependencies are handed to the scheduler itself. A new
// scheduler is one module implementing this, plus its tests on captured command output, and a line
// in the registry (src/runners/schedulers.ts).
import type { DependencyType } from "../domain/dependencies.js";
import type { BatchHandle } from "../domain/run-handle.js";
import type { SchedulerSelfCheck, SelfTestFindings } from "../domain/self-test.js";
import type { Cluster, Job, Parallelism } from "../domain/types.js";
import type { ExecResult, RemoteShell } from "../transport/remote-shell.js";
import type { ScriptJob } from "./remote-script.js";
import type { RunState } from "./types.js";

export interface BatchScriptInput {
  job: ScriptJob;
  cluster: Pick<Cluster, "name" | "config">;
  /** Absolute folder of the run on the cluster (the script's outputs go there). */
  dir: string;
  /** The launch token (the script carries it, so a launch can be found again). */
  token: string;
  /** Parent runs on the same cluster, by the scheduler's job id, handed to it as dependencies. */
  dependencies?: { jobId: string; type: DependencyType }[];
}

export interface BatchScript {
  script: string;
  /** The scheduler's options, in order (e.g. "--ntasks=4"), for the job's record. */
  directives: string[];
  /** The line that starts CRYSTAL, for jobs.command_line. */
  commandLine: string;
  /** Where the scheduler writes the script's stdout / stderr (`%j` = the scheduler's job id). */
  stdoutPattern: string;
  stderrPattern: string;
  /** The resources as asked for (the cluster's defaults filled in). */
  resources: Parallelism & { mpi_ranks: number; threads_per_rank: number };
}

/** Polls a cluster's runs; it may keep what it learnt between polls (e.g. accounting that lags). */
export interface BatchPoller {
  poll(shell: RemoteShell, runs: { job: Job; handle: BatchHandle }[]): Promise<Map<number, RunState>>;
  /** Remote commands run by poll() (the benchmark's figure of merit). */
  readonly stats: { polls: number; commands: number };
}

/** Its `cluster test` checks (checkNames, selfTestChecks) come from SchedulerSelfCheck. */
export interface BatchScheduler extends SchedulerSelfCheck {
  /** The cluster type and the jobs' runner type this scheduler serves ("slurm"). */
  readonly kind: string;
  /** Its name for people ("SLURM"). */
  readonly title: string;
  /** Jobs a cluster of this kind runs at once when its max_jobs says nothing. */
  readonly defaultMaxJobs: number;
  /** Whether a dependency between jobs of one cluster is handed to the scheduler itself. */
  readonly nativeDependencies: boolean;
  /** The batch script's file name in the run folder. */
  readonly scriptName: string;
  /** What the cluster's self-test adds: where the scheduler's commands are, its partitions. */
  readonly selfTestLines: readonly string[];
  /** What the self-test's findings say is missing before jobs can be submitted, or null. */
  readinessProblem(found: SelfTestFindings, cluster: Pick<Cluster, "name">): string | null;
  /** The batch script of a job (every value checked — a UserError names the field — and quoted). */
  renderScript(input: BatchScriptInput): BatchScript;
  /** The command that submits the script at `scriptPath`. */
  submitArgv(scriptPath: string): string[];
  /** The scheduler's job id from the submit command's answer; a refusal throws (SubmitLaterError: not the job's fault). */
  readSubmit(r: ExecResult, job: Pick<Job, "id" | "name">, cluster: Pick<Cluster, "name">): string;
  /**
   * A script ($1 = the run folder, $2 = the launch token) that prints `JOBID <id>` for a launch it
   * finds with no recorded id (its engine died between submitting and recording), else nothing.
   */
  readonly findByTokenLines: readonly string[];
  poller(cluster: Pick<Cluster, "name">): BatchPoller;
  cancelArgv(h: BatchHandle): string[];
  /** Whether a cancel's answer means the run is stopped (or had already ended). */
  cancelled(r: ExecResult): boolean;
}
