// What the TUI needs from the CRYSTAL module, in one place: the deck keywords (for highlighting),
// the deck validator, and the output parser following a running job's output.
import fs from "node:fs";
import { CRYSTAL_KEYWORDS, type DeckReport, readDeck } from "../crystal/deck.js";
import { unprovidedInputs } from "../crystal/files.js";
import { OutputParser } from "../crystal/output-parser.js";
import type { CrystalResult } from "../crystal/result.js";

export interface DeckMessages {
  errors: string[];
  warnings: string[];
  /** The deck's lines the errors are on (1-based), for the preview to mark. */
  errorLines?: number[];
}

/** CRYSTAL's keywords, as the deck validator knows them (highlighted in the Input tab and the form). */
export const DECK_KEYWORDS: ReadonlySet<string> = CRYSTAL_KEYWORDS;

/** The validator's report as lines ("line 12: SHRINK needs two numbers"). */
export function deckMessages(report: Pick<DeckReport, "errors" | "warnings">): DeckMessages {
  return {
    errors: report.errors.map((m) => `line ${m.line}: ${m.message}`),
    warnings: report.warnings.map((m) => `line ${m.line}: ${m.message}`),
    errorLines: [...new Set(report.errors.map((m) => m.line))],
  };
}

/**
 * The first file the deck reads that the form's auxiliary files do not provide (the rule:
 * crystal/files.ts unprovidedInputs), as the form says it; null when all are there.
 */
export function unprovidedInput(deck: string, auxFiles: readonly string[]): string | null {
  const report = readDeck(deck);
  const program = report.kind === "properties" ? "properties" : "crystal";
  const [missing] = unprovidedInputs(report.auxInputs, program, { auxFiles, fromParents: [] });
  if (!missing) return null;
  return missing.link
    ? `the deck reads the ${missing.link.what} (${missing.file}) — give a ${missing.link.ext} file`
    : `the deck reads ${missing.file} — give that file`;
}

/** The validator's messages for a crystal deck (.d12). */
export function checkDeck(text: string): DeckMessages {
  return deckMessages(readDeck(text));
}

/**
 * Follows a growing output file: each read feeds only the bytes written since the last one to the
 * parser, and its snapshot says what is known so far. A file that shrank (a new run) starts over.
 */
export class LiveOutput {
  private parser = new OutputParser();
  private offset = 0;

  constructor(readonly file: string) {}

  read(): CrystalResult | null {
    let fd: number;
    try {
      fd = fs.openSync(this.file, "r");
    } catch {
      return null;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.offset) {
        this.parser = new OutputParser();
        this.offset = 0;
      }
      const buf = Buffer.allocUnsafe(1 << 16);
      while (this.offset < size) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - this.offset), this.offset);
        if (n === 0) break;
        this.parser.feed(buf.subarray(0, n));
        this.offset += n;
      }
      return this.parser.snapshot();
    } finally {
      fs.closeSync(fd);
    }
  }
}
