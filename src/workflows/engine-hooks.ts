// What workflows add to the engine: decks rendered when their job starts (they use parents'
// results), recovery policies when a job fails, and aggregate results kept up to date.
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
    applyRecovery(store, job, result);
    refreshResults(store, job.workflowId);
  },
};
