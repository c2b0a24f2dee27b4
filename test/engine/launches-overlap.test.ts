// A cluster's claimed jobs are launched a few at once (each launch waits on a round trip, through a
// jump host ~60 ms), the local machine's one after the other — and either way every job is launched
// exactly once and recorded with its own handle.
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.js";
import type { Runner } from "../../src/runners/types.js";
import { Store } from "../../src/store/store.js";
import { tempProject } from "../helpers/project.js";
import { newJob } from "../store/new-jobs.js";

/** A runner whose submissions take a while; counts how many are under way at once. */
function slowSubmitter(kind: "local" | "slurm") {
  const seen = { inFlight: 0, most: 0, submitted: [] as number[] };
  const runner: Runner = {
    kind,
    pollIntervalMs: 1,
    submit: async (job) => {
      seen.inFlight++;
      seen.most = Math.max(seen.most, seen.inFlight);
      await new Promise((r) => setTimeout(r, 15));
      seen.inFlight--;
      seen.submitted.push(job.id);
      return {
        handle:
          kind === "local"
            ? { kind: "local", token: `t${job.id}`, runDir: "/nowhere", scratch: "/nowhere" }
            : {
                kind: "slurm",
                token: `t${job.id}`,
                dir: "/nowhere",
                jobId: String(1000 + job.id),
                stdout: "",
                stderr: "",
              },
        commandLine: "submitted",
        state: "queued",
      };
    },
    // never ends: the test looks at the launches only
    poll: async (runs) => new Map(runs.map(({ job }) => [job.id, { state: "queued" as const }])),
    cancel: async () => {},
    fetchOutputs: async () => {
      throw new Error("no run of this test ends");
    },
    reattach: async () => {},
    findLaunch: async () => null,
    close: async () => {},
  };
  return { runner, seen };
}

describe("launches at once", () => {
  it("10 jobs for a cluster: 4 submissions under way at once, each job submitted once with its own SLURM id", async () => {
    const store = Store.open(tempProject());
    const cluster = store.clusters.create({
      name: "hpc",
      type: "slurm",
      hostname: "login.example.org",
      username: "chemist",
      config: { remote_dir: "/scratch/chemist" },
    });
    const jobs = Array.from({ length: 10 }, (_, i) =>
      newJob(store, {
        name: `j${i}`,
        input: "MgO\nCRYSTAL\nEND\n",
        clusterId: cluster.id,
        runnerType: "slurm",
      }),
    );
    const { runner, seen } = slowSubmitter("slurm");
    const engine = new Engine(store, { runnerFactory: () => runner, maxIdleMs: 5 });
    try {
      await engine.tick();
      expect(seen.most).toBe(4);
      expect([...seen.submitted].sort((a, b) => a - b)).toEqual(jobs.map((j) => j.id));
      const after = jobs.map((j) => store.jobs.require(j.id));
      expect(after.map((j) => j.status)).toEqual(jobs.map(() => "QUEUED"));
      expect(new Set(after.map((j) => (j.runHandle as { jobId?: string } | null)?.jobId)).size).toBe(10);
    } finally {
      await engine.stop();
      store.close();
    }
  });

  it("jobs on this machine: one launch at a time", async () => {
    const store = Store.open(tempProject());
    for (let i = 0; i < 3; i++) newJob(store, { name: `l${i}`, input: "MgO\nCRYSTAL\nEND\n" });
    const { runner, seen } = slowSubmitter("local");
    const engine = new Engine(store, { runnerFactory: () => runner, cores: 8, maxIdleMs: 5 });
    try {
      await engine.tick();
      expect(seen.submitted).toHaveLength(3);
      expect(seen.most).toBe(1);
    } finally {
      await engine.stop();
      store.close();
    }
  });
});
