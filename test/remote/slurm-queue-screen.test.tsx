// The queue screen (`4`) against the real SLURM: `squeue --me` of the cluster, fetched while the
// screen is shown — a job submitted with plain `sbatch` outside crystal-tui is listed and marked
// "not ours", crystal-tui's own job is named by its job id.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireInfra } from "../helpers/infra.js";
import { CLI, cli } from "../helpers/project.js";
import { type Mounted, mount } from "../tui/helpers.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  newProject,
  plainSsh,
  type RemoteSetup,
  remoteSetup,
  waitFor,
} from "./helpers.js";

const infra = await requireInfra("the queue screen against the real SLURM");

describe.skipIf(!infra)("queue screen (real SLURM over the real sshd)", () => {
  let setup: RemoteSetup;
  let foreign = "";
  let m: Mounted | null = null;
  beforeAll(() => {
    setup = remoteSetup("slurm-queue");
  });
  afterAll(() => {
    m?.unmount();
    if (foreign) plainSsh(infra!, `scancel ${foreign}`);
    plainSsh(infra!, `rm -rf -- '${setup.remoteDir}'`);
    cleanupLocal();
  });

  it("lists a job made with plain sbatch as not ours, and crystal-tui's job as its own", async () => {
    const { project, store } = newProject();
    // ≈ 22 s of output: the job stays in the queue while the screen looks
    addCluster(project, infra!, setup, {
      name: "hpc",
      type: "slurm",
      env: { CRYSTAL_STANDIN_DELAY_MS: "40" },
    });
    const ours = addJob(project, "mine", deck("scf", "MgO [queue-screen]"), ["--cluster", "hpc"]);
    // a job of the same user that crystal-tui never made, held so that it stays queued
    foreign = plainSsh(infra!, "cd /tmp && sbatch --parsable --hold -J outside_job --wrap 'sleep 1'")
      .toString()
      .trim()
      .split(";")[0]!;
    expect(foreign).toMatch(/^\d+$/);
    const run = spawn(process.execPath, [CLI, "--project", project, "run"], { stdio: "ignore" });
    const ended = new Promise((resolve) => run.on("close", resolve));
    try {
      const handle = await waitFor(
        "crystal-tui's job in SLURM",
        () => store.remoteJobs.getByJobId(ours)?.remoteHandle,
        60_000,
      );
      m = mount(store, { columns: 100, rows: 24, view: { name: "queue" } });
      const frame = await m.waitFor((f) => f.includes(foreign) && f.includes(handle), 30_000);
      const row = (id: string) => frame.split("\n").find((l) => l.trimStart().startsWith(`${id} `)) ?? "";
      expect(row(foreign)).toContain("outside_job");
      expect(row(foreign)).toContain("JobHeldUser");
      expect(row(foreign)).toMatch(/not ours\s*$/);
      expect(row(handle)).toMatch(new RegExp(`job ${ours}\\s*$`));
      expect(frame).toMatch(/hpc: squeue --me — \d+ jobs, \d+ not ours · every 1s/);
      // the screen follows the queue: the foreign job released and gone is no longer listed
      plainSsh(infra!, `scancel ${foreign}`);
      await m.waitFor((f) => !f.includes(`${foreign} `), 15_000);
      foreign = "";
    } finally {
      m?.unmount();
      m = null;
      await ended;
      store.close();
    }
  }, 180_000);

  it("a job held with scontrol hold: JobHeldUser in job show --json and in the TUI's job list, until released", async () => {
    const { project, store } = newProject();
    // a parent that runs ≈ 22 s: its child waits (Dependency) in SLURM long enough to be held by hand
    addCluster(project, infra!, setup, {
      name: "hpc",
      type: "slurm",
      env: { CRYSTAL_STANDIN_DELAY_MS: "40" },
    });
    const parent = addJob(project, "first", deck("scf", "MgO [held-parent]"), ["--cluster", "hpc"]);
    const child = addJob(project, "second", deck("scf", "MgO [held-child]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(parent),
    ]);
    const run = spawn(process.execPath, [CLI, "--project", project, "run"], { stdio: "ignore" });
    const ended = new Promise((resolve) => run.on("close", resolve));
    try {
      const handle = await waitFor(
        "the child in SLURM",
        () => store.remoteJobs.getByJobId(child)?.remoteHandle,
        60_000,
      );
      plainSsh(infra!, `scontrol hold ${handle}`);
      const shown = () =>
        JSON.parse(cli(project, ["job", "show", String(child), "--json"]).stdout) as {
          remote: { pending_reason: string | null };
        };
      await waitFor(
        "job show to say JobHeldUser",
        () => shown().remote.pending_reason === "JobHeldUser",
        30_000,
      );
      m = mount(store, { columns: 100, rows: 24 });
      const frame = await m.waitFor(`${handle} JobHeldUser`, 10_000);
      expect(frame.split("\n").find((l) => l.includes(`${handle} JobHeldUser`))).toContain("second");
      plainSsh(infra!, `scontrol release ${handle}`);
      await m.waitFor((f) => !f.includes("JobHeldUser"), 30_000);
    } finally {
      m?.unmount();
      m = null;
      plainSsh(
        infra!,
        `scontrol release ${store.remoteJobs.getByJobId(child)?.remoteHandle ?? "0"} 2>/dev/null || true`,
      );
      await ended;
      store.close();
    }
  }, 180_000);
});
