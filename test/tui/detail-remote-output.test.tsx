// The Log and Results tabs of a job running on a cluster (issue 12) fetch its output only while one
// of them is open: a closed tab costs the cluster nothing. The fetch function is injected here to
// count its calls (the real one, over the real sshd and SLURM, is tested in a real terminal by
// test/remote/tui-live-output.test.ts).
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { OutputStream } from "../../src/app/job-output.js";
import type { Store } from "../../src/store/store.js";
import type { FetchOutput } from "../../src/tui/job-output-source.js";
import { FIXTURES, MGO_DECK } from "../helpers/project.js";
import { jobFolder, newJob } from "../store/new-jobs.js";
import { KEY, type Mounted, makeStore, mount, sleep } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const SCF = fs.readFileSync(path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out"), "utf8");

/** A job RUNNING on a SLURM cluster (as the engine leaves it once the scheduler started it). */
function remoteRunningJob(store: Store, status: "QUEUED" | "RUNNING" = "RUNNING") {
  const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "10.0.0.5", username: "chem" });
  const job = newJob(store, { name: "far", input: MGO_DECK, clusterId: hpc.id });
  store.jobs.transition(job.id, status);
  return store.jobs.require(job.id);
}

/**
 * A stand-in for the cluster: each call "fetches" into a mirror file what `remote[stream]` holds
 * now, and is counted; `down` makes it fail as a dropped connection does.
 */
function fakeCluster(folder: string) {
  const remote: Record<OutputStream, string> = { output: "", stderr: "" };
  const calls: OutputStream[] = [];
  const state = { down: false };
  const fetch: FetchOutput = async (_project, _job, stream) => {
    calls.push(stream);
    if (state.down) throw new Error("ssh: connect to host 10.0.0.5 port 22: Connection refused");
    const file = path.join(folder, ".run", "live", stream);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, remote[stream]);
    const data = Buffer.alloc(0);
    return { data, size: Buffer.byteLength(remote[stream]), from: `hpc:${stream}`, live: true, file };
  };
  return { remote, calls, state, fetch };
}

const detail = (jobId: number) => ({ name: "detail" as const, jobId, from: { name: "jobs" as const } });

describe("the Log and Results tabs of a job running on a cluster", () => {
  test("fetch nothing while neither tab is open, about once a second while the Log is, and stop when it closes", async () => {
    const store = makeStore();
    const job = remoteRunningJob(store);
    const cluster = fakeCluster(jobFolder(store, job));
    cluster.remote.output = "first line of the remote output\n";
    // the job list shows the running job: no tab of it is open
    m = mount(store, { fetchOutput: cluster.fetch });
    await m.waitFor(/far\s/);
    await sleep(2500);
    expect(cluster.calls).toEqual([]);
    // its Log: fetched, shown, and followed as the remote file grows
    await m.press(KEY.enter);
    await m.waitFor("first line of the remote output");
    cluster.remote.output += "second line, written later\n";
    await m.waitFor("second line, written later", 2500);
    const opened = Date.now();
    const before = cluster.calls.length;
    await sleep(3000);
    const perSecond = (cluster.calls.length - before) / ((Date.now() - opened) / 1000);
    expect(perSecond).toBeGreaterThan(0.5);
    expect(perSecond).toBeLessThanOrEqual(1.1);
    // the Input tab, then the list again: no more fetches (one may have been under way)
    await m.press(KEY.tab);
    await m.waitFor(/\s1 MgO/);
    const closed = cluster.calls.length;
    await sleep(2500);
    expect(cluster.calls.length).toBeLessThanOrEqual(closed + 1);
    await m.press(KEY.escape);
    await m.waitFor(/far\s/);
    const listed = cluster.calls.length;
    await sleep(2500);
    expect(cluster.calls.length).toBe(listed);
    expect(new Set(cluster.calls)).toEqual(new Set(["output"]));
  }, 30_000);

  test("a QUEUED job's Log is looked at once, not every second; once it runs, followed", async () => {
    const store = makeStore();
    const job = remoteRunningJob(store, "QUEUED");
    const cluster = fakeCluster(jobFolder(store, job));
    m = mount(store, { view: detail(job.id), fetchOutput: cluster.fetch });
    await m.waitFor("No output yet — the job is QUEUED");
    await sleep(2500);
    expect(cluster.calls.length).toBe(1);
    // the scheduler starts it: an empty output at first, then CRYSTAL's lines as they come
    store.jobs.transition(job.id, "RUNNING");
    m.watcher.touch(); // our own connection wrote: the watcher is told, as the TUI's writes do
    await m.waitFor("No output yet — CRYSTAL has written nothing to far.out so far", 3000);
    cluster.remote.output = "CRYSTAL23 starts\n";
    await m.waitFor("CRYSTAL23 starts", 3000);
    expect(cluster.calls.length).toBeGreaterThanOrEqual(3);
  }, 20_000);

  test("a dropped connection is one line in the Log, which goes when the fetch works again", async () => {
    const store = makeStore();
    const job = remoteRunningJob(store);
    const cluster = fakeCluster(jobFolder(store, job));
    cluster.remote.output = "SCF so far, line one\n";
    m = mount(store, { view: detail(job.id), fetchOutput: cluster.fetch });
    await m.waitFor("SCF so far, line one");
    cluster.state.down = true;
    const f = await m.waitFor("cannot fetch", 3000);
    const errorLines = f.split("\n").filter((l) => l.includes("cannot fetch"));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/✖ cannot fetch the output: ssh: connect to host .*Connection refused/);
    // what was fetched before stays on screen
    expect(f).toContain("SCF so far, line one");
    cluster.state.down = false;
    cluster.remote.output += "line two, after the connection came back\n";
    const back = await m.waitFor("line two, after the connection came back", 3000);
    expect(back).not.toContain("cannot fetch");
  }, 20_000);

  test("t shows the run's stderr (SLURM's --error file), fetched the same way; t again the output", async () => {
    const store = makeStore();
    const job = remoteRunningJob(store);
    const cluster = fakeCluster(jobFolder(store, job));
    cluster.remote.output = "CRYSTAL says: SCF starts\n";
    cluster.remote.stderr = "srun: warning: the node is slow\n";
    m = mount(store, { view: detail(job.id), fetchOutput: cluster.fetch });
    await m.waitFor("CRYSTAL says: SCF starts");
    await m.press("t");
    const f = await m.waitFor("srun: warning: the node is slow", 3000);
    expect(f).toContain("stderr of the run");
    expect(f).not.toContain("CRYSTAL says: SCF starts");
    expect(cluster.calls).toContain("stderr");
    await m.press("t");
    await m.waitFor("CRYSTAL says: SCF starts", 3000);
  }, 20_000);

  test("Results parse the fetched output so far: SCF cycles, never a final energy before the end", async () => {
    const store = makeStore();
    const job = remoteRunningJob(store);
    const cluster = fakeCluster(jobFolder(store, job));
    cluster.remote.output = SCF.slice(0, SCF.indexOf("CYC   4"));
    m = mount(store, { view: detail(job.id), fetchOutput: cluster.fetch });
    await m.press(KEY.tab, KEY.tab);
    const f = await m.waitFor("so far", 3000);
    expect(f).toMatch(/Outcome\s+incomplete \(so far/);
    expect(f).not.toMatch(/Final energy/);
    // how far the SCF got, not a verdict
    expect(f).toMatch(/SCF\s+\d+ cycles so far \(last -271\.\d+ Ha\)/);
    expect(f).toMatch(/SCF convergence\s+\|ΔE\| per cycle .* — so far/);
    expect(f).not.toMatch(/not converged/i);
    // the rest arrives: every cycle, still not final while the job runs
    cluster.remote.output = SCF;
    const all = await m.waitFor(/SCF\s+converged in 7 cycles/, 4000);
    expect(all).not.toMatch(/Final energy/);
    expect(all).toContain("~ not a final energy: the job is still running");
    expect(new Set(cluster.calls)).toEqual(new Set(["output"]));
  }, 20_000);
});
