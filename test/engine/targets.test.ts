// The engine's targets: a cluster whose runner cannot be built is unavailable with its reason while
// the other targets go on, and a cluster edited while an engine runs is served by a runner built
// from its new settings — no restart.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../src/domain/types.js";
import { Engine } from "../../src/engine/engine.js";
import type { RunHandle, Runner, RunState } from "../../src/runners/types.js";
import { Store } from "../../src/store/store.js";
import { FIXTURES, tempProject } from "../helpers/project.js";
import { newJob } from "../store/new-jobs.js";

const OUTPUT = path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out");
const DECK = "MgO\nCRYSTAL\nEND\n";

/** A runner whose runs end at the next poll with a real completed output. */
function finishingRunner(kind: "local" | "ssh", onSubmit: (jobId: number) => void = () => {}): Runner {
  return {
    kind,
    pollIntervalMs: 1,
    submit: async (job) => {
      onSubmit(job.id);
      const handle: RunHandle =
        kind === "local"
          ? { kind, token: "t", runDir: "/x", scratch: "/x" }
          : { kind, token: "t", dir: "/x", pid: 1 };
      return { handle, commandLine: "fake", state: "running" };
    },
    poll: async (runs) =>
      new Map(runs.map(({ job }) => [job.id, { state: "finished", exitCode: 0 } as RunState])),
    cancel: async () => {},
    fetchOutputs: async (job, _h, ctx) => {
      const file = path.join(ctx.jobFolder, `${job.name}.out`);
      fs.copyFileSync(OUTPUT, file);
      return { outputFile: file, files: [] };
    },
    reattach: async () => {},
    findLaunch: async () => null,
    close: async () => {},
  };
}

const until = async (test: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("targets", () => {
  it("a cluster whose runner cannot be built waits with its reason; the other targets go on", async () => {
    const store = Store.open(tempProject());
    const bad = store.clusters.create({ name: "bad", type: "ssh", hostname: "h", username: "u" });
    const stuck = newJob(store, { name: "stuck", input: DECK, clusterId: bad.id, runnerType: "ssh" });
    const local = newJob(store, { name: "local", input: DECK });
    const lines: string[] = [];
    const engine = new Engine(store, {
      runnerFactory: (cluster) => {
        if (cluster) throw new Error("cluster 'bad': module \"foo bar\" is not a module name\nsecond line");
        return finishingRunner("local");
      },
      cores: 2,
      maxIdleMs: 5,
      log: (l) => lines.push(l),
    });
    const summary = await engine.run();
    expect(store.jobs.require(local.id).status).toBe("COMPLETED");
    expect(store.jobs.require(stuck.id).status).toBe("PENDING");
    expect(summary.blocked).toContain("bad: cluster 'bad': module \"foo bar\" is not a module name");
    expect(lines.filter((l) => l.startsWith("engine:"))).toEqual([]); // no pass failed
    store.close();
  });

  it("a cluster edited while the engine runs is served by a runner built from its new settings", async () => {
    const store = Store.open(tempProject());
    const hpc = store.clusters.create({
      name: "hpc",
      type: "ssh",
      hostname: "h",
      username: "u",
      config: { max_jobs: 1 },
    });
    const built: Cluster["config"][] = [];
    const submittedWith = new Map<number, number>();
    const engine = new Engine(store, {
      watch: true,
      maxIdleMs: 5,
      runnerFactory: (cluster) => {
        if (!cluster) return finishingRunner("local");
        built.push(cluster.config);
        const generation = built.length;
        return finishingRunner("ssh", (jobId) => submittedWith.set(jobId, generation));
      },
    });
    engine.start();
    try {
      const first = newJob(store, { name: "first", input: DECK, clusterId: hpc.id, runnerType: "ssh" });
      await until(() => store.jobs.require(first.id).status === "COMPLETED");
      store.clusters.update(hpc.id, { config: { max_jobs: 1, partition: "long" } });
      const second = newJob(store, { name: "second", input: DECK, clusterId: hpc.id, runnerType: "ssh" });
      await until(() => store.jobs.require(second.id).status === "COMPLETED");
      expect(built).toEqual([{ max_jobs: 1 }, { max_jobs: 1, partition: "long" }]);
      expect([submittedWith.get(first.id), submittedWith.get(second.id)]).toEqual([1, 2]);
    } finally {
      await engine.stop();
      store.close();
    }
  });
});
