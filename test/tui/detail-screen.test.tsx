// The job detail: Log (follows a growing output), Input (the deck), Results (parsed values and
// plots), Files, History — with real CRYSTAL outputs from the fixtures.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { parseOutputFileSync } from "../../src/crystal/output-parser.js";
import type { Store } from "../../src/store/store.js";
import { FIXTURES } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";
import { addJobs, KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const fixture = (name: string) => path.join(FIXTURES, name);

/** A job that ran and finished with a real output and the parser's results, as the engine leaves it. */
function finishedJob(store: Store, name: string, output: string) {
  const [job] = addJobs(store, [name]);
  const folder = jobFolder(store, job!);
  fs.copyFileSync(fixture(output), path.join(folder, `${name}.out`));
  const result = parseOutputFileSync(fixture(output));
  store.jobs.transition(job!.id, "RUNNING");
  store.jobs.transition(job!.id, result.status === "completed" ? "COMPLETED" : "FAILED", {
    reason: result.status === "completed" ? null : "SCF did not converge",
  });
  store.jobs.storeResults(job!.id, result.final_energy_hartree, result);
  return store.jobs.require(job!.id);
}

const detail = (jobId: number) => ({ name: "detail" as const, jobId, from: { name: "jobs" as const } });

describe("job detail", () => {
  test("Results of a finished SCF: final energy, cycles, and the |ΔE| plot on a log scale — in 80×24", async () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_scf", "aiida-crystal17__mgo_sto3g_scf.out");
    m = mount(store, { columns: 80, rows: 24, view: detail(job.id) });
    await m.waitFor(`#${job.id} mgo_scf`);
    await m.press(KEY.tab, KEY.tab); // Log → Input → Results
    const f = await m.waitFor("SCF convergence");
    expect(f).toMatch(/Outcome\s+completed/);
    expect(f).toMatch(/Final energy\s+-271\.2181437493 Ha/);
    expect(f).toMatch(/SCF\s+converged in 7 cycles/);
    expect(f).toMatch(/1e-\d┤.*●/);
    expect(f).toContain("cycle");
    for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
    expect(f.split("\n").length).toBeLessThanOrEqual(24);
  });

  test("Results of an optimisation: steps and the energy trajectory plot", async () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_opt", "aiida-crystal17__mgo_sto3g_opt.out");
    m = mount(store, { columns: 100, rows: 40, view: detail(job.id) });
    await m.waitFor(`#${job.id} mgo_opt`);
    await m.press(KEY.left, KEY.left, KEY.left); // Log ← History ← Files ← Results
    const top = await m.waitFor("Outcome");
    expect(top).toMatch(/Final energy\s+-271\.2596206888 Ha/);
    expect(top).toMatch(/Optimisation\s+converged after \d+ steps/);
    expect(top).toMatch(/Band gap\s+17\.478\d eV/);
    await m.press("]", "]"); // the SCF plot, then the optimisation's
    const f = await m.waitFor("Optimisation — energy per step");
    expect(f).toMatch(/-271\.2\d*┤/);
  });

  test("a RUNNING job's Results are read live from its output so far", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["live"]);
    store.jobs.transition(job!.id, "RUNNING");
    const out = path.join(jobFolder(store, job!), "live.out");
    const text = fs.readFileSync(fixture("aiida-crystal17__mgo_sto3g_scf.out"), "utf8");
    // the output up to the middle of the SCF
    const cut = text.indexOf("CYC   4");
    expect(cut).toBeGreaterThan(0);
    fs.writeFileSync(out, text.slice(0, cut));
    m = mount(store, { view: detail(job!.id) });
    await m.press(KEY.tab, KEY.tab);
    let f = await m.waitFor("so far");
    expect(f).toMatch(/Outcome\s+incomplete \(so far/);
    fs.writeFileSync(out, text);
    f = await m.waitFor(/SCF\s+converged in 7 cycles/, 4000);
    // the energy so far: not called final while the job runs
    expect(f).toMatch(/Last energy\s+-271\.2181437\d* Ha .*~/);
    expect(f).toContain("~ not a final energy: the job is still running");
  });

  test("Log follows the output while it grows; scrolling up stops following, G follows again", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["tail"]);
    store.jobs.transition(job!.id, "RUNNING");
    const out = path.join(jobFolder(store, job!), "tail.out");
    fs.writeFileSync(out, `${Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join("\n")}\n`);
    m = mount(store, { view: detail(job!.id) });
    let f = await m.waitFor("line 100");
    expect(f).toContain("following the output");
    fs.appendFileSync(out, "line 101\nline 102 SCF ENDED\n");
    f = await m.waitFor("line 102 SCF ENDED", 3000);
    await m.press(KEY.pageUp);
    f = await m.waitFor("not following");
    fs.appendFileSync(out, "line 103\n");
    await new Promise((r) => setTimeout(r, 800));
    expect(m.lastFrame()).not.toContain("line 103");
    await m.press("G");
    await m.waitFor("line 103");
  });

  test("Log shows control characters harmlessly: tabs as spaces, escapes and form feeds dropped", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["ctl"]);
    store.jobs.transition(job!.id, "RUNNING");
    fs.writeFileSync(path.join(jobFolder(store, job!), "ctl.out"), "a\tb\u001b[2Jc\fd\r\n");
    m = mount(store, { view: detail(job!.id) });
    const f = await m.waitFor("a    b[2Jcd");
    expect(f).not.toContain("\u001b[2J");
  });

  test("a PENDING job's Log says there is no output yet", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["waiting"]);
    m = mount(store, { view: detail(job!.id) });
    await m.waitFor("No output yet — the job is PENDING");
  });

  test("Input shows the deck with line numbers", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["deck"]);
    m = mount(store, { view: detail(job!.id) });
    await m.press(KEY.tab);
    const f = await m.waitFor("MgO bulk test");
    expect(f).toMatch(/\s1 MgO bulk test/);
    expect(f).toMatch(/\s2 CRYSTAL/);
    expect(f).toMatch(/SHRINK/);
  });

  test("Files lists the job folder; enter shows a file, esc goes back to the list", async () => {
    const store = makeStore();
    const job = finishedJob(store, "files", "aiida-crystal17__mgo_sto3g_scf.out");
    fs.writeFileSync(path.join(jobFolder(store, job), "notes.txt"), "hello from the notes\n");
    m = mount(store, { view: detail(job.id) });
    await m.press(KEY.tab, KEY.tab, KEY.tab);
    let f = await m.waitFor("files.d12");
    expect(f).toMatch(/files\.out\s+3\d\.\d KB/);
    expect(f).toContain("notes.txt");
    await m.press("j", "j", KEY.enter); // files.d12, files.out, notes.txt
    f = await m.waitFor("hello from the notes");
    await m.press(KEY.escape);
    f = await m.waitFor((fr) => fr.includes("files.d12") && !fr.includes("hello from"));
    expect(f).toContain(`#${job.id} files`); // still on the job, not back to the list
  });

  test("History lists every transition with its time and reason, and what the job waits for", async () => {
    const store = makeStore();
    const [parent, child] = addJobs(store, ["parent", "child"]);
    store.dependencies.add(child!.id, parent!.id, "after_ok");
    store.jobs.transition(parent!.id, "RUNNING");
    store.jobs.transition(parent!.id, "FAILED", { reason: "SCF did not converge in 100 cycles" });
    m = mount(store, { view: detail(parent!.id) });
    await m.press(KEY.shiftTab);
    let f = await m.waitFor("TRANSITION");
    expect(f).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+created\s+… PENDING/);
    expect(f).toMatch(/… PENDING → ▶ RUNNING/);
    expect(f).toMatch(/▶ RUNNING → ✖ FAILED\s+SCF did not converge in 100 cycles/);
    expect(f).toMatch(/Waited for by\s*\n\s*#2 child … PENDING \(after_ok\)/);
    m.unmount();
    m = mount(store, { view: detail(child!.id) });
    await m.press(KEY.shiftTab);
    f = await m.waitFor("Waits for");
    expect(f).toMatch(/#1 parent ✖ FAILED \(after_ok\)/);
  });

  test("c then y on a RUNNING job asks its engine to stop it; esc goes back to the list", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["busy"]);
    store.jobs.transition(job!.id, "RUNNING");
    m = mount(store, { view: detail(job!.id) });
    await m.waitFor("busy");
    await m.press("c");
    await m.waitFor("[y/N] Cancel job");
    await m.press("y");
    expect(store.jobs.require(job!.id).cancelRequested).toBe(true);
    await m.waitFor("cancel requested");
    await m.press(KEY.escape);
    await m.waitFor("CREATED");
  });

  test("r on a finished job asks once, as the list does (n: nothing made), then y opens the new job", async () => {
    const store = makeStore();
    const job = finishedJob(store, "again", "aiida-crystal17__mgo_sto3g_scf.out");
    m = mount(store, { view: detail(job.id) });
    await m.waitFor(`#${job.id} again`);
    await m.press("r");
    await m.waitFor(`[y/e/N] Re-run job ${job.id} (again) as a new job? (e: edit its deck first)`);
    await m.press("n");
    await m.waitFor((fr) => !fr.includes("[y/e/N]"));
    expect(store.jobs.count()).toBe(1);
    await m.press("r");
    await m.waitFor("[y/e/N]");
    await m.press("y");
    const f = await m.waitFor(`#${job.id + 1} again`);
    expect(f).toContain("… PENDING");
    expect(store.jobs.require(job.id + 1).inputFile).toBe(job.inputFile);
  });

  test("l and h switch tabs as → and ← do (issue 13, defect 10)", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["tabs"]);
    m = mount(store, { view: detail(job!.id) });
    await m.waitFor(`#${job!.id} tabs`);
    await m.press("l");
    await m.waitFor(/MgO|This job has no deck/);
    await m.press("l", "l", "l");
    await m.waitFor("WHEN");
    await m.press("h", "h", "h", "h");
    await m.waitFor("No output yet");
  });

  test("d on a running job offers to cancel it instead (issue 13, defect 8)", async () => {
    const store = makeStore();
    const [job] = addJobs(store, ["busy"]);
    store.jobs.transition(job!.id, "RUNNING");
    m = mount(store, { view: detail(job!.id) });
    await m.waitFor(`#${job!.id} busy`);
    await m.press("d");
    await m.waitFor(`[y/N] Job ${job!.id} (busy) is running and cannot be deleted — cancel it?`);
    await m.press("y");
    await m.waitFor("cancel of job");
    expect(store.jobs.require(job!.id).cancelRequested).toBe(true);
  });
});
