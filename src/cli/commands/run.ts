// crystal-tui run (the engine) — owned by the engine. Not yet implemented: registers nothing.
import type { Command } from "commander";

export function registerRunCommand(_program: Command): void {}
