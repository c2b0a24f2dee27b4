// The local run is CRYSTAL itself, not the small sh wrapper around it: killing the wrapper (kill -9
// of its PID alone) leaves CRYSTAL running, and the engine follows it to its end and collects its
// results — it is not marked lost. Killing the whole process group still is a lost run.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.js";
import { makeRunnerFactory } from "../../src/runners/factory.js";
import { processStartTime } from "../../src/runners/process-identity.js";
import { Store } from "../../src/store/store.js";
import { tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";
import { jobFolder, newJob } from "../store/new-jobs.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Alive and not a zombie (an orphan's zombie may wait a long time for a reaper in a container). */
const alive = (pid: number) => processStartTime(pid) !== null;

async function runWithKill(kill: (wrapper: number, crystal: number) => void) {
  const project = tempProject();
  const counter = path.join(project, "starts.log");
  // about 4 s of output (551 lines at 8 ms), long enough to kill the wrapper in the middle
  const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter, CRYSTAL_STANDIN_DELAY_MS: "8" });
  const store = Store.open(project);
  const job = newJob(store, { name: "mgo", input: standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]") });
  const runDir = path.join(jobFolder(store, job), ".run");
  const engine = new Engine(store, {
    runnerFactory: makeRunnerFactory({ local: { env: { ...process.env, ...env }, pollIntervalMs: 100 } }),
    maxIdleMs: 100,
  });
  const done = engine.run();
  await waitFor(() => fs.existsSync(counter), 30_000, "CRYSTAL to start");
  const wrapper = Number(fs.readFileSync(path.join(runDir, "pid"), "utf8"));
  const crystal = Number(fs.readFileSync(counter, "utf8").split(" ")[0]);
  expect(wrapper).not.toBe(crystal);
  kill(wrapper, crystal);
  await done;
  const after = store.jobs.require(job.id);
  store.close();
  return { after, crystal, starts: fs.readFileSync(counter, "utf8").trim().split("\n").length };
}

describe("the wrapper of a local run", () => {
  it("killed alone: CRYSTAL runs on, and its run completes with its results", async () => {
    const { after, crystal, starts } = await runWithKill((wrapper) => process.kill(wrapper, "SIGKILL"));
    expect(after.status, after.statusReason ?? "").toBe("COMPLETED");
    expect(after.finalEnergy).not.toBeNull();
    expect(alive(crystal)).toBe(false);
    expect(starts).toBe(1);
  }, 90_000);

  it("killed with CRYSTAL (the whole group): the run is FAILED as lost", async () => {
    const { after, starts } = await runWithKill((wrapper) => process.kill(-wrapper, "SIGKILL"));
    expect(after.status).toBe("FAILED");
    expect(after.statusReason).toMatch(/^lost/);
    expect(starts).toBe(1);
  }, 90_000);
});
