// crystal-tui doctor (environment discovery) — owned by the CRYSTAL module. Not yet implemented: registers nothing.
import type { Command } from "commander";

export function registerDoctorCommand(_program: Command): void {}
