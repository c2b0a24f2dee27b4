// `cluster test` asks the cluster's scheduler what to check (the BatchScheduler seam), never its
// type's name: a scheduler it has never heard of adds its own checks, a cluster given no scheduler
// gets none, and a login that fails skips the scheduler's checks by their names. The SLURM checks
// themselves are read off the self-test's lines, as the cluster prints them.
import { describe, expect, it } from "vitest";
import { readSelfTest, type SchedulerSelfCheck } from "../../src/domain/self-test.js";
import type { Cluster } from "../../src/domain/types.js";
import { slurm } from "../../src/runners/slurm.js";
import { type CheckTransport, checkCluster } from "../../src/transport/cluster-check.js";
import { ConnectionError } from "../../src/transport/errors.js";
import { clusterRecord } from "../helpers/cluster-record.js";

const cluster = (config: Cluster["config"] = {}): Cluster => clusterRecord({ hostname: "127.0.0.1", config });

/** A cluster that answers the self-test with `lines`. */
function transport(lines: string[], failLogin = false): CheckTransport {
  return {
    address: "chem@127.0.0.1:22",
    connect: async () => {
      if (failLogin) throw new ConnectionError("cluster 'hpc': 127.0.0.1:22 refused the connection");
      return { hostKey: "ED25519 SHA256:x", where: "127.0.0.1:22", user: "chem" };
    },
    mkdirp: async () => {},
    probeWrite: async () => {},
    home: async () => "/home/chem",
    script: async () => {
      const stdout = `${lines.join("\n")}\n`;
      return {
        code: 0,
        signal: null,
        stdout,
        stderr: "",
        stdoutBytes: Buffer.from(stdout),
        command: "self-test",
      };
    },
    close: async () => {},
  };
}

const CRYSTAL = ["FOUND crystalOMP /opt/crystal/crystalOMP", "FOUND PcrystalOMP /opt/crystal/PcrystalOMP"];
const SLURM = [
  "FOUND sbatch /usr/bin/sbatch",
  "FOUND squeue /usr/bin/squeue",
  "FOUND sacct /usr/bin/sacct",
  "FOUND scancel /usr/bin/scancel",
  "PARTITION debug*",
  "PARTITION long",
];

const check = (c: Cluster, lines: string[], scheduler?: SchedulerSelfCheck, failLogin = false) =>
  checkCluster(c, {
    selfTest: { script: "true", read: readSelfTest },
    scheduler,
    transport: transport(lines, failLogin),
  });

const outcomes = (r: Awaited<ReturnType<typeof check>>) =>
  Object.fromEntries(r.checks.map((c) => [c.name, c.outcome]));

describe("cluster test asks the cluster's scheduler", () => {
  it("a scheduler it does not know by name adds its own checks after CRYSTAL's", async () => {
    const queue: SchedulerSelfCheck = {
      checkNames: ["qsub"],
      selfTestChecks: (found) => [
        { name: "qsub", outcome: found.programs.has("qsub") ? "ok" : "failed", detail: "qsub" },
      ],
    };
    const r = await check(cluster(), [...CRYSTAL, "FOUND qsub /usr/bin/qsub"], queue);
    expect(r.checks.map((c) => c.name)).toEqual([
      "connection",
      "host key",
      "login",
      "remote folder",
      "crystal",
      "qsub",
    ]);
    expect(r.ok).toBe(true);
    const without = await check(cluster(), CRYSTAL, queue);
    expect(outcomes(without).qsub).toBe("failed");
    expect(without.ok).toBe(false);
  });

  it("a cluster given no scheduler gets no scheduler checks, whatever its type says", async () => {
    const r = await check(cluster(), CRYSTAL);
    expect(r.checks.map((c) => c.name)).not.toContain("slurm");
    expect(r.checks.at(-1)?.name).toBe("crystal");
  });

  it("a failed login skips the scheduler's checks by their names", async () => {
    const r = await check(cluster(), [], slurm, true);
    expect(outcomes(r)).toMatchObject({
      connection: "failed",
      slurm: "skipped",
      partition: "skipped",
    });
  });

  it("on SLURM: its commands and the partition, read off the cluster's answer", async () => {
    expect(outcomes(await check(cluster(), [...CRYSTAL, ...SLURM], slurm))).toMatchObject({
      slurm: "ok",
      partition: "ok",
    });
    const noSbatch = await check(
      cluster(),
      [...CRYSTAL, ...SLURM.filter((l) => !l.includes("sbatch"))],
      slurm,
    );
    expect(outcomes(noSbatch).slurm).toBe("failed");
    expect(noSbatch.checks.find((c) => c.name === "slurm")?.detail).toMatch(/sbatch not found/);
    // sacct missing is a warning: finished jobs can still be read with scontrol
    const noSacct = await check(cluster(), [...CRYSTAL, ...SLURM.filter((l) => !l.includes("sacct"))], slurm);
    expect(outcomes(noSacct).slurm).toBe("warning");
    const wrong = await check(cluster({ partition: "gpu" }), [...CRYSTAL, ...SLURM], slurm);
    expect(outcomes(wrong).partition).toBe("failed");
    expect(wrong.checks.find((c) => c.name === "partition")?.detail).toMatch(/'gpu'.*debug, long/);
    const none = await check(
      cluster(),
      [...CRYSTAL, ...SLURM.filter((l) => !l.startsWith("PARTITION"))],
      slurm,
    );
    expect(outcomes(none).partition).toBe("warning");
    expect(outcomes(none).slurm).toBe("ok");
  });
});
