// crystal-tui cluster test|trust — owned by the SSH transport. Not yet implemented: registers nothing.
import type { Command } from "commander";

export function registerClusterConnectCommands(_program: Command): void {}
