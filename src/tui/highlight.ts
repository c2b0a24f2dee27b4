// Keyword highlighting of a CRYSTAL deck: the title line, CRYSTAL's keywords (a line that is one
// known keyword: OPTGEOM, SHRINK, END, …) and numbers. The list of keywords is the deck validator's
// (src/crystal/deck.ts), so the screen and the validator agree on what a keyword is.

export type SegmentKind = "title" | "keyword" | "number" | "text";

export interface Segment {
  text: string;
  kind: SegmentKind;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

/** Splits a deck into lines of segments. `keywords` are upper-case CRYSTAL keywords. */
export function highlightDeck(text: string, keywords: ReadonlySet<string>): Segment[][] {
  const lines = text.replace(/\r/g, "").split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((line, i) => {
    if (i === 0) return [{ text: line, kind: "title" as const }];
    const trimmed = line.trim();
    if (keywords.has(trimmed.toUpperCase()) && /^[A-Za-z]/.test(trimmed)) {
      return [{ text: line, kind: "keyword" as const }];
    }
    const segments: Segment[] = [];
    for (const part of line.split(/(\s+)/)) {
      if (part === "") continue;
      const kind: SegmentKind = NUMBER.test(part) ? "number" : "text";
      const last = segments[segments.length - 1];
      if (last && last.kind === kind) last.text += part;
      else segments.push({ text: part, kind });
    }
    return segments;
  });
}
