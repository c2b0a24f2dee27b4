// What the TUI needs from the CRYSTAL module, in one place: the deck keywords (for highlighting),
// the deck validator, and the output parser following a running job's output.
import fs from "node:fs";
import { OutputParser } from "../crystal/output-parser.js";

export interface DeckMessages {
  errors: string[];
  warnings: string[];
}

// TEMPORARY until src/crystal/deck.ts lands: no keyword list, no deck check (the screens say so).
export const DECK_KEYWORDS: ReadonlySet<string> = new Set<string>();

export function checkDeck(_text: string): DeckMessages | null {
  return null;
}

/** A validator report as lines ("line 12: SHRINK needs two numbers"). */
export function deckMessages(report: unknown): DeckMessages {
  const lines = (list: unknown): string[] =>
    Array.isArray(list)
      ? list.map((m) => {
          if (typeof m === "string") return m;
          const o = m as { line?: number; message?: string };
          return o.line ? `line ${o.line}: ${o.message ?? ""}` : String(o.message ?? JSON.stringify(m));
        })
      : [];
  const r = (report ?? {}) as { errors?: unknown; warnings?: unknown };
  return { errors: lines(r.errors), warnings: lines(r.warnings) };
}

/**
 * Follows a growing output file: each read feeds only the bytes written since the last one to the
 * parser, and its snapshot says what is known so far. A file that shrank (a new run) starts over.
 */
export class LiveOutput {
  private parser = new OutputParser();
  private offset = 0;

  constructor(readonly file: string) {}

  read(): Record<string, unknown> | null {
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
      return this.parser.snapshot() as unknown as Record<string, unknown>;
    } finally {
      fs.closeSync(fd);
    }
  }
}
