// The store as a port: every read and write crystal-tui makes of a project's data, named once, so
// that another implementation (a PostgreSQL store for a research group's shared projects) is an
// addition, not a rewrite. Today's implementation is SQLite (src/store/store.ts) and answers at once;
// the port's methods return `Awaitable` values, so every caller awaits them and an implementation
// that answers later (over a network) fits without changing a caller.
//
// Two rules keep an asynchronous implementation possible:
//  - No caller runs its own code inside a store transaction. A change that must land as a whole is
//    ONE method (create a workflow with its jobs, finish a job with its retry), and what it needs is
//    handed to it as data.
//  - Nothing reads the store while the TUI renders: views read a cache that the change probe
//    (`changeCounter`) refreshes (src/tui/hooks/cache.ts).
import type { SchedulerDetails } from "../domain/accounting.js";
import type { DependencyVerdict } from "../domain/dependencies.js";
import type { LaunchMark, RunHandle } from "../domain/run-handle.js";
import type { JobStatus } from "../domain/status.js";
import type {
  Cluster,
  ClusterConnection,
  Job,
  JobEvent,
  NewCluster,
  NewJobRecord,
  NewRemoteJob,
  RemoteJob,
} from "../domain/types.js";
import type {
  ClaimTarget,
  DeletedParent,
  EngineRecord,
  Finish,
  Finished,
  JobListQuery,
  JobListRow,
  LinkedJob,
  ListJobsOptions,
  Load,
  NewWorkflow,
  PassSummary,
  RemoteJobPatch,
  RemovedJob,
  SubmissionRecord,
  Workflow,
  WorkflowListRow,
  WorkflowStepRow,
  WorkflowSummary,
} from "./records.js";

/** A value now, or later: callers always `await` it. */
export type Awaitable<T> = T | Promise<T>;

export interface JobStore {
  /** Records a job whose folder is already made (src/crystal/project-files.ts). */
  create(record: NewJobRecord): Awaitable<Job>;
  /** Records jobs (and their dependencies) as a whole: all of them, or none. */
  createMany(records: readonly NewJobRecord[]): Awaitable<Job[]>;
  get(id: number): Awaitable<Job | undefined>;
  /** The job, or a UserError naming the id. */
  require(id: number): Awaitable<Job>;
  byIds(ids: readonly number[]): Awaitable<Job[]>;
  /** Newest first. */
  list(options?: ListJobsOptions): Awaitable<Job[]>;
  count(): Awaitable<number>;
  setPriority(id: number, priority: number): Awaitable<void>;
  /** Cancels a job not yet handed to a runner at once; flags an active one for its engine. */
  requestCancel(id: number, by?: string): Awaitable<"cancelled" | "requested" | "finished">;
  /**
   * Deletes a job's record; refused while it is queued or running, and while pending jobs wait for
   * it unless `force` (then the dependents that needed it are SKIPPED with the reason).
   */
  delete(id: number, options?: { force?: boolean }): Awaitable<RemovedJob>;
}

export interface ClusterStore {
  create(spec: NewCluster): Awaitable<Cluster>;
  get(id: number): Awaitable<Cluster | undefined>;
  getByName(name: string): Awaitable<Cluster | undefined>;
  requireByName(name: string): Awaitable<Cluster>;
  list(): Awaitable<Cluster[]>;
  /** The connection state, written by the process holding the connection (leaves updated_at alone). */
  setConnection(id: number, connection: ClusterConnection): Awaitable<void>;
  /** One scheduler poll per interval per cluster across processes: claimed by one guarded UPDATE. */
  claimPoll(
    id: number,
    intervalMs: number,
    now?: number,
  ): Awaitable<{ claimed: true } | { claimed: false; lastPolledAt: number }>;
  update(
    id: number,
    patch: Partial<Pick<Cluster, "hostname" | "port" | "username" | "config" | "status" | "name">>,
  ): Awaitable<Cluster>;
  delete(id: number): Awaitable<boolean>;
  /** Removes a cluster with its unfinished jobs cancelled (with the reason), as a whole; their ids. */
  remove(id: number, reason: string): Awaitable<number[]>;
}

export interface RemoteJobStore {
  create(spec: NewRemoteJob): Awaitable<RemoteJob>;
  get(id: number): Awaitable<RemoteJob | undefined>;
  /** The latest remote record of a job (a resubmission makes a new one). */
  getByJobId(jobId: number): Awaitable<RemoteJob | undefined>;
  update(id: number, patch: RemoteJobPatch): Awaitable<RemoteJob>;
  listByCluster(clusterId: number, options?: { activeOnly?: boolean }): Awaitable<RemoteJob[]>;
}

export interface DependencyStore {
  /** Adds an edge; refuses self-dependencies, unknown jobs, duplicates and cycles. */
  add(jobId: number, dependsOnJobId: number, type?: LinkedJob["type"]): Awaitable<unknown>;
  remove(jobId: number, dependsOnJobId: number): Awaitable<boolean>;
  dependenciesOf(jobId: number): Awaitable<LinkedJob[]>;
  dependentsOf(jobId: number): Awaitable<LinkedJob[]>;
  canJobRun(jobId: number): Awaitable<DependencyVerdict>;
  /** The parents this job depended on that were deleted (the note kept when they went). */
  deletedParentsOf(jobId: number): Awaitable<DeletedParent[]>;
}

export interface EventStore {
  forJob(jobId: number): Awaitable<JobEvent[]>;
}

export interface WorkflowStore {
  /**
   * Creates a workflow with all its jobs and dependencies as a whole. A job's dependencies and
   * inputs may name jobs of the same batch by their index (`{ batchIndex }`); the stored plan is
   * made from the new jobs' ids by `planOf`, a pure function of them.
   */
  create(
    workflow: NewWorkflow,
    jobs: readonly NewJobRecord[],
    planOf: (jobIds: number[]) => Record<string, unknown>,
  ): Awaitable<{ workflow: Workflow; jobs: Job[] }>;
  get(id: number): Awaitable<Workflow | undefined>;
  require(id: number): Awaitable<Workflow>;
  list(): Awaitable<WorkflowSummary[]>;
  count(): Awaitable<number>;
  setResults(id: number, results: Record<string, unknown> | null): Awaitable<void>;
  /** The workflow's jobs, oldest first. */
  jobs(id: number): Awaitable<Job[]>;
  /** Writes the deck of a job whose deck was rendered late (it used its parents' results). */
  setJobDeck(jobId: number, deck: string): Awaitable<void>;
}

/** The engine's statements: each one guarded (see src/store/engine-store.ts). */
export interface EngineStatements {
  register(e: Omit<EngineRecord, "startedAt" | "heartbeatAt">): Awaitable<void>;
  heartbeat(id: string): Awaitable<void>;
  unregister(id: string): Awaitable<void>;
  forget(ids: readonly string[]): Awaitable<void>;
  engines(): Awaitable<EngineRecord[]>;
  held(engineId: string): Awaitable<Job[]>;
  orphaned(liveEngineIds: readonly string[]): Awaitable<Job[]>;
  load(): Awaitable<Load>;
  passSummary(engineId: string, liveEngineIds: readonly string[]): Awaitable<PassSummary>;
  countByStatus(statuses: readonly JobStatus[]): Awaitable<number>;
  claim(engineId: string, target: ClaimTarget): Awaitable<Job[]>;
  skipDoomed(): Awaitable<number>;
  doomedQueued(engineId: string): Awaitable<{ job: Job; reason: string }[]>;
  adopt(jobId: number, from: string | null, engineId: string): Awaitable<boolean>;
  release(jobId: number, engineId: string): Awaitable<boolean>;
  recordHandle(jobId: number, engineId: string, handle: RunHandle | LaunchMark): Awaitable<boolean>;
  requeue(jobId: number, reason: string, engineId?: string): Awaitable<boolean>;
  clearHandle(jobId: number, engineId: string): Awaitable<void>;
  recordSubmission(jobId: number, engineId: string, s: SubmissionRecord): Awaitable<boolean>;
  markRunning(jobId: number, engineId: string, startedAt?: string): Awaitable<boolean>;
  setNodeList(jobId: number, nodeList: string): Awaitable<void>;
  /** Why the scheduler keeps a queued run waiting (SLURM's reason), or null once it runs. */
  setPendingReason(jobId: number, reason: string | null): Awaitable<void>;
  /** What the scheduler's queue says of a run (partition, QOS, account, time limit); written when it changes. */
  setSchedulerDetails(jobId: number, details: SchedulerDetails): Awaitable<void>;
  skipQueued(jobId: number, engineId: string, reason: string): Awaitable<boolean>;
  /** Records final statuses (with results and follow-ups) as one transaction. */
  finish(finishes: readonly Finish[]): Awaitable<Finished>;
}

/** What the TUI's lists show (src/store/views.ts). */
export interface ViewQueries {
  countJobs(q: JobListQuery): Awaitable<number>;
  jobWindow(q: JobListQuery, offset: number, limit: number): Awaitable<JobListRow[]>;
  statusCounts(): Awaitable<Record<JobStatus, number>>;
  positionOf(q: JobListQuery, id: number): Awaitable<number | null>;
  activeJobsByCluster(): Awaitable<Map<number, number>>;
  workflows(): Awaitable<WorkflowListRow[]>;
  workflowSteps(workflowId: number): Awaitable<WorkflowStepRow[]>;
}

/** One project's data. */
export interface ProjectStore {
  readonly projectDir: string;
  /** Where the data lives, for messages (the database file). */
  readonly path: string;
  readonly isOpen: boolean;
  readonly jobs: JobStore;
  readonly clusters: ClusterStore;
  readonly remoteJobs: RemoteJobStore;
  readonly dependencies: DependencyStore;
  readonly events: EventStore;
  readonly workflows: WorkflowStore;
  readonly engine: EngineStatements;
  readonly views: ViewQueries;
  schemaVersion(): Awaitable<number>;
  /** Makes the program's cluster and runner types (its registry of schedulers) acceptable. */
  registerRunnerKinds(kinds: readonly { kind: string; remote: boolean }[]): Awaitable<void>;
  /** Changes whenever another process commits a change: the TUI's cue to read again. */
  changeCounter(): Awaitable<number>;
  close(): Awaitable<void>;
}
