// The Workflows screen: each workflow as a tree of its steps with statuses and aggregate results.
import { afterEach, describe, expect, test } from "vitest";
import { MGO_DECK } from "../helpers/project.js";
import { newJob } from "../store/new-jobs.js";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

describe("workflows screen", () => {
  test("says how to start one when there is none", async () => {
    m = mount(makeStore(), { view: { name: "workflows" } });
    await m.waitFor("No workflows yet");
  });

  test("a workflow's steps as a tree with statuses, energies and what they add up to; enter opens a step", async () => {
    const store = makeStore();
    const { workflow: wf } = store.workflows.create(
      { name: "mgo-opt-freq", source: "name: mgo-opt-freq\n" },
      [],
      () => ({}),
    );
    const step = (name: string, s: string, deps: number[] = []) =>
      newJob(store, {
        name,
        input: MGO_DECK,
        workflowId: wf.id,
        workflowStep: s,
        dependencies: deps.map((d) => ({ dependsOn: d, type: "after_ok" as const })),
      });
    const opt = step("mgo_opt", "opt");
    const freq = step("mgo_freq", "freq", [opt.id]);
    const bands = step("mgo_bands", "bands", [opt.id]);
    store.jobs.transition(opt.id, "RUNNING");
    store.jobs.transition(opt.id, "COMPLETED");
    store.jobs.storeResults(opt.id, -271.25962069, null);
    store.jobs.transition(freq.id, "RUNNING");
    store.workflows.setResults(wf.id, { eos: "not enough points" });
    m = mount(store, { view: { name: "workflows" }, columns: 80, rows: 24 });
    const f = await m.waitFor("Steps of mgo-opt-freq");
    expect(f).toMatch(/mgo-opt-freq\s+\d\d-\d\d \d\d:\d\d\s+… ?1 ▶1 ✔1|mgo-opt-freq.*▶1.*✔1/);
    expect(f).toMatch(/✔ opt #1 COMPLETED\s+-271\.25962069 Ha/);
    expect(f).toMatch(/├─ ▶ freq #2 RUNNING/);
    expect(f).toMatch(/└─ … bands #3 PENDING/);
    expect(f).toContain("1/3 steps completed");
    expect(f).toContain("lowest energy -271.25962069 Ha (opt, job 1)");
    expect(f).toContain("eos: not enough points");
    for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
    await m.press(KEY.tab, "j", "j", KEY.enter);
    await m.waitFor(`#${bands.id} mgo_bands`);
  });

  test("aggregates are tables a chemist reads (EOS fit, convergence), and a retried step counts once (issue 13, defect 2)", async () => {
    const store = makeStore();
    const { workflow: wf } = store.workflows.create(
      { name: "mgo-eos", source: "name: mgo-eos\n" },
      [],
      () => ({}),
    );
    const first = newJob(store, { name: "scf", input: MGO_DECK, workflowId: wf.id, workflowStep: "scf" });
    store.jobs.transition(first.id, "RUNNING");
    store.jobs.transition(first.id, "FAILED", { reason: "SCF did not converge" });
    const retry = newJob(store, {
      name: "scf-2",
      input: MGO_DECK,
      workflowId: wf.id,
      workflowStep: "scf",
      retryOf: first.id,
      attempt: 2,
    });
    newJob(store, { name: "freq", input: MGO_DECK, workflowId: wf.id, workflowStep: "freq" });
    store.jobs.transition(retry.id, "RUNNING");
    store.jobs.transition(retry.id, "COMPLETED");
    store.workflows.setResults(wf.id, {
      eos: {
        type: "eos",
        status: "done",
        points: [],
        fit: {
          V0: 18.7654,
          E0: -275.123456789,
          B0_GPa: 167.25,
          B0_prime: 4.1,
          rms_residual_hartree: 2e-7,
          points: 5,
          warnings: [],
        },
      },
      shrink: {
        type: "convergence",
        status: "done",
        by: "shrink",
        table: {
          quantity: "final_energy_hartree",
          tolerance: 1e-5,
          rows: [
            {
              value: 4,
              job_id: 7,
              status: "COMPLETED",
              quantity: -275.1,
              delta_previous: null,
              delta_last: -0.02,
              within_tolerance: false,
            },
            {
              value: 8,
              job_id: 8,
              status: "COMPLETED",
              quantity: -275.12,
              delta_previous: -0.02,
              delta_last: 0,
              within_tolerance: true,
            },
          ],
          reference: 8,
          converged_at: 8,
          missing: 0,
        },
      },
    });
    m = mount(store, { view: { name: "workflows" }, columns: 100, rows: 40 });
    const f = await m.waitFor("Steps of mgo-eos");
    // two steps (scf, freq), the failed first attempt of scf replaced by its retry: not 1/3 jobs
    expect(f).toContain("1/2 steps completed");
    expect(f).toMatch(/V0 = 18\.7654 Å³\s+E0 = -275\.12345679 Ha\s+B0 = 167\.25 GPa\s+B0' = 4\.100/);
    // the convergence table: a header and a row per point, columns aligned, no raw JSON
    const header = f.split("\n").find((l) => /shrink\s+JOB\s+STATUS/.test(l));
    const row8 = f.split("\n").find((l) => /^\s+8\s+8\s+COMPLETED\s+-275\.12000000/.test(l));
    expect(header).toBeDefined();
    expect(row8).toBeDefined();
    expect(header!.indexOf("STATUS")).toBe(row8!.indexOf("COMPLETED"));
    expect(f).toContain("converged from shrink = 8");
    expect(f).not.toMatch(/[{"]type"?:/);
  });

  test("esc from a step's job comes back to the same workflow and step (issue 13, defect 7)", async () => {
    const store = makeStore();
    for (const name of ["wf-a", "wf-b"]) {
      const { workflow } = store.workflows.create({ name, source: `name: ${name}\n` }, [], () => ({}));
      for (const step of ["one", "two"])
        newJob(store, {
          name: `${name}-${step}`,
          input: MGO_DECK,
          workflowId: workflow.id,
          workflowStep: step,
        });
    }
    m = mount(store, { view: { name: "workflows" } });
    await m.waitFor("Steps of wf-b"); // newest first
    await m.press("j");
    await m.waitFor("Steps of wf-a");
    await m.press(KEY.enter, "j", KEY.enter);
    await m.waitFor("#2 wf-a-two");
    await m.press(KEY.escape);
    const f = await m.waitFor("Steps of wf-a");
    expect(f).toMatch(/^›.*two #2/m);
  });
});
