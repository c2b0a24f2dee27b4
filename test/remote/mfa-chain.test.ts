// A chain of jobs on a cluster that asks for a one-time code (the TOTP sshd): the code is typed
// once, in a terminal, to `crystal-tui cluster connect`; the engine then runs the whole chain —
// more than 20 polls, the staging, the outputs brought back — on that one connection: one
// authentication in the sshd's own log for all of it.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultHooks } from "../../src/app/engine.js";
import { runnerFactory } from "../../src/app/runners.js";
import { Engine } from "../../src/engine/engine.js";
import { cli } from "../helpers/project.js";
import { startTui } from "../tui/pty.js";
import {
  addJob,
  addTotpCluster,
  cleanupLocal,
  deck,
  newProject,
  remoteSetup,
  starts,
  statusOf,
} from "./helpers.js";
import {
  HOLD_WAIT_MS,
  holdHosts,
  logSince,
  logSize,
  requireRemoteHosts,
  shortTempDir,
  totp,
} from "./remote-hosts.js";

const hosts = await requireRemoteHosts("a chain behind a one-time code");
const ACCEPTED = /Accepted keyboard-interactive\/pam for \S+ from/g;

describe.skipIf(!hosts)("one authentication for a whole chain (TOTP sshd)", () => {
  const h = hosts!;
  const tmp = shortTempDir("ctmc-");
  const controlDir = path.join(tmp, "c");
  let release = () => {};
  beforeAll(async () => {
    release = await holdHosts(h, ["mfa"]); // this suite counts logins in its log
  }, HOLD_WAIT_MS);
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    cleanupLocal();
    release();
  });

  it("the code typed once to cluster connect; a two-job chain with ≥ 20 polls: one authentication", async () => {
    const { project, store } = newProject();
    const setup = remoteSetup("mfachain");
    const env = { CRYSTAL_TUI_CONTROL_DIR: controlDir };
    const add = addTotpCluster(project, h, setup, env);
    expect(add.stderr).toBe("");
    const a = addJob(project, "a", deck("scf", "MgO [mfa-a]"), ["--cluster", "hpc"]);
    const b = addJob(project, "b", deck("scf", "MgO [mfa-b]"), ["--cluster", "hpc", "--after-ok", String(a)]);
    const mfaLog = path.join(h.logDir, "mfa.log");
    const mark = logSize(mfaLog);
    const screen = startTui(["--project", project, "cluster", "connect", "hpc"], { env });
    try {
      await screen.waitFor(/cluster 'hpc'.*Verification code:/, 30_000);
      screen.write(`${totp(h)}\r`);
      await screen.waitFor("cluster hpc: connected", 30_000);
      expect((await screen.exited).exitCode).toBe(0);
    } finally {
      screen.kill();
    }
    // the engine in this process: nobody to ask a code of, it rides the connection made above
    let polls = 0;
    const factory = runnerFactory({ openSsh: { controlDir } });
    const engine = new Engine(store, {
      hooks: defaultHooks(),
      runnerFactory: (cluster) => {
        const runner = factory(cluster);
        if (cluster === null) return runner;
        const poll = runner.poll.bind(runner);
        runner.poll = (runs) => {
          polls++;
          return poll(runs);
        };
        return runner;
      },
    });
    const summary = await engine.run();
    expect(summary.byStatus).toEqual({ COMPLETED: 2 });
    expect(statusOf(store, a)).toBe("COMPLETED");
    expect(statusOf(store, b)).toBe("COMPLETED");
    for (const tag of ["a", "b"]) expect(starts(setup, `[mfa-${tag}]`), tag).toHaveLength(1);
    expect(polls).toBeGreaterThanOrEqual(20);
    expect(logSince(mfaLog, mark).match(ACCEPTED)?.length).toBe(1);
    cli(project, ["cluster", "disconnect", "hpc"], env);
    store.close();
  });
});
