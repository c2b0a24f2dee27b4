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
fs.rmSync(tmp, { recursive: true, force: true });
