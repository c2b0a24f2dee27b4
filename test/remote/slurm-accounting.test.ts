// SLURM's own account of a finished job (sacct's ElapsedRaw and the steps' MaxRSS), against the real
// single-node SLURM: what `job show --json` says of a remote run after its end is what plain `sacct`
// says, read by the test itself over its own ssh; and what squeue said of it while it ran.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMemMb } from "../../src/runners/slurm-states.js";
import type { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { requireInfra } from "../helpers/infra.js";
import { cli } from "../helpers/project.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  cliLong,
  deck,
  newProject,
  type RemoteSetup,
  remoteSetup,
  testShell,
  waitFor,
} from "./helpers.js";

const infra = await requireInfra("SLURM accounting against the real SLURM");

interface RemoteView {
  handle: string;
  elapsed_s: number | null;
  max_rss_mb: number | null;
}

describe.skipIf(!infra)("SLURM accounting after the end (real SLURM, sacct)", () => {
  let setup: RemoteSetup;
  let pool: OpenSshShell;
  beforeAll(() => {
    setup = remoteSetup("slurm-acct");
    pool = testShell(infra!);
  });
  afterAll(async () => {
    await pool.exec(["rm", "-rf", "--", setup.remoteDir]).catch(() => undefined);
    await pool.close();
    cleanupLocal();
  });

  /** Plain sacct: the job's ElapsedRaw and every step's MaxRSS as printed. */
  async function sacct(slurmId: string): Promise<{ elapsed: number; stepRss: string[] }> {
    return waitFor(`sacct to have job ${slurmId}'s final record`, async () => {
      const r = await pool.exec([
        "sacct",
        "-n",
        "-P",
        "-j",
        slurmId,
        "-o",
        "JobIDRaw,State,ElapsedRaw,MaxRSS",
      ]);
      const rows = r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split("|"));
      const job = rows.find((f) => f[0] === slurmId);
      if (!job || /PENDING|RUNNING/.test(job[1] ?? "")) return undefined;
      return {
        elapsed: Number(job[2]),
        stepRss: rows.filter((f) => f[0]!.startsWith(`${slurmId}.`)).map((f) => f[3] ?? ""),
      };
    });
  }

  it("job show --json: elapsed_s is sacct's ElapsedRaw and max_rss_mb the steps' MaxRSS (null when none was sampled)", async () => {
    const { project, store } = newProject();
    // jobacct_gather samples every JobAcctGatherFrequency (30 s here): a run must outlast it to have a
    // MaxRSS at all; 551 recorded lines × 70 ms ≈ 39 s
    addCluster(project, infra!, setup, {
      name: "slow",
      type: "slurm",
      env: { CRYSTAL_STANDIN_DELAY_MS: "70" },
    });
    addCluster(project, infra!, setup, {
      name: "quick",
      type: "slurm",
      env: { CRYSTAL_STANDIN_DELAY_MS: "2" },
    });
    const long = addJob(project, "long", deck("scf", "MgO [acct-long]"), ["--cluster", "slow"]);
    const short = addJob(project, "short", deck("scf", "MgO [acct-short]"), ["--cluster", "quick"]);
    const run = cliLong(project, ["run"], 240_000);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);

    const shown = (id: number): RemoteView => {
      const r = cli(project, ["job", "show", String(id), "--json"]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { remote: RemoteView }).remote;
    };
    const longView = shown(long);
    const longAcct = await sacct(longView.handle);
    expect(longAcct.elapsed).toBeGreaterThanOrEqual(30);
    expect(longView.elapsed_s).toBe(longAcct.elapsed);
    const sampled = longAcct.stepRss.map((v) => parseMemMb(v)).filter((v): v is number => v !== undefined);
    expect(sampled.length).toBeGreaterThan(0);
    expect(longView.max_rss_mb).toBeGreaterThan(0);
    expect(longView.max_rss_mb).toBe(Math.max(...sampled));
    // the same figure as sacct prints it, in K: no unit slip
    const peakK = Math.max(
      ...longAcct.stepRss.filter((v) => /^\d+K$/.test(v)).map((v) => Number.parseInt(v, 10)),
    );
    expect(Math.abs(longView.max_rss_mb! * 1024 - peakK)).toBeLessThanOrEqual(52); // to 0.1 MB

    // a run shorter than the sampling interval: accounting has no MaxRSS for any step, and says so
    const shortView = shown(short);
    const shortAcct = await sacct(shortView.handle);
    expect(shortView.elapsed_s).toBe(shortAcct.elapsed);
    expect(shortAcct.stepRss.every((v) => v === "")).toBe(true);
    expect(shortView.max_rss_mb).toBeNull();
    // `job show` says it in words too
    expect(cli(project, ["job", "show", String(long)]).stdout).toMatch(
      new RegExp(
        `sacct +COMPLETED, exit 0:0, elapsed ${longAcct.elapsed} s, MaxRSS ${longView.max_rss_mb} MB`,
      ),
    );
    expect(cli(project, ["job", "show", String(short)]).stdout).toMatch(
      /sacct +COMPLETED, .*MaxRSS none sampled/,
    );
    // and what squeue said while it ran (%P %q %a %l), for the detail
    expect(store.remoteJobs.getByJobId(long)!.metadata).toMatchObject({
      partition: "debug",
      qos: "normal",
      account: "testacct",
      time_limit: "UNLIMITED",
    });
    expect(store.remoteJobs.getByJobId(long)!.metadata).toMatchObject({
      sacct_state: "COMPLETED",
      sacct_exit_code: "0:0",
    });
    store.close();
  }, 300_000);
});
