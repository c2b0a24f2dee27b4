// SLURM runner benchmark (issue 5), against the test SLURM over the test sshd (scripts/start-test-infra.sh):
//  1. submission throughput: 200 jobs submitted by the SLURM runner (folder, deck, sbatch script,
//     `sbatch --parsable`, id recorded) against a plain `sbatch --parsable --wrap` loop over the same
//     SSH connection, interleaved in rounds in the same run — goal: ratio ≤ 1.2;
//  2. remote commands per poll cycle with those 200 jobs on the cluster (goal: ≤ 2 per cluster,
//     whatever the number of jobs): while they are queued, and once they have all ended.
// Every job waits on a held "gate" job, so nothing runs and the machine stays quiet while measuring.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { installStandin } from "../src/crystal/standin.js";
import { batchHandle } from "../src/domain/run-handle.js";
import type { Job } from "../src/domain/types.js";
import { SlurmRunner } from "../src/runners/slurm.js";
import type { RunHandle } from "../src/runners/types.js";
import { Store } from "../src/store/store.js";
import { openSshSettingsForCluster } from "../src/transport/openssh/master.js";
import { OpenSshShell } from "../src/transport/openssh/openssh-shell.js";
import { loadInfra, portOpen } from "../test/helpers/infra.js";
import { jobFolder, newJob } from "../test/store/new-jobs.js";

const N = 200;
const ROUNDS = 10;

const infra = loadInfra();
if (!infra || !(await portOpen(infra.sshHost, infra.sshPort))) {
  console.log(
    "slurm bench skipped: the test sshd/SLURM is not running (sudo bash scripts/start-test-infra.sh)",
  );
  process.exit(0);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-bench-slurm-"));
fs.chmodSync(tmp, 0o755);
const exedir = path.join(tmp, "exe");
installStandin(exedir);
const remoteDir = `/tmp/ctui-bench-slurm-${crypto.randomBytes(4).toString("hex")}`;
fs.mkdirSync(path.join(tmp, "project"));
const store = Store.open(path.join(tmp, "project"));
const cluster = store.clusters.create({
  name: "bench",
  type: "slurm",
  hostname: infra.sshHost,
  port: infra.sshPort,
  username: infra.sshUser,
  config: {
    key_path: infra.sshKey,
    known_hosts: infra.knownHosts,
    remote_dir: remoteDir,
    crystal_exedir: exedir,
  },
});
// the runner and the plain loop share one OpenSSH master (as every process of a user does)
const pool = new OpenSshShell(openSshSettingsForCluster(cluster), {
  controlDir: path.join(tmp, "c"),
});
const runner = new SlurmRunner(cluster, { shell: pool });
const deck = fs.readFileSync(
  path.join(import.meta.dirname, "../fixtures/crystal-outputs/aiida-crystal17__mgo_sto3g_scf.d12"),
  "utf8",
);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const gate = (
  await pool.execOk([
    "sbatch",
    "--parsable",
    "--hold",
    "-J",
    "bench-gate",
    "-o",
    "/dev/null",
    "--wrap",
    "true",
  ])
).stdout
  .trim()
  .split(";")[0]!;
const gateHandle: RunHandle = { kind: "slurm", token: "gate", dir: "/", jobId: gate, stdout: "", stderr: "" };
const submitted: { job: Job; handle: RunHandle }[] = [];
const baselineIds: string[] = [];

try {
  // warm up both paths (connection, SFTP, the remote folder), not measured
  await pool.execOk([
    "sbatch",
    "--parsable",
    "-J",
    "bench-warm",
    "-o",
    "/dev/null",
    `--dependency=afterok:${gate}`,
    "--wrap",
    "true",
  ]);
  // rounds alternate which side goes first, so drift in the machine's load hits both alike
  const oursEach: number[] = [];
  const baseEach: number[] = [];
  const per = N / ROUNDS;
  const baseline = async (round: number) => {
    for (let i = 0; i < per; i++) {
      const t0 = process.hrtime.bigint();
      const r = await pool.execOk([
        "sbatch",
        "--parsable",
        "-J",
        `base${round}-${i}`,
        "-o",
        "/dev/null",
        `--dependency=afterok:${gate}`,
        "--wrap",
        "true",
      ]);
      baseEach.push(ms(t0));
      baselineIds.push(r.stdout.trim().split(";")[0]!);
    }
  };
  const ours = async (round: number) => {
    const jobs = Array.from({ length: per }, (_, i) =>
      newJob(store, { name: `j${round}-${i}`, input: deck, clusterId: cluster.id, runnerType: "slurm" }),
    );
    for (const job of jobs) {
      const t0 = process.hrtime.bigint();
      const sub = await runner.submit(job, {
        jobFolder: jobFolder(store, job),
        token: crypto.randomBytes(6).toString("hex"),
        nativeDependencies: [{ handle: gateHandle, type: "after_ok" }],
      });
      oursEach.push(ms(t0));
      submitted.push({ job, handle: sub.handle });
    }
  };
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      await baseline(round);
      await ours(round);
    } else {
      await ours(round);
      await baseline(round);
    }
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const oursMs = sum(oursEach);
  const baseMs = sum(baseEach);
  console.log(
    `submit ${N} jobs: crystal-tui SLURM runner ${oursMs.toFixed(0)} ms (${((N / oursMs) * 1000).toFixed(1)} jobs/s, median ${median(oursEach).toFixed(1)} ms/job), ` +
      `baseline plain sbatch loop over the same connection ${baseMs.toFixed(0)} ms (${((N / baseMs) * 1000).toFixed(1)} jobs/s, median ${median(baseEach).toFixed(1)} ms/job); ` +
      `ratio ${(oursMs / baseMs).toFixed(2)}× total, ${(median(oursEach) / median(baseEach)).toFixed(2)}× median (goal ≤ 1.2) [${ROUNDS} alternating rounds of ${per}]`,
  );

  const cycle = async (label: string) => {
    const before = pool.stats.commands;
    const t0 = process.hrtime.bigint();
    const states = await runner.poll(submitted);
    const took = ms(t0);
    const counts = new Map<string, number>();
    for (const s of states.values()) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    console.log(
      `poll ${submitted.length} jobs (${label}): ${pool.stats.commands - before} remote command(s) (goal ≤ 2), ` +
        `${took.toFixed(0)} ms; states ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`,
    );
  };
  await cycle("all queued");
  await pool.execOk(["scancel", ...submitted.map((s) => batchHandle(s.handle).jobId)]);
  await new Promise((r) => setTimeout(r, 1500));
  await cycle("all ended (cancelled)");
} finally {
  await pool
    .exec(["scancel", gate, ...baselineIds, ...submitted.map((s) => batchHandle(s.handle).jobId)])
    .catch(() => {});
  await pool.exec(["scancel", "-n", "bench-warm"]).catch(() => {});
  await pool.exec(["rm", "-rf", "--", remoteDir]).catch(() => {});
  await pool.master.disconnect();
  store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
