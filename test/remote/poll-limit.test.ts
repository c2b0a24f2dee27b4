// However many engines serve a project (the TUI's, `run --watch`, …: here three, each with its own
// connection to the project database as separate processes have), a cluster sees at most one
// scheduler poll per poll interval: each poll is claimed in the store first. Counted where the
// polls are made (every runner's poll, over every engine) while the jobs run: over the whole run,
// polls ≤ intervals + 1; and every job still completes (an engine that lost a claim polls later).
import { afterAll, describe, expect, it } from "vitest";
import { defaultHooks } from "../../src/app/engine.js";
import { runnerFactory } from "../../src/app/runners.js";
import { Engine } from "../../src/engine/engine.js";
import { Store } from "../../src/store/store.js";
import { requireInfra } from "../helpers/infra.js";
import { addCluster, addJob, cleanupLocal, deck, newProject, remoteSetup, statusOf } from "./helpers.js";

const infra = await requireInfra("cross-process poll limit");

describe.skipIf(!infra)("one scheduler poll per interval across engines (real sshd)", () => {
  afterAll(() => cleanupLocal());

  it("three engines on one project: polls of the cluster ≤ intervals + 1, every job completes", async () => {
    const { project, store } = newProject();
    const setup = remoteSetup("polllimit");
    // ~6 s per run, a 2 s poll interval: each engine holds runs for several intervals
    addCluster(project, infra!, setup, {
      name: "box",
      type: "ssh",
      env: { CRYSTAL_STANDIN_DELAY_MS: "12" },
      extra: ["--poll-interval", "2"],
    });
    const ids = ["a", "b", "c", "d", "e", "f"].map((n) =>
      addJob(project, n, deck("scf", `MgO [poll-${n}]`), ["--cluster", "box"]),
    );
    const polls: number[] = [];
    const stores = [0, 1, 2].map(() => Store.open(project));
    const engines = stores.map((s) => {
      const factory = runnerFactory();
      return new Engine(s, {
        maxJobs: 2, // the six jobs spread over the three engines
        hooks: defaultHooks(),
        runnerFactory: (cluster) => {
          const runner = factory(cluster);
          if (cluster === null) return runner;
          const poll = runner.poll.bind(runner);
          runner.poll = (runs) => {
            polls.push(Date.now());
            return poll(runs);
          };
          return runner;
        },
      });
    });
    const t0 = Date.now();
    const summaries = await Promise.all(engines.map((e) => e.run()));
    const t1 = Date.now();
    for (const id of ids) expect(statusOf(store, id)).toBe("COMPLETED");
    expect(summaries.reduce((n, s) => n + s.finished, 0)).toBe(ids.length);
    const intervals = (t1 - t0) / 2000;
    expect(intervals).toBeGreaterThanOrEqual(2);
    expect(polls.length).toBeLessThanOrEqual(Math.floor(intervals) + 1);
    // and no two polls closer than the interval
    const sorted = [...polls].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1990);
    for (const s of stores) s.close();
    store.close();
  });
});
