// The hooks every engine runs with: features layered on the engine register here.
import { workflowHooks } from "../workflows/engine-hooks.js";
import type { EngineHooks } from "./hooks.js";

export function defaultHooks(): EngineHooks[] {
  return [workflowHooks];
}
