// The TUI's Log tab of a remote job (issue 12), against the test sshd (scripts/start-test-infra.sh):
//  1. latency from a line written on the cluster to the line on the Log tab's screen (median and p95
//     over 100 lines written 200 ms apart), against `ssh host tail -F` of the same kind of file
//     measured in the same run (a stream held open: the floor);
//  2. what the tab costs the cluster: fetches per minute (one remote `readFrom` command each) while
//     the job's Log is open, and while the job list is shown instead (no tab of the job open).
// The App is rendered in this process (Ink, production React, 100×40, no colour) with the real
// fetch (src/tui/job-output-source.ts: the same outputSoFar as `job log`, over the cluster's shared
// OpenSSH master), counted by a wrapper; no engine runs (the job is made RUNNING by hand, its output
// a file the benchmark writes on the cluster).
import { spawn } from "node:child_process";
import { plainSshArgs, requireInfra } from "../test/helpers/infra.js";
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

process.env.NODE_ENV ??= "production";
const React = (await import("react")).default;
const { render } = await import("ink-testing-library");
const { App } = await import("../src/tui/app.js");
const { fixedEngineSource } = await import("../src/tui/engine-host.js");
const { StoreWatcher } = await import("../src/tui/store-watch.js");
const { clusterOutputFetcher } = await import("../src/tui/job-output-source.js");

const LINES = 100;
const EVERY_MS = 200;
const IDLE_MS = 20_000;

const infra = await requireInfra("tui tail bench");
if (!infra) {
  console.log("tui tail bench skipped: the test sshd is not running (sudo bash scripts/start-test-infra.sh)");
  process.exit(0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
/** Writes LINES lines "L <ms written>", EVERY_MS apart, on the cluster (not blocking this process). */
const writeLines = (file: string) =>
  new Promise<void>((resolve, reject) => {
    const w = spawn("ssh", [
      ...plainSshArgs(infra),
      `for i in $(seq ${LINES}); do echo "L $(date +%s%3N)" >> '${file}'; sleep ${EVERY_MS / 1000}; done`,
    ]);
    w.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
  });

const setup = remoteSetup("tuitailbench");
const { project, store } = newProject();
addCluster(project, infra, setup, { name: "hpc", type: "ssh" });
const id = addJob(project, "tail", deck("scf", "MgO TUI tail bench"), ["--cluster", "hpc"]);
const dir = `${setup.remoteDir}/tui-tail-run`;
const ours = `${dir}/tail.out`;
const theirs = `${dir}/plain.out`;
plainSsh(infra, `mkdir -p '${dir}' && : > '${ours}' && : > '${theirs}'`);
runningRemoteJob(store, id, "hpc", dir, ours);

const real = clusterOutputFetcher();
let fetches = 0;
const fetchOutput: typeof real = (...args) => {
  fetches++;
  return real(...args);
};
const watcher = new StoreWatcher(store, 250).start();
const mountAt = (view: { name: "jobs" } | { name: "detail"; jobId: number; from: { name: "jobs" } }) =>
  render(
    React.createElement(App, {
      store,
      watcher,
      engine: fixedEngineSource("no engine (benchmark)"),
      size: { columns: 100, rows: 40 },
      color: false,
      fetchOutput,
      initialView: view,
    }),
  );

try {
  // no tab of the job open: the list shows it, RUNNING on hpc
  const list = mountAt({ name: "jobs" });
  const idleStart = Date.now();
  await sleep(IDLE_MS);
  const idlePerMin = (fetches * 60_000) / (Date.now() - idleStart);
  list.unmount();

  // its Log open: every "L <ms>" line's first frame on screen
  const detail = mountAt({ name: "detail", jobId: id, from: { name: "jobs" } });
  await sleep(2000); // the first fetch (the transport's modules load, the master is reached)
  const seen = new Map<number, number>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const now = Date.now();
      for (const m of (detail.lastFrame() ?? "").matchAll(/\bL (\d{13})\b/g)) {
        const at = Number(m[1]);
        if (!seen.has(at)) seen.set(at, now - at);
      }
      await sleep(10);
    }
  })();
  const before = fetches;
  const openStart = Date.now();
  await writeLines(ours);
  await sleep(2500); // the last line's fetch
  const openPerMin = ((fetches - before) * 60_000) / (Date.now() - openStart);
  watching = false;
  await watch;
  detail.unmount();
  const tuiLat = [...seen.values()];

  // the floor: a stream held open
  const plain = spawn("ssh", [...plainSshArgs(infra), `tail -n0 -F '${theirs}'`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const plainLat: number[] = [];
  let rest = "";
  plain.stdout.on("data", (b: Buffer) => {
    const now = Date.now();
    const lines = (rest + b.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) {
      const m = /^L (\d+)$/.exec(l);
      if (m) plainLat.push(now - Number(m[1]));
    }
  });
  await sleep(2000);
  await writeLines(theirs);
  await sleep(1500);
  plain.kill();

  const f = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
  console.log(`TUI Log tab of a remote job, ${LINES} lines written ${EVERY_MS} ms apart on the cluster`);
  console.log(
    `  Log tab on screen  median ${f(quantile(tuiLat, 0.5))}  p95 ${f(quantile(tuiLat, 0.95))}  (${tuiLat.length} lines seen)`,
  );
  console.log(
    `  ssh … tail -F      median ${f(quantile(plainLat, 0.5))}  p95 ${f(quantile(plainLat, 0.95))}  (${plainLat.length} lines seen)`,
  );
  console.log(
    `  ratio to tail -F: median ${(quantile(tuiLat, 0.5) / quantile(plainLat, 0.5)).toFixed(1)}×, p95 ${(quantile(tuiLat, 0.95) / quantile(plainLat, 0.95)).toFixed(1)}× (goal: lines within 2 s)`,
  );
  console.log(
    `  fetches (one remote readFrom each) per minute: ${openPerMin.toFixed(0)} while the job's Log is open, ${idlePerMin.toFixed(0)} while only the job list is shown`,
  );
} finally {
  watcher.stop();
  plainSsh(infra, `rm -rf '${dir}'`);
  store.close();
  cleanupLocal();
}
