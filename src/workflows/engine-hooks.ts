// What workflows add to the engine: decks rendered when their job starts (they use parents'
// results), recovery policies when a job fails, and aggregate results kept up to date.
import type { EngineHooks } from "../engine/hooks.js";
import { renderDeferredJob } from "./deferred.js";
import { refreshResults } from "./progress.js";
import { planRecovery } from "./recovery.js";

export const workflowHooks: EngineHooks = {
  async prepare(project, job) {
    if (!job.renderSpec) return undefined;
    await renderDeferredJob(project, job);
    return project.store.jobs.require(job.id);
  },
  planFinish(project, job, outcome, result) {
    return planRecovery(project, job, outcome, result);
  },
  async finished(project, job) {
    if (job.workflowId === null) return;
    try {
      await refreshResults(project.store, job.workflowId);
    } catch {
      // aggregates are recomputed by `workflow show`; a failure here must not fail the job
    }
  },
};
