// crystal-tui workflow run|list|show — owned by the workflows module. Not yet implemented: registers nothing.
import type { Command } from "commander";

export function registerWorkflowCommands(_program: Command): void {}
