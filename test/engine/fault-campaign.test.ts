// A small fault campaign: the engine is killed with SIGKILL at random moments (a fixed seed, so a
// failure replays) while another process holds the database's write lock for random stretches;
// then a last engine finishes the work. Every job runs exactly once (counted by the stand-in), no
// engine hangs, none reports an internal error, and every job ends COMPLETED.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { databasePath } from "../../src/store/database.js";
import { Store } from "../../src/store/store.js";
import { CLI, cli, tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";
import { newJob } from "../store/new-jobs.js";

const SCF = standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (p: ChildProcess) =>
  new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.on("exit", (c) => r(c))));

/** Another process that takes the write lock of `file` for `ms` milliseconds. */
function holdLock(file: string, ms: number): ChildProcess {
  const code = `const D=require("better-sqlite3");const d=new D(process.argv[1],{timeout:20000});d.exec("BEGIN IMMEDIATE");setTimeout(()=>{d.exec("COMMIT");d.close()},Number(process.argv[2]))`;
  return spawn(process.execPath, ["-e", code, file, String(ms)], { stdio: "ignore", cwd: process.cwd() });
}

describe("fault campaign", () => {
  it("kill -9 at random moments with a busy database: every job once, no hang, no internal error", async () => {
    const rounds = fc.sample(
      fc.record({
        killAfterMs: fc.integer({ min: 50, max: 2500 }),
        lockAtMs: fc.integer({ min: 0, max: 1500 }),
        lockMs: fc.integer({ min: 100, max: 3000 }),
      }),
      { numRuns: 6, seed: 14 },
    );
    const project = tempProject();
    const counter = path.join(project, "starts.log");
    const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter, CRYSTAL_STANDIN_DELAY_MS: "2" });
    const store = Store.open(project);
    const ids = Array.from({ length: 12 }, (_, i) => newJob(store, { name: `j${i}`, input: SCF }).id);
    store.close();
    const stderrs: string[] = [];
    for (const round of rounds) {
      const engine = spawn(
        process.execPath,
        [CLI, "--project", project, "run", "--quiet", "--max-jobs", "2"],
        {
          env: { ...process.env, ...env },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      engine.stderr?.on("data", (d) => {
        stderr += String(d);
      });
      await sleep(round.lockAtMs);
      const lock = holdLock(databasePath(project), round.lockMs);
      await sleep(Math.max(0, round.killAfterMs - round.lockAtMs));
      engine.kill("SIGKILL");
      await exited(engine);
      await exited(lock);
      stderrs.push(stderr);
    }
    const last = cli(project, ["run", "--quiet", "--max-jobs", "2"], env);
    expect(last.code, last.stderr).toBe(0);
    stderrs.push(last.stderr);
    for (const s of stderrs) expect(s).not.toMatch(/internal error/);
    const after = Store.open(project);
    const jobs = after.jobs.byIds(ids);
    after.close();
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => "COMPLETED"));
    const starts = fs.readFileSync(counter, "utf8").trim().split("\n");
    const perFolder = new Map<string, number>();
    for (const line of starts) {
      const folder = line.split(" ")[1]!.replace(/\/scratch$/, "");
      perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
    }
    expect(perFolder.size).toBe(ids.length);
    expect([...perFolder.values()].filter((n) => n !== 1)).toEqual([]); // jobs run twice: 0
  }, 180_000);
});
