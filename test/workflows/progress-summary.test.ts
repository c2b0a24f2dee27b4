// A workflow's summary never takes the energy of a run that did not converge as its lowest: three
// optimisations of mackinawite (FeS) where the one that ran out of steps (real output,
// geometry_not_converged) has the lowest energy of all; `workflow show` (text and JSON) and the
// TUI's workflow screen leave it out, say so, and mark its energy with ~.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { parseOutputFileSync } from "../../src/crystal/output-parser.js";
import { Store } from "../../src/store/store.js";
import { workflowView } from "../../src/workflows/progress.js";
import { cli, cliJson, FIXTURES, tempProject } from "../helpers/project.js";
import { type Mounted, mount } from "../tui/helpers.js";

const WORKFLOW = `name: fes-shrink-relax
description: mackinawite relaxed at three k meshes
steps:
  relax:
    template: optimise
    foreach:
      shrink: [6, 8, 10]
    params:
      title: "FeS SHRINK {{ shrink }}"
`;

/** Finishes a job as the engine does: the parsed result of a real output, the status it implies. */
function finish(store: Store, id: number, output: string) {
  const r = parseOutputFileSync(path.join(FIXTURES, output));
  store.jobs.transition(id, "RUNNING");
  store.jobs.transition(id, r.status === "completed" ? "COMPLETED" : "FAILED", {
    reason: r.status === "completed" ? null : "geometry optimisation did not converge",
  });
  store.jobs.storeResults(id, r.final_energy_hartree, r);
  return r.final_energy_hartree!;
}

function fesWorkflow() {
  const dir = tempProject("ctui-wf-summary-");
  const env = { XDG_CONFIG_HOME: path.join(dir, ".config"), CRYSTAL_TUI_TEMPLATES_DIR: "" };
  const file = path.join(dir, "fes.yaml");
  fs.writeFileSync(file, WORKFLOW);
  const run = cli(dir, ["workflow", "run", file], env);
  expect(run.code, run.stderr).toBe(0);
  const store = Store.open(dir);
  const jobs = store.jobs.list({}).sort((a, b) => a.id - b.id);
  expect(jobs).toHaveLength(3);
  const converged = finish(store, jobs[0]!.id, "aiida-crystal17__cry17_spin_opt.out");
  const failed = finish(store, jobs[1]!.id, "aiida-crystal17__FAILED_GEOM_mackinawite_opt.out");
  // the third is still waiting
  return { dir, env, store, jobs, converged, failed, workflowId: jobs[0]!.workflowId! };
}

let m: Mounted | null = null;
let open: Store | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
  open?.close();
  open = null;
});

describe("the lowest energy of a workflow", () => {
  test("leaves out the optimisation that did not converge, though its energy is the lowest", async () => {
    const w = fesWorkflow();
    open = w.store;
    // the premise: the failed run's last energy is below the converged one's
    expect(w.failed).toBeCloseTo(-3323.077458663, 8);
    expect(w.converged).toBeCloseTo(-3323.06494572, 8);
    expect(w.failed).toBeLessThan(w.converged);
    const view = await workflowView(w.store, w.workflowId);
    expect(view.summary.lowest_energy).toEqual({
      job_id: w.jobs[0]!.id,
      name: w.jobs[0]!.name,
      step: "relax",
      energy_hartree: w.converged,
    });
    expect(view.summary.completed).toBe(1);
    expect(view.summary.jobs).toBe(3);
    expect(view.summary.not_final).toEqual([
      {
        job_id: w.jobs[1]!.id,
        name: w.jobs[1]!.name,
        step: "relax",
        energy_hartree: w.failed,
        why: "the geometry optimisation did not converge",
      },
    ]);
    const jobs = view.steps[0]!.jobs;
    expect(jobs.map((j) => j.energy_is_final)).toEqual([true, false, null]);
  });

  test("workflow show says it in text (~ on the energy, the left-out run named) and in JSON", () => {
    const w = fesWorkflow();
    w.store.close();
    const text = cli(w.dir, ["workflow", "show", String(w.workflowId)], w.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/-3323\.07745866~/);
    expect(text.stdout).toMatch(/-3323\.06494572(?!~)/);
    expect(text.stdout).toContain(`lowest energy -3323.06494572 Ha (relax, job ${w.jobs[0]!.id})`);
    expect(text.stdout).toContain(
      `left out: job ${w.jobs[1]!.id} (relax) -3323.07745866 Ha ~ not final: the geometry optimisation did not converge`,
    );
    expect(text.stdout).toContain("1/3 jobs completed");
    const json = cliJson<{
      summary: {
        lowest_energy: { job_id: number; energy_hartree: number } | null;
        not_final: { job_id: number }[];
      };
      steps: { jobs: { id: number; energy_is_final: boolean | null }[] }[];
    }>(w.dir, ["workflow", "show", String(w.workflowId)], w.env);
    expect(json.summary.lowest_energy).toMatchObject({ job_id: w.jobs[0]!.id, energy_hartree: w.converged });
    expect(json.summary.not_final.map((n) => n.job_id)).toEqual([w.jobs[1]!.id]);
    expect(json.steps[0]!.jobs.map((j) => j.energy_is_final)).toEqual([true, false, null]);
  });

  test("the TUI's workflow screen: the converged run's energy is the lowest, the other marked ~ and named", async () => {
    const w = fesWorkflow();
    open = w.store;
    m = mount(w.store, { view: { name: "workflows" }, columns: 80, rows: 24 });
    const f = await m.waitFor("Steps of fes-shrink-relax");
    expect(f).toContain("lowest energy -3323.06494572 Ha (relax, job");
    expect(f).not.toContain("lowest energy -3323.07745866");
    expect(f).toMatch(/✖ relax #\d+ FAILED\s+-3323\.07745866 Ha ~/);
    expect(f).toMatch(/~ not final, left out: relax #\d+/);
    for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  });
});
