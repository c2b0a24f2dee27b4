// Several jobs at once on the job list (issue 13): space marks jobs, c / d / R / r act on all the marked
// after one question naming the count, = compares them (u cycles the unit), R restarts one job.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { CrystalResult } from "../../src/crystal/result.js";
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

/** The line of the compare table showing job `id` (› the cursor, * the reference). */
function compareRow(frame: string, id: number): string {
  return frame.split("\n").find((l) => new RegExp(`^[› ][* ]\\s*${id}\\s`).test(l)) ?? "";
}

/** The numbers of a compare row after its name and status: energy, ΔE. */
function energyAndDelta(row: string): [number, number] {
  const m = /(-?\d+\.\d+)~?\s+([+-]?\d+\.\d+)\s/.exec(row);
  if (!m) throw new Error(`no energy and ΔE in ${JSON.stringify(row)}`);
  return [Number(m[1]), Number(m[2])];
}

function finish(store: Store, id: number, status: "COMPLETED" | "FAILED", energy?: number, atoms?: number) {
  store.jobs.transition(id, "RUNNING");
  store.jobs.transition(id, status, { reason: status === "FAILED" ? "SCF did not converge" : null });
  // of a parsed result, only its verdict and atom count matter here
  const results =
    atoms === undefined ? null : ({ status: "completed", n_atoms: atoms } as unknown as CrystalResult);
  if (energy !== undefined) store.jobs.storeResults(id, energy, results);
}

/** 1 Ha in eV, CODATA 2018 — written here, not taken from the code's table. */
const HA_EV = 27.211386245988;

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

  test("r with marks re-runs the finished marked jobs as new ones after one question; a pending one is left out", async () => {
    const store = makeStore();
    const [a, b, c] = addJobs(store, ["bad1", "bad2", "waiting"]);
    finish(store, a!.id, "FAILED");
    finish(store, b!.id, "FAILED");
    m = mount(store);
    await m.waitFor("waiting");
    await m.press(" ", "j", " ", "j", " ");
    await m.waitFor("3 selected");
    await m.press("r");
    await m.waitFor("Re-run 2 jobs from the start, each as a new job? (1 marked not finished, left out)");
    await m.press("n");
    expect(store.jobs.count()).toBe(3);
    await m.press("r");
    await m.waitFor("Re-run 2 jobs");
    await m.press("y");
    const f = await m.waitFor("2 jobs re-run of 2");
    const jobs = store.jobs.list();
    expect(jobs).toHaveLength(5);
    const made = jobs.filter((j) => ![a!.id, b!.id, c!.id].includes(j.id));
    expect(made.map((j) => [j.name, j.status]).sort()).toEqual([
      ["bad1", "PENDING"],
      ["bad2", "PENDING"],
    ]);
    for (const j of made)
      expect(j.inputFile).toBe(store.jobs.require(j.name === "bad1" ? a!.id : b!.id).inputFile);
    expect(store.jobs.require(c!.id).status).toBe("PENDING");
    expect(f).not.toContain("selected"); // the marks are spent
  });

  test("d with a parent and the pending child waiting for it both marked deletes both, whatever the order", async () => {
    const store = makeStore();
    const [parent, child] = addJobs(store, ["parent", "child"]);
    store.dependencies.add(child!.id, parent!.id, "after_ok");
    m = mount(store);
    await m.waitFor("child");
    // newest first: the child's row, then the parent's — marked parent first
    await m.press("j", " ", "k", " ");
    await m.waitFor("2 selected");
    await m.press("d");
    await m.waitFor("Delete 2 jobs?");
    await m.press("y");
    await m.waitFor("2 jobs deleted");
    expect(store.jobs.count()).toBe(0);
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
    const line = (fr: string, id: number) => compareRow(fr, id);
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

  test("in = , p shows ΔE per atom and r makes the job under the cursor the reference (r again or 0: the lowest)", async () => {
    const store = makeStore();
    // per cell the big cell is lowest; per atom the 4-atom cell is
    const stored: Record<string, number[]> = {
      small: [-275.1234, 2],
      double: [-550.2603, 4],
      big: [-1100.42, 8],
      bare: [-300.5],
    };
    const made = addJobs(store, Object.keys(stored));
    const id: Record<string, number> = {};
    Object.keys(stored).forEach((name, i) => {
      id[name] = made[i]!.id;
      const [e, n] = stored[name]!;
      finish(store, made[i]!.id, "COMPLETED", e, n);
    });
    m = mount(store, { columns: 120, rows: 24 });
    await m.waitFor("bare");
    await m.press(" ", "j", " ", "j", " ", "j", " ");
    await m.waitFor("4 selected");
    await m.press("=", "u", "p");
    let f = await m.waitFor("ΔE (eV/atom)");
    expect(f).toContain("energy per atom in eV — ΔE relative to the lowest");
    expect(f.split("\n").at(-1)).toMatch(/p per cell\/atom\/f\.u\..*r relative to/);
    const perAtom = (name: string) => stored[name]![0]! / stored[name]![1]!;
    const checkPerAtom = (fr: string, refName: string) => {
      for (const name of ["small", "double", "big"]) {
        const [energy, delta] = energyAndDelta(compareRow(fr, id[name]!));
        expect(energy).toBeCloseTo(perAtom(name) * HA_EV, 4);
        expect(delta).toBeCloseTo((perAtom(name) - perAtom(refName)) * HA_EV, 4);
      }
      // no atom count: no energy per atom, not a ΔE
      expect(compareRow(fr, id.bare!)).toMatch(/—\s+—/);
    };
    checkPerAtom(f, "double");
    expect(compareRow(f, id.double!)).toMatch(/^.\*/);

    // the cursor to "small" (j/k, the › row), r: ΔE relative to it, the header names it
    for (let i = 0; i < 4 && !compareRow(m.lastFrame(), id.small!).startsWith("›"); i++) await m.press("j");
    if (!compareRow(m.lastFrame(), id.small!).startsWith("›"))
      for (let i = 0; i < 4 && !compareRow(m.lastFrame(), id.small!).startsWith("›"); i++) await m.press("k");
    expect(compareRow(m.lastFrame(), id.small!)).toMatch(/^›/);
    await m.press("r");
    f = await m.waitFor(`ΔE relative to job ${id.small} (small)`);
    checkPerAtom(f, "small");
    expect(compareRow(f, id.small!)).toMatch(/^›\*/);

    // per formula unit: small's atoms are not known (only their count), so it is refused in one
    // line and the table stays per atom; p again goes on to per cell
    await m.press("p");
    f = await m.waitFor(
      `job ${id.small} has no energy per formula unit (its atoms are not known) to compare to — choose another with r`,
    );
    expect(f).toContain("ΔE (eV/atom)");
    // per cell again, still relative to small
    await m.press("p");
    f = await m.waitFor("ΔE (eV)");
    expect(f).toContain(`ΔE relative to job ${id.small} (small)`);
    for (const name of ["small", "double", "big", "bare"]) {
      const [, delta] = energyAndDelta(compareRow(f, id[name]!));
      expect(delta).toBeCloseTo((stored[name]![0]! - stored.small![0]!) * HA_EV, 4);
    }
    // r on the reference again: back to the lowest (per cell: big)
    await m.press("r");
    f = await m.waitFor("ΔE relative to the lowest");
    expect(compareRow(f, id.big!)).toMatch(/^.\*/);
    expect(energyAndDelta(compareRow(f, id.small!))[1]).toBeCloseTo(
      (stored.small![0]! - stored.big![0]!) * HA_EV,
      4,
    );
    // r then 0: the lowest again
    await m.press("r");
    await m.waitFor(`ΔE relative to job ${id.small} (small)`);
    await m.press("0");
    await m.waitFor("ΔE relative to the lowest");

    // a reference with no atom count: per atom is refused in one line, the table stays per cell
    for (let i = 0; i < 4 && !compareRow(m.lastFrame(), id.bare!).startsWith("›"); i++) await m.press("k");
    for (let i = 0; i < 4 && !compareRow(m.lastFrame(), id.bare!).startsWith("›"); i++) await m.press("j");
    await m.press("r");
    await m.waitFor(`ΔE relative to job ${id.bare} (bare)`);
    await m.press("p");
    f = await m.waitFor(
      `job ${id.bare} has no energy per atom (its atom count is not known) to compare to — choose another with r`,
    );
    expect(f).toContain("ΔE (eV)");
    expect(energyAndDelta(compareRow(f, id.small!))[1]).toBeCloseTo(
      (stored.small![0]! - stored.bare![0]!) * HA_EV,
      4,
    );
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
