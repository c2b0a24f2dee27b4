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
