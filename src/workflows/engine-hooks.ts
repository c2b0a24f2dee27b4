// What workflows add to the engine: decks rendered when their job starts (they use parents'
// results), recovery policies when a job fails, and aggregate results kept up to date.
import { UserError } from "../domain/errors.js";
import type { EngineHooks } from "../engine/hooks.js";
import { renderDeferredJob } from "./deferred.js";
import { refreshResults } from "./progress.js";
import { applyRecovery } from "./recovery.js";

export const workflowHooks: EngineHooks = {
  prepare(store, job) {
    if (job.renderSpec) renderDeferredJob(store, job);
  },
  finished(store, job, result) {
    if (job.workflowId === null) return;
    // in a savepoint of the engine's transaction: a recovery that cannot be made is undone and
    // said in the job's reason, and never keeps the engine from recording the job's status
    try {
      store.write(() => applyRecovery(store, job, result));
    } catch (err) {
      const why = err instanceof UserError ? err.message : `internal error: ${(err as Error).message}`;
      store.workflows.setJobReason(job.id, `${job.statusReason ?? job.status} — not retried: ${why}`);
    }
    try {
      store.write(() => refreshResults(store, job.workflowId!));
    } catch {
      // aggregates are recomputed by `workflow show`; a failure here must not fail the job
    }
  },
};
