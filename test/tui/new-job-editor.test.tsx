// ctrl+o in the new-job form (issue 13): the rendered deck opens in $VISUAL (here a sed script), comes
// back checked — its problems said with their line numbers, and no job made while it has any — and
// the job is made from the edited deck once it is right.
import { afterEach, expect, test } from "vitest";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";

const CTRL_O = "\u000f";
let m: Mounted | null = null;
const saved = { VISUAL: process.env.VISUAL, EDITOR: process.env.EDITOR };
afterEach(() => {
  m?.unmount();
  m = null;
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** An editor that replaces the line after TOLDEE with `value`. */
const toldeeEditor = (value: string) => `sed -i -e '/^TOLDEE$/{n;s/.*/${value}/;}'`;

test("ctrl+o: an edit with a bad line is refused with its line number; fixed in a second edit, the job has the edited deck", async () => {
  const store = makeStore();
  m = mount(store, { columns: 180, rows: 44 });
  await m.waitFor("CREATED");
  await m.press("n");
  let f = await m.waitFor("‹ single-point ›", 10_000);
  // offered in the footer and the help, from the form's key table
  expect(f).toContain("ctrl+o editor");
  // the deck view numbers its lines: the reader names TOLDEE's line when its value is bad
  const valueLine = Number(/(\d+) TOLDEE\s*$/m.exec(f)?.[1]);
  expect(valueLine).toBeGreaterThan(1);

  process.env.VISUAL = toldeeEditor("x");
  process.env.EDITOR = "";
  await m.press(CTRL_O);
  f = await m.waitFor("your deck has 1 problem");
  expect(f).toContain(`line ${valueLine}: TOLDEE needs an integer`);
  expect(f).toMatch(/Deck — your edit/);
  await m.press(KEY.ctrlS);
  f = await m.waitFor("not created");
  expect(f).toContain(`not created: line ${valueLine}: TOLDEE needs an integer`);
  expect(store.jobs.count()).toBe(0);

  // the second edit starts from the first (x is there to be replaced)
  process.env.VISUAL = toldeeEditor("9");
  await m.press(CTRL_O);
  f = await m.waitFor("deck edited — ctrl+s creates the job from your edit");
  expect(f).toMatch(/Deck — your edit ✔ no errors/);
  await m.press(KEY.ctrlS);
  await m.waitFor("from your edited deck");
  expect(store.jobs.count()).toBe(1);
  const job = store.jobs.require(1);
  expect(job.inputFile).toMatch(/\nTOLDEE\n9\n/);
  expect(job.inputFile).not.toMatch(/\nx\n/);
});

test("ctrl+o with an editor that fails makes nothing and says so; typing a parameter sets the edit aside", async () => {
  const store = makeStore();
  m = mount(store, { columns: 180, rows: 44 });
  await m.waitFor("CREATED");
  await m.press("n");
  await m.waitFor("‹ single-point ›", 10_000);
  process.env.VISUAL = "false";
  await m.press(CTRL_O);
  let f = await m.waitFor("exited with code 1");
  expect(f).not.toContain("your edit");
  process.env.VISUAL = toldeeEditor("7");
  await m.press(CTRL_O);
  await m.waitFor("Deck — your edit");
  // a field that makes the deck: the form's deck is back, the edit kept in its file
  for (let i = 0; i < 40 && !/^› title/m.test(m.lastFrame()); i++) await m.press(KEY.down);
  await m.type("X");
  f = await m.waitFor("your edited deck was set aside");
  expect(f).not.toContain("Deck — your edit");
  // the template's TOLDEE value again, not the edit's 7
  const at = Number(/(\d+) TOLDEE\s*$/m.exec(f)?.[1]);
  expect(f).toMatch(new RegExp(`^.* ${at + 1} 8\\s*$`, "m"));
});
