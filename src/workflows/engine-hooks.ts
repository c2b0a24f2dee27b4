// What workflows add to the engine: decks rendered when their job starts (they use parents'
// results), recovery policies when a job fails, and aggregate results kept up to date.
import type { EngineHooks } from "../engine/hooks.js";
import { renderDeferredJob } from "./deferred.js";
import { refreshResults } from "./progress.js";
import { planRecovery } from "./recovery.js";

export const workflowHooks: EngineHooks = {
  async prepare(store, job) {
    if (job.renderSpec) await renderDeferredJob(store, job);
  },
  planFinish(store, job, outcome, result) {
    return planRecovery(store, job, outcome, result);
  },
  async finished(store, job) {
    if (job.workflowId === null) return;
    try {
      await refreshResults(store, job.workflowId);
    } catch {
      // aggregates are recomputed by `workflow show`; a failure here must not fail the job
    }
  },
};
