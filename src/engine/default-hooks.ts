// The hooks every engine runs with: features layered on the engine register here.
import type { EngineHooks } from "./hooks.js";

export function defaultHooks(): EngineHooks[] {
  return [];
}
