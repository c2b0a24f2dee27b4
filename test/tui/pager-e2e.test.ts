// `o` in a real terminal (issue 13, defect 4): the TUI puts its screen away, runs less (no $PAGER
// set) on the job's 20,000-line output, which pages it from its first line to its last; q gives the
// screen back whole, on the same view.
import fs from "node:fs";
import path from "node:path";
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

const hasLess = fs.existsSync("/usr/bin/less") || fs.existsSync("/bin/less");

test.skipIf(!hasLess)(
  "o opens the Log's whole file in less, q comes back to the Log",
  async () => {
    const project = tempProject("ctui-pager-e2e-");
    expect(cli(project, ["job", "add", "long", "--input", writeDeck(project)]).code).toBe(0);
    const store = Store.open(project);
    try {
      const job = store.jobs.require(1);
      const text = Array.from({ length: 20_000 }, (_, i) => `row ${i + 1}`).join("\n");
      fs.writeFileSync(path.join(jobFolder(store, job), "long.out"), `${text}\n`);
    } finally {
      store.close();
    }
    const env: NodeJS.ProcessEnv = { NO_COLOR: "1", LESS: "", PAGER: "" };
    screen = startTui(["--project", project], { env });
    await screen.waitFor(/1\s+long/, 20_000);
    screen.write("\r");
    await screen.waitFor(/showing lines 19,9\d\d–20,000 of 20,000/, 10_000);
    screen.write("o");
    // less starts at the file's first line; its G goes to the last
    await screen.waitFor((f) => /^row 1\s*$/m.test(f) && !f.includes("showing lines"), 10_000);
    screen.write("G");
    await screen.waitFor(/^row 20000\s*$/m, 10_000);
    screen.write("q");
    const back = await screen.waitFor(/showing lines 19,9\d\d–20,000 of 20,000/, 10_000);
    expect(back).toMatch(/#1 long/); // drawn whole again, header included
    screen.write("q");
    expect((await screen.exited).exitCode).toBe(0);
  },
  120_000,
);
