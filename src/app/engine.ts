// The composition root of an engine: the one place where the runners, the hooks that features layer
// on the engine (workflows), and the project are put together — for `crystal-tui run` and for the
// TUI's engine host alike.
import { Engine, type EngineOptions } from "../engine/engine.js";
import type { EngineHooks, Project } from "../engine/hooks.js";
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

/** An engine serving `project` with every runner and every feature's hooks. */
export function buildEngine(project: Project, setup: EngineSetup = {}): Engine {
  const { runners, ...options } = setup;
  return new Engine(project.store, {
    ...options,
    files: project.files,
    runnerFactory: runnerFactory(runners),
    hooks: defaultHooks(),
  });
}
