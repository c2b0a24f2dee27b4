// A canvas of braille characters: each cell holds 2 × 4 dots (Unicode U+2800–U+28FF), so a plot
// of 60 × 12 cells draws 120 × 48 points — enough for a band structure at 80×24. Cells without a
// dot may hold a background character (grid lines, the Fermi level), drawn only where no data is.
import { type Line, span, type Tone } from "./styled.js";

/** The bit of the dot at (column 0–1, row 0–3) of a cell (the Unicode braille numbering). */
export const DOT_BITS: readonly (readonly number[])[] = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

export const BRAILLE_BASE = 0x2800;

export class BrailleCanvas {
  private readonly bits: Uint8Array;
  private readonly tones: (Tone | undefined)[];
  private readonly background: ({ char: string; tone?: Tone } | undefined)[];

  constructor(
    /** Cells across and down. */
    readonly cols: number,
    readonly rows: number,
  ) {
    this.bits = new Uint8Array(cols * rows);
    this.tones = Array(cols * rows).fill(undefined);
    this.background = Array(cols * rows).fill(undefined);
  }

  /** Dots across (2 per cell) and down (4 per cell). */
  get dotWidth(): number {
    return this.cols * 2;
  }
  get dotHeight(): number {
    return this.rows * 4;
  }

  /** Sets the dot at (x, y), 0 at the top left; dots outside the canvas are ignored. */
  dot(x: number, y: number, tone?: Tone): void {
    if (!Number.isInteger(x) || !Number.isInteger(y)) return;
    if (x < 0 || y < 0 || x >= this.dotWidth || y >= this.dotHeight) return;
    const i = Math.floor(y / 4) * this.cols + Math.floor(x / 2);
    this.bits[i]! |= DOT_BITS[y % 4]![x % 2]!;
    // a cell holding two series shows that it does (their own tones would hide one another)
    const had = this.tones[i];
    this.tones[i] = had === undefined || had === tone ? tone : "other";
  }

  /** A straight line of dots between two points (Bresenham), clipped to the canvas. */
  line(x0: number, y0: number, x1: number, y1: number, tone?: Tone): void {
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    [x0, y0, x1, y1] = [x0, y0, x1, y1].map(Math.round) as [number, number, number, number];
    // both ends beyond the same edge: nothing of it is on the canvas
    if ((y0 < 0 && y1 < 0) || (y0 >= this.dotHeight && y1 >= this.dotHeight)) return;
    if ((x0 < 0 && x1 < 0) || (x0 >= this.dotWidth && x1 >= this.dotWidth)) return;
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    let x = x0;
    let y = y0;
    for (let guard = 0; guard <= dx - dy + 1; guard++) {
      this.dot(x, y, tone);
      if (x === x1 && y === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  /** A character for the cell (col, row) where it holds no dot. */
  behind(col: number, row: number, char: string, tone?: Tone): void {
    if (col < 0 || row < 0 || col >= this.cols || row >= this.rows) return;
    this.background[row * this.cols + col] = { char, tone };
  }

  hasDots(col: number, row: number): boolean {
    return (this.bits[row * this.cols + col] ?? 0) !== 0;
  }

  /** The dot bits of a cell (0 when empty). */
  cellBits(col: number, row: number): number {
    return this.bits[row * this.cols + col] ?? 0;
  }

  /** One line per row of cells, consecutive cells of one tone in one span. */
  toLines(): Line[] {
    const out: Line[] = [];
    for (let r = 0; r < this.rows; r++) {
      const l: Line = [];
      let text = "";
      let tone: Tone | undefined;
      for (let c = 0; c < this.cols; c++) {
        const i = r * this.cols + c;
        const bits = this.bits[i]!;
        const back = this.background[i];
        const ch = bits ? String.fromCodePoint(BRAILLE_BASE + bits) : (back?.char ?? " ");
        const t = bits ? this.tones[i] : back?.tone;
        if (t !== tone && text) {
          l.push(span(text, tone));
          text = "";
        }
        tone = t;
        text += ch;
      }
      if (text) l.push(span(text, tone));
      out.push(l);
    }
    return out;
  }
}
