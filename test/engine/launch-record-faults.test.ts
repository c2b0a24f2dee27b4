// Writes that fail after a launch: once CRYSTAL may run, its record is never dropped. A disk that
// fills up (a small tmpfs holding the database, made full right after the spawn) and a write lock
// held by another process longer than the busy timeout: the job runs exactly once (counted by the
// stand-in), ends with its true status, and nothing hangs — the engine retries its write, or stops
// and the next engine finds the launch by its token.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.js";
import { makeRunnerFactory } from "../../src/runners/factory.js";
import type { RunnerFactory } from "../../src/runners/types.js";
import { Store } from "../../src/store/store.js";
import { tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";
import { newJob } from "../store/new-jobs.js";

const SCF = standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]");
const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];

afterAll(() => {
  for (const m of mounted.reverse()) {
    try {
      execFileSync("umount", ["-l", m]);
    } catch {
      // already gone
    }
  }
});

/**
 * A project whose database lives on a small tmpfs of its own, while its job folders (outputs,
 * scratch) stay on the big disk: filling the tmpfs fails only the database's writes.
 */
function projectOnSmallDisk(): { project: string; counter: string } {
  const base = tempProject("ctui-full-");
  const project = path.join(base, "p");
  const calculations = path.join(base, "calculations");
  fs.mkdirSync(project);
  fs.mkdirSync(calculations);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", project]);
  mounted.push(project);
  fs.mkdirSync(path.join(project, "calculations"));
  execFileSync("mount", ["--bind", calculations, path.join(project, "calculations")]);
  mounted.push(path.join(project, "calculations"));
  return { project, counter: path.join(base, "starts.log") };
}

/** Fills the file system holding `dir` to the last byte. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, "filler");
  const fd = fs.openSync(filler, "w");
  try {
    for (const size of [65536, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          fs.writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

function starts(counter: string): number {
  return fs.existsSync(counter)
    ? fs.readFileSync(counter, "utf8").trim().split("\n").filter(Boolean).length
    : 0;
}

/** The local runner, with a fault of the test's choosing right after it has spawned CRYSTAL. */
function faultAfterSpawn(env: Record<string, string>, fault: () => void): RunnerFactory {
  const real = makeRunnerFactory({ local: { env: { ...process.env, ...env } } });
  return (cluster) => {
    const runner = real(cluster);
    const submit = runner.submit.bind(runner);
    let done = false;
    runner.submit = async (job, ctx) => {
      const submission = await submit(job, ctx);
      if (!done) {
        done = true;
        fault();
      }
      return submission;
    };
    return runner;
  };
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms (a hang)`)), ms);
    }),
  ]);
}

describe("a write that fails after a launch", () => {
  it.skipIf(!isRoot)(
    "disk full right after the spawn, freed a moment later: the launch is recorded, the job runs once and completes",
    async () => {
      const { project, counter } = projectOnSmallDisk();
      const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter, CRYSTAL_STANDIN_DELAY_MS: "1" });
      const store = Store.open(project);
      const job = newJob(store, { name: "mgo", input: SCF });
      const lines: string[] = [];
      let filler = "";
      const engine = new Engine(store, {
        runnerFactory: faultAfterSpawn(env, () => {
          filler = fillDisk(project);
          setTimeout(() => fs.rmSync(filler, { force: true }), 1500);
        }),
        log: (l) => lines.push(l),
      });
      await within(90_000, "the engine", engine.run());
      expect(filler).not.toBe("");
      expect(lines.join("\n")).toMatch(/full|disk/i); // the fault did happen
      expect(store.jobs.require(job.id).status).toBe("COMPLETED");
      expect(starts(counter)).toBe(1);
      store.close();
    },
    120_000,
  );

  it.skipIf(!isRoot)(
    "disk full for longer than the engine waits: it stops with the reason, the next engine finds the run by its token; it ran once",
    async () => {
      const { project, counter } = projectOnSmallDisk();
      const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter, CRYSTAL_STANDIN_DELAY_MS: "1" });
      const store = Store.open(project);
      const job = newJob(store, { name: "mgo", input: SCF });
      let filler = "";
      const first = new Engine(store, {
        runnerFactory: faultAfterSpawn(env, () => {
          filler = fillDisk(project);
        }),
        storeRetryMs: 1500,
      });
      const stopped = await within(
        90_000,
        "the first engine",
        first.run().then(
          () => null,
          (err: Error) => err,
        ),
      );
      expect(stopped?.message).toMatch(new RegExp(`job ${job.id}.*(full|disk)`, "i"));
      fs.rmSync(filler, { force: true });
      // the stopped engine says goodbye once the disk takes it (its process lives on here, like a TUI's)
      const end = Date.now() + 30_000;
      while (store.engine.engines().some((r) => r.id === first.id)) {
        if (Date.now() > end) throw new Error("the stopped engine never unregistered");
        await new Promise((r) => setTimeout(r, 100));
      }
      const second = new Engine(store, {
        runnerFactory: makeRunnerFactory({ local: { env: { ...process.env, ...env } } }),
      });
      await within(90_000, "the second engine", second.run());
      const after = store.jobs.require(job.id);
      expect(after.status, after.statusReason ?? "").toBe("COMPLETED");
      expect(starts(counter)).toBe(1);
      store.close();
    },
    120_000,
  );

  it("a write lock held by another process for longer than the busy timeout: no false FAILED, no hang; it ran once", async () => {
    const project = tempProject();
    const counter = path.join(project, "starts.log");
    const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter, CRYSTAL_STANDIN_DELAY_MS: "1" });
    // a short busy timeout, so that the lock outlasts it in seconds rather than minutes
    const store = Store.open(project, { busyTimeoutMs: 500 });
    const job = newJob(store, { name: "mgo", input: SCF });
    const holder = new Database(store.path, { timeout: 1000 });
    const release = () => {
      if (holder.inTransaction) holder.exec("COMMIT");
    };
    const engine = new Engine(store, {
      runnerFactory: faultAfterSpawn(env, () => {
        // another process takes the write lock and keeps it past the engine's busy timeout
        holder.exec("BEGIN IMMEDIATE");
        setTimeout(release, 2500);
      }),
    });
    try {
      await within(90_000, "the engine", engine.run());
    } finally {
      release();
      holder.close();
    }
    const after = store.jobs.require(job.id);
    expect(after.status, after.statusReason ?? "").toBe("COMPLETED");
    expect(starts(counter)).toBe(1);
    store.close();
  }, 120_000);

  it("a write lock held past the busy timeout just before the launch mark: nothing spawned, the job is queued again and runs once — no hang", async () => {
    const project = tempProject();
    const counter = path.join(project, "starts.log");
    const env = standinEnv({ CRYSTAL_STANDIN_COUNTER: counter, CRYSTAL_STANDIN_DELAY_MS: "1" });
    const store = Store.open(project, { busyTimeoutMs: 500 });
    const job = newJob(store, { name: "mgo", input: SCF });
    const holder = new Database(store.path, { timeout: 1000 });
    const release = () => {
      if (holder.inTransaction) holder.exec("COMMIT");
    };
    let held = false;
    const engine = new Engine(store, {
      runnerFactory: makeRunnerFactory({ local: { env: { ...process.env, ...env } } }),
      hooks: [
        {
          prepare: async (_project, claimed) => {
            if (!held) {
              held = true;
              holder.exec("BEGIN IMMEDIATE");
              setTimeout(release, 2500);
            }
            return claimed;
          },
        },
      ],
    });
    try {
      await within(90_000, "the engine", engine.run());
    } finally {
      release();
      holder.close();
    }
    expect(held).toBe(true);
    const after = store.jobs.require(job.id);
    expect(after.status, after.statusReason ?? "").toBe("COMPLETED");
    expect(starts(counter)).toBe(1);
    store.close();
  }, 120_000);
});
