// `e` in a real terminal: the TUI puts its screen away, runs $VISUAL (here a sed script) on a copy of
// the job's deck, takes the screen back whole, and the new job has the edited deck.
import fs from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { Store } from "../../src/store/store.js";
import { cli, tempProject, writeDeck } from "../helpers/project.js";
import { standinEnv } from "../helpers/standin.js";
import { type Screen, startTui } from "./pty.js";

let screen: Screen | null = null;
afterEach(() => {
  screen?.kill();
  screen = null;
});

test("e with $VISUAL a sed script: the copy is made with the edited deck and the list is drawn again", async () => {
  const project = tempProject("ctui-edit-e2e-");
  expect(cli(project, ["job", "add", "mgo", "--input", writeDeck(project)]).code).toBe(0);
  screen = startTui(["--project", project], {
    env: { ...standinEnv(), NO_COLOR: "1", VISUAL: "sed -i s/^8$/9/", EDITOR: "" },
  });
  await screen.waitFor(/1\s+mgo/, 20_000);
  screen.write("e");
  const f = await screen.waitFor(/copied as job 2 with your edit/, 20_000);
  // the screen came back whole: the header and both jobs, not just the changed status line
  expect(f).toMatch(/ID\s+NAME\s+STATUS/);
  await screen.waitFor(/2\s+mgo/, 10_000);
  const store = Store.open(project);
  try {
    const copy = store.jobs.require(2);
    expect(copy.inputFile).toMatch(/TOLDEE\n9\n/);
    expect(store.jobs.require(1).inputFile).toMatch(/TOLDEE\n8\n/);
  } finally {
    store.close();
  }
  screen.write("q");
  expect((await screen.exited).exitCode).toBe(0);
}, 120_000);

test("ctrl+o in the new-job form: the deck goes to $VISUAL, comes back checked, and the job is made from the fixed edit", async () => {
  const project = tempProject("ctui-edit-e2e-");
  // an editor that breaks TOLDEE's value the first time and sets it to 9 the second
  const editor = path.join(project, "editor.sh");
  const once = path.join(project, "edited-once");
  fs.writeFileSync(
    editor,
    `if [ -e '${once}' ]; then v=9; else v=x; touch '${once}'; fi\nsed -i -e "/^TOLDEE$/{n;s/.*/$v/;}" "$1"\n`,
  );
  screen = startTui(["--project", project], {
    env: { ...standinEnv(), NO_COLOR: "1", VISUAL: `sh ${editor}`, EDITOR: "" },
    cols: 140,
    rows: 40,
  });
  await screen.waitFor("No jobs yet", 20_000);
  screen.write("n");
  await screen.waitFor("‹ single-point ›", 20_000);
  screen.write("\u000f");
  const back = await screen.waitFor("your deck has 1 problem", 20_000);
  // the screen came back whole: the form and the deck, not just the status line
  expect(back).toMatch(/New job/);
  expect(back).toMatch(/Deck — your edit/);
  expect(back).toMatch(/line \d+: TOLDEE needs an integer/);
  screen.write("\u0013");
  await screen.waitFor("not created: line");
  screen.write("\u000f");
  await screen.waitFor("deck edited — ctrl+s creates the job from your edit", 20_000);
  screen.write("\u0013");
  await screen.waitFor(/#1 single-point/, 20_000);
  const store = Store.open(project);
  try {
    expect(store.jobs.count()).toBe(1);
    expect(store.jobs.require(1).inputFile).toMatch(/\nTOLDEE\n9\n/);
  } finally {
    store.close();
  }
  screen.write("q");
  expect((await screen.exited).exitCode).toBe(0);
}, 120_000);
