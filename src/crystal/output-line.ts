// What a line reader sees of the line being read: its bytes and how to decode or read a number from
// them. The output parser implements it; the section readers (SCF, gaps, geometry, frequencies…)
// read through it, so that they need not know about chunks, carries or byte images.

export interface LineView {
  /** The bytes being read (the current chunk, or a line of its own). */
  readonly b: Uint8Array;
  /** False while reading a last line that had no newline (it may still be being written). */
  readonly lineComplete: boolean;
  /** The text of [p, e) without trailing blanks or carriage return. */
  text(p: number, e: number): string;
  /** Whether [p, e) holds a number; if so it is in NUMBER_READ[0]. */
  readNumber(p: number, e: number): boolean;
}

/** What a block says of a line it was given. */
export const NOT_MINE = 0;
export const MORE = 1;
export const LAST = 2;
/** NOT_MINE: the block is over and the line is read as usual; MORE: read, go on; LAST: read, the block is over. */
export type BlockAnswer = typeof NOT_MINE | typeof MORE | typeof LAST;

/** A section that reads the lines that follow its header (a table, a matrix, a cell block). */
export interface Block {
  /** Reads the next line [p, e) (p at its first non-blank byte; p === e for a blank line). */
  line(v: LineView, p: number, e: number): BlockAnswer;
}

/** Splits on runs of blanks, without empty words. */
export function words(text: string): string[] {
  const t = text.trim();
  return t === "" ? [] : t.split(/\s+/);
}
