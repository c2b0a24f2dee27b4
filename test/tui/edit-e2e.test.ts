// `e` in a real terminal: the TUI puts its screen away, runs $VISUAL (here a sed script) on a copy of
// the job's deck, takes the screen back whole, and the new job has the edited deck.
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
