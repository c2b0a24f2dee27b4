// End to end in a real terminal: `crystal-tui` on a project, a job made with the form, run to
// COMPLETED by the TUI's own engine on the CRYSTAL stand-in, its results opened, quit; and the demo.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { Store } from "../../src/store/store.js";
import { CLI, cli, tempProject } from "../helpers/project.js";
import { standinEnv } from "../helpers/standin.js";
import { sql } from "../store/raw-sql.js";
import { type Screen, startTui } from "./pty.js";

let screen: Screen | null = null;
afterEach(() => {
  screen?.kill();
  screen = null;
});

const KEY = { enter: "\r", tab: "\t", down: "\u001b[B", up: "\u001b[A", esc: "\u001b", ctrlS: "\u0013" };

describe("crystal-tui in a real terminal", () => {
  test("create a job with the form, watch it run to COMPLETED on the stand-in, open its results, quit", async () => {
    const project = tempProject("ctui-e2e-");
    screen = startTui(["--project", project], {
      env: { ...standinEnv({ CRYSTAL_STANDIN_DELAY_MS: "2" }), NO_COLOR: "1" },
    });
    await screen.waitFor("No jobs yet");
    await screen.waitFor("this window starts your jobs");
    screen.write("n");
    await screen.waitFor("‹ single-point ›", 20_000);
    // name the job, then create it from the keyboard
    screen.write(KEY.down);
    await screen.waitFor(/› Job name/);
    for (let i = 0; i < 15; i++) screen.write("\u007f");
    await screen.type("mgo_e2e");
    await screen.waitFor(/Job name\s+mgo_e2e/);
    screen.write(KEY.ctrlS);
    await screen.waitFor("#1 mgo_e2e");
    // the Log tab follows the output while the job runs, the header follows its status
    await screen.waitFor(/▶ RUNNING|✔ COMPLETED/, 60_000);
    await screen.waitFor(/#1 mgo_e2e\s+✔ COMPLETED/, 120_000);
    screen.write(KEY.tab);
    screen.write(KEY.tab);
    const results = await screen.waitFor("SCF convergence", 10_000);
    expect(results).toMatch(/Outcome\s+completed/);
    expect(results).toMatch(/Final energy\s+-271\.2\d+ Ha/);
    // the store agrees with the screen
    const store = Store.open(project);
    try {
      const job = store.jobs.require(1);
      expect(job.status).toBe("COMPLETED");
      expect(job.finalEnergy).toBeCloseTo(-271.21814374931, 6);
    } finally {
      store.close();
    }
    screen.write("q");
    const { exitCode } = await screen.exited;
    expect(exitCode).toBe(0);
  }, 240_000);

  test("crystal-tui demo: a project with MgO jobs and a workflow, said to be replayed by the stand-in", async () => {
    const dir = path.join(tempProject("ctui-demo-"), "demo");
    screen = startTui(["demo", "--dir", dir], { env: { CRYSTAL_STANDIN_DELAY_MS: "1", NO_COLOR: "1" } });
    // the notice at once, the list as soon as the view cache has read it
    const first = await screen.waitFor(
      /DEMO — results come from the CRYSTAL stand-in[\s\S]*nio_afm_scf/,
      30_000,
    );
    expect(first).toMatch(/mgo_scf/);
    expect(first).toMatch(/mgo_opt/);
    expect(first).toMatch(/nio_afm_scf/);
    // the jobs run: the MgO ones complete, NiO's SCF does not converge and says so
    await screen.waitFor(/mgo_relaxed_elastic\s+✔ COMPLETED/, 180_000);
    const done = await screen.waitFor(/nio_afm_scf\s+✖ FAILED/, 60_000);
    expect(done).toMatch(/mgo_opt\s+✔ COMPLETED/);
    screen.write("2");
    const wf = await screen.waitFor("Steps of mgo-relax-then-elastic");
    expect(wf).toMatch(/✔ relax #\d+ COMPLETED/);
    expect(wf).toMatch(/└─ ✔ elastic #\d+ COMPLETED/);
    screen.write("q");
    expect((await screen.exited).exitCode).toBe(0);
    expect(fs.existsSync(path.join(dir, ".crystal_tui.db"))).toBe(true);
  }, 300_000);

  test("when another process serves the project the TUI says so, and takes over when it goes away", async () => {
    const project = tempProject("ctui-e2e-");
    Store.open(project).close();
    const run = spawn(process.execPath, [CLI, "--project", project, "run", "--watch", "--quiet"], {
      env: { ...process.env, ...standinEnv() },
      stdio: "ignore",
    });
    try {
      // wait until its engine is registered in the project
      const store = Store.open(project);
      try {
        for (let i = 0; i < 200; i++) {
          const n = sql(store).prepare("SELECT COUNT(*) AS n FROM engines").get() as { n: number };
          if (n.n > 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        store.close();
      }
      screen = startTui(["--project", project], { env: { ...standinEnv(), NO_COLOR: "1" } });
      await screen.waitFor(`(process ${run.pid}), not by this window`, 20_000);
      run.kill("SIGTERM");
      await screen.waitFor("this window starts your jobs", 30_000);
      screen.write("q");
      expect((await screen.exited).exitCode).toBe(0);
    } finally {
      if (run.exitCode === null) run.kill("SIGKILL");
    }
  }, 120_000);

  test("crystal-tui bogus is still an unknown command (exit 2), and without a terminal the TUI says it needs one", () => {
    const project = tempProject("ctui-e2e-");
    const bogus = cli(project, ["bogus"]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("unknown command 'bogus'");
    const noTty = cli(project, []);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain("the TUI needs a terminal");
  });
});
