// The TUI hosts the engine (jobs run while it is open) unless another process already serves the
// project; the status line says which. The hosted engine gets its own connection, so its commits
// reach the views through `PRAGMA data_version` like any other process's. Every few seconds the host
// looks again: if the other engine went away, this one takes over. The engine's modules are loaded
// after the first frame, so the screen never waits for them.
import type { Engine } from "../engine/engine.js";
import { Store } from "../store/store.js";

type EngineModules = {
  engine: typeof import("../engine/engine.js");
  hooks: typeof import("../engine/default-hooks.js");
  factory: typeof import("../runners/factory.js");
};

async function loadEngineModules(): Promise<EngineModules> {
  const [engine, hooks, factory] = await Promise.all([
    import("../engine/engine.js"),
    import("../engine/default-hooks.js"),
    import("../runners/factory.js"),
  ]);
  return { engine, hooks, factory };
}

export type EngineMode = "hosting" | "external" | "none" | "starting";

export interface EngineSnapshot {
  mode: EngineMode;
  /** One line for the status line. */
  text: string;
  /** The engine's last progress line ("job 3 (mgo) started"), if any. */
  lastLog: string | null;
}

/** Something the status line can follow: the hosted engine, or a fixed text (tests, read-only). */
export interface EngineSource {
  subscribe(fn: () => void): () => void;
  snapshot(): EngineSnapshot;
}

export function fixedEngineSource(text: string, mode: EngineMode = "none"): EngineSource {
  const snap: EngineSnapshot = { mode, text, lastLog: null };
  return { subscribe: () => () => {}, snapshot: () => snap };
}

export class EngineHost implements EngineSource {
  private engine: Engine | null = null;
  private store: Store | null = null;
  private timer: NodeJS.Timeout | null = null;
  private listeners = new Set<() => void>();
  private snap: EngineSnapshot = { mode: "starting", text: "engine: starting…", lastLog: null };
  private stopped = false;
  private modules: EngineModules | null = null;

  constructor(
    private readonly projectDir: string,
    private readonly options: { recheckMs?: number; host?: boolean } = {},
  ) {}

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  snapshot = (): EngineSnapshot => this.snap;

  private set(next: Partial<EngineSnapshot>): void {
    this.snap = { ...this.snap, ...next };
    for (const fn of this.listeners) fn();
  }

  /** Starts the engine here, or notes who serves the project; never blocks the UI. */
  start(): this {
    this.store = Store.open(this.projectDir);
    loadEngineModules().then(
      (modules) => {
        if (this.stopped) return;
        this.modules = modules;
        void this.check();
        this.timer = setInterval(() => void this.check(), this.options.recheckMs ?? 5000);
        this.timer.unref();
      },
      (err: Error) => this.set({ mode: "none", text: `no engine: it could not be loaded (${err.message})` }),
    );
    return this;
  }

  private checking = false;

  private async check(): Promise<void> {
    if (this.stopped || !this.store || this.engine || !this.modules || this.checking) return;
    const { engine: engineModule, hooks, factory } = this.modules;
    let other: Awaited<ReturnType<typeof engineModule.engineServing>>;
    this.checking = true;
    try {
      other = await engineModule.engineServing(this.store);
    } catch (err) {
      this.set({ mode: "none", text: `engine: cannot check (${(err as Error).message})` });
      return;
    } finally {
      this.checking = false;
    }
    if (this.stopped || this.engine) return;
    if (other) {
      this.set({
        mode: "external",
        text: `jobs run by the engine of pid ${other.pid} on ${other.host} (not this TUI)`,
      });
      return;
    }
    if (this.options.host === false) {
      this.set({
        mode: "none",
        text: "no engine serves this project: jobs wait (start one with `crystal-tui run --watch`)",
      });
      return;
    }
    const engine = new engineModule.Engine(this.store, {
      watch: true,
      runnerFactory: factory.makeRunnerFactory(),
      hooks: hooks.defaultHooks(),
      log: (line) => this.set({ lastLog: line }),
    });
    this.engine = engine;
    engine.start();
    this.set({ mode: "hosting", text: `jobs run by this TUI's engine (pid ${process.pid})` });
  }

  /** Stops the hosted engine (running jobs keep running; the next engine follows them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const engine = this.engine;
    this.engine = null;
    if (engine) await engine.stop();
    this.store?.close();
    this.store = null;
  }
}
