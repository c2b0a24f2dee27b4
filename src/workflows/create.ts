// A plan becomes a workflow record, every job and every dependency in ONE change of the store: either
// all of it exists afterwards, or none of it.
import type { DependencyType } from "../domain/dependencies.js";
import type { NewInputFromParent, NewJob } from "../domain/types.js";
import type { Project } from "../engine/hooks.js";
import type { Workflow } from "../store/records.js";
import { linksGiven, type Plan, type PlannedStep } from "./plan.js";
import type { StoredPlan, StoredStep } from "./spec.js";

export interface CreatedWorkflow {
  workflow: Workflow;
  /** Job ids by step, in sweep order. */
  jobs: Record<string, number[]>;
}

/** Files a step takes from other steps' jobs (each of those steps has exactly one job). */
function inputsOf(step: PlannedStep, batchOf: Map<string, number[]>): NewInputFromParent[] {
  const inputs: NewInputFromParent[] = [];
  for (const { link, from } of linksGiven(step.decl)) {
    const { ext, optional } = link;
    const parent = batchOf.get(from)?.[0];
    if (parent !== undefined)
      inputs.push({ jobId: { batchIndex: parent }, ext, ...(optional ? { optional: true } : {}) });
  }
  return inputs;
}

/** Edges to every job of the steps waited for; waiting for an aggregate is waiting for its points. */
function dependenciesOf(step: PlannedStep, plan: Plan, batchOf: Map<string, number[]>) {
  const deps = new Map<number, DependencyType>();
  for (const edge of step.edges) {
    const target = plan.steps.find((s) => s.decl.name === edge.step)!;
    const over = target.decl.aggregate?.over;
    const jobs = over ? (batchOf.get(over) ?? []) : (batchOf.get(edge.step) ?? []);
    const type: DependencyType = over ? "after_any" : edge.type;
    for (const j of jobs) if (!deps.has(j)) deps.set(j, type);
  }
  return [...deps].map(([index, type]) => ({ dependsOn: { batchIndex: index }, type }));
}

function storedStep(step: PlannedStep, jobIds: number[]): StoredStep {
  const d = step.decl;
  return {
    name: d.name,
    kind: d.kind,
    template: step.template,
    deck_file: d.deckFile,
    sweep_vars: d.foreach.map((v) => v.name),
    edges: step.edges,
    geometry_from: d.geometryFrom,
    wavefunction_from: d.wavefunctionFrom,
    hessian_from: d.hessianFrom,
    refs: d.refs,
    recovery: d.recovery,
    aggregate: d.aggregate,
    cluster: step.clusterName,
    jobs: step.jobs.map((p, i) => ({
      id: jobIds[i]!,
      point: p.point,
      attempt: 1,
      retry_of: null,
      sweep: p.sweep,
      values: p.renderSpec ? null : p.values,
      volume: p.volume,
    })),
  };
}

/**
 * The workflow record, its jobs (in step order: a job's parents come before it in the batch) and
 * the stored plan, handed to the store as one change.
 */
export async function createWorkflow({ store, files }: Project, plan: Plan): Promise<CreatedWorkflow> {
  const specs: NewJob[] = [];
  const batchOf = new Map<string, number[]>();
  for (const step of plan.steps) {
    if (step.decl.kind === "aggregate") continue;
    const dependencies = dependenciesOf(step, plan, batchOf);
    const inputsFrom = inputsOf(step, batchOf);
    const first = specs.length;
    for (const j of step.jobs) {
      specs.push({
        name: j.name,
        input: j.deck ?? "",
        auxFiles: j.auxFiles,
        clusterId: step.clusterId,
        runnerType: step.runnerType,
        parallelism: step.parallelism,
        priority: step.decl.priority,
        dependencies,
        workflowStep: step.decl.name,
        attempt: 1,
        inputsFrom,
        // the workflow's id is known to the store only: the deferred render finds it from the job
        renderSpec: j.renderSpec ? { ...j.renderSpec } : null,
      });
    }
    batchOf.set(
      step.decl.name,
      step.jobs.map((_, i) => first + i),
    );
  }
  const planOf = (ids: number[]): Record<string, unknown> => {
    const stored: StoredStep[] = plan.steps.map((step) =>
      storedStep(
        step,
        (batchOf.get(step.decl.name) ?? []).map((i) => ids[i]!),
      ),
    );
    const spec: StoredPlan = { version: 1, description: plan.file.description, steps: stored };
    return spec as unknown as Record<string, unknown>;
  };
  const created = await files.create(specs, (records) =>
    store.workflows.create(
      {
        name: plan.file.name,
        source: plan.file.source,
        sourcePath: plan.file.sourcePath,
        params: plan.params,
      },
      records,
      planOf,
    ),
  );
  const ids = created.jobs.map((j) => j.id);
  return {
    workflow: created.workflow,
    jobs: Object.fromEntries([...batchOf].map(([k, idx]) => [k, idx.map((i) => ids[i]!)])),
  };
}
