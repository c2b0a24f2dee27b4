// The records the store's port speaks in: what a caller hands the store and what it gets back,
// named once (in the manner of graphile-worker's interfaces.ts). The port (port.ts) and every
// implementation import them from here; this module imports nothing of the store.
import type { CrystalResult } from "../crystal/result.js";
import type { SchedulerAccounting } from "../domain/accounting.js";
import type { RunHandle } from "../domain/run-handle.js";
import type { JobStatus } from "../domain/status.js";
import type { StatusGroup } from "../domain/status-groups.js";
import type { Dependency, Job, NewJobRecord, RemoteJob, RunnerType } from "../domain/types.js";

/** The columns the job list sorts by (src/store/views.ts SORT_COLUMNS lists them in order). */
export type SortColumn = "created" | "name" | "status" | "where" | "runtime" | "energy";

/** Which jobs a claim may take: one target = the local machine, or one cluster. */
export interface ClaimTarget {
  clusterId: number | null;
  /** Jobs to take at most. */
  maxJobs: number;
  /** Local only: cores still free; jobs are taken while their cores fit (ranks × threads). */
  freeCores?: number;
  /** Local only: when nothing runs locally, the first job may take more cores than the machine has. */
  idle?: boolean;
  /**
   * A batch scheduler's runner type (e.g. "slurm") when the target hands dependencies to the
   * scheduler itself: a dependency on a job already handed to the same cluster then counts as met,
   * so a chain is queued at once and progresses while crystal-tui is closed.
   */
  nativeDependencies?: string;
  /** Jobs not to take: those this engine found it cannot start on the target as it is now. */
  exclude?: readonly number[];
}

/** What each target has waiting and running (see EngineStatements.load). */
export interface Load {
  /** By cluster id (null = this machine): jobs PENDING, jobs active, cores local active jobs use. */
  targets: Map<number | null, { pending: number; active: number; cores: number }>;
  /** Changes when a cluster is added, edited or removed. */
  clustersStamp: string;
}

/** What is left after an engine's pass (see EngineStatements.passSummary). */
export interface PassSummary {
  held: number;
  orphaned: number;
  pending: number;
  active: number;
}

/** An engine as it registers itself (so others can tell a crashed one from a live one). */
export interface EngineRecord {
  id: string;
  host: string;
  pid: number;
  procStart: string | null;
  startedAt: string;
  heartbeatAt: string;
}

/** A final status to record for a job an engine holds. */
export interface Finish {
  jobId: number;
  engineId: string;
  status: Extract<JobStatus, "COMPLETED" | "FAILED" | "CANCELLED">;
  reason: string | null;
  /** The parsed output: its final energy and the whole result are stored with the status. */
  result?: CrystalResult | null;
  /** The scheduler's (or wrapper's) own times of the run, which win over the engine's. */
  times?: { startedAt?: string; endedAt?: string };
  /** The scheduler's accounting of the run, kept with its remote job. */
  accounting?: SchedulerAccounting;
  /** What else to record with it (decided before, by the engine's hooks: a workflow's retry). */
  followUp?: FollowUp | null;
}

/** What a finish recorded: the jobs it finished, and the retries it made (job id → retry id). */
export interface Finished {
  finished: number[];
  retries: Map<number, number>;
}

/** What is recorded together with a final status. */
export interface FollowUp {
  /** The job's status reason instead of the engine's (e.g. "… — not retried: attempt 3 of 3"). */
  reason?: string;
  /** A job made in the same transaction that takes over the finished job's dependents. */
  retry?: {
    /** Its folder is made before (src/crystal/project-files.ts); if the retry is not made, it is not used. */
    job: NewJobRecord;
    /** The finished job's reason once the retry exists; `{retry}` stands for the retry's id. */
    reason: string;
    /** The retry's entry in its workflow's stored plan. */
    planEntry?: StepJobEntry;
  };
}

/** What a launch recorded: the runner's handle, the command line, the remote record. */
export interface SubmissionRecord {
  handle: RunHandle;
  commandLine: string;
  remote?: {
    clusterId: number;
    remoteHandle: string;
    workingDirectory: string;
    stdoutPath?: string | null;
    stderrPath?: string | null;
    queueName?: string | null;
    nodeList?: string | null;
    metadata?: Record<string, unknown>;
  };
  /** Set when the run already executes (not waiting in a queue). */
  running?: { pid?: number };
}

export interface ListJobsOptions {
  status?: JobStatus | JobStatus[];
  clusterId?: number | null;
  workflowId?: number;
  limit?: number;
  offset?: number;
}

export type RemoteJobPatch = Partial<
  Pick<
    RemoteJob,
    "remoteHandle" | "queueName" | "nodeList" | "workingDirectory" | "stdoutPath" | "stderrPath" | "metadata"
  >
>;

export interface JobListQuery {
  /** Only jobs in this status, or in this group of statuses (src/domain/status-groups.ts); null: all. */
  status: JobStatus | StatusGroup | null;
  /** Part of the name, case-insensitive ("" = all). */
  search: string;
  sort: SortColumn;
  descending: boolean;
}

/** What one line of the job list shows; a job's full record is read only when it is opened. */
export interface JobListRow {
  id: number;
  name: string;
  status: JobStatus;
  runnerType: RunnerType;
  clusterName: string | null;
  startedAt: string | null;
  completedAt: string | null;
  finalEnergy: number | null;
  createdAt: string;
  cancelRequested: boolean;
  workflowId: number | null;
  /** What the stored result says of its run (`status`, `error_kind`) and its imaginary modes, for the list's marks. */
  resultStatus: string | null;
  errorKind: string | null;
  imaginaryModes: number | null;
  /** Its result was replayed by the CRYSTAL stand-in. */
  standin: boolean;
  /** A job handed to a batch scheduler (SLURM): its id there, and why it waits or where it runs. */
  schedulerJob: SchedulerJobMark | null;
}

/** What the list says of a job in a batch scheduler: its id, and its pending reason or node list. */
export interface SchedulerJobMark {
  id: string;
  pendingReason: string | null;
  nodeList: string | null;
}

export interface WorkflowListRow {
  id: number;
  name: string;
  createdAt: string;
  /** The workflow's own aggregate results (workflows.results), if any were recorded. */
  results: Record<string, unknown> | null;
  params: Record<string, unknown> | null;
  counts: Partial<Record<JobStatus, number>>;
  total: number;
}

export interface WorkflowStepRow {
  id: number;
  name: string;
  step: string | null;
  status: JobStatus;
  statusReason: string | null;
  finalEnergy: number | null;
  startedAt: string | null;
  completedAt: string | null;
  retryOf: number | null;
  /** Ids of the jobs (of this workflow) this one waits for. */
  parents: number[];
}

export interface Workflow {
  id: number;
  name: string;
  /** The workflow file's text as it was run. */
  source: string;
  /** Where that file was, when it came from a file. */
  sourcePath: string | null;
  /** The workflow parameters it was run with (defaults and --set values). */
  params: Record<string, unknown>;
  /** The plan made of the file: steps, their jobs, sweeps, recovery policies (src/workflows/plan.ts). */
  spec: Record<string, unknown>;
  /** Aggregate results by step (convergence tables, EOS fits), once computed. */
  results: Record<string, unknown> | null;
  createdAt: string;
}

export interface NewWorkflow {
  name: string;
  source: string;
  sourcePath?: string | null;
  params?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export interface WorkflowSummary extends Workflow {
  /** Jobs of the workflow by status (retries included). */
  jobCounts: Partial<Record<JobStatus, number>>;
}

/** A parent a job depended on that was deleted since (its edge went with it; this note stays). */
export interface DeletedParent {
  parentId: number;
  parentName: string;
  type: Dependency["type"];
  deletedAt: string;
}

export interface LinkedJob extends Dependency {
  /** The job at the other end of the edge. */
  otherName: string;
  otherStatus: JobStatus;
}

/** A step's job added to a workflow's stored plan when a recovery policy retries a job. */
export interface StepJobEntry {
  /** Index and name of the step in the stored plan (the name guards against a changed plan). */
  stepIndex: number;
  stepName: string;
  /** The entry; its `id` is set to the new job's id by the store. */
  entry: Record<string, unknown>;
}

/** A job whose record was removed, and the dependents skipped because they needed it. */
export interface RemovedJob extends Job {
  /** How many child jobs keep a note that this parent was deleted. */
  notedChildren: number;
  skippedDependents: { id: number; name: string }[];
}
