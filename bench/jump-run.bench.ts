// A 200-job SLURM run through the jump host against the same run over a direct connection (issue 11):
// what the site sees. Each route gets its own project and runs `crystal-tui run`'s engine to the end
// on 200 zero-work stand-in jobs, with the same 10 s poll interval (the minimum for a cluster that is
// not on loopback). Counted on crystal-tui's one shell per route: remote commands over the whole run,
// the run's length, and from them commands per minute — goal: jump / direct ≤ 1.1 (the jump host
// must not add load: no extra commands, no extra logins). Logins are counted too (one per route).
//
// Routes: "jump" = the login host behind the jump host (ProxyJump, the namespaced test hosts of
// scripts/start-remote-hosts.sh, SLURM forwarded into the login host's namespace); "direct" = the
// test sshd on loopback (scripts/start-test-infra.sh), the same SLURM. Runs alternate in order over
// ROUNDS so that drift in the machine's load hits both alike.
import fs from "node:fs";
import path from "node:path";
import { buildEngine } from "../src/app/engine.js";
import { createJobs, openProject } from "../src/app/project.js";
import { installStandin } from "../src/crystal/standin.js";
import { OpenSshShell } from "../src/transport/openssh/openssh-shell.js";
import { openSshSettingsForCluster } from "../src/transport/openssh/settings.js";
import { loadInfra, portOpen } from "../test/helpers/infra.js";
import { requireRemoteHosts, shortTempDir, sshConfigFor } from "../test/remote/remote-hosts.js";

const N = Number(process.env.JUMP_BENCH_JOBS ?? 200);
const ROUNDS = Number(process.env.JUMP_BENCH_ROUNDS ?? 2);
const POLL_S = 10;

const infra = loadInfra();
const hosts = await requireRemoteHosts("jump run bench");
if (!infra || !(await portOpen(infra.sshHost, infra.sshPort)) || !hosts?.slurmViaLogin) {
  console.log(
    "jump run bench skipped: it needs the test SLURM (start-test-infra.sh) and the jump/login hosts with SLURM (start-remote-hosts.sh)",
  );
  process.exit(0);
}

const tmp = shortTempDir("ctj-");
fs.chmodSync(tmp, 0o755);
const exedir = path.join(tmp, "exe");
installStandin(exedir);
const sshConfig = path.join(tmp, "ssh_config");
fs.writeFileSync(sshConfig, sshConfigFor(hosts));
const deck = fs.readFileSync(
  path.join(import.meta.dirname, "../fixtures/crystal-outputs/aiida-crystal17__mgo_sto3g_scf.d12"),
  "utf8",
);

interface Measured {
  seconds: number;
  commands: number;
  connects: number;
  completed: number;
}

async function runRoute(route: "jump" | "direct", round: number): Promise<Measured> {
  const dir = path.join(tmp, `${route}-${round}`);
  fs.mkdirSync(dir);
  const project = await openProject(dir);
  const remoteDir = `/tmp/ctui-bench-jump-${route}-${process.pid}-${round}`;
  const common = { remote_dir: remoteDir, crystal_exedir: exedir, poll_interval: POLL_S };
  const cluster =
    route === "jump"
      ? await project.store.clusters.create({
          name: "hpc",
          type: "slurm",
          hostname: "login",
          username: hosts!.user,
          config: { ...common, ssh_alias: "login", ssh_config: sshConfig },
        })
      : await project.store.clusters.create({
          name: "hpc",
          type: "slurm",
          hostname: infra!.sshHost,
          port: infra!.sshPort,
          username: infra!.sshUser,
          config: { ...common, key_path: infra!.sshKey, known_hosts: infra!.knownHosts },
        });
  // one shell for the run, so every command it makes is counted in one place
  const shell = new OpenSshShell(openSshSettingsForCluster(cluster), {
    controlDir: path.join(tmp, `c${round}`),
  });
  createJobs(
    project,
    Array.from({ length: N }, (_, i) => ({
      name: `j${i}`,
      input: deck,
      clusterId: cluster.id,
      runnerType: "slurm",
    })),
  );
  const engine = buildEngine(project, { runners: { shell } });
  const t0 = performance.now();
  const summary = await engine.run();
  const seconds = (performance.now() - t0) / 1000;
  const measured = {
    seconds,
    commands: shell.stats.commands,
    connects: shell.stats.connects,
    completed: summary.finished,
  };
  await shell.exec(["rm", "-rf", remoteDir]).catch(() => {});
  await shell.master.disconnect().catch(() => {});
  await shell.close();
  await project.close();
  return measured;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<"jump" | "direct", Measured[]> = { jump: [], direct: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order: ("jump" | "direct")[] = round % 2 === 0 ? ["jump", "direct"] : ["direct", "jump"];
    for (const route of order) {
      const m = await runRoute(route, round);
      results[route].push(m);
      console.log(
        `   round ${round + 1} ${route}: ${m.completed}/${N} finished in ${m.seconds.toFixed(1)} s, ${m.commands} remote commands (${((m.commands / m.seconds) * 60).toFixed(0)}/min), ${m.connects} login(s)`,
      );
    }
  }
  const perMin = (ms: Measured[]) => median(ms.map((m) => (m.commands / m.seconds) * 60));
  const total = (ms: Measured[]) => median(ms.map((m) => m.commands));
  console.log(
    `1. ${N}-job SLURM run, poll every ${POLL_S} s: through the jump host ${perMin(results.jump).toFixed(0)} commands/min (${total(results.jump)} in all); direct ${perMin(results.direct).toFixed(0)}/min (${total(results.direct)} in all)`,
  );
  console.log(
    `   ratio jump/direct: commands per minute ${(perMin(results.jump) / perMin(results.direct)).toFixed(2)} (goal ≤ 1.1); commands in all ${(total(results.jump) / total(results.direct)).toFixed(2)}; run length ${(median(results.jump.map((m) => m.seconds)) / median(results.direct.map((m) => m.seconds))).toFixed(2)}`,
  );
  console.log(
    `   logins per run: jump ${median(results.jump.map((m) => m.connects))}, direct ${median(results.direct.map((m) => m.connects))}`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
