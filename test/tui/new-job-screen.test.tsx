// The New-job form: generated from a template's typed parameters, checked as you type, the rendered
// deck and the validator's messages live, where it runs, and the job it creates in the store.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { cli } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

async function openForm(mm: Mounted) {
  await mm.waitFor("CREATED");
  await mm.press("n");
  return mm.waitFor("‹ single-point ›", 10_000);
}

/** Moves the focus to the field whose label starts the focused line. */
async function focus(mm: Mounted, label: string) {
  for (let i = 0; i < 40; i++) {
    if (new RegExp(`^› ${label}`, "m").test(mm.lastFrame())) return;
    await mm.press(KEY.down);
  }
  throw new Error(`no field ${label}:\n${mm.lastFrame()}`);
}

/** Clears the focused text field. */
async function clear(mm: Mounted, n = 40) {
  for (let i = 0; i < n; i++) await mm.press(KEY.backspace);
}

describe("new job form", () => {
  test("fields come from the template's parameters; a bad value is flagged as you type and hides the deck", async () => {
    const store = makeStore();
    m = mount(store, { columns: 80, rows: 24 });
    let f = await openForm(m);
    expect(f).toMatch(/title\s+MgO bulk/);
    expect(f).toMatch(/space_group\s+225/);
    expect(f).toMatch(/basis\s+‹ STO-3G ›/);
    expect(f).toMatch(/Deck ✔ no errors/);
    expect(f).toMatch(/\s4 225/);
    await focus(m, "space_group");
    await m.type("9");
    f = await m.waitFor("above the maximum 230");
    expect(f).toContain("fix the form to see the deck");
    await m.press(KEY.backspace);
    f = await m.waitFor((fr) => !fr.includes("above the maximum") && fr.includes("✔ no errors"));
    for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  });

  test("the rendered deck follows the form: the title and a choice change it live", async () => {
    const store = makeStore();
    m = mount(store, { columns: 130, rows: 44 });
    await openForm(m);
    await focus(m, "title");
    await clear(m, 10);
    await m.type("Periclase");
    await m.waitFor(/\s1 Periclase/);
    await focus(m, "method");
    await m.press(KEY.left); // B3LYP → PBESOL ... (options: HF SVWN PBE PBESOL B3LYP PBE0 HSE06)
    await m.waitFor(/method\s+‹ PBESOL ›/);
    await m.waitFor(/\d+ PBESOL/);
  });

  test("Create makes the job with the rendered deck and opens it", async () => {
    const store = makeStore();
    m = mount(store, { columns: 130, rows: 44 });
    await openForm(m);
    await focus(m, "Job name");
    await clear(m, 20);
    await m.type("mgo_b3lyp");
    await focus(m, "MPI ranks");
    await m.type("4");
    await focus(m, "Threads");
    await m.type("2");
    await m.press(KEY.ctrlS);
    const f = await m.waitFor("#1 mgo_b3lyp", 5000);
    expect(f).toContain("… PENDING");
    const job = store.jobs.require(1);
    expect(job.name).toBe("mgo_b3lyp");
    expect(job.runnerType).toBe("local");
    expect(job.parallelism).toEqual({ mpi_ranks: 4, threads_per_rank: 2 });
    expect(job.inputFile).toMatch(/^MgO bulk\nCRYSTAL\n/);
    expect(job.inputFile).toContain("B3LYP");
    expect(fs.readFileSync(path.join(jobFolder(store, job), "mgo_b3lyp.d12"), "utf8")).toBe(job.inputFile);
  });

  test("a bad job name or thread count is refused: nothing is created", async () => {
    const store = makeStore();
    m = mount(store, { columns: 130, rows: 44 });
    await openForm(m);
    await focus(m, "Job name");
    await clear(m, 20);
    await m.type("bad name!");
    await m.waitFor("is not allowed");
    await focus(m, "Threads");
    await m.type("two");
    await m.waitFor("a whole number");
    await m.press(KEY.ctrlS);
    await m.waitFor("not created:");
    expect(store.jobs.count()).toBe(0);
  });

  test("on a cluster: the time limit is asked for, checked, and stored with the job", async () => {
    const store = makeStore();
    store.clusters.create({ name: "hpc", type: "slurm", hostname: "127.0.0.1", username: "chem" });
    m = mount(store, { columns: 130, rows: 44 });
    await openForm(m);
    expect(m.lastFrame()).not.toContain("Time limit");
    await focus(m, "Where");
    await m.press(KEY.right);
    await m.waitFor(/Where\s+‹ hpc ›/);
    await focus(m, "Time limit");
    await m.type("2h");
    await m.waitFor("HH:MM:SS");
    await clear(m, 3);
    await m.type("02:00:00");
    await m.waitFor((f) => !/✖ time/.test(f));
    await m.press(KEY.ctrlS);
    await m.waitFor("#1 single-point", 5000);
    const job = store.jobs.require(1);
    expect(job.clusterName).toBe("hpc");
    expect(job.runnerType).toBe("slurm");
    expect(job.parallelism.time).toBe("02:00:00");
  });

  test("a deck file: the validator's errors show live and Create is refused", async () => {
    const store = makeStore();
    fs.writeFileSync(
      path.join(store.projectDir, "broken.d12"),
      "MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 .5 .5 .5\nEND\nBASISSET\nSTO-3G\nSHRINK\n8\nEND\n",
    );
    m = mount(store, { columns: 130, rows: 44 });
    await openForm(m);
    await m.press(KEY.right); // single-point is the last template; then comes a deck file
    await m.waitFor("‹ (a deck file) ›");
    await focus(m, "Deck file");
    await m.type("broken.d12");
    const f = await m.waitFor(/✖ line \d+: /);
    expect(f).toMatch(/Job name\s+broken/);
    // the failing line is marked in the preview: its number, with ✖ (SHRINK's line 13 lacks a number)
    const failing = Number(/✖ line (\d+): /.exec(f)![1]);
    expect(f).toMatch(new RegExp(`^.*\\s${failing}✖`, "m"));
    expect(f).not.toMatch(new RegExp(`\\s${failing - 1}✖`));
    await m.press(KEY.ctrlS);
    await m.waitFor("not created: line");
    expect(store.jobs.count()).toBe(0);
  });

  test("a deck's error message is shown whole in a narrow pane, wrapped, not cut (issue 13, defect 9)", async () => {
    const store = makeStore();
    fs.writeFileSync(
      path.join(store.projectDir, "broken.d12"),
      "MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 .5 .5 .5\nEND\nBASISSET\nSTO-3G\nSHRINK\n8\nEND\n",
    );
    // 100 columns: the deck pane beside the form is 49 wide, narrower than the message
    m = mount(store, { columns: 100, rows: 44 });
    await openForm(m);
    await m.press(KEY.right);
    await m.waitFor("‹ (a deck file) ›");
    await focus(m, "Deck file");
    await m.type("broken.d12");
    const f = await m.waitFor(/✖ line \d+: /);
    // the message as the CLI prints it, in full (`job add` reads the same deck with the same validator)
    const r = cli(store.projectDir, [
      "job",
      "add",
      "x",
      "--input",
      path.join(store.projectDir, "broken.d12"),
    ]);
    const message = /line \d+: .*/.exec(r.stderr)![0].replace(/ — .*$/, "");
    const shown = f
      .split("\n")
      .slice(f.split("\n").findIndex((l) => l.slice(51).startsWith("✖ line")))
      .slice(0, 4)
      .map((l) =>
        l
          .slice(51)
          .replace(/^[✖ ] /, "")
          .trim(),
      )
      .join(" ");
    expect(shown.replace(/\s+/g, " ")).toContain(message.replace(/\s+/g, " "));
    expect(message.length).toBeGreaterThan(49);
    for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(100);
  });

  test("esc goes back without creating anything", async () => {
    const store = makeStore();
    m = mount(store);
    await openForm(m);
    await m.press(KEY.escape);
    await m.waitFor("No jobs yet");
    expect(store.jobs.count()).toBe(0);
  });

  test("a long parameter name keeps a gap before its value (issue 13, defect 6)", async () => {
    m = mount(makeStore(), { columns: 80, rows: 24 });
    await openForm(m);
    await m.press(KEY.right); // the next template
    let f = m.lastFrame();
    for (let i = 0; i < 10 && !f.includes("‹ optimise ›"); i++) {
      await m.press(KEY.right);
      f = m.lastFrame();
    }
    f = await m.waitFor("‹ optimise ›");
    await focus(m, "opt_maxcycle");
    const line = m
      .lastFrame()
      .split("\n")
      .find((l) => l.startsWith("› opt_maxcycle"))!;
    expect(line).toMatch(/^› opt_maxcycle\s+\d/);
    expect(line).not.toMatch(/opt_maxcycle\d/);
  });

  test("esc after creating goes back to the list; esc in a filled form asks first (issue 13, defect 7)", async () => {
    const store = makeStore();
    m = mount(store, { columns: 130, rows: 44 });
    await openForm(m);
    await focus(m, "Job name");
    await m.type("x");
    await m.press(KEY.escape);
    await m.waitFor("[y/N] Leave the form?");
    await m.press("n");
    let f = await m.waitFor((fr) => !fr.includes("[y/N]"));
    expect(f).toMatch(/Job name\s+single-pointx/);
    await m.press(KEY.ctrlS);
    await m.waitFor("#1 single-pointx", 5000);
    await m.press(KEY.escape);
    f = await m.waitFor("CREATED");
    expect(f).not.toContain("New job");
    // a form left untouched goes without a question; a filled one goes after y
    await m.press("n");
    await m.waitFor("‹ single-point ›", 10_000);
    await m.press(KEY.escape);
    await m.waitFor("CREATED");
    await m.press("n");
    await m.waitFor("‹ single-point ›", 10_000);
    await focus(m, "MPI ranks");
    await m.type("2");
    await m.press(KEY.escape);
    await m.waitFor("[y/N] Leave the form?");
    await m.press("y");
    await m.waitFor("CREATED");
    expect(store.jobs.count()).toBe(1);
  });
});
