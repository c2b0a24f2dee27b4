// The types shared by the deck reader's parts (src/crystal/deck*.ts): what a deck report says, and
// what a keyword table entry may ask of the reader.

export type GeometryKind = "CRYSTAL" | "SLAB" | "POLYMER" | "HELIX" | "MOLECULE" | "EXTERNAL";

export interface DeckMessage {
  /** 1-based line number in the deck. */
  line: number;
  /** What is wrong and what to do, in one sentence (without the "line N:" prefix). */
  message: string;
}

export interface DeckReport {
  kind: "crystal" | "properties";
  /** The title line (crystal decks); "" for properties decks. */
  title: string;
  geometry: GeometryKind | null;
  /** crystal: "scf" | "opt" | "freq" | "elastic" | "eos"; properties: "band" | "dos" | "band_dos" | "properties". */
  calcType: string;
  /** CRYSTAL names of the files the run will read besides the deck, e.g. ["fort.34", "fort.20"]. */
  auxInputs: string[];
  /** The keywords of the deck, upper-case, in order of first appearance. */
  keywords: string[];
  errors: DeckMessage[];
  warnings: DeckMessage[];
}

/** How many numbers a keyword line of arguments holds, and of which kind. */
export type Arg = "i" | "r" | "w";

export interface KeywordSpec {
  /** Lines of arguments after the keyword, e.g. ["i i"] for two integers on one line. */
  args?: string[];
  /** An example of correct arguments, for messages. */
  example?: string;
  /** Reads its own arguments (counts, variable line numbers, …). */
  read?: (r: ArgumentReader, kw: Keyword) => void;
  /** Opens a block of this section, closed by a word starting with END. */
  block?: Section;
  aux?: string[];
  calc?: string;
}

export type Section =
  | "geometry"
  | "optgeom"
  | "freqcalc"
  | "elastcon"
  | "eos"
  | "cphf"
  | "anharm"
  | "spectrum"
  | "basis"
  | "scf"
  | "dft"
  | "dftd3"
  | "properties"
  /** PRINTOUT options: not checked */
  | "printout";

export interface Keyword {
  word: string;
  line: number;
}

/** The argument checks a keyword table entry may call (DeckReader implements them). */
export interface ArgumentReader {
  countedItems(kw: Keyword, perItem: number, example: string): void;
  matrixRows(kw: Keyword): void;
  skipNumeric(kw: Keyword): void;
  gridSpec(kw: Keyword): void;
  shrink(kw: Keyword): void;
  grimme(kw: Keyword): void;
  newk(kw: Keyword): void;
  band(kw: Keyword): void;
  doss(kw: Keyword): void;
}
