// Submission through the jump host (issue 11): N jobs handed to SLURM on the login host behind the jump
// host by crystal-tui's SLURM runner (folder, deck and sbatch script uploaded, `sbatch --parsable`, id
// read back and recorded), launched as the engine's dispatcher launches a cluster's claimed jobs — a
// few at once over the one master (src/engine/launches-at-once.ts) — against what a chemist's shell
// script does: a plain loop of `ssh login sbatch …` with the same ssh config (ProxyJump jump) through
// a ControlMaster of its own, so neither side pays a login per job. Goal: ratio ≤ 1.2. Every job
// waits on a held "gate" job, so nothing runs while measuring. Rounds alternate which side goes
// first, so drift in the machine's load hits both alike.
//
// Why launching a few at once matters on this route: a command that ends within ~40 ms of its start
// often waits for a delayed TCP ACK before its answer leaves the jump host (sshd sends without
// TCP_NODELAY on a connection without a terminal, and the client's kernel holds its ACK while
// expecting to answer), so one command after the other pays ~40 ms each in spells; commands in
// flight together share the wait. Both sides meet the same route; the stalls are counted for each.

import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { installStandin } from "../src/crystal/standin.js";
import type { Job } from "../src/domain/types.js";
import { CLUSTER_LAUNCHES_AT_ONCE, eachAtMost } from "../src/engine/launches-at-once.js";
import { SlurmRunner } from "../src/runners/slurm.js";
import type { RunHandle } from "../src/runners/types.js";
import { Store } from "../src/store/store.js";
import { OpenSshShell } from "../src/transport/openssh/openssh-shell.js";
import { openSshSettingsForCluster } from "../src/transport/openssh/settings.js";
import { requireRemoteHosts, shortTempDir, sshConfigFor } from "../test/remote/remote-hosts.js";
import { jobFolder, newJob } from "../test/store/new-jobs.js";

const N = Number(process.env.JUMP_SUBMIT_JOBS ?? 200);
// short rounds, each side first in turn: the route's state (TCP's delayed ACKs through the hops come
// and go in spells) then falls on both sides alike, not on whichever side a spell hit
const PER_ROUND = 10;
const ROUNDS = Math.max(1, Math.round(N / PER_ROUND));

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

  const oursRounds: number[] = [];
  // the same submissions one after the other, as the engine launched them before (for the record)
  const serialRounds: number[] = [];
  const baseEach: number[] = [];
  const per = PER_ROUND;
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
  const ours = async (round: number, atOnce = CLUSTER_LAUNCHES_AT_ONCE) => {
    const jobs: Job[] = Array.from({ length: per }, (_, i) =>
      newJob(store, { name: `j${round}-${i}`, input: deck, clusterId: cluster.id, runnerType: "slurm" }),
    );
    const t0 = process.hrtime.bigint();
    await eachAtMost(jobs, atOnce, async (job) => {
      const sub = await runner.submit(job, {
        jobFolder: jobFolder(store, job),
        token: crypto.randomBytes(6).toString("hex"),
        nativeDependencies: [{ handle: gateHandle, type: "after_ok" }],
      });
      if (sub.handle.kind === "slurm") ids.push(sub.handle.jobId);
    });
    (atOnce === 1 ? serialRounds : oursRounds).push(ms(t0));
  };
  const commandsBefore = shell.stats.commands;
  for (let round = 0; round < ROUNDS; round++) {
    // each of the three sides first in turn
    const sides = [() => baseline(round), () => ours(round), () => ours(round, 1)];
    for (let k = 0; k < sides.length; k++) await sides[(round + k) % sides.length]!();
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  // a stall: a plain submission 35 ms or more over the fastest (a delayed TCP ACK is ~40 ms)
  const stalls = (xs: number[]) => xs.filter((x) => x > Math.min(...xs) + 35).length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const oursMs = sum(oursRounds);
  const baseMs = sum(baseEach);
  const jobs = ROUNDS * per;
  console.log(
    `submit ${jobs} jobs through the jump host: crystal-tui SLURM runner, ${CLUSTER_LAUNCHES_AT_ONCE} at once as the engine launches them, ${oursMs.toFixed(0)} ms (${(oursMs / jobs).toFixed(1)} ms/job), ` +
      `baseline plain 'ssh login sbatch job.sh' loop (ProxyJump jump, its own ControlMaster) ${baseMs.toFixed(0)} ms (${(baseMs / jobs).toFixed(1)} ms/job, median ${median(baseEach).toFixed(1)}, fastest ${Math.min(...baseEach).toFixed(1)}, ${stalls(baseEach)} stalled); ` +
      `ratio ${(oursMs / baseMs).toFixed(2)}× (goal ≤ 1.2); one at a time ${(sum(serialRounds) / jobs).toFixed(1)} ms/job, ${(sum(serialRounds) / baseMs).toFixed(2)}× ` +
      `[${ROUNDS} alternating rounds of ${per}; remote commands per submission ${((shell.stats.commands - commandsBefore) / (2 * jobs)).toFixed(2)}; logins ${shell.stats.connects}]`,
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
