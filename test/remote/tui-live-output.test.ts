// Watching a remote job live in the TUI (issue 12), in a real terminal, against the real sshd and
// SLURM: while a job whose stand-in replays a recording slowly (about 40 s) runs on the cluster —
// started by the TUI's own engine — its Log tab shows lines of the recording, and its Results tab
// the SCF cycles parsed so far (never a final energy), before the job ends; `t` shows its stderr.
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requireInfra } from "../helpers/infra.js";
import { FIXTURES } from "../helpers/project.js";
import { type Screen, startTui } from "../tui/pty.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  newProject,
  type RemoteSetup,
  remoteSetup,
} from "./helpers.js";

const infra = await requireInfra(
  "the TUI's live Log and Results of remote jobs against the real sshd and SLURM",
);

const RECORDING = "aiida-crystal17__mgo_sto3g_scf";
const recordedLines = new Set(
  fs
    .readFileSync(path.join(FIXTURES, `${RECORDING}.out`), "latin1")
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 3),
);
/** 551 lines at 70 ms: the run writes its output over about 39 s (its SCF cycles in the last 10). */
const SLOW = { CRYSTAL_STANDIN_DELAY_MS: "70" };
const KEY = { enter: "\r", tab: "\t" };

let screen: Screen | null = null;
afterEach(() => {
  screen?.kill();
  screen = null;
});

describe.skipIf(!infra)("the TUI follows a remote job live (real sshd and SLURM, real terminal)", () => {
  let setup: RemoteSetup;
  beforeAll(() => {
    setup = remoteSetup("tui-live");
  });
  afterAll(() => cleanupLocal());

  for (const type of ["slurm", "ssh"] as const) {
    it(`${type}: the Log shows the recording's lines and Results ≥ 3 SCF cycles "so far" before the job ends`, async () => {
      const { project, store } = newProject();
      addCluster(project, infra!, setup, { name: "hpc", type, env: SLOW });
      const id = addJob(project, "slow_scf", deck("scf", `MgO live [standin:${RECORDING}]`), [
        "--cluster",
        "hpc",
      ]);
      const running = () => store.jobs.require(id).status === "RUNNING";
      const s = startTui(["--project", project], { cols: 100, rows: 30, env: { NO_COLOR: "1" } });
      screen = s;
      await s.waitFor("this window starts your jobs", 30_000);
      await s.waitFor("slow_scf");
      s.write(KEY.enter);
      await s.waitFor(`#${id} slow_scf`);
      // the Log: lines of the recording, fetched from the cluster while the job runs there
      const log = await s.waitFor((t) => logLinesOf(t).length >= 10, 120_000);
      expect(running(), "the job is still running").toBe(true);
      expect(log).toMatch(new RegExp(`#${id} slow_scf\\s+▶ RUNNING\\s+hpc`));
      expect(log).not.toContain("There is no output file");
      // and it follows: more of them a few seconds later, still before the end
      const first = logLinesOf(log);
      const later = await s.waitFor((t) => logLinesOf(t).join("\n") !== first.join("\n"), 10_000);
      expect(running()).toBe(true);
      expect(logLinesOf(later).length).toBeGreaterThanOrEqual(10);
      // t: the run's stderr (SLURM's --error file, the SSH run's stderr), fetched the same way
      s.write("t");
      const err = await s.waitFor("this is crystal-tui's CRYSTAL stand-in, not CRYSTAL", 10_000);
      expect(running()).toBe(true);
      expect(err).toContain("stderr of the run");
      expect(logLinesOf(err)).toEqual([]);
      s.write("t");
      await s.waitFor((t) => logLinesOf(t).length >= 10, 10_000);
      // the Results: the SCF so far, parsed from the same mirror
      s.write(KEY.tab);
      s.write(KEY.tab);
      const results = await s.waitFor(cyclesSoFar(3), 60_000);
      expect(running(), "the job is still running").toBe(true);
      expect(results).toMatch(/Outcome\s+incomplete \(so far — the job is still running\)/);
      expect(results).not.toMatch(/Final energy|not converged/i);
      // the end: the stored results, final
      await s.waitFor(new RegExp(`#${id} slow_scf\\s+✔ COMPLETED`), 120_000);
      const done = await s.waitFor(/Final energy\s+-271\.2\d+ Ha/, 10_000);
      expect(done).toMatch(/SCF\s+converged in 7 cycles/);
      s.write("q");
      expect((await s.exited).exitCode).toBe(0);
      store.close();
    }, 240_000);
  }
});

/** The Log tab's body rows that are lines of the recording (the TUI's own lines are not). */
function logLinesOf(screenText: string): string[] {
  const rows = screenText.split("\n");
  const tabs = rows.findIndex((r) => /Log\s+Input\s+Results/.test(r));
  if (tabs < 0) return [];
  return rows.slice(tabs + 1).filter((r) => recordedLines.has(r.trimEnd()));
}

/** The Results tab says the SCF got through at least `n` cycles so far. */
function cyclesSoFar(n: number) {
  return (t: string) => {
    const m = /SCF\s+(\d+) cycles? so far/.exec(t);
    return m !== null && Number(m[1]) >= n;
  };
}
