// crystal-tui parse FILE (CRYSTAL output parser) — owned by the CRYSTAL module. Not yet implemented: registers nothing.
import type { Command } from "commander";

export function registerParseCommand(_program: Command): void {}
