// Knowing when the project changed, cheaply. The store's change counter (SQLite's `PRAGMA
// data_version`) changes whenever ANOTHER connection (the CLI, an engine, a script) commits; our own
// writes bump the version by hand. The probe runs every 250 ms, so what another process does shows
// within a second, and the view cache (hooks/cache.ts) re-reads the store only when something
// really changed.
import { createContext, useContext, useEffect, useState } from "react";
import type { ProjectFiles } from "../crystal/project-files.js";
import type { ProjectStore } from "../store/port.js";
import type { ViewCache } from "./hooks/cache.js";
import type { FetchOutput } from "./job-output-source.js";

export class StoreWatcher {
  private listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private lastDataVersion = -1;
  private current = 0;

  constructor(
    readonly store: ProjectStore,
    private readonly intervalMs = 250,
  ) {}

  get version(): number {
    return this.current;
  }

  /** Starts probing (idempotent). The timer does not keep the process alive. */
  start(): this {
    if (this.timer) return this;
    void Promise.resolve(this.store.changeCounter()).then((v) => {
      if (this.lastDataVersion === -1) this.lastDataVersion = v;
    });
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Checks now; returns whether something changed. */
  async probe(): Promise<boolean> {
    if (!this.store.isOpen) return false;
    let v: number;
    try {
      v = await this.store.changeCounter();
    } catch {
      return false; // closed under us (the TUI is exiting)
    }
    if (v === this.lastDataVersion) return false;
    this.lastDataVersion = v;
    this.touch();
    return true;
  }

  /** Our own connection wrote: data_version does not see it, so say it. */
  touch(): void {
    this.current++;
    for (const fn of this.listeners) fn();
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
}

export interface ProjectContextValue {
  store: ProjectStore;
  /** The project's job folders. */
  files: ProjectFiles;
  watcher: StoreWatcher;
  /** What the views show, read outside of rendering and refreshed on every change. */
  cache: ViewCache;
  /** A job's output so far, fetched from its cluster while it runs there (job-output-source.ts). */
  fetchOutput: FetchOutput;
}

export const ProjectContext = createContext<ProjectContextValue | null>(null);

export function useProject(): ProjectContextValue {
  const value = useContext(ProjectContext);
  if (!value) throw new Error("useProject() outside <ProjectContext.Provider>");
  return value;
}

/** The current time, refreshed every `ms` (for runtimes of running jobs). */
export function useNow(ms = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), ms);
    t.unref?.();
    return () => clearInterval(t);
  }, [ms, active]);
  return now;
}
