// Several jobs at once on the job list (issue 13): space marks jobs, c / d / R act on all the marked
// after one question naming the count, = compares them (u cycles the unit), R restarts one job.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { Store } from "../../src/store/store.js";
import { addJobs, KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** The line of the job list showing job `id` (● marked, › the cursor). */
function rowOf(frame: string, id: number): string {
  return frame.split("\n").find((l) => new RegExp(`^[›● ]\\s*${id} `).test(l)) ?? "";
}

function finish(store: Store, id: number, status: "COMPLETED" | "FAILED", energy?: number) {
  store.jobs.transition(id, "RUNNING");
  store.jobs.transition(id, status, { reason: status === "FAILED" ? "SCF did not converge" : null });
  if (energy !== undefined) store.jobs.storeResults(id, energy, null);
}

describe("marking jobs", () => {
  test("space marks and unmarks the job under the cursor (● and 'N selected'); esc clears the marks", async () => {
    const store = makeStore();
    const [a, b, c] = addJobs(store, ["one", "two", "three"]);
    m = mount(store, { columns: 100, rows: 24 });
    await m.waitFor("three");
    // newest first: the cursor starts on three
    await m.press(" ", "j", " ");
    let f = await m.waitFor("2 selected");
    expect(rowOf(f, c!.id)).toMatch(/^●/);
    expect(rowOf(f, b!.id)).toMatch(/^●/);
    expect(rowOf(f, a!.id)).toMatch(/^ /);
    await m.press(" "); // unmark two again
    f = await m.waitFor("1 selected");
    expect(rowOf(f, b!.id)).toMatch(/^›/);
    await m.press(KEY.escape);
    f = await m.waitFor((fr) => !fr.includes("selected"));
    expect(rowOf(f, c!.id)).toMatch(/^ /);
  });

  test("c with marks cancels every unfinished marked job after ONE question naming the count", async () => {
    const store = makeStore();
    const [a, b, c, d] = addJobs(store, ["a1", "a2", "a3", "keep"]);
    finish(store, a!.id, "COMPLETED", -1);
    m = mount(store);
    await m.waitFor("keep");
    // keep (cursor) is left alone: mark a3, a2, a1
    await m.press("j", " ", "j", " ", "j", " ");
    await m.waitFor("3 selected");
    await m.press("c");
    await m.waitFor("[y/N] Cancel 2 jobs? (1 marked already finished)");
    await m.press("n");
    expect(store.jobs.require(b!.id).status).toBe("PENDING");
    await m.press("c");
    await m.waitFor("Cancel 2 jobs?");
    await m.press("y");
    const f = await m.waitFor("2 jobs cancelled");
    expect(store.jobs.require(b!.id).status).toBe("CANCELLED");
    expect(store.jobs.require(c!.id).status).toBe("CANCELLED");
    expect(store.jobs.require(a!.id).status).toBe("COMPLETED");
    expect(store.jobs.require(d!.id).status).toBe("PENDING");
    expect(f).not.toContain("selected"); // the marks are spent
  });

  test("d with marks deletes the finished ones (one question), keeps a running one and says why", async () => {
    const store = makeStore();
    const [a, b, c] = addJobs(store, ["old1", "old2", "busy"]);
    finish(store, a!.id, "COMPLETED");
    finish(store, b!.id, "FAILED");
    store.jobs.transition(c!.id, "RUNNING");
    m = mount(store);
    await m.waitFor("busy");
    await m.press(" ", "j", " ", "j", " ");
    await m.waitFor("3 selected");
    await m.press("d");
    await m.waitFor("Delete 2 jobs? Their records go; their folders stay. 1 pending or running kept");
    await m.press("y");
    await m.waitFor("2 jobs deleted");
    expect(store.jobs.list().map((j) => j.id)).toEqual([c!.id]);
    // only a running one marked: refused at once, nothing asked
    await m.press(" ", "d");
    await m.waitFor("all 1 marked jobs are pending or running — cancel them first");
    expect(store.jobs.count()).toBe(1);
  });

  test("= compares the marked jobs: ΔE to the lowest, u cycles Ha → eV → kJ/mol → meV, esc returns", async () => {
    const store = makeStore();
    const [a, b, c] = addJobs(store, ["low", "high", "other"]);
    finish(store, a!.id, "COMPLETED", -271.5);
    finish(store, b!.id, "COMPLETED", -271.49);
    finish(store, c!.id, "COMPLETED", -100);
    m = mount(store, { columns: 100, rows: 24 });
    await m.waitFor("other");
    await m.press("j", " ");
    // one marked: = is not offered (the footer does not show it)
    expect((await m.waitFor("1 selected")).split("\n").at(-1)).not.toMatch(/= compare/);
    await m.press("j", " ");
    expect((await m.waitFor("2 selected")).split("\n").at(-1)).toMatch(/= compare/);
    await m.press("=");
    let f = await m.waitFor("ΔE relative to job");
    expect(f).toContain("Comparing 2 jobs");
    expect(f).not.toContain("other");
    const line = (fr: string, id: number) =>
      fr.split("\n").find((l) => new RegExp(`^\\s*${id}\\s+`).test(l)) ?? "";
    expect(line(f, a!.id)).toMatch(/-271\.50000000\s+\+?0\.00000000/);
    expect(line(f, b!.id)).toMatch(/-271\.49000000\s+\+0\.01000000/);
    expect(f).toContain(`ΔE relative to job ${a!.id}`);
    // 0.01 Ha by CODATA 2018: 0.27211386 eV, 26.2549964 kJ/mol, 272.11386 meV
    await m.press("u");
    f = await m.waitFor("ΔE (eV)");
    expect(line(f, b!.id)).toMatch(/\+0\.27211\b/);
    await m.press("u");
    f = await m.waitFor("ΔE (kJ/mol)");
    expect(line(f, b!.id)).toMatch(/\+26\.255\b/);
    await m.press("u");
    f = await m.waitFor("ΔE (meV)");
    expect(line(f, b!.id)).toMatch(/\+272\.11\b/);
    await m.press("u");
    await m.waitFor("ΔE (Ha)");
    await m.press(KEY.escape);
    f = await m.waitFor("other");
    expect(f).toContain("2 selected"); // back on the list, the marks kept
  });

  test("R on one job asks, then restarts it with GUESSP from its fort.9; an empty fort.9 is refused in one line", async () => {
    const store = makeStore();
    const [a] = addJobs(store, ["mgo"]);
    finish(store, a!.id, "COMPLETED", -275.1);
    const job = store.jobs.require(a!.id);
    const folder = path.isAbsolute(job.workDir) ? job.workDir : path.join(store.projectDir, job.workDir);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, "mgo.f9"), "");
    m = mount(store);
    await m.waitFor("mgo");
    await m.press("R");
    await m.waitFor(`[y/N] Restart job ${a!.id} (mgo)`);
    await m.press("y");
    await m.waitFor("fort.9 is empty");
    expect(store.jobs.count()).toBe(1);
    fs.writeFileSync(path.join(folder, "mgo.f9"), "a wavefunction");
    await m.press("R", "y");
    const f = await m.waitFor(/restarted as job \d+/);
    const newId = Number(/restarted as job (\d+)/.exec(f)![1]);
    const made = store.jobs.require(newId);
    expect(made.inputFile).toMatch(/\nGUESSP\n/);
    expect(job.inputFile).not.toMatch(/GUESSP/);
    expect(made.retryOf).toBe(a!.id);
  });
});

describe("copy and edit (e)", () => {
  const saved = { VISUAL: process.env.VISUAL, EDITOR: process.env.EDITOR };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test("e runs $VISUAL on a copy of the deck and makes the job from what it saved; a broken deck makes none", async () => {
    const store = makeStore();
    const [a] = addJobs(store, ["mgo"]);
    process.env.VISUAL = "sed -i s/MgO.bulk.test/MgO_edited_by_sed/";
    m = mount(store);
    await m.waitFor("mgo");
    await m.press("e");
    const f = await m.waitFor(/copied as job \d+ with your edit/);
    const newId = Number(/copied as job (\d+)/.exec(f)![1]);
    expect(store.jobs.require(newId).inputFile).toMatch(/^MgO_edited_by_sed\n/);
    expect(store.jobs.require(a!.id).inputFile).toMatch(/^MgO bulk test\n/);
    // an editor that removes every END: the deck is checked, no job is made, the edit is kept
    process.env.VISUAL = "sed -i /^END/d";
    await m.press("j", "e");
    const g = await m.waitFor("no job was made");
    expect(g).toMatch(/the deck has problems/);
    expect(store.jobs.count()).toBe(2);
    // an editor that fails: refused, nothing made
    process.env.VISUAL = "false";
    await m.press("e");
    await m.waitFor("exited with code 1; no job was made");
    expect(store.jobs.count()).toBe(2);
  });
});
