// Crash recovery and exactly-once: the engine is killed with SIGKILL at several moments of a run; a
// new engine re-attaches to processes still alive, collects those that finished while nobody
// watched, and starts the rest — every job runs exactly once (counted by the stand-in itself). Two
// engines at once never start a job twice. A PID reused by another process is never mistaken for a run.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.js";
import { makeRunnerFactory } from "../../src/runners/factory.js";
import { processStartTime } from "../../src/runners/process-identity.js";
import { Store } from "../../src/store/store.js";
import { CLI, cli, tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";
import { jobFolder, newJob } from "../store/new-jobs.js";
import { sql } from "../store/raw-sql.js";

const SCF = standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]");

function startEngine(project: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [CLI, "--project", project, "run", "--quiet", ...args], {
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statuses(project: string): Record<string, number> {
  const store = Store.open(project);
  const rows = sql(store).prepare("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all() as {
    status: string;
    n: number;
  }[];
  store.close();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function makeJobs(project: string, n: number, chain = false): number[] {
  const store = Store.open(project);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const deps = chain && i > 0 ? [{ dependsOn: ids[i - 1]!, type: "after_ok" as const }] : [];
    ids.push(newJob(store, { name: `j${i}`, input: SCF, dependencies: deps }).id);
  }
  store.close();
  return ids;
}

function startsPerJob(counter: string): Map<string, number> {
  const lines = fs.existsSync(counter)
    ? fs.readFileSync(counter, "utf8").trim().split("\n").filter(Boolean)
    : [];
  const per = new Map<string, number>();
  for (const line of lines) {
    // "<pid> <cwd> <title>": the cwd is the job's scratch folder inside its job folder
    const folder = line.split(" ")[1]!.replace(/\/scratch$/, "");
    per.set(folder, (per.get(folder) ?? 0) + 1);
  }
  return per;
}

describe("crash recovery", () => {
  // kill -9 after: the first claim, some jobs finished, most jobs finished
  for (const killAfterDone of [0, 2, 5]) {
    it(`kill -9 of the engine after ${killAfterDone} finished jobs: every job still runs exactly once`, async () => {
      const project = tempProject();
      const counter = path.join(project, "starts.log");
      const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter, CRYSTAL_STANDIN_DELAY_MS: "1" });
      const ids = makeJobs(project, 8);
      const first = startEngine(project, env, ["--max-jobs", "2"]);
      await waitFor(
        () => {
          if (first.exitCode !== null)
            throw new Error(`the first engine exited on its own (${first.exitCode})`);
          return (statuses(project).COMPLETED ?? 0) >= killAfterDone && (statuses(project).RUNNING ?? 0) > 0;
        },
        30_000,
        `${killAfterDone} finished jobs and one running`,
      );
      first.kill("SIGKILL");
      await new Promise((r) => first.on("exit", r));
      const atKill = statuses(project);
      expect(atKill.RUNNING ?? 0).toBeGreaterThan(0); // runs were left behind, still alive or done
      const second = cli(project, ["run", "--quiet", "--max-jobs", "2"], env);
      expect(second.code, second.stderr).toBe(0);
      expect(statuses(project)).toEqual({ COMPLETED: ids.length });
      const per = startsPerJob(counter);
      expect(per.size).toBe(ids.length);
      expect([...per.values()].every((n) => n === 1)).toBe(true);
    }, 90_000);
  }

  it("runs that finished while no engine watched are collected; a vanished run is FAILED (lost)", async () => {
    const project = tempProject();
    const env = standinEnv({ CRYSTAL_STANDIN_DELAY_MS: "2" });
    const [a, b] = [
      ...makeJobs(project, 1),
      (() => {
        const s = Store.open(project);
        const id = newJob(s, { name: "hang", input: standinDeck("[standin:hang]") }).id;
        s.close();
        return id;
      })(),
    ];
    const engine = startEngine(project, env);
    await waitFor(() => (statuses(project).RUNNING ?? 0) === 2, 20_000, "both running");
    engine.kill("SIGKILL");
    await new Promise((r) => engine.on("exit", r));
    // while nobody watches: job a finishes on its own, the hanging job is killed hard
    const store = Store.open(project);
    const hangPid = store.jobs.require(b!).pid!;
    process.kill(-hangPid, "SIGKILL");
    await waitFor(
      () => fs.existsSync(path.join(jobFolder(store, store.jobs.require(a!)), ".run", "exit_code")),
      20_000,
      "a to finish",
    );
    store.close();
    const r = cli(project, ["run", "--quiet"], env);
    expect(r.code, r.stderr).toBe(0);
    const after = Store.open(project);
    expect(after.jobs.require(a!).status).toBe("COMPLETED");
    const hang = after.jobs.require(b!);
    expect(hang.status).toBe("FAILED");
    expect(hang.statusReason).toMatch(/^lost/);
    after.close();
  }, 60_000);

  it("a PID now used by another process is not mistaken for the run", async () => {
    const project = tempProject();
    const [id] = makeJobs(project, 1);
    const store = Store.open(project);
    const job = store.jobs.require(id!);
    const folder = jobFolder(store, job);
    fs.mkdirSync(path.join(folder, ".run"), { recursive: true });
    // the record says "pid X started at T", but PID X is now some other long-lived process (us)
    sql(store)
      .prepare(
        "UPDATE jobs SET status = 'RUNNING', claimed_by = 'dead-engine', pid = ?, run_handle = ? WHERE id = ?",
      )
      .run(
        process.pid,
        JSON.stringify({
          kind: "local",
          token: "t",
          runDir: path.join(folder, ".run"),
          scratch: path.join(folder, "scratch"),
          pid: process.pid,
          procStart: String(Number(processStartTime(process.pid)) - 1),
        }),
        id,
      );
    const engine = new Engine(store, {
      runnerFactory: makeRunnerFactory({ local: { env: { ...process.env, ...standinEnv() } } }),
    });
    await engine.run();
    const after = store.jobs.require(id!);
    expect(after.status).toBe("FAILED");
    expect(after.statusReason).toMatch(/^lost/);
    store.close();
  });

  it("two engines at once on one project start every job exactly once", async () => {
    const project = tempProject();
    const counter = path.join(project, "starts.log");
    const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter });
    const ids = makeJobs(project, 16);
    const one = startEngine(project, env, ["--max-jobs", "2", "--cores", "4"]);
    const two = startEngine(project, env, ["--max-jobs", "2", "--cores", "4"]);
    const codes = await Promise.all(
      [one, two].map((p) => new Promise<number>((r) => p.on("exit", (c) => r(c ?? -1)))),
    );
    expect(codes).toEqual([0, 0]);
    expect(statuses(project)).toEqual({ COMPLETED: ids.length });
    const per = startsPerJob(counter);
    expect(per.size).toBe(ids.length);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
  }, 60_000);
});
