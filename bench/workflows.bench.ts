// Workflow benchmarks (issue 6): a SHRINK × lattice-parameter sweep of 500 single points, checked
// and created by `workflow run`'s code path (parse, render every deck in the sandbox, validate
// every deck, one transaction), against the floor measured in the same run: the same 500 decks,
// already rendered, created with store.jobs.createMany. The ratio is the price of templates,
// sandbox and validation per job. Configuration: built-in single-point template, 20 × 25 points,
// local jobs, a fresh project on the OS temp dir.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ProjectFiles } from "../src/crystal/project-files.js";
import { Store } from "../src/store/store.js";
import { createWorkflow } from "../src/workflows/create.js";
import { planWorkflow } from "../src/workflows/plan.js";
import { parseWorkflowFile } from "../src/workflows/workflow-file.js";
import { newJobs } from "../test/store/new-jobs.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-bench-wf-"));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const WORKFLOW = `name: sweep
steps:
  scan:
    template: single-point
    foreach:
      shrink: {from: 2, to: 40, step: 2}
      a: {from: 4.0, to: 4.48, step: 0.02}
    params:
      title: "MgO SHRINK {{ shrink }} a = {{ a }}"
`;

function project(name: string): Store {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  return Store.open(dir);
}

const rounds = 5;
let best = { plan: Infinity, create: Infinity, baseline: Infinity };
let jobs = 0;
for (let round = 0; round < rounds; round++) {
  global.gc?.();
  const store = project(`wf-${round}`);
  let t0 = process.hrtime.bigint();
  const plan = planWorkflow(parseWorkflowFile(WORKFLOW, null), {
    clusters: store.clusters.list(),
    templateFolders: { userDir: path.join(tmp, "no-user-templates") },
  });
  const planMs = ms(t0);
  t0 = process.hrtime.bigint();
  const created = await createWorkflow({ store, files: new ProjectFiles(store.projectDir) }, plan);
  const createMs = ms(t0);
  jobs = created.jobs.scan!.length;
  const decks = plan.steps[0]!.jobs.map((j) => ({ name: j.name, input: j.deck! }));
  store.close();

  global.gc?.();
  const floor = project(`floor-${round}`);
  t0 = process.hrtime.bigint();
  newJobs(floor, decks);
  const baselineMs = ms(t0);
  floor.close();
  best = {
    plan: Math.min(best.plan, planMs),
    create: Math.min(best.create, createMs),
    baseline: Math.min(best.baseline, baselineMs),
  };
}

const total = best.plan + best.create;
console.log(`workflow run of a ${jobs}-job sweep (best of ${rounds}):`);
console.log(
  `  check + render + validate every deck   ${best.plan.toFixed(0)} ms  (${((best.plan / jobs) * 1000).toFixed(0)} µs/job)`,
);
console.log(`  create workflow, jobs, folders (1 tx)  ${best.create.toFixed(0)} ms`);
console.log(`  baseline: createMany of the same decks ${best.baseline.toFixed(0)} ms`);
console.log(`  ratio (workflow run / baseline)        ${(total / best.baseline).toFixed(2)}×`);

// Checking separate steps (issue 14, item 10): N steps, each its own template step, against a sweep
// of N points of one step (the same decks). Checking is linear when the per-step cost stays flat
// as N grows; before, 10,001 separate steps took 265 s against 3 s for a 10,000-point sweep.
function separateSteps(n: number): string {
  let text = "steps:\n";
  for (let i = 0; i < n; i++)
    text += `  s${i}: {template: single-point, params: {title: "MgO point ${i}"}}\n`;
  return text;
}
function sweepOf(n: number): string {
  return `steps:\n  scan:\n    template: single-point\n    foreach:\n      i: {from: 0, to: ${n - 1}, step: 1}\n    params:\n      title: "MgO point {{ i }}"\n`;
}
function checkMs(text: string): number {
  global.gc?.();
  const store = project(`check-${Math.random().toString(36).slice(2)}`);
  const t0 = process.hrtime.bigint();
  planWorkflow(parseWorkflowFile(text, null), {
    clusters: store.clusters.list(),
    templateFolders: { userDir: path.join(tmp, "no-user-templates") },
  });
  const elapsed = ms(t0);
  store.close();
  return elapsed;
}
console.log("checking separate steps (parse + plan, best of 2):");
const perStep: number[] = [];
for (const n of [2_500, 10_000]) {
  const steps = Math.min(checkMs(separateSteps(n)), checkMs(separateSteps(n)));
  const sweep = Math.min(checkMs(sweepOf(n)), checkMs(sweepOf(n)));
  perStep.push(steps / n);
  console.log(
    `  ${String(n).padStart(6)} steps ${steps.toFixed(0).padStart(6)} ms (${((steps / n) * 1000).toFixed(0)} µs/step)   sweep of ${n} points ${sweep.toFixed(0).padStart(6)} ms   ratio ${(steps / sweep).toFixed(2)}×`,
  );
}
console.log(
  `  per-step cost at 10,000 / at 2,500      ${(perStep[1]! / perStep[0]!).toFixed(2)} (1.00 = linear)`,
);
fs.rmSync(tmp, { recursive: true, force: true });
