// Decks that use parents' results (`{{ steps.opt.final_energy_hartree }}`) are rendered when their
// job starts, from the template as it was when the workflow was made. Any problem fails the job
// with a message that names the template, the line and the parameter.
import { UserError } from "../domain/errors.js";
import type { Job } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
import { firstDeckError } from "./deck-check.js";
import { renderExpression } from "./expressions.js";
import type { DeferredRender } from "./plan.js";
import { stepsContext } from "./progress.js";
import { readStoredPlan } from "./spec.js";
import { renderTemplate } from "./templates.js";

/** Workflows made before the store set jobs' workflow ids itself carried the id in the spec. */
type StoredRender = DeferredRender & { workflow_id?: number };

function isDeferredRender(spec: unknown): spec is StoredRender {
  const s = spec as Record<string, unknown> | null;
  return (
    s !== null &&
    typeof s === "object" &&
    typeof s.template === "object" &&
    s.template !== null &&
    typeof s.param_exprs === "object"
  );
}

/** Renders a job's deferred deck into the store and its folder. Jobs without one are left alone. */
export async function renderDeferredJob({ store, files }: Project, job: Job): Promise<string | null> {
  const spec = job.renderSpec;
  if (!isDeferredRender(spec)) return null;
  const workflowId = spec.workflow_id ?? job.workflowId;
  if (workflowId === null) return null;
  const workflow = await store.workflows.require(workflowId);
  const plan = readStoredPlan(workflow.spec);
  const jobs = new Map((await store.workflows.jobs(workflow.id)).map((j) => [j.id, j]));
  const steps = stepsContext(plan, jobs, spec.refs);
  const raw: Record<string, unknown> = { ...spec.values };
  for (const [param, expr] of Object.entries(spec.param_exprs)) {
    try {
      raw[param] = renderExpression(
        expr,
        { ...spec.context, steps },
        `${workflow.name}: step ${spec.workflow_step}`,
      );
    } catch (err) {
      if (err instanceof UserError) {
        throw new UserError(`job ${job.id} (${job.name}): parameter ${param}: ${err.message}`);
      }
      throw err;
    }
  }
  const { deck, report } = renderTemplate(spec.template, raw, { steps, attempt: job.attempt });
  const error = firstDeckError(report);
  if (error) {
    throw new UserError(
      `job ${job.id} (${job.name}): the deck rendered from template ${spec.template.name} is not valid: ${error}`,
    );
  }
  await store.workflows.setJobDeck(job.id, deck);
  // a properties deck is kept as .d3, a crystal deck as .d12 (src/crystal/deck-file.ts)
  files.writeDeck(job, deck);
  return deck;
}
