// Which CRYSTAL program reads a job's deck, and what the deck is called in the job folder: a
// properties deck (NEWK, BAND, DOSS, … reading fort.9) is `<name>.d3` and runs `properties`;
// everything else is `<name>.d12` and runs `crystal`.
import { INPUT_LIMITS, readInputText } from "../files/input-file.js";
import { deckKind } from "./deck.js";
import {
  type CrystalExecutable,
  type CrystalProgram,
  deckFileName,
  programFor,
  propertiesDeckFileName,
} from "./files.js";

export function programOf(job: { inputFile: string | null }): CrystalProgram {
  return job.inputFile && deckKind(job.inputFile) === "properties" ? "properties" : "crystal";
}

export function deckFileOf(job: { name: string; inputFile: string | null }): string {
  return programOf(job) === "properties" ? propertiesDeckFileName(job.name) : deckFileName(job.name);
}

/** The program, binary and MPI ranks a job runs with (the rule is crystal/files.ts programFor). */
export function programOfJob(job: { inputFile?: string | null; parallelism: { mpi_ranks?: number } }): {
  program: CrystalProgram;
  executable: CrystalExecutable;
  ranks: number;
} {
  return programFor(programOf({ inputFile: job.inputFile ?? null }), job.parallelism);
}

/**
 * A deck a user names (`job add --input`, a workflow step's deck, the TUI's form): a regular file of
 * at most a few MB, and UTF-8 text — other bytes are refused with their line, never stored changed.
 */
export function readDeckFile(file: string, hint = "check the path given to --input"): string {
  return readInputText(file, { what: "deck file", hint, maxBytes: INPUT_LIMITS.deck, strict: true });
}
