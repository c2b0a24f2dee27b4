// A plan becomes a workflow record, every job and every dependency in ONE transaction: either all
// of it exists afterwards, or none of it (job folders made before a failure are removed again).
import fs from "node:fs";
import type { DependencyType } from "../domain/dependencies.js";
import type { InputFromParent, Job, NewJob } from "../domain/types.js";
import type { Store } from "../store/store.js";
import type { Workflow } from "../store/workflows.js";
import type { Plan, PlannedStep } from "./plan.js";
import type { StoredPlan, StoredStep } from "./spec.js";

export interface CreatedWorkflow {
  workflow: Workflow;
  /** Job ids by step, in sweep order. */
  jobs: Record<string, number[]>;
}

/** Files a step takes from other steps' jobs (each of those steps has exactly one job). */
function inputsOf(step: PlannedStep, jobsByStep: Map<string, Job[]>): InputFromParent[] {
  const links: [string | null, string, boolean][] = [
    [step.decl.geometryFrom, ".gui", false],
    [step.decl.wavefunctionFrom, ".f9", false],
    [step.decl.hessianFrom, ".hessopt", true],
  ];
  const inputs: InputFromParent[] = [];
  for (const [from, ext, optional] of links) {
    if (!from) continue;
    const parent = jobsByStep.get(from)?.[0];
    if (parent) inputs.push({ jobId: parent.id, ext, ...(optional ? { optional: true } : {}) });
  }
  return inputs;
}

/** Edges to every job of the steps waited for; waiting for an aggregate is waiting for its points. */
function dependenciesOf(step: PlannedStep, plan: Plan, jobsByStep: Map<string, Job[]>) {
  const deps = new Map<number, DependencyType>();
  for (const edge of step.edges) {
    const target = plan.steps.find((s) => s.decl.name === edge.step)!;
    const over = target.decl.aggregate?.over;
    const jobs = over ? (jobsByStep.get(over) ?? []) : (jobsByStep.get(edge.step) ?? []);
    const type: DependencyType = over ? "after_any" : edge.type;
    for (const j of jobs) if (!deps.has(j.id)) deps.set(j.id, type);
  }
  return [...deps].map(([dependsOn, type]) => ({ dependsOn, type }));
}

function storedStep(step: PlannedStep, jobs: Job[]): StoredStep {
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
      id: jobs[i]!.id,
      point: p.point,
      attempt: 1,
      retry_of: null,
      sweep: p.sweep,
      values: p.renderSpec ? null : p.values,
      volume: p.volume,
    })),
  };
}

export function createWorkflow(store: Store, plan: Plan): CreatedWorkflow {
  const repo = store.workflows;
  const made: Job[] = [];
  try {
    return store.write(() => {
      const wf = repo.create({
        name: plan.file.name,
        source: plan.file.source,
        sourcePath: plan.file.sourcePath,
        params: plan.params,
      });
      const jobsByStep = new Map<string, Job[]>();
      const stored: StoredStep[] = [];
      for (const step of plan.steps) {
        if (step.decl.kind === "aggregate") {
          stored.push(storedStep(step, []));
          continue;
        }
        const dependencies = dependenciesOf(step, plan, jobsByStep);
        const inputsFrom = inputsOf(step, jobsByStep);
        const specs: NewJob[] = step.jobs.map((j) => ({
          name: j.name,
          input: j.deck ?? "",
          auxFiles: j.auxFiles,
          clusterId: step.clusterId,
          runnerType: step.runnerType,
          parallelism: step.parallelism,
          priority: step.decl.priority,
          dependencies,
          workflowId: wf.id,
          workflowStep: step.decl.name,
          attempt: 1,
          inputsFrom,
          renderSpec: j.renderSpec ? { ...j.renderSpec, workflow_id: wf.id } : null,
        }));
        const jobs = store.jobs.createMany(specs);
        made.push(...jobs);
        jobsByStep.set(step.decl.name, jobs);
        stored.push(storedStep(step, jobs));
      }
      const spec: StoredPlan = { version: 1, description: plan.file.description, steps: stored };
      repo.setSpec(wf.id, spec as unknown as Record<string, unknown>);
      return {
        workflow: repo.require(wf.id),
        jobs: Object.fromEntries([...jobsByStep].map(([k, js]) => [k, js.map((j) => j.id)])),
      };
    });
  } catch (err) {
    for (const job of made) fs.rmSync(store.jobs.folderOf(job), { recursive: true, force: true });
    throw err;
  }
}
