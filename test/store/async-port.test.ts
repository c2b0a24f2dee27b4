// The store is a port that an asynchronous implementation (a PostgreSQL store, over a network) can
// satisfy: here every method of the SQLite store answers only after a turn of the event loop, and
// the engine, the workflows with their recovery policies, and the TUI still do exactly their work.
// A caller that used a synchronous answer (or ran its own code inside a store transaction) would
// see a Promise where it expects a value and fail these tests.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultHooks } from "../../src/app/engine.js";
import { ProjectFiles } from "../../src/crystal/project-files.js";
import { Engine } from "../../src/engine/engine.js";
import { makeRunnerFactory } from "../../src/runners/factory.js";
import type { ProjectStore } from "../../src/store/port.js";
import { Store } from "../../src/store/store.js";
import { createWorkflow } from "../../src/workflows/create.js";
import { planWorkflow } from "../../src/workflows/plan.js";
import { parseWorkflowFile } from "../../src/workflows/workflow-file.js";
import { tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";
import { mount } from "../tui/helpers.js";
import { newJob } from "./new-jobs.js";

const later = <T>(fn: () => T): Promise<T> =>
  new Promise((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(fn());
      } catch (err) {
        reject(err);
      }
    }),
  );

/** Counts the answers given later, so a test can tell the asynchronous path was taken. */
interface Counted {
  store: ProjectStore;
  calls: { n: number };
}

/** The SQLite store behind a port whose every answer comes later. `folderOf` is a path computation. */
function asynchronous(inner: Store): Counted {
  const calls = { n: 0 };
  const wrap = <T extends object>(part: T): T =>
    new Proxy(part, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function" || prop === "folderOf") {
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (...args: unknown[]) => {
          calls.n++;
          return later(() => value.apply(target, args));
        };
      },
    });
  const store: ProjectStore = {
    get projectDir() {
      return inner.projectDir;
    },
    get path() {
      return inner.path;
    },
    get isOpen() {
      return inner.isOpen;
    },
    jobs: wrap(inner.jobs),
    clusters: wrap(inner.clusters),
    remoteJobs: wrap(inner.remoteJobs),
    dependencies: wrap(inner.dependencies),
    events: wrap(inner.events),
    workflows: wrap(inner.workflows),
    engine: wrap(inner.engine),
    views: wrap(inner.views),
    schemaVersion: () => later(() => inner.schemaVersion()),
    registerRunnerKinds: (kinds) => later(() => inner.registerRunnerKinds(kinds)),
    changeCounter: () => later(() => inner.changeCounter()),
    close: () => later(() => inner.close()),
  };
  return { store, calls };
}

function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

describe("an asynchronous store behind the port", () => {
  it("the engine runs a chain with a doomed branch, every answer coming a turn later", async () => {
    const sqlite = Store.open(tempProject());
    const { store, calls } = asynchronous(sqlite);
    const a = newJob(sqlite, {
      name: "a",
      input: standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"),
    });
    const b = newJob(sqlite, {
      name: "b",
      input: standinDeck("[standin:aiida-crystal17__mgo_sto3g_opt]"),
      dependencies: [{ dependsOn: a.id, type: "after_ok" }],
    });
    const rescue = newJob(sqlite, {
      name: "rescue",
      input: standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"),
      dependencies: [{ dependsOn: a.id, type: "after_failed" }],
    });
    await withEnv(standinEnv(), async () => {
      const engine = new Engine(store, {
        runnerFactory: makeRunnerFactory(),
        hooks: defaultHooks(),
        cores: 2,
      });
      const summary = await engine.run();
      expect(summary.byStatus).toEqual({ COMPLETED: 2 });
    });
    expect(sqlite.jobs.require(a.id).status).toBe("COMPLETED");
    expect(sqlite.jobs.require(b.id).status).toBe("COMPLETED");
    expect(sqlite.jobs.require(b.id).finalEnergy).toBeCloseTo(-271.2596206888, 6);
    expect(sqlite.jobs.require(rescue.id).status).toBe("SKIPPED");
    expect(calls.n).toBeGreaterThan(20);
    sqlite.close();
  });

  it("a workflow is made as one change, and its recovery policy retries a failed SCF", async () => {
    const dir = tempProject();
    const sqlite = Store.open(dir);
    const { store } = asynchronous(sqlite);
    const text = `steps:
  scf:
    template: single-point
    recovery: {max_attempts: 2}
    params: {title: "NiO [standin:aiida-crystal17__nio_sto3g_afm_scf_maxcyc]", maxcycle: 60}
  next:
    template: single-point
    after_ok: [scf]
`;
    const file = path.join(dir, "wf.yaml");
    fs.writeFileSync(file, text);
    const plan = planWorkflow(parseWorkflowFile(text, file), {
      clusters: await store.clusters.list(),
      projectDir: dir,
      templateFolders: { userDir: path.join(dir, "none") },
    });
    const created = await createWorkflow({ store, files: new ProjectFiles(store.projectDir) }, plan);
    expect(created.jobs).toEqual({ scf: [1], next: [2] });
    await withEnv(standinEnv(), async () => {
      const engine = new Engine(store, {
        runnerFactory: makeRunnerFactory(),
        hooks: defaultHooks(),
        cores: 2,
      });
      await engine.run();
    });
    const [first, next, retry] = [1, 2, 3].map((id) => sqlite.jobs.require(id));
    expect(first!.status).toBe("FAILED");
    expect(first!.statusReason).toMatch(/retried as job 3 \(attempt 2 of 2/);
    expect(retry!.retryOf).toBe(1);
    expect(retry!.status).toBe("FAILED");
    expect(retry!.statusReason).toMatch(/not retried: attempt 2 of 2/);
    // the dependent waited for the retry, and was skipped only when it failed too
    expect(sqlite.dependencies.dependenciesOf(2).map((d) => d.dependsOnJobId)).toEqual([3]);
    expect(next!.status).toBe("SKIPPED");
    const spec = sqlite.workflows.require(1).spec as { steps: { name: string; jobs: { id: number }[] }[] };
    expect(spec.steps.find((s) => s.name === "scf")!.jobs.map((j) => j.id)).toEqual([1, 3]);
    sqlite.close();
  });

  it("the TUI shows the list and follows a change, reading only through its cache", async () => {
    const sqlite = Store.open(tempProject());
    const { store, calls } = asynchronous(sqlite);
    newJob(sqlite, { name: "first_job", input: standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]") });
    const m = mount(store);
    try {
      await m.waitFor("first_job");
      newJob(sqlite, { name: "second_job", input: standinDeck("x") });
      m.watcher.touch();
      await m.waitFor("second_job");
      expect(calls.n).toBeGreaterThan(0);
    } finally {
      m.unmount();
      sqlite.close();
    }
  });
});
