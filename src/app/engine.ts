// The composition root of an engine: the one place where the runners, the hooks that features layer
// on the engine (workflows), and the project are put together — for `crystal-tui run` and for the
// TUI's engine host alike.
import { Engine, type EngineOptions } from "../engine/engine.js";
import type { EngineHooks, Project } from "../engine/hooks.js";
import type { ProjectStore } from "../store/port.js";
import { workflowHooks } from "../workflows/engine-hooks.js";
import { type RunnersSetup, runnerFactory } from "./runners.js";

export { engineServing } from "../engine/registry.js";
export { Engine };

/** The hooks every engine runs with: features layered on the engine register here. */
export function defaultHooks(): EngineHooks[] {
  return [workflowHooks];
}

export interface EngineSetup extends Omit<EngineOptions, "runnerFactory" | "hooks" | "files"> {
  /** Options of the runners (a shared SSH pool, a poll interval, …); default: their own. */
  runners?: RunnersSetup;
}

/**
 * Records each change of a cluster's connection in the store, where every process serving the
 * project reads it (`cluster list --json`, the TUI): written by the process holding the connection.
 */
export function recordConnectionState(store: ProjectStore): NonNullable<RunnersSetup["onConnectionState"]> {
  return (cluster, state) => {
    const record = { status: state.status, lastError: state.lastError, since: state.since };
    try {
      Promise.resolve(store.clusters.setConnection(cluster.id, record)).catch(() => {});
    } catch {} // a project closed meanwhile: nothing to tell
  };
}

/** An engine serving `project` with every runner and every feature's hooks. */
export function buildEngine(project: Project, setup: EngineSetup = {}): Engine {
  const { runners, ...options } = setup;
  const store = project.store;
  return new Engine(store, {
    ...options,
    files: project.files,
    runnerFactory: runnerFactory({
      // every process serving the project sees how the connection this one holds is doing
      onConnectionState: recordConnectionState(store),
      ...runners,
    }),
    hooks: defaultHooks(),
  });
}
