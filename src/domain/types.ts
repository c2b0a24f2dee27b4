// The public types of crystal-tui, named in the user's words. The rest of the code reads as verbs
// over these nouns.

import type { CrystalResult } from "../crystal/result.js";
import type { DependencyType } from "./dependencies.js";
import type { RunRecord } from "./run-handle.js";
import type { JobStatus } from "./status.js";

/**
 * Where a job runs: "local" (this machine), "ssh" (a plain remote machine), or the kind of a batch
 * scheduler — the registry of schedulers (src/runners/schedulers.ts) says which exist.
 */
export type RunnerType = string;

/** A cluster's type: "ssh" or a batch scheduler's kind (src/runners/schedulers.ts). */
export type ClusterType = string;

export type ClusterStatus = "active" | "inactive" | "error";
export const CLUSTER_STATUSES: readonly ClusterStatus[] = ["active", "inactive", "error"];

/** How a job is laid out on the machine, and what it asks a scheduler for. Stored as JSON. */
export interface Parallelism {
  /** MPI processes; ≤ 1 means the OpenMP binary crystalOMP, > 1 means PcrystalOMP under MPI. */
  mpi_ranks?: number;
  /** OpenMP threads per MPI rank (OMP_NUM_THREADS, SLURM --cpus-per-task). */
  threads_per_rank?: number;
  nodes?: number;
  /** Wall time limit, HH:MM:SS or D-HH:MM:SS (SLURM --time). */
  time?: string;
  partition?: string;
  qos?: string;
  account?: string;
  /** Memory per node, SLURM syntax (e.g. 4G, 1500M). */
  mem?: string;
  constraint?: string;
}

export interface Job {
  id: number;
  name: string;
  /** The job folder, relative to the project (v1 databases may hold absolute paths). */
  workDir: string;
  status: JobStatus;
  /** Why the job is in its status (failure reason, who cancelled, which dependency cannot be met). */
  statusReason: string | null;
  createdAt: string;
  /**
   * When it started running and when it ended (one value each: the scheduler's when it said;
   * src/domain/job-times.ts). How long it ran: runtimeSeconds(job).
   */
  startedAt: string | null;
  completedAt: string | null;
  pid: number | null;
  /** The deck's content (.d12). */
  inputFile: string | null;
  finalEnergy: number | null;
  /** The parsed CRYSTAL output of the run (the parser's result, as `crystal-tui parse --json` gives it). */
  keyResults: CrystalResult | null;
  /** Results recorded by the earlier Python tool (Phase 1), in that tool's own shape. */
  legacyResults: Record<string, unknown> | null;
  clusterId: number | null;
  clusterName: string | null;
  runnerType: RunnerType;
  parallelism: Parallelism;
  queueTime: string | null;
  priority: number;
  /** The exact command line the runner executed. */
  commandLine: string | null;
  /** Auxiliary input files kept in the job folder, by their file names there (e.g. mgo.gui). */
  auxFiles: string[];
  cancelRequested: boolean;
  /** The engine that claimed the job (null while PENDING and after it ends). */
  claimedBy: string | null;
  /** What the runner needs to find this run again (pid and start time, SLURM id, remote folder). */
  runHandle: RunRecord | null;
  workflowId: number | null;
  workflowStep: string | null;
  /** When this job is a retry or continuation of another (a recovery policy), the original's id. */
  retryOf: number | null;
  attempt: number;
  /** Files taken from parents' results when the job starts. */
  inputsFrom: InputFromParent[];
  /** When set, the deck is rendered from this just before the job starts (it uses parents' results). */
  renderSpec: Record<string, unknown> | null;
}

/**
 * A file a job takes from a parent's results when it starts: e.g. the optimised geometry of an
 * OPTGEOM step (`<parent>.gui`, CRYSTAL's fort.34) or its wavefunction (`<parent>.f9` → fort.20).
 * `ext` is the kept-output extension in the parent's folder; the file is copied into the job folder
 * as `<job name><ext>` so the usual staging rules (src/crystal/files.ts) apply.
 */
export interface InputFromParent {
  jobId: number;
  ext: string;
  /** A missing file fails the job (default) or is ignored. */
  optional?: boolean;
}

/**
 * A job named by its id — or, among jobs created together in one batch (a workflow's jobs), by its
 * place in that batch, since its id does not exist yet.
 */
export type JobRef = number | { batchIndex: number };

/** A file a new job takes from a parent's results (see InputFromParent). */
export type NewInputFromParent = Omit<InputFromParent, "jobId"> & { jobId: JobRef };

export interface NewJob {
  name: string;
  /** The deck's content. */
  input: string;
  /** Auxiliary input files to copy into the job folder (absolute or cwd-relative paths). */
  auxFiles?: string[];
  /** Files to write into the job folder as given (name → content), e.g. a geometry from a parent. */
  auxContents?: Record<string, Buffer | string>;
  clusterId?: number | null;
  runnerType?: RunnerType;
  parallelism?: Parallelism;
  priority?: number;
  dependencies?: { dependsOn: JobRef; type: DependencyType }[];
  workflowId?: number | null;
  workflowStep?: string | null;
  retryOf?: number | null;
  attempt?: number;
  inputsFrom?: NewInputFromParent[];
  renderSpec?: Record<string, unknown> | null;
  /** Job status at creation; PENDING unless a Phase-1 caller says otherwise. */
  status?: JobStatus;
}

/**
 * A new job as the store records it: its folder already made, with its deck and auxiliary files
 * (src/crystal/project-files.ts). The store never touches files.
 */
export interface NewJobRecord extends Omit<NewJob, "auxFiles" | "auxContents"> {
  /** The job folder, relative to the project. */
  workDir: string;
  /** The auxiliary input files in that folder, by name. */
  auxFileNames: string[];
}

/** Connection and scheduler settings of a cluster (clusters.connection_config). Never a password. */
export interface ClusterConfig {
  /** Private key file; when absent the ssh-agent (SSH_AUTH_SOCK) is used. */
  key_path?: string;
  /** A known_hosts file of the cluster's own; default ~/.ssh/known_hosts. */
  known_hosts?: string;
  /** An alias from ~/.ssh/config this cluster was defined with. */
  ssh_alias?: string;
  /** The ssh config file this cluster's connections read (`ssh -F`); default ~/.ssh/config. */
  ssh_config?: string;
  /** Base folder for job folders on the remote side. */
  remote_dir?: string;
  /** Folder holding crystalOMP / PcrystalOMP on the remote side (CRY23_EXEDIR). */
  crystal_exedir?: string;
  /** Environment modules to load before running (module load …). */
  modules?: string[];
  /** Environment variables to export before running (quoted when rendered). */
  env?: Record<string, string>;
  partition?: string;
  account?: string;
  qos?: string;
  /** Maximum jobs this cluster runs (or has queued) at once for this project. */
  max_jobs?: number;
  /** Seconds between polls of the cluster (a minimum is enforced). */
  poll_interval?: number;
  /** The site's own minimum between polls, in seconds (e.g. 120), when it asks for more than crystal-tui's. */
  min_poll_interval?: number;
  /** MPI launcher on a plain SSH machine (SLURM uses srun). */
  mpirun?: string;
  /** Keep the remote job folder after results are brought back. */
  keep_remote?: boolean;
}

/** A cluster's connection as the process holding it last recorded it (shared through the store). */
export interface ClusterConnection {
  status: "connected" | "connecting" | "needs-auth" | "unreachable";
  /** The one-line error that led here; null once connected. */
  lastError: string | null;
  /** When the status last changed (ms since the epoch). */
  since: number;
}

export interface Cluster {
  id: number;
  name: string;
  type: ClusterType;
  hostname: string;
  port: number;
  username: string;
  config: ClusterConfig;
  status: ClusterStatus;
  createdAt: string;
  updatedAt: string;
  /** Absent until a process has tried to connect (records from before schema v8 too). */
  connection?: ClusterConnection;
}

export interface NewCluster {
  name: string;
  type: ClusterType;
  hostname: string;
  port?: number;
  username: string;
  config?: ClusterConfig;
  status?: ClusterStatus;
}

export interface RemoteJob {
  id: number;
  jobId: number;
  clusterId: number;
  /** PID on a plain SSH machine, SLURM job id on a cluster. */
  remoteHandle: string;
  submissionTime: string | null;
  queueName: string | null;
  nodeList: string | null;
  workingDirectory: string;
  stdoutPath: string | null;
  stderrPath: string | null;
  metadata: Record<string, unknown>;
}

export interface NewRemoteJob {
  jobId: number;
  clusterId: number;
  remoteHandle: string;
  queueName?: string | null;
  nodeList?: string | null;
  workingDirectory: string;
  stdoutPath?: string | null;
  stderrPath?: string | null;
  metadata?: Record<string, unknown>;
  submissionTime?: string | null;
}

export interface Dependency {
  id: number;
  jobId: number;
  dependsOnJobId: number;
  type: DependencyType;
}

export interface JobEvent {
  id: number;
  jobId: number;
  at: string;
  fromStatus: JobStatus | null;
  toStatus: JobStatus;
  reason: string | null;
}
