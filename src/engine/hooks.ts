// Extension points of the engine, so that features built on top of it (workflows: deferred decks,
// recovery policies, aggregates) plug in without the engine knowing about them.
import type { Job } from "../domain/types.js";
import type { Store } from "../store/store.js";

/** The parsed CRYSTAL output of a finished job (src/crystal/output-parser.ts CrystalResult), if any. */
export type ParsedResult = Record<string, unknown> | null;

export interface EngineHooks {
  /**
   * Called right after a job is claimed and before it is handed to its runner, outside any
   * transaction. It may finish the job's deck (e.g. render a deferred template with its parents'
   * results) by updating the store. Throwing fails the job with the error's message as the reason.
   * Files listed in the job's inputs_from are copied by the engine itself after this hook.
   */
  prepare?(store: Store, job: Job): void | Promise<void>;
  /**
   * Called inside the transaction that records a job's final status (COMPLETED, FAILED or
   * CANCELLED), before dependents are re-evaluated. It may create follow-up jobs (a retry linked
   * with retry_of) and move dependency edges onto them, so dependents wait for the retry instead of
   * being skipped. Must be synchronous (it runs inside a SQLite transaction).
   */
  finished?(store: Store, job: Job, result: ParsedResult): void;
}
