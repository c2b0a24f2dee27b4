// Deleting a parent keeps its children's provenance (issue 13, defect 8): `d` says how many child
// jobs keep a note of it, and the child's detail names the parent it lost.
import { afterEach, describe, expect, test } from "vitest";
import type { Store } from "../../src/store/store.js";
import { addJobs, KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** A finished parent with two finished children (after_ok, after_any). */
function family(store: Store) {
  const [parent, child, other] = addJobs(store, ["mgo_opt", "mgo_freq", "mgo_bands"]);
  store.dependencies.add(child!.id, parent!.id, "after_ok");
  store.dependencies.add(other!.id, parent!.id, "after_any");
  for (const j of [parent!, child!, other!]) {
    store.jobs.transition(j.id, "RUNNING");
    store.jobs.transition(j.id, "COMPLETED");
  }
  return { parent: parent!, child: child! };
}

describe("d on a parent job", () => {
  test("the list's question names the children's note; the child's History says 'parent job N (name), deleted'", async () => {
    const store = makeStore();
    const { parent, child } = family(store);
    m = mount(store, { columns: 140, rows: 24 });
    await m.waitFor(/›\s*3 mgo_bands/); // newest first
    await m.press("j", "j");
    await m.waitFor(/›\s*1 mgo_opt/);
    await m.press("d");
    await m.waitFor(
      `[y/N] Delete job ${parent.id} (mgo_opt)? Its record goes; its folder stays; its 2 child jobs keep a note that their parent was deleted.`,
    );
    await m.press("y");
    await m.waitFor("1–2 of 2");
    expect(await store.jobs.get(parent.id)).toBeFalsy();
    m.unmount();
    m = mount(store, {
      columns: 140,
      rows: 24,
      view: { name: "detail", jobId: child.id, from: { name: "jobs" } },
    });
    await m.waitFor(`#${child.id} mgo_freq`);
    await m.press(KEY.shiftTab); // Log → History
    const f = await m.waitFor("Parent");
    expect(f).toMatch(new RegExp(`Parent\\s+parent job ${parent.id} \\(mgo_opt\\), deleted — after_ok`));
  });

  test("the detail's question says it too, and a job without children says nothing of them", async () => {
    const store = makeStore();
    const { parent, child } = family(store);
    m = mount(store, {
      columns: 140,
      rows: 24,
      view: { name: "detail", jobId: parent.id, from: { name: "jobs" } },
    });
    await m.waitFor(`#${parent.id} mgo_opt`);
    await m.press("d");
    await m.waitFor("its 2 child jobs keep a note that their parent was deleted.");
    await m.press("n");
    m.unmount();
    m = mount(store, {
      columns: 140,
      rows: 24,
      view: { name: "detail", jobId: child.id, from: { name: "jobs" } },
    });
    await m.waitFor(`#${child.id} mgo_freq`);
    await m.press("d");
    const f = await m.waitFor("[y/N] Delete job");
    expect(f).toContain(`Delete job ${child.id} (mgo_freq)? Its record goes; its folder stays.`);
  });

  test("d on marked jobs counts the children left behind (not those deleted with them)", async () => {
    const store = makeStore();
    const { parent } = family(store);
    const [solo] = addJobs(store, ["solo"]);
    store.jobs.transition(solo!.id, "RUNNING");
    store.jobs.transition(solo!.id, "COMPLETED");
    m = mount(store, { columns: 160, rows: 24 });
    await m.waitFor(/›\s*4 solo/);
    await m.press(" ", "j", "j", "j");
    await m.waitFor(/›\s*1 mgo_opt/);
    await m.press(" ", "d");
    await m.waitFor(
      "[y/N] Delete 2 jobs? Their records go; their folders stay; 2 other jobs came after them and keep a note that their parent was deleted.",
    );
    await m.press("y");
    await m.waitFor("2 jobs deleted");
    expect(store.dependencies.deletedParentsOf(2).map((p) => p.parentId)).toEqual([parent.id]);
  });
});
