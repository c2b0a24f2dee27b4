// Lines of styled text: what every results panel returns. A panel is a pure function from a parsed
// result (or a data file) to lines, so the TUI draws them with colours (render.tsx) and the CLI
// prints them as plain text (`job show`), and the same content reaches both.

/** What a piece of text means; the TUI gives each tone its colour, plain text ignores it. */
export type Tone =
  /** a result to distrust: imaginary modes, an energy that is not final, a failure */
  | "bad"
  /** worth a look: warnings, a run still going */
  | "warn"
  | "good"
  | "heading"
  | "label"
  | "dim"
  /** plotted data (the single series of a plot, a table's values) */
  | "data"
  /** spin α and β of spin-polarised runs (each also named in words) */
  | "alpha"
  | "beta"
  /** the Fermi level line */
  | "fermi"
  /** a second series: projected densities, the other spin when both share a cell */
  | "other";

export interface Span {
  text: string;
  tone?: Tone;
}

export type Line = Span[];

export const span = (text: string, tone?: Tone): Span => (tone ? { text, tone } : { text });

/** A line from pieces: plain strings or spans. */
export function line(...parts: (string | Span | null | undefined | false)[]): Line {
  const out: Line = [];
  for (const p of parts) {
    if (p === null || p === undefined || p === false) continue;
    const s = typeof p === "string" ? { text: p } : p;
    if (s.text !== "") out.push(s);
  }
  return out;
}

/** The text of a line without its styles. */
export function plainText(l: Line): string {
  return l.map((s) => s.text).join("");
}

/** Columns a line takes (one per code point: the panels use no wide characters). */
export function widthOf(l: Line): number {
  let n = 0;
  for (const s of l) n += [...s.text].length;
  return n;
}

/** The line cut to `width` columns (a cut is marked with "…"). */
export function clipLine(l: Line, width: number): Line {
  if (widthOf(l) <= width) return l;
  const out: Line = [];
  let left = Math.max(0, width - 1);
  for (const s of l) {
    if (left <= 0) break;
    const chars = [...s.text];
    out.push({ ...s, text: chars.slice(0, left).join("") });
    left -= Math.min(left, chars.length);
  }
  if (width > 0) out.push({ text: "…" });
  return out;
}

/** The label column's width of `row` (the longest label of the result-field table fits). */
export const LABEL_WIDTH = 17;

/** A label column of a fixed width followed by a value: "Final energy      -271.2 Ha". */
export function row(label: string, ...value: (string | Span | null | undefined | false)[]): Line {
  return line(span(`${label.padEnd(LABEL_WIDTH)} `, "label"), ...value);
}

/** A section title, with the blank line that separates it from what is above. */
export function heading(title: string, note?: string): Line[] {
  return [[], line(span(title, "heading"), note ? span(`  ${note}`, "dim") : null)];
}

/** Text from elsewhere (outputs, decks) made safe to print: no control characters. */
export function printable(text: string): string {
  return text.replace(/\t/g, "    ").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "");
}

/** A number with a fixed count of decimals, never "-0.000". */
export function fixed(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const t = v.toFixed(digits);
  return /^-0\.?0*$/.test(t) ? t.slice(1) : t;
}

export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const asObject = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
export const numbersOf = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
