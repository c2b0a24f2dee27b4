// OpenSSH transport benchmark (issue 11), against the transport's own test hosts
// (scripts/start-remote-hosts.sh; started here when missing and run as root). Ratios in one run,
// the measurements of each pair interleaved in rounds so that a busy neighbour hurts both alike:
//  1. commands per minute through the jump host (login, ProxyJump jump) vs a direct connection (the
//     jump host itself, same sshd settings) — goal ≤ 1.1×;
//  2. N small commands through OpenSshShell vs a plain `ssh -S master` loop in bash on the same
//     master — the cost of the transport itself;
//  3. SLURM behind the jump host: a submission as a runner makes it through the shell (the staging
//     flight of deck + batch script, then `sbatch --parsable`; and both in one session) vs a plain
//     `ssh -S master login sbatch` loop — goal ≤ 1.2×. Jobs are submitted held and cancelled after.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { OpenSshShell } from "../src/transport/openssh/openssh-shell.js";
import { shellCommand } from "../src/transport/quote.js";
import { requireRemoteHosts, shortTempDir, sshConfigFor } from "../test/remote/remote-hosts.js";

const N = 100;
const ROUNDS = 3;
const hosts = await requireRemoteHosts("transport bench");
if (!hosts) {
  console.log(
    "transport bench skipped: its test hosts are not running (sudo bash scripts/start-remote-hosts.sh)",
  );
  process.exit(0);
}
const tmp = shortTempDir("ctb-");
const configFile = path.join(tmp, "ssh_config");
fs.writeFileSync(configFile, sshConfigFor(hosts));
const shellFor = (destination: string) =>
  new OpenSshShell(
    { label: "bench", destination, configFile, systemConfig: false, options: [] },
    { controlDir: path.join(tmp, "c") },
  );
const viaJump = shellFor("login");
const direct = shellFor("jump");

async function perCommandMs(shell: OpenSshShell, n = N): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await shell.exec(["true"]);
    if (r.code !== 0) throw new Error(`command failed: ${r.stderr}`);
  }
  return (performance.now() - t0) / n;
}

/** The socket of a shell's master (for the plain-ssh baselines). */
async function socketOf(shell: OpenSshShell): Promise<string> {
  return shell.master.ensure();
}

/** A bash loop of plain `ssh -S socket` commands: per-command milliseconds. */
function plainLoopMs(socket: string, remote: string, n = N): number {
  const script = `for i in $(seq ${n}); do ssh -F /dev/null -S ${socket} -o ControlMaster=no x ${remote} >/dev/null || exit 1; done`;
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`plain ssh loop failed: ${r.stderr}`);
  return (performance.now() - t0) / n;
}

let cleanup: () => Promise<void> = async () => {};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms/command (${Math.round(60_000 / ms)}/min)`;

try {
  // warm up: both masters up, nothing counted
  await perCommandMs(viaJump, 5);
  await perCommandMs(direct, 5);

  const jump: number[] = [];
  const plainDirect: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    jump.push(await perCommandMs(viaJump));
    plainDirect.push(await perCommandMs(direct));
  }
  console.log(`1. through the jump host: ${fmt(median(jump))}; direct: ${fmt(median(plainDirect))}`);
  console.log(`   ratio jump/direct = ${(median(jump) / median(plainDirect)).toFixed(2)} (goal ≤ 1.1)`);

  const socket = await socketOf(viaJump);
  const ours: number[] = [];
  const plain: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await perCommandMs(viaJump));
    plain.push(plainLoopMs(socket, "true"));
  }
  console.log(
    `2. OpenSshShell.exec: ${fmt(median(ours))}; plain \`ssh -S master\` loop: ${fmt(median(plain))}`,
  );
  console.log(`   ratio = ${(median(ours) / median(plain)).toFixed(2)}`);

  if (!hosts.slurmViaLogin) {
    console.log("3. skipped: SLURM is not reachable from the login host (start-test-infra.sh first)");
  } else {
    const base = `ctui-bench-transport-${process.pid}`;
    const ids: string[] = [];
    const deck = Buffer.from("MgO bulk\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 0.5 0.5 0.5\nEND\n");
    const script = (dir: string) =>
      Buffer.from(
        `#!/bin/sh\n#SBATCH --job-name=ctui-bench\n#SBATCH --output=/dev/null\n#SBATCH --chdir=${dir}\ntrue\n`,
      );
    let k = 0;
    const jobId = (out: string) => {
      const m = /^(\d+)/.exec(out.trim());
      if (!m) throw new Error(`sbatch said ${JSON.stringify(out)}`);
      ids.push(m[1]!);
    };
    const home = await viaJump.home();
    const twoSessions = async (n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const dir = `${home}/${base}/r${k++}`;
        await viaJump.writeFiles(dir, [
          { name: "INPUT", data: deck },
          { name: "job.sbatch", data: script(dir) },
        ]);
        // a busy controller may drop one submission ("Zero Bytes were transmitted"): one retry, on every side
        const sbatch = ["sbatch", "--parsable", "--hold", `${dir}/job.sbatch`];
        jobId((await viaJump.execOk(sbatch).catch(() => viaJump.execOk(sbatch))).stdout);
      }
      return (performance.now() - t0) / n;
    };
    const oneSession = async (n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const dir = `${home}/${base}/r${k++}`;
        const files = [
          { name: "INPUT", data: deck },
          { name: "job.sbatch", data: script(dir) },
        ];
        let r = await viaJump.writeFilesAndExec(dir, files, ["sbatch", "--parsable", "--hold", "job.sbatch"]);
        if (r.code !== 0) r = await viaJump.execOk(["sbatch", "--parsable", "--hold", `${dir}/job.sbatch`]);
        jobId(r.stdout);
      }
      return (performance.now() - t0) / n;
    };
    const plainSbatch = (n: number) => {
      const one = `ssh -F /dev/null -S ${socket} -o ControlMaster=no x ${shellCommand([
        "sbatch",
        "--parsable",
        "--hold",
        "-J",
        "ctui-bench",
        "-o",
        "/dev/null",
        "--wrap",
        "true",
      ])}`;
      const loop = `for i in $(seq ${n}); do ${one} || ${one} || exit 1; done`;
      const t0 = performance.now();
      const r = spawnSync("bash", ["-c", loop], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`plain sbatch loop failed: ${r.stderr}`);
      for (const line of r.stdout.trim().split("\n")) jobId(line);
      return (performance.now() - t0) / n;
    };
    cleanup = async () => {
      for (let i = 0; i < ids.length; i += 200) await viaJump.exec(["scancel", ...ids.slice(i, i + 200)]);
      await viaJump.exec(["rm", "-rf", base]);
    };
    const M = 30;
    const staged: number[] = [];
    const folded: number[] = [];
    const bare: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      staged.push(await twoSessions(M));
      folded.push(await oneSession(M));
      bare.push(plainSbatch(M));
    }
    console.log(
      `3. SLURM behind the jump host, ${M * ROUNDS} submissions each: writeFiles then exec(sbatch) ${median(staged).toFixed(1)} ms; writeFilesAndExec (one session) ${median(folded).toFixed(1)} ms; plain \`ssh -S master login sbatch --wrap\` loop ${median(bare).toFixed(1)} ms`,
    );
    console.log(
      `   ratio (two sessions) = ${(median(staged) / median(bare)).toFixed(2)}, ratio (one session) = ${(median(folded) / median(bare)).toFixed(2)} (goal ≤ 1.2)`,
    );
  }
  console.log(
    `   logins during the whole run: ${viaJump.stats.connects + direct.stats.connects} (one per master)`,
  );
} finally {
  await cleanup().catch(() => {}); // held jobs never stay in the shared queue
  await viaJump.master.disconnect().catch(() => {});
  await direct.master.disconnect().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
}
