// Extension points of the engine, so that features built on top of it (workflows: deferred decks,
// recovery policies, aggregates) plug in without the engine knowing about them. A hook never runs
// inside a store transaction: what must be recorded together with a final status is returned as
// data (a FollowUp) that the store's finish records in the same transaction.
import type { ProjectFiles } from "../crystal/project-files.js";
import type { CrystalResult } from "../crystal/result.js";
import type { Job } from "../domain/types.js";
import type { ProjectStore } from "../store/port.js";
import type { FollowUp } from "../store/records.js";
import type { Outcome } from "./outcome.js";

export type { FollowUp };

/** The parsed CRYSTAL output of a finished job, if any. */
export type ParsedResult = CrystalResult | null;

/** What a hook works with: the project's records and its job folders. */
export interface Project {
  store: ProjectStore;
  files: ProjectFiles;
}

export interface EngineHooks {
  /**
   * Called right after a job is claimed and before it is handed to its runner. It may finish the
   * job's deck (e.g. render a deferred template with its parents' results) through the store, and
   * then returns the job as it is now. Throwing fails the job with the error's message as the
   * reason. Files listed in the job's inputs_from are copied by the engine itself after this hook.
   */
  prepare?(project: Project, job: Job): Promise<Job | undefined>;
  /**
   * Called before a job's final status is recorded, with that status: what to record with it (a
   * retry that takes over the job's dependents, a reason), or null. It reads the store and may make
   * a retry's folder, nothing else; the store records
   * what it returns in the transaction that finishes the job, or nothing if the finish loses a race
   * (the folder of a retry, made by the plan, is then removed by the engine).
   */
  planFinish?(project: Project, job: Job, outcome: Outcome, result: ParsedResult): Promise<FollowUp | null>;
  /** Called after a job's final status is recorded (e.g. to recompute a workflow's aggregates). */
  finished?(project: Project, job: Job, result: ParsedResult): Promise<void>;
}
