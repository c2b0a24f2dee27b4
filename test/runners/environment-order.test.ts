// A cluster's environment — modules, CRY23_EXEDIR, its own variables — is set up in ONE order by
// every job script (SSH wrapper, SLURM batch script), the engine's readiness check and
// `crystal-tui cluster test` (which once set the variables before loading the modules). The order
// is written out here by hand; the self-test is also run for real in a shell.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Cluster, Job } from "../../src/domain/types.js";
import { renderSbatch } from "../../src/runners/sbatch.js";
import { selfTestFor } from "../../src/runners/self-test.js";
import { SLURM_SELF_TEST_LINES } from "../../src/runners/slurm.js";
import { wrapperScript } from "../../src/runners/ssh.js";
import { clusterRecord } from "../helpers/cluster-record.js";

const config: Cluster["config"] = {
  modules: ["intel/2021", "CRYSTAL/23"],
  crystal_exedir: "/opt/crystal23/bin",
  env: { OMP_PROC_BIND: "close", CRY23_SCRDIR: "/scratch" },
};
const cluster = (type: Cluster["type"]): Cluster =>
  clusterRecord({ type, hostname: "login.example.org", config });
const job = {
  id: 3,
  name: "mgo",
  parallelism: {},
  inputFile: "MgO\nCRYSTAL\nEND\n",
  status: "QUEUED",
} as unknown as Job;

/** The environment lines of a script, by what they do, in their order. */
function environmentSteps(script: string): string[] {
  return script.split("\n").flatMap((l) => {
    const m = /^module load (\S+)/.exec(l);
    if (m) return [`module ${m[1]}`];
    if (l.startsWith("CRY23_EXEDIR=")) return ["exedir"];
    const e = /^export ([A-Za-z0-9_]+)=/.exec(l);
    if (e && e[1] !== "OMP_NUM_THREADS" && e[1] !== "OMP_STACKSIZE") return [`env ${e[1]}`];
    return [];
  });
}

const ORDER = ["module intel/2021", "module CRYSTAL/23", "exedir", "env OMP_PROC_BIND", "env CRY23_SCRDIR"];

describe("the cluster environment, in one order", () => {
  it("modules, then CRY23_EXEDIR, then the cluster's variables — in jobs, readiness and cluster test", () => {
    const ssh = wrapperScript(cluster("ssh"), job, "/scratch/chem/3-mgo-t", "t");
    const sbatch = renderSbatch({
      job,
      cluster: cluster("slurm"),
      dir: "/scratch/chem/3-mgo-t",
      token: "t",
    }).script;
    const test = selfTestFor(cluster("slurm"), SLURM_SELF_TEST_LINES).script;
    for (const script of [ssh, sbatch, test]) expect(environmentSteps(script)).toEqual(ORDER);
    // the self-test asks about the programs only once the environment is set up
    expect(test.indexOf("for p in crystalOMP")).toBeGreaterThan(test.indexOf("CRY23_EXEDIR="));
  });

  it("the self-test, run in a shell: programs found in CRY23_EXEDIR, a failed module, the partitions", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-selftest-"));
    const exe = path.join(dir, "exe");
    const bin = path.join(dir, "bin");
    fs.mkdirSync(exe);
    fs.mkdirSync(bin);
    for (const p of ["crystalOMP", "properties"])
      fs.writeFileSync(path.join(exe, p), "#!/bin/sh\n", { mode: 0o755 });
    // a `module` command that loads everything but "broken/1", and a SLURM with two partitions
    fs.writeFileSync(path.join(bin, "module"), '#!/bin/sh\n[ "$2" != broken/1 ]\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sbatch"), "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sinfo"), "#!/bin/sh\nprintf 'debug\\nbatch*\\n'\n", { mode: 0o755 });
    const t = selfTestFor(
      { name: "hpc", config: { modules: ["good/2", "broken/1"], crystal_exedir: exe } },
      SLURM_SELF_TEST_LINES,
    );
    const r = spawnSync("/bin/sh", ["-s"], {
      input: t.script,
      encoding: "utf8",
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir },
    });
    const found = t.read(r.stdout);
    expect(found.programs.get("crystalOMP")).toBe(path.join(exe, "crystalOMP"));
    expect(found.programs.get("properties")).toBe(path.join(exe, "properties"));
    expect(found.missing.has("PcrystalOMP")).toBe(true);
    expect(found.modulesFailed).toEqual(["broken/1"]);
    expect(found.programs.get("sbatch")).toBe(path.join(bin, "sbatch"));
    expect(found.partitions).toEqual(["debug", "batch"]);
    expect(found.defaultPartition).toBe("batch");
    expect(r.stderr).toContain("crystal-tui: module load broken/1 failed");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
