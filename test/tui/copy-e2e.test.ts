// y in a real terminal (issue 13, defect 10): the terminal receives the OSC 52 sequence that puts the
// job's folder on its clipboard, and the status line says what was copied.
import { afterEach, expect, test } from "vitest";
import { Store } from "../../src/store/store.js";
import { cli, tempProject, writeDeck } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";
import { type Screen, startTui } from "./pty.js";

let screen: Screen | null = null;
afterEach(() => {
  screen?.kill();
  screen = null;
});

test("y sends the job's folder to the terminal's clipboard (OSC 52) and says so", async () => {
  const project = tempProject("ctui-copy-e2e-");
  expect(cli(project, ["job", "add", "mgo", "--input", writeDeck(project)]).code).toBe(0);
  const store = Store.open(project);
  const folder = jobFolder(store, store.jobs.require(1));
  store.close();
  screen = startTui(["--project", project], { env: { NO_COLOR: "1" }, cols: 220 });
  await screen.waitFor(/1\s+mgo/, 20_000);
  screen.write("y");
  await screen.waitFor("copied job 1's folder", 10_000);
  const sequence = `\x1b]52;c;${Buffer.from(folder).toString("base64")}\x07`;
  expect(screen.raw()).toContain(sequence);
  screen.write("q");
  expect((await screen.exited).exitCode).toBe(0);
}, 120_000);
