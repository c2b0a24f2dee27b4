// The Log and Files views page the whole file, however long (issue 13, defect 4): a 20,000-line
// output keeps its start (g / G, pgup / pgdn), `/` finds a line anywhere in it (n / N), `o` hands the
// file to $PAGER, and a view that shows part of a file says which part.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { Store } from "../../src/store/store.js";
import { jobFolder } from "../store/new-jobs.js";
import { addJobs, KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const LINES = 20_000;
/** Line i (1-based) says its number; three of them hold a word to look for. */
const bigText = () =>
  `${Array.from({ length: LINES }, (_, i) =>
    [7, 12_345, 19_000].includes(i + 1) ? `row ${i + 1} TOTAL ENERGY here` : `row ${i + 1}`,
  ).join("\n")}\n`;

function finishedWithOutput(store: Store, name: string) {
  const [job] = addJobs(store, [name]);
  const folder = jobFolder(store, job!);
  fs.writeFileSync(path.join(folder, `${name}.out`), bigText());
  store.jobs.transition(job!.id, "RUNNING");
  store.jobs.transition(job!.id, "COMPLETED");
  return { job: job!, folder };
}

const detail = (jobId: number) => ({ name: "detail" as const, jobId, from: { name: "jobs" as const } });
/** The rows of the file on screen, by their numbers. */
const rowsShown = (frame: string) => [...frame.matchAll(/^row (\d+)\b/gm)].map((x) => Number(x[1]));

describe("a 20,000-line file in the job detail", () => {
  test("the Log opens at the end, says which lines it shows, and g goes to line 1 of the whole file", async () => {
    const store = makeStore();
    const { job } = finishedWithOutput(store, "long");
    m = mount(store, { columns: 100, rows: 24, view: detail(job.id) });
    let f = await m.waitFor(/^row 20000$/m);
    expect(f).toMatch(/showing lines 19,9\d\d–20,000 of 20,000/);
    await m.press("g");
    f = await m.waitFor(/^row 1$/m);
    expect(rowsShown(f)[0]).toBe(1);
    expect(f).toMatch(/showing lines 1–\d+ of 20,000/);
    const page = rowsShown(f).length;
    expect(page).toBeGreaterThan(10);
    await m.press(KEY.pageDown);
    f = await m.waitFor(/showing lines (?!1–)/);
    expect(rowsShown(f)[0]).toBe(page); // a page on, the last line kept for context
    await m.press(KEY.pageUp);
    f = await m.waitFor(/^row 1$/m);
    await m.press("G");
    f = await m.waitFor(/^row 20000$/m);
    for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(100);
    expect(f.split("\n").length).toBeLessThanOrEqual(24);
  });

  test("/ finds a line anywhere, n the next (going round the end), N the previous; a missing text says so", async () => {
    const store = makeStore();
    const { job } = finishedWithOutput(store, "search");
    m = mount(store, { columns: 100, rows: 24, view: detail(job.id) });
    await m.waitFor(/^row 20000$/m);
    await m.press("g");
    await m.waitFor(/^row 1$/m);
    await m.press("/");
    await m.type("total energy");
    await m.press(KEY.enter);
    // row 7 is on the first page: the search starts from the view's top line
    let f = await m.waitFor((x) => rowsShown(x)[0] === 7);
    expect(f).toContain("row 7 TOTAL ENERGY here");
    await m.press("n");
    f = await m.waitFor((x) => rowsShown(x)[0] === 12_345);
    expect(f).toContain("row 12345 TOTAL ENERGY here");
    expect(f).toMatch(/showing lines 12,345–/);
    await m.press("n");
    // the last page cannot start at 19000's line; it is shown, highlighted, on the last page
    f = await m.waitFor(/row 19000 TOTAL ENERGY here/);
    await m.press("n");
    f = await m.waitFor((x) => rowsShown(x)[0] === 7);
    expect(f).toContain("went round the end of the file");
    await m.press("N");
    f = await m.waitFor(/row 19000 TOTAL ENERGY here/);
    await m.press("N");
    f = await m.waitFor((x) => rowsShown(x)[0] === 12_345);
    await m.press("/");
    await m.type("no such words");
    await m.press(KEY.enter);
    f = await m.waitFor('"no such words" is not in the file');
    expect(rowsShown(f)[0]).toBe(12_345); // the view stays where it was
  });

  test("Files: a 20,000-line file opened from the list pages from its first line to its last", async () => {
    const store = makeStore();
    const { job, folder } = finishedWithOutput(store, "files");
    fs.writeFileSync(path.join(folder, "files.out"), "short\n");
    fs.writeFileSync(path.join(folder, "zz-big.txt"), bigText());
    m = mount(store, { columns: 100, rows: 24, view: detail(job.id) });
    await m.press(KEY.left, KEY.left); // Log ← History ← Files
    await m.waitFor("zz-big.txt");
    await m.press("G", "G", "G", "G", "G", "G", "G", "G");
    for (let i = 0; i < 6; i++) await m.press(KEY.down);
    await m.press(KEY.enter);
    let f = await m.waitFor(/^row 1$/m);
    expect(f).toContain("zz-big.txt");
    expect(f).toMatch(/showing lines 1–\d+ of 20,000/);
    await m.press("G");
    f = await m.waitFor(/^row 20000$/m);
    await m.press("/");
    await m.type("row 12345");
    await m.press(KEY.enter);
    f = await m.waitFor((x) => rowsShown(x)[0] === 12_345);
    await m.press("g");
    await m.waitFor(/^row 1$/m);
  });

  test("o hands the whole file to $PAGER", async () => {
    const store = makeStore();
    const { job, folder } = finishedWithOutput(store, "paged");
    const seen = path.join(folder, "pager-saw");
    const pager = path.join(folder, "pager.sh");
    fs.writeFileSync(pager, `#!/bin/sh\nwc -l < "$1" > '${seen}'\necho "$1" >> '${seen}'\n`, { mode: 0o755 });
    const before = process.env.PAGER;
    process.env.PAGER = pager;
    try {
      m = mount(store, { columns: 100, rows: 24, view: detail(job.id) });
      await m.waitFor(/^row 20000$/m);
      await m.press("o");
      await m.waitFor(() => fs.existsSync(seen) && fs.readFileSync(seen, "utf8").includes("paged.out"));
      expect(fs.readFileSync(seen, "utf8").split("\n")[0]!.trim()).toBe(String(LINES));
      process.env.PAGER = "no-such-pager-here";
      await m.press("o");
      await m.waitFor("the pager no-such-pager-here was not found — set $PAGER");
    } finally {
      if (before === undefined) delete process.env.PAGER;
      else process.env.PAGER = before;
    }
  });
});
