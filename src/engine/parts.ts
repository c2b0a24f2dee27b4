// What the parts of an engine (reconciler, dispatcher, collector) share: the project, the engine's
// identity and options, its targets, its summary and its voice. The loop (engine.ts) owns them.
import type { ProjectFiles } from "../crystal/project-files.js";
import type { SchedulerAccounting } from "../domain/accounting.js";
import { UserError } from "../domain/errors.js";
import type { Job } from "../domain/types.js";
import type { SubmitContext } from "../runners/types.js";
import type { ProjectStore } from "../store/port.js";
import type { EngineHooks, ParsedResult, Project } from "./hooks.js";
import type { Targets } from "./targets.js";

export interface EngineOptions {
  /** Keep serving when nothing is left to do (TUI, `run --watch`); otherwise stop when idle. */
  watch?: boolean;
  /** At most this many jobs at once per cluster (and locally) for this engine. */
  maxJobs?: number;
  /** Cores of this machine that local jobs may use (default: all). */
  cores?: number;
  /** The project's job folders (default: those of the store's project folder). */
  files?: ProjectFiles;
  /** Builds the runner of a cluster (null = local). */
  runnerFactory: import("../runners/types.js").RunnerFactory;
  hooks?: EngineHooks[];
  /** Progress lines ("job 3 (mgo) started") for `crystal-tui run`. */
  log?: (line: string) => void;
  /** Upper bound of the wait between ticks when nothing wakes the engine. */
  maxIdleMs?: number;
  /** A launch recorded more than this long ago without a PID file is taken as never started. */
  launchGraceMs?: number;
  /**
   * How long a write that must not be lost (a launch's record) is retried while the database cannot
   * take it (busy past its timeout, disk full) before the engine stops (default 10 minutes).
   */
  storeRetryMs?: number;
}

export interface EngineSummary {
  started: number;
  finished: number;
  byStatus: Record<string, number>;
  /** Why the engine stopped while jobs were still pending, if it did. */
  blocked: string[];
}

export type FinalStatus = "COMPLETED" | "FAILED" | "CANCELLED";

export interface EngineParts {
  readonly id: string;
  readonly store: ProjectStore;
  readonly files: ProjectFiles;
  readonly project: Project;
  readonly options: EngineOptions;
  readonly targets: Targets;
  readonly summary: EngineSummary;
  log(line: string): void;
  /** Says a line once per key (a cluster that stays unreachable is said once, not every pass). */
  warnOnce(key: string, line: string): void;
  /** Wakes the loop early. */
  kick(): void;
  /** Records a final status with what the hooks plan along (src/engine/collector.ts). */
  finish(
    job: Job,
    status: FinalStatus,
    reason: string | null,
    parsed: ParsedResult,
    times?: { startedAt?: string; endedAt?: string },
    accounting?: SchedulerAccounting,
  ): Promise<void>;
  /** The folder and launch token a runner needs for a job. */
  ctxFor(job: Job, token: string): SubmitContext;
}

export function oneLineMessage(err: unknown): string {
  return (err as Error).message.split("\n")[0] ?? String(err);
}

/** Connection trouble that must not fail a job (the transport marks it). */
export function isTransient(err: unknown): boolean {
  return (err as { transient?: boolean })?.transient === true;
}

/**
 * The engine must stop, whatever its mode (a UserError: what stops it is the user's to fix, a full
 * disk or a database held by another process): going on would risk a wrong record (a launch it could not
 * write down). What it leaves in the database lets the next engine carry on.
 */
export class EngineHalt extends UserError {
  override readonly name = "EngineHalt";
}
