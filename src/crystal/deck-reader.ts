// The line-by-line reader of a CRYSTAL deck: where it is, what it found, and the checks of the
// numeric lines that follow keywords (SHRINK, BAND, DOSS …), with line-numbered messages.
import type { Arg, ArgumentReader, DeckMessage, Keyword } from "./deck-types.js";

export const INT = /^[+-]?\d+$/;
export const REAL = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

export function isNumber(token: string): boolean {
  return REAL.test(token);
}

export function tokens(line: string): string[] {
  const t = line.trim();
  return t === "" ? [] : t.split(/[\s,]+/);
}

export function kindName(kind: Arg): string {
  return kind === "i" ? "an integer" : kind === "r" ? "a number" : "a word";
}

export function plural(n: number, what: string): string {
  const words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
  return `${words[n] ?? String(n)} ${what}${n === 1 ? "" : "s"}`;
}

/** Describes an argument line spec ("i i" → "two integers"). */
export function describe(spec: string): string {
  const kinds = spec.split(" ") as Arg[];
  if (kinds.length === 1) return kindName(kinds[0]!);
  if (kinds.every((k) => k === "i")) return plural(kinds.length, "integer");
  if (kinds.every((k) => k === "r" || k === "i") && kinds.every((k) => k === kinds[0]))
    return plural(kinds.length, "number");
  if (kinds.length === 1) return kindName(kinds[0]!);
  return kinds.map(kindName).join(", ");
}

/** Space groups (1-230) by crystal system: the number of lattice parameters CRYSTAL reads. */
export function latticeParameterCount(
  spaceGroup: number,
  rhombohedralAxes: boolean,
): { count: number; names: string } {
  if (spaceGroup <= 2) return { count: 6, names: "a b c alpha beta gamma" };
  if (spaceGroup <= 15) return { count: 4, names: "a b c beta" };
  if (spaceGroup <= 74) return { count: 3, names: "a b c" };
  if (spaceGroup <= 142) return { count: 2, names: "a c" };
  const rhombohedral = [146, 148, 155, 160, 161, 166, 167].includes(spaceGroup);
  if (spaceGroup <= 194)
    return rhombohedral && rhombohedralAxes ? { count: 2, names: "a alpha" } : { count: 2, names: "a c" };
  return { count: 1, names: "a" };
}

/** Plane groups (1-80) for SLAB: the lattice parameters CRYSTAL reads. */
export function slabParameterCount(layerGroup: number): { count: number; names: string } {
  if (layerGroup <= 7) return { count: 3, names: "a b gamma" };
  if (layerGroup <= 48) return { count: 2, names: "a b" };
  if (layerGroup <= 64) return { count: 1, names: "a" };
  return { count: 1, names: "a" };
}

/** A cursor over the deck's lines with the checks shared by every section. */
export class DeckReader implements ArgumentReader {
  readonly lines: string[];
  i = 0;
  readonly errors: DeckMessage[] = [];
  readonly warnings: DeckMessage[] = [];
  readonly keywords: string[] = [];
  readonly aux = new Set<string>();
  readonly calcs: string[] = [];
  /** The last block (DFT, OPTGEOM, …) closed by an END, to explain a missing final END. */
  lastClosedBlock: Keyword | null = null;

  constructor(text: string) {
    const lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    this.lines = lines;
  }

  get done(): boolean {
    return this.i >= this.lines.length;
  }

  /** 1-based number of the current line (or one past the end). */
  get lineNo(): number {
    return this.i + 1;
  }

  error(line: number, message: string): void {
    if (this.errors.length < 200) this.errors.push({ line, message });
  }

  warn(line: number, message: string): void {
    if (this.warnings.length < 200) this.warnings.push({ line, message });
  }

  noteKeyword(word: string): void {
    if (!this.keywords.includes(word)) this.keywords.push(word);
  }

  /** The next line's tokens, moving past it; null at the end of the deck. */
  nextTokens(): { line: number; tokens: string[]; text: string } | null {
    if (this.done) return null;
    const text = this.lines[this.i]!;
    const line = this.lineNo;
    this.i++;
    return { line, tokens: tokens(text), text };
  }

  peekTokens(): string[] | null {
    return this.done ? null : tokens(this.lines[this.i]!);
  }

  /** Whether the next line starts with a number (arguments continue). */
  nextIsNumeric(): boolean {
    const t = this.peekTokens();
    return t !== null && t.length > 0 && isNumber(t[0]!);
  }

  /**
   * Reads one line of arguments for `kw` matching `spec` ("i i", "r", "w", …). Reports a missing
   * or malformed line with the keyword's example. Returns the tokens, or null when unusable.
   */
  argLine(kw: Keyword, spec: string, example: string | undefined, what?: string): string[] | null {
    const kinds = spec.split(" ") as Arg[];
    const need = `${kw.word} needs ${what ?? describe(spec)} on the next line${example ? `, e.g. \`${example.split("\n")[0]}\`` : ""}`;
    const next = this.peekTokens();
    if (next === null) {
      this.error(kw.line, `${need} — the deck ends here`);
      return null;
    }
    // a keyword where numbers belong: the arguments are missing, leave the line to be read as a keyword
    if (next.length === 0 || (kinds[0] !== "w" && !isNumber(next[0]!) && /^[A-Z]/i.test(next[0]!))) {
      this.error(kw.line, need);
      return null;
    }
    const { line, tokens: t } = this.nextTokens()!;
    if (t.length < kinds.length) {
      this.error(line, `${need}, found ${plural(t.length, "value")}`);
      return null;
    }
    for (let k = 0; k < kinds.length; k++) {
      const token = t[k]!;
      const kind = kinds[k]!;
      if (kind === "i" && !INT.test(token)) {
        this.error(line, `${need}; \`${token}\` is not an integer`);
        return null;
      }
      if (kind === "r" && !isNumber(token)) {
        this.error(line, `${need}; \`${token}\` is not a number`);
        return null;
      }
    }
    if (t.length > kinds.length && kinds.every((k) => k !== "w"))
      this.warn(
        line,
        `${kw.word} reads ${describe(spec)}; CRYSTAL ignores the rest of this line (\`${t.slice(kinds.length).join(" ")}\`)`,
      );
    return t;
  }

  /** `N` then N items of `perItem` values, over as many lines as CRYSTAL's free format allows. */
  countedItems(kw: Keyword, perItem: number, example: string): void {
    const head = this.argLine(kw, "i", example, "a count");
    if (!head) return;
    const n = Number(head[0]);
    if (n < 0) {
      this.error(kw.line + 1, `${kw.word} needs a count of 0 or more, found ${n}`);
      return;
    }
    const values: string[] = head.slice(1);
    const want = n * perItem;
    while (values.length < want && this.nextIsNumeric()) values.push(...this.nextTokens()!.tokens);
    if (values.length < want)
      this.error(
        this.lineNo - 1,
        `${kw.word} announces ${n} item${n === 1 ? "" : "s"} of ${perItem} value${perItem === 1 ? "" : "s"} but ${values.length} value${values.length === 1 ? " follows" : "s follow"} — e.g. \`${example.replace(/\n/g, " / ")}\``,
      );
    else if (values.some((v) => !isNumber(v))) this.error(this.lineNo - 1, `${kw.word} takes numbers only`);
  }

  /** SUPERCEL and friends: a square matrix, one row per periodic direction. */
  matrixRows(kw: Keyword): void {
    let rows = 0;
    while (this.nextIsNumeric() && rows < 3) {
      const { line, tokens: t } = this.nextTokens()!;
      if (!t.every(isNumber))
        this.error(line, `${kw.word} reads rows of numbers; \`${t.join(" ")}\` is not one`);
      rows++;
    }
    if (rows === 0)
      this.error(
        kw.line,
        `${kw.word} needs the expansion matrix on the next lines, e.g. \`2 0 0\` / \`0 2 0\` / \`0 0 2\``,
      );
  }

  /** Lines of numbers after a keyword whose layout this module does not check. */
  skipNumeric(_kw: Keyword): void {
    while (this.nextIsNumeric()) this.i++;
  }

  /** RADIAL / ANGULAR: a count, then lines of numbers. */
  gridSpec(kw: Keyword): void {
    if (!this.argLine(kw, "i", "1", "a count")) return;
    this.skipNumeric(kw);
  }

  /** SHRINK: `IS ISP`, or `0 ISP` followed by `IS1 IS2 IS3`. */
  shrink(kw: Keyword): void {
    const t = this.argLine(kw, "i i", "8 8");
    if (!t) return;
    const is = Number(t[0]);
    const isp = Number(t[1]);
    if (is < 0 || isp < 0) this.error(kw.line + 1, "SHRINK factors cannot be negative, e.g. `8 8`");
    if (is === 0) this.argLine(kw, "i i i", "8 8 1", "three integers (IS1 IS2 IS3, since IS is 0)");
    else if (isp > 0 && isp < is)
      this.warn(
        kw.line + 1,
        `SHRINK ${is} ${isp}: the Gilat net (ISP) is usually at least IS (e.g. \`${is} ${2 * is}\`)`,
      );
  }

  /** GRIMME: scale, damping, number of atom types, then one line per type. */
  grimme(kw: Keyword): void {
    const head = this.argLine(kw, "r r i", "1.05 20. 2");
    if (!head) return;
    const n = Number(head[2]);
    for (let k = 0; k < n; k++) if (!this.argLine(kw, "i r r", "8 1.75 1.342")) return;
  }

  /** NEWK: `IS ISP` (+ `IS1 IS2 IS3` when IS is 0), then `IFE NPR`. */
  newk(kw: Keyword): void {
    const t = this.argLine(kw, "i i", "12 24");
    if (!t) return;
    if (Number(t[0]) === 0) {
      if (!this.argLine(kw, "i i i", "12 12 12", "three integers (IS1 IS2 IS3, since IS is 0)")) return;
    }
    this.argLine(
      kw,
      "i i",
      "1 0",
      "two integers (IFE NPR: Fermi energy flag, printing) on the line after the shrinking factors",
    );
  }

  /** BAND: a title, `NLINE ISS NSUB INZB IFNB IPLO IPRI`, then NLINE path segments. */
  band(kw: Keyword): void {
    const title = this.nextTokens();
    if (!title) {
      this.error(
        kw.line,
        "BAND needs a title line, then `NLINE ISS NSUB INZB IFNB IPLO IPRI`, e.g. `4 8 100 1 20 1 0`",
      );
      return;
    }
    if (title.tokens.length > 0 && title.tokens.length >= 7 && title.tokens.every((x) => INT.test(x)))
      this.warn(
        title.line,
        "BAND reads this line as its title; the line of 7 integers comes after the title",
      );
    const t = this.argLine(
      kw,
      "i i i i i i i",
      "4 8 100 1 20 1 0",
      "seven integers (NLINE ISS NSUB INZB IFNB IPLO IPRI) after its title",
    );
    if (!t) return;
    const [nline, iss, nsub, inzb, ifnb] = t.map(Number) as [number, number, number, number, number];
    if (nline <= 0)
      this.error(title.line + 1, `BAND needs at least one path segment (NLINE), found ${nline}`);
    if (nsub <= 0)
      this.error(title.line + 1, `BAND needs a positive number of k points (NSUB), found ${nsub}`);
    if (inzb > ifnb)
      this.error(title.line + 1, `BAND: the first band (INZB ${inzb}) is after the last (IFNB ${ifnb})`);
    for (let k = 0; k < nline; k++) {
      if (iss > 0) {
        if (
          !this.argLine(
            kw,
            "i i i i i i",
            "0 0 0 4 0 4",
            `six integers (a path segment in units of 1/${iss}, segment ${k + 1} of ${nline})`,
          )
        )
          return;
      } else {
        const seg = this.nextTokens();
        if (!seg || seg.tokens.length < 2) {
          this.error(
            seg?.line ?? this.lineNo,
            `BAND with ISS 0 needs ${nline} lines of two point labels, e.g. \`G X\` (segment ${k + 1} is missing)`,
          );
          return;
        }
      }
    }
  }

  /** DOSS: `NPRO NPT INZB IFNB IPLO NPOL NPR`, the energy range when INZB/IFNB are negative, NPRO projections. */
  doss(kw: Keyword): void {
    const t = this.argLine(
      kw,
      "i i i i i i i",
      "0 100 -1 -1 1 14 0",
      "seven integers (NPRO NPT INZB IFNB IPLO NPOL NPR)",
    );
    if (!t) return;
    const [npro, npt, inzb, ifnb] = t.map(Number) as [number, number, number, number];
    if (npt <= 0)
      this.error(kw.line + 1, `DOSS needs a positive number of energy points (NPT), found ${npt}`);
    if (inzb < 0 || ifnb < 0) {
      const range = this.argLine(
        kw,
        "r r",
        "-0.5 0.5",
        "the energy range BMI BMA (Hartree, since INZB/IFNB are negative)",
      );
      if (range && Number(range[0]) >= Number(range[1]))
        this.error(
          kw.line + 2,
          `DOSS energy range ${range[0]} ${range[1]}: the lower bound must be below the upper`,
        );
    }
    for (let k = 0; k < npro; k++) {
      const p = this.nextTokens();
      if (!p || p.tokens.length === 0 || !INT.test(p.tokens[0]!)) {
        this.error(
          p?.line ?? this.lineNo,
          `DOSS announces ${npro} projection${npro === 1 ? "" : "s"} (NPRO); projection ${k + 1} is missing — one line \`N i1 … iN\` each`,
        );
        return;
      }
      const n = Math.abs(Number(p.tokens[0]));
      if (p.tokens.length - 1 < n)
        this.error(
          p.line,
          `this DOSS projection lists ${p.tokens.length - 1} of the ${n} indices it announces`,
        );
    }
  }
}
