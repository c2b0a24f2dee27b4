// Submission through the jump host (issue 11): N jobs handed to SLURM on the login host behind the jump
// host by crystal-tui's SLURM runner (folder, deck and sbatch script uploaded, `sbatch --parsable`, id
// read back), against what a chemist's shell script does — a plain loop of `ssh login sbatch …` with
// the same ssh config (ProxyJump jump) through a ControlMaster of its own, so neither side pays a login
// per job. Goal: ratio ≤ 1.2. Every job waits on a held "gate" job, so nothing runs while measuring.
// Rounds alternate which side goes first, so drift in the machine's load hits both alike.

import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { installStandin } from "../src/crystal/standin.js";
import type { Job } from "../src/domain/types.js";
import { SlurmRunner } from "../src/runners/slurm.js";
import type { RunHandle } from "../src/runners/types.js";
import { Store } from "../src/store/store.js";
import { OpenSshShell } from "../src/transport/openssh/openssh-shell.js";
import { openSshSettingsForCluster } from "../src/transport/openssh/settings.js";
import { requireRemoteHosts, shortTempDir, sshConfigFor } from "../test/remote/remote-hosts.js";
import { jobFolder, newJob } from "../test/store/new-jobs.js";

const N = Number(process.env.JUMP_SUBMIT_JOBS ?? 100);
// one job a round, each side first in turn: the route's state (TCP's delayed ACKs through the hops
// come and go in spells) then falls on both sides alike, not on whichever side a spell hit
const ROUNDS = N;

const hosts = await requireRemoteHosts("jump submit bench");
if (!hosts?.slurmViaLogin) {
  console.log(
    "jump submit bench skipped: it needs the jump/login hosts with SLURM (start-test-infra.sh, then start-remote-hosts.sh)",
  );
  process.exit(0);
}

const tmp = shortTempDir("cts-");
fs.chmodSync(tmp, 0o755);
const exedir = path.join(tmp, "exe");
installStandin(exedir);
const sshConfig = path.join(tmp, "ssh_config");
fs.writeFileSync(sshConfig, sshConfigFor(hosts));
const remoteDir = `/tmp/ctui-bench-jsub-${crypto.randomBytes(4).toString("hex")}`;
fs.mkdirSync(path.join(tmp, "project"));
const store = Store.open(path.join(tmp, "project"));
const cluster = store.clusters.create({
  name: "hpc",
  type: "slurm",
  hostname: "login",
  username: hosts.user,
  config: { ssh_alias: "login", ssh_config: sshConfig, remote_dir: remoteDir, crystal_exedir: exedir },
});
const shell = new OpenSshShell(openSshSettingsForCluster(cluster), { controlDir: path.join(tmp, "c") });
const runner = new SlurmRunner(cluster, { shell });
const deck = fs.readFileSync(
  path.join(import.meta.dirname, "../fixtures/crystal-outputs/aiida-crystal17__mgo_sto3g_scf.d12"),
  "utf8",
);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

// the baseline's own master, as `ssh -o ControlMaster=auto` in a script makes it on its first call
const controlPath = path.join(tmp, "base-%C");
const plainSsh = (args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    const p = spawn(
      "ssh",
      [
        "-F",
        sshConfig,
        "-o",
        "BatchMode=yes",
        "-o",
        "ControlMaster=auto",
        "-o",
        `ControlPath=${controlPath}`,
        "-o",
        "ControlPersist=120",
        "login",
        ...args,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      err += d;
    });
    p.on("error", reject);
    p.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`ssh ${args[0]}: ${code} ${err}`)),
    );
  });

const gate = (
  await shell.execOk([
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
const ids: string[] = [gate];

try {
  // warm up both paths (the masters, SFTP, the remote folder), not measured
  // the baseline's batch script, put there once: a script submits a script, as the runner does
  // (sbatch of a script is slower than of --wrap through this route, so --wrap would flatter it)
  const baseScript = `${remoteDir}-base.sbatch`;
  await shell.execOk(["sh", "-c", 'printf "#!/bin/sh\\ntrue\\n" > "$1"', "sh", baseScript]);
  await plainSsh(["true"]);
  const warm = newJob(store, { name: "warm", input: deck, clusterId: cluster.id, runnerType: "slurm" });
  const w = await runner.submit(warm, {
    jobFolder: jobFolder(store, warm),
    token: crypto.randomBytes(6).toString("hex"),
    nativeDependencies: [{ handle: gateHandle, type: "after_ok" }],
  });
  if (w.handle.kind === "slurm") ids.push(w.handle.jobId);

  const oursEach: number[] = [];
  const baseEach: number[] = [];
  const per = N / ROUNDS;
  const baseline = async (round: number) => {
    for (let i = 0; i < per; i++) {
      const t0 = process.hrtime.bigint();
      const out = await plainSsh([
        "sbatch",
        "--parsable",
        "-J",
        `base${round}-${i}`,
        "-o",
        "/dev/null",
        `--dependency=afterok:${gate}`,
        baseScript,
      ]);
      baseEach.push(ms(t0));
      ids.push(out.trim().split(";")[0]!);
    }
  };
  const ours = async (round: number) => {
    const jobs: Job[] = Array.from({ length: per }, (_, i) =>
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
      if (sub.handle.kind === "slurm") ids.push(sub.handle.jobId);
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
    `submit ${N} jobs through the jump host: crystal-tui SLURM runner ${oursMs.toFixed(0)} ms (median ${median(oursEach).toFixed(1)} ms/job), ` +
      `baseline plain 'ssh login sbatch job.sh' loop (ProxyJump jump, its own ControlMaster) ${baseMs.toFixed(0)} ms (median ${median(baseEach).toFixed(1)} ms/job); ` +
      `ratio ${(oursMs / baseMs).toFixed(2)}× total, ${(median(oursEach) / median(baseEach)).toFixed(2)}× median (goal ≤ 1.2) ` +
      `[${ROUNDS} alternating rounds of ${per}; logins by crystal-tui: ${shell.stats.connects}]`,
  );
} finally {
  for (let i = 0; i < ids.length; i += 200)
    await shell.exec(["scancel", ...ids.slice(i, i + 200)]).catch(() => {});
  await shell.exec(["rm", "-rf", remoteDir, `${remoteDir}-base.sbatch`]).catch(() => {});
  spawnSync("ssh", ["-F", sshConfig, "-o", `ControlPath=${controlPath}`, "-O", "exit", "login"], {
    stdio: "ignore",
  });
  await shell.master.disconnect().catch(() => {});
  await shell.close();
  store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
