// crystal-tui template list|show|render — owned by the templates module. Not yet implemented: registers nothing.
import type { Command } from "commander";

export function registerTemplateCommands(_program: Command): void {}
