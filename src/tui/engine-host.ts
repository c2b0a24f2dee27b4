// The TUI hosts the engine (jobs run while it is open) unless another process already serves the
// project; the status line says which. The hosted engine gets its own connection, so its commits
// reach the views through `PRAGMA data_version` like any other process's. Every few seconds the host
// looks again: if the other engine went away, this one takes over. The engine's modules are loaded
// after the first frame, so the screen never waits for them.
import type { Engine } from "../app/engine.js";
import { type OpenProject, openProject } from "../app/project.js";
import type { PromptBroker } from "../transport/openssh/prompt-broker.js";

type EngineModules = typeof import("../app/engine.js");

/** The engine's composition root (src/app/engine.ts), loaded after the first frame. */
function loadEngineModules(): Promise<EngineModules> {
  return import("../app/engine.js");
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
  private project: OpenProject | null = null;
  private timer: NodeJS.Timeout | null = null;
  private listeners = new Set<() => void>();
  private snap: EngineSnapshot = { mode: "starting", text: "engine: starting…", lastLog: null };
  private stopped = false;
  private modules: EngineModules | null = null;

  constructor(
    private readonly projectDir: string,
    private readonly options: {
      recheckMs?: number;
      host?: boolean;
      /** Who is asked when a cluster's login wants a one-time code (the TUI's modal); default nobody. */
      broker?: PromptBroker;
    } = {},
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
    Promise.all([openProject(this.projectDir), loadEngineModules()]).then(
      ([project, modules]) => {
        if (this.stopped) {
          void project.close();
          return;
        }
        this.project = project;
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
    if (this.stopped || !this.project || this.engine || !this.modules || this.checking) return;
    const app = this.modules;
    let other: Awaited<ReturnType<typeof app.engineServing>>;
    this.checking = true;
    try {
      other = await app.engineServing(this.project.store);
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
        text: `your jobs are started by crystal-tui run on ${other.host} (process ${other.pid}), not by this window`,
      });
      return;
    }
    if (this.options.host === false) {
      this.set({
        mode: "none",
        text: "nothing starts your jobs now: they wait until you run `crystal-tui run --watch`",
      });
      return;
    }
    const engine = app.buildEngine(this.project, {
      watch: true,
      log: (line) => this.set({ lastLog: line }),
      ...(this.options.broker ? { runners: { openSsh: { broker: this.options.broker } } } : {}),
    });
    this.engine = engine;
    engine.start();
    // in a chemist's words: the window itself starts the queued jobs (the pid is in `job show`/doctor)
    this.set({ mode: "hosting", text: "this window starts your jobs (queued ones wait while it is closed)" });
  }

  /** Stops the hosted engine (running jobs keep running; the next engine follows them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const engine = this.engine;
    this.engine = null;
    if (engine) await engine.stop();
    await this.project?.close();
    this.project = null;
  }
}
