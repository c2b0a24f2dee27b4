// Watching remote jobs while they run (issue 12), against the real sshd and SLURM: `job log ID`
// returns a growing prefix of the CRYSTAL output, byte-identical to the remote file's own prefix
// (read here with the system's ssh, independently of crystal-tui's transport), fetched
// incrementally; `job log --follow` ends with the whole output when the job ends; `job show --json`
// has the remote block, with SLURM's pending reason for a job waiting on its dependency.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Infra, plainSshArgs, requireInfra } from "../helpers/infra.js";
import { CLI, cli, cliJson, FIXTURES } from "../helpers/project.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  newProject,
  type RemoteSetup,
  remoteSetup,
  waitFor,
} from "./helpers.js";

const infra = await requireInfra("live output of remote jobs against the real sshd and SLURM");

const RECORDING = "aiida-crystal17__mgo_sto3g_scf";
const recorded = () => fs.readFileSync(path.join(FIXTURES, `${RECORDING}.out`));
/** 551 lines at 40 ms: the run writes its output over about 22 s. */
const SLOW = { CRYSTAL_STANDIN_DELAY_MS: "40" };

/** A remote file as the test user's own ssh sees it (not through crystal-tui). */
function remoteFile(i: Infra, file: string): Buffer {
  const r = spawnSync("ssh", [...plainSshArgs(i), "cat", file], { timeout: 30_000 });
  // SLURM says RUNNING a moment before the batch script has started CRYSTAL (and made its output)
  if (r.status !== 0 && /No such file/.test(r.stderr.toString())) return Buffer.alloc(0);
  if (r.status !== 0) throw new Error(`ssh cat ${file}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Runs `crystal-tui ARGS` in the background; resolves with its exit code and bytes. */
function background(project: string, args: string[]) {
  const child = spawn(process.execPath, [CLI, "--project", project, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => out.push(b));
  child.stderr.on("data", (b: Buffer) => err.push(b));
  const done = new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }),
    ),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
  return done.finally(() => clearTimeout(timer));
}

function jobLog(project: string, id: number): Buffer {
  const r = spawnSync(process.execPath, [CLI, "--project", project, "job", "log", String(id)], {
    timeout: 60_000,
  });
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout;
}

describe.skipIf(!infra)("live output of remote jobs (real sshd and SLURM)", () => {
  let setup: RemoteSetup;
  beforeAll(() => {
    setup = remoteSetup("live");
  });
  afterAll(() => cleanupLocal());

  for (const type of ["slurm", "ssh"] as const) {
    it(`${type}: job log gives a growing prefix of the remote output, --follow the whole of it`, async () => {
      const { project, store } = newProject();
      addCluster(project, infra!, setup, { name: "hpc", type, env: SLOW });
      const id = addJob(project, "slow_scf", deck("scf", `MgO live [standin:${RECORDING}]`), [
        "--cluster",
        "hpc",
      ]);
      const run = background(project, ["run"]);
      const follow = background(project, ["job", "log", String(id), "--follow"]);
      const whole = recorded();
      const remotePath = await waitFor(
        "the job to run",
        () => {
          const j = store.jobs.require(id);
          const r = store.remoteJobs.getByJobId(id);
          const out = r?.metadata.output ?? r?.stdoutPath;
          return j.status === "RUNNING" && typeof out === "string" ? out : null;
        },
        90_000,
      );
      const seen: number[] = [];
      for (let i = 0; i < 30 && store.jobs.require(id).status === "RUNNING"; i++) {
        const part = jobLog(project, id);
        const there = remoteFile(infra!, remotePath);
        // what crystal-tui shows is what the remote file held when it looked: a prefix of it now,
        // and of the recording
        // ended meanwhile: the run's folder on the cluster is removed after success; nothing to compare
        if (store.jobs.require(id).status !== "RUNNING") break;
        expect(there.length).toBeGreaterThanOrEqual(part.length);
        expect(there.subarray(0, part.length).equals(part), "a prefix of the remote file").toBe(true);
        expect(whole.subarray(0, part.length).equals(part), "a prefix of the recording").toBe(true);
        seen.push(part.length);
        await new Promise((r) => setTimeout(r, 700));
      }
      // seen while it ran: something, less than the whole, and growing
      const live = seen.filter((n) => n > 0 && n < whole.length);
      expect(live.length, `lengths seen: ${seen.join(", ")}`).toBeGreaterThanOrEqual(2);
      expect(new Set(live).size).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
      // the mirror moved each byte once: its size is the file's, not a multiple of it
      const followed = await follow;
      expect(followed.stderr).toBe("");
      expect(followed.code).toBe(0);
      expect(followed.stdout.equals(whole)).toBe(true);
      const ran = await run;
      expect(ran.code, ran.stderr).toBe(0);
      expect(store.jobs.require(id).status).toBe("COMPLETED");
      // after the end, from the job's folder
      expect(jobLog(project, id).equals(whole)).toBe(true);
      const tail = cli(project, ["job", "log", String(id), "--lines", "3"]).stdout;
      expect(tail).toBe(`${whole.toString("latin1").trimEnd().split("\n").slice(-3).join("\n")}\n`);
      const shown = cliJson<{ remote: Record<string, unknown> }>(project, ["job", "show", String(id)]).remote;
      expect(shown.cluster).toBe("hpc");
      expect(shown.stdout_path).toBe(remotePath);
      expect(typeof shown.handle).toBe("string");
      expect(shown.elapsed_s as number).toBeGreaterThanOrEqual(15);
      expect(Object.keys(shown).sort()).toEqual([
        "cluster",
        "elapsed_s",
        "handle",
        "max_rss_mb",
        "node_list",
        "pending_reason",
        "queue",
        "stderr_path",
        "stdout_path",
        "work_dir",
      ]);
      store.close();
    }, 180_000);
  }

  it("slurm: a job waiting for its parent shows SLURM's pending reason (Dependency) in job show", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "slurm", env: SLOW });
    const a = addJob(project, "parent", deck("scf", `MgO parent [standin:${RECORDING}]`), [
      "--cluster",
      "hpc",
    ]);
    const b = addJob(project, "child", deck("scf", `MgO child [standin:${RECORDING}]`), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(a),
    ]);
    const run = background(project, ["run"]);
    const reason = await waitFor(
      "the child's pending reason",
      () => {
        const shown = cliJson<{ status: string; remote: { pending_reason: string | null } | null }>(project, [
          "job",
          "show",
          String(b),
        ]);
        return shown.status === "QUEUED" && shown.remote?.pending_reason ? shown.remote.pending_reason : null;
      },
      90_000,
      500,
    );
    expect(reason).toBe("Dependency");
    expect(cli(project, ["job", "show", String(b)]).stdout).toMatch(
      /^pending {3}Dependency \(the scheduler's reason\)$/m,
    );
    const ran = await run;
    expect(ran.code, ran.stderr).toBe(0);
    const done = cliJson<{ status: string; remote: { pending_reason: string | null } }>(project, [
      "job",
      "show",
      String(b),
    ]);
    expect(done.status).toBe("COMPLETED");
    expect(done.remote.pending_reason).toBeNull();
    store.close();
  }, 180_000);
});
