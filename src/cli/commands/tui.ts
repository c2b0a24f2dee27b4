// crystal-tui (no arguments) and crystal-tui demo — owned by the TUI. Not yet implemented: registers nothing.
import type { Command } from "commander";

export function registerTuiCommands(_program: Command): void {}
