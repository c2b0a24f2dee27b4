// Reads and checks CRYSTAL input decks before they are run: a `crystal` deck (.d12: title,
// geometry, optional OPTGEOM / FREQCALC / ELASTCON / EOS blocks, basis set, Hamiltonian and SCF)
// and a `properties` deck (.d3: NEWK, BAND, DOSS, … reading fort.9). It says what the deck asks
// for (calculation type, auxiliary files CRYSTAL will open) and gives line-numbered errors a
// chemist can act on. Keywords it does not know are warnings, never errors: CRYSTAL has many more
// than any list, and a deck CRYSTAL accepts must not be refused here.
//
// CRYSTAL reads keyword lines (only the keyword counts; any word starting with END closes a block)
// and, after some keywords, lines of numbers read in free format.

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

// ------------------------------------------------------------------------------------ keywords

/** How many numbers a keyword line of arguments holds, and of which kind. */
type Arg = "i" | "r" | "w";

interface KeywordSpec {
  /** Lines of arguments after the keyword, e.g. ["i i"] for two integers on one line. */
  args?: string[];
  /** An example of correct arguments, for messages. */
  example?: string;
  /** Reads its own arguments (counts, variable line numbers, …). */
  read?: (r: DeckReader, kw: Keyword) => void;
  /** Opens a block of this section, closed by a word starting with END. */
  block?: Section;
  aux?: string[];
  calc?: string;
}

type Section =
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

interface Keyword {
  word: string;
  line: number;
}

const flag: KeywordSpec = {};
const int1: KeywordSpec = { args: ["i"] };
const real1: KeywordSpec = { args: ["r"] };
const word1: KeywordSpec = { args: ["w"] };

function flags(...words: string[]): Record<string, KeywordSpec> {
  return Object.fromEntries(words.map((w) => [w, flag]));
}

/** `N` then N lines (or N items over as many lines as needed) of `perItem` values. */
function counted(perItem: number, example: string): KeywordSpec {
  return { example, read: (r, kw) => r.countedItems(kw, perItem, example) };
}

/** Keywords allowed in an OPTGEOM block (also PREOPTGEOM in FREQCALC / ELASTCON / EOS). */
const OPTGEOM: Record<string, KeywordSpec> = {
  ...flags(
    "FULLOPTG",
    "ATOMONLY",
    "CELLONLY",
    "ITATOCEL",
    "INTREDUN",
    "ITREDUN",
    "CVOLOPT",
    "NOTRUSTR",
    "ALLOWTRUSTR",
    "PRINTOPT",
    "PRINTFORCES",
    "PRINTHESS",
    "PRINT",
    "ONELOG",
    "NOXYZ",
    "NOGUIOUT",
    "SORT",
    "HESSIDEN",
    "HESSMOD1",
    "HESSMOD2",
    "HESSNUM",
    "TSOPT",
    "BERNY",
    "KEEPSYMM",
    "SYMMREMO",
    "CRYDEF",
    "TESTREDU",
    "NOSYMMREMO",
    "ANALYTIC",
    "NUMGRALL",
    "NUMGRATO",
    "NUMGRCEL",
  ),
  HESSOPT: { aux: ["HESSOPT.DAT"] },
  RESTART: { aux: ["OPTINFO.DAT"] },
  MAXCYCLE: { args: ["i"], example: "100" },
  TOLDEG: { args: ["r"], example: "0.0003" },
  TOLDEX: { args: ["r"], example: "0.0012" },
  TOLDEE: { args: ["i"], example: "7" },
  FINALRUN: { args: ["i"], example: "4" },
  MAXTRADIUS: { args: ["r"], example: "0.25" },
  TRUSTRADIUS: flag,
  EXTPRESS: { args: ["r"], example: "1.0" },
  MODEFOLLOW: int1,
  PATHFOLLOW: int1,
  STEPBMAT: int1,
  FITDEGR: int1,
  TOLREDSYM: real1,
  FRAGMENT: counted(1, "2\n1 2"),
  FIXCOOR: counted(1, "2\n1 2"),
};

const FREQCALC: Record<string, KeywordSpec> = {
  ...flags(
    "INTENS",
    "INTRAMAN",
    "IR",
    "RAMAN",
    "ECKART",
    "NOECKART",
    "NOINTENS",
    "NORMBORN",
    "MODES",
    "NOMODES",
    "PRINT",
    "TESTFREQ",
    "DISPERSI",
    "ANALYSIS",
    "ALL",
    "NOKSYMDISP",
    "NOOPTGEOM",
    "INTPOL",
    "INTLOC",
    "CHI2TENS",
    "COMBMODE",
    "USESYMM",
    "NOUSESYMM",
    "BANDS",
  ),
  RAMANEXP: { args: ["r r"], example: "298.15 514" },
  RESTART: { aux: ["FREQINFO.DAT"] },
  NUMDERIV: { args: ["i"], example: "2" },
  STEPSIZE: { args: ["r"], example: "0.003" },
  TEMPERAT: { args: ["i r r"], example: "10 100 1000" },
  PRESSURE: { args: ["i r r"], example: "1 0.101325 0.101325" },
  DIELISO: real1,
  ISOTOPES: counted(2, "1\n1 2.014"),
  FRAGMENT: counted(1, "2\n1 2"),
  PREOPTGEOM: { block: "optgeom" },
  INTCPHF: { block: "cphf" },
  CPHF: { block: "cphf" },
  ANHARM: { block: "anharm" },
  IRSPEC: { block: "spectrum" },
  RAMSPEC: { block: "spectrum" },
};

const ELASTCON: Record<string, KeywordSpec> = {
  ...flags("PRINT", "NOOPTGEOM", "PIEZOCON", "PHOTOELA", "NUMGRALL", "SEISMDIR"),
  NUMDERIV: { args: ["i"], example: "2" },
  STEPSIZE: { args: ["r"], example: "0.01" },
  RESTART: flag,
  PREOPTGEOM: { block: "optgeom" },
  TOLDEG: { args: ["r"], example: "0.0003" },
  TOLDEX: { args: ["r"], example: "0.0012" },
  MAXCYCLE: { args: ["i"], example: "100" },
};

const EOS: Record<string, KeywordSpec> = {
  ...flags("PRINT", "NOOPTGEOM", "ATOMONLY", "PRINTOPT", "ANALYTIC"),
  RANGE: { args: ["r r i"], example: "0.92 1.08 10" },
  VRANGE: { args: ["r r i"], example: "60 80 10" },
  PRANGE: { args: ["r r i"], example: "0 10 10" },
  PREOPTGEOM: { block: "optgeom" },
  RESTART: flag,
  RESTART2: flag,
  TOLDEG: { args: ["r"], example: "0.0003" },
  TOLDEX: { args: ["r"], example: "0.0012" },
  TOLDEE: { args: ["i"], example: "8" },
  MAXCYCLE: { args: ["i"], example: "100" },
};

const CPHF: Record<string, KeywordSpec> = {
  ...flags("THIRD", "RAMAN", "ALPHA", "BETA", "GAMMA", "PRINT", "NOPRINT"),
  TOLALPHA: int1,
  TOLGAMMA: int1,
  MAXCYCLE: int1,
  FMIXING: int1,
  DYNAMIC: { args: ["i", "r"], example: "1\n0.1" },
};

const GEOMETRY: Record<string, KeywordSpec> = {
  ...flags(
    "ATOMORDE",
    "ATOMSYMM",
    "BREAKSYM",
    "KEEPSYMM",
    "MAKESAED",
    "NOSHIFT",
    "PRIMITIV",
    "STRUCPRT",
    "COORPRT",
    "EXTPRT",
    "CIFPRT",
    "CIFPRTSYM",
    "TESTGEOM",
    "ANGSTROM",
    "BOHR",
    "FRACTION",
    "SYMMREMO",
    "SYMMOPS",
    "SYMMDIR",
    "PRSYMDIR",
    "PARAMPRT",
    "NOPRINT",
    "ORIGIN",
    "FINDSYM",
    "GEOMPRT",
    "PLANES",
    "SYMMWF",
    "EXTPRT",
    "BOHRANGS",
    "BOHRCR98",
    "STOP",
  ),
  OPTGEOM: { block: "optgeom", calc: "opt" },
  PRINTOUT: { block: "printout" },
  FREQCALC: { block: "freqcalc", calc: "freq" },
  ELASTCON: { block: "elastcon", calc: "elastic" },
  EOS: { block: "eos", calc: "eos" },
  SUPERCEL: { read: (r, kw) => r.matrixRows(kw) },
  SUPERCON: { read: (r, kw) => r.matrixRows(kw) },
  SCELCONF: { read: (r, kw) => r.matrixRows(kw) },
  SCELPHONO: { read: (r, kw) => r.matrixRows(kw) },
  ATOMSUBS: counted(2, "1\n1 26"),
  ATOMREMO: counted(1, "1\n3"),
  ATOMINSE: counted(4, "1\n8 0.0 0.0 0.5"),
  ATOMDISP: counted(4, "1\n1 0.0 0.0 0.1"),
  MODISYMM: counted(2, "2\n1 1\n2 -1"),
  SLABCUT: { args: ["i i i", "i i"], example: "1 0 0\n1 4" },
  SLABINFO: { args: ["i i i"], example: "1 0 0" },
  NEIGHBOR: int1,
  USESAED: flag,
  SETINF: counted(2, "1\n41 1"),
  SETPRINT: counted(2, "1\n1 1"),
  ELASTIC: flag,
  STRAIN: flag,
};

const DFT: Record<string, KeywordSpec> = {
  ...flags(
    // functionals
    "B3LYP",
    "B3PW",
    "B1WC",
    "B97H",
    "WC1LYP",
    "PBE0",
    "PBESOL0",
    "PBE0-13",
    "HSE06",
    "HSESOL",
    "HISS",
    "RSHXLDA",
    "WB97",
    "WB97X",
    "LC-WPBE",
    "LC-WPBESOL",
    "LC-WBLYP",
    "LC-BLYP",
    "CAM-B3LYP",
    "M05",
    "M052X",
    "M06",
    "M062X",
    "M06HF",
    "M06L",
    "SOGGA",
    "SOGGA11",
    "SOGGA11X",
    "MN15",
    "MN15L",
    "PBE",
    "PBESOL",
    "BLYP",
    "PWGGA",
    "PW91",
    "SVWN",
    "LDA",
    "VBH",
    "SCAN",
    "SCAN0",
    "R2SCAN",
    "REVPBE",
    "RPBE",
    "WCGGA",
    "B97",
    "HF-3C",
    "PBEH-3C",
    "HSE-3C",
    "B97-3C",
    "PBESOL0-3C",
    "HSESOL-3C",
    "B3LYP-D3",
    "PBE0-D3",
    "PBE-D3",
    // grids and options
    "OLDGRID",
    "LGRID",
    "XLGRID",
    "XXLGRID",
    "XXXLGRID",
    "HUGEGRID",
    "SPIN",
    "BECKE",
    "SAVIN",
    "RADSAFE",
    "NEWBECKE",
    "DISTGRID",
    "REPLGRID",
  ),
  EXCHANGE: { args: ["w"], example: "PBE" },
  CORRELAT: { args: ["w"], example: "PBE" },
  NONLOCAL: { args: ["r r"], example: "0.9 0.81" },
  HYBRID: { args: ["r"], example: "25" },
  TOLLDENS: int1,
  TOLLGRID: int1,
  BATCHPNT: int1,
  LIMBEK: int1,
  CHUNKS: int1,
  RADIAL: { read: (r, kw) => r.gridSpec(kw) },
  ANGULAR: { read: (r, kw) => r.gridSpec(kw) },
};

const SCF: Record<string, KeywordSpec> = {
  ...flags(
    "UHF",
    "RHF",
    "ROHF",
    "SPIN",
    "GUESSPAT",
    "PPAN",
    "DIIS",
    "NODIIS",
    "DIISALLK",
    "ANDERSON",
    "SCFDIR",
    "NOBIPOLA",
    "NOBIPCOU",
    "NOBIPEXC",
    "EXCHPERM",
    "FIXINDEX",
    "GRADCAL",
    "TESTPDIM",
    "TEST",
    "NOSYMADA",
    "SYMADAPT",
    "FULLTIME",
    "MEMOPRT",
    "NOLOWMEM",
    "LOWMEM",
    "REPLDATA",
    "STDIAG",
    "EXCHGENE",
    "POSTSCF",
    "NOFMWF",
    "SAVEWF",
    "ATOMHF",
    "CMPLXFAC",
    "NOINVER",
    "MPP",
    "CRYAPI_OUT",
    "KSYMMPRT",
    "NOMONDIR",
    "BOYSCOND",
    "LEVSHIFT0",
    "DFTD3ONLY",
    "FDOCCUP",
    "ONELOG",
    "NOPRINT",
    "CHARGED",
    "GUESSDUAL",
  ),
  DFT: { block: "dft" },
  PRINTOUT: { block: "printout" },
  DFTD3: { block: "dftd3" },
  GCP: { block: "dftd3" },
  GCPAUTO: flag,
  SHRINK: { read: (r, kw) => r.shrink(kw) },
  TOLINTEG: { args: ["i i i i i"], example: "7 7 7 7 14" },
  TOLDEE: { args: ["i"], example: "8" },
  TOLDEP: { args: ["i"], example: "6" },
  TOLPSEUD: int1,
  MAXCYCLE: { args: ["i"], example: "100" },
  FMIXING: { args: ["i"], example: "30" },
  LEVSHIFT: { args: ["i i"], example: "5 1" },
  SMEAR: { args: ["r"], example: "0.01" },
  ATOMSPIN: counted(2, "2\n1 1 2 -1"),
  SPINLOCK: { args: ["i i"], example: "2 30" },
  SPINEDIT: counted(1, "1\n2"),
  BETALOCK: { args: ["i i"], example: "2 30" },
  GUESSP: { aux: ["fort.20"] },
  GUESSF: { aux: ["fort.20"] },
  HISTDIIS: int1,
  PRINTDIIS: flag,
  THREDIIS: real1,
  THRKEEP: real1,
  BROYDEN: { args: ["r i i"], example: "0.0001 50 2" },
  BIPOSIZE: int1,
  EXCHSIZE: int1,
  ILASIZE: int1,
  INTGPACK: int1,
  MADELIND: int1,
  POLEORDR: int1,
  MONSPLIT: int1,
  BIESPLIT: int1,
  NEIGHBOR: int1,
  QVRSGDIM: int1,
  EIGSHIFT: { read: (r, kw) => r.skipNumeric(kw) },
  GRIMME: { read: (r, kw) => r.grimme(kw) },
  FMIXING2: int1,
  MAXNEIGHB: int1,
  CHEMOD: { read: (r, kw) => r.skipNumeric(kw) },
};

const BASIS_KEYWORDS: Record<string, KeywordSpec> = {
  ...flags("ATOMSYMM", "CHARGED", "NOPRINT", "SYMMOPS", "TOLBASIS", "PARAMPRT"),
  PRINTOUT: { block: "printout" },
  GHOSTS: counted(1, "1\n3"),
  CHEMOD: { read: (r, kw) => r.skipNumeric(kw) },
};

const PROPERTIES: Record<string, KeywordSpec> = {
  ...flags(
    "PPAN",
    "RDFMWF",
    "FMWF",
    "CRYAPI_OUT",
    "INFOGUI",
    "PATO",
    "PBAN",
    "PGEOMW",
    "PDIDE",
    "ANISOTRO",
    "NOSYMADA",
    "SYMADAPT",
    "POTC",
    "CLAS",
    "ECHG",
    "ECH3",
    "POT3",
    "POTM",
    "RHOLINE",
    "EMDL",
    "EMDP",
    "BOYSCOND",
    "KINETEMD",
    "NEWK",
    "COMMENS",
    "ATOMIRR",
    "MAXNEIGHB",
    "SPOLBP",
    "SPOLWF",
    "DLVINPUT",
    "3DRHOGRID",
    "3DSPINGRID",
    "CHARGE",
    "EDFT",
    "ADFT",
    "TOPO",
    "LOCALWF",
    "XFAC",
    "PROF",
  ),
  NEWK: { read: (r, kw) => r.newk(kw) },
  BAND: { read: (r, kw) => r.band(kw), calc: "band" },
  DOSS: { read: (r, kw) => r.doss(kw), calc: "dos" },
  BWIDTH: { args: ["i i"], example: "1 10" },
  ECHG: { read: (r, kw) => r.skipNumeric(kw) },
  POTM: { read: (r, kw) => r.skipNumeric(kw) },
  CLAS: { read: (r, kw) => r.skipNumeric(kw) },
  RHOLINE: { read: (r, kw) => r.skipNumeric(kw) },
};

const TABLES: Record<Section, Record<string, KeywordSpec>> = {
  geometry: GEOMETRY,
  optgeom: OPTGEOM,
  freqcalc: FREQCALC,
  elastcon: ELASTCON,
  eos: EOS,
  cphf: CPHF,
  anharm: { ...flags("PRINT", "TEST", "ISOTOPES", "KEEPSYMM"), POINTS26: flag, NOGUESS: flag },
  spectrum: {
    ...flags("LORENTZ", "GAUSS", "VOIGT", "NOREFL", "REFLANG", "ISOTROPIC", "ORIENTATION"),
    RANGE: { args: ["r r"], example: "0 2000" },
    DAMPFAC: real1,
    LENSTEP: real1,
    NUMSTEP: int1,
  },
  basis: BASIS_KEYWORDS,
  scf: SCF,
  dft: DFT,
  dftd3: {
    ...flags("ABC", "ZERO", "BJ", "DAMP", "NOGRAD"),
    VERSION: int1,
    FUNC: word1,
    S6: real1,
    S8: real1,
    A1: real1,
    A2: real1,
    RS6: real1,
    RS8: real1,
    ALPHA: real1,
    RADIUS: real1,
    CNRADIUS: real1,
    METHOD: word1,
    BASIS: word1,
    ABCRADIUS: real1,
  },
  properties: PROPERTIES,
  printout: {},
};

/** Geometry keywords of line 2 of a crystal deck. */
const GEOMETRY_KINDS: readonly GeometryKind[] = [
  "CRYSTAL",
  "SLAB",
  "POLYMER",
  "HELIX",
  "MOLECULE",
  "EXTERNAL",
];

/** Every CRYSTAL keyword this module knows, upper-case (the TUI highlights them). */
export const CRYSTAL_KEYWORDS: ReadonlySet<string> = new Set([
  ...GEOMETRY_KINDS,
  "END",
  "ENDG",
  "ENDOPT",
  "ENDFREQ",
  "ENDBS",
  "ENDSCF",
  "ENDDFT",
  "ENDEOS",
  "ENDELAS",
  "BASISSET",
  "INPUT",
  "HAYWLC",
  "HAYWSC",
  "BARTHE",
  "DURAND",
  ...Object.values(TABLES).flatMap((t) => Object.keys(t)),
]);

/** The known keywords, sorted. */
export function crystalKeywords(): string[] {
  return [...CRYSTAL_KEYWORDS].sort();
}

// ------------------------------------------------------------------------------------ reading

const INT = /^[+-]?\d+$/;
const REAL = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

function isNumber(token: string): boolean {
  return REAL.test(token);
}

function tokens(line: string): string[] {
  const t = line.trim();
  return t === "" ? [] : t.split(/[\s,]+/);
}

function kindName(kind: Arg): string {
  return kind === "i" ? "an integer" : kind === "r" ? "a number" : "a word";
}

function plural(n: number, what: string): string {
  const words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
  return `${words[n] ?? String(n)} ${what}${n === 1 ? "" : "s"}`;
}

/** Describes an argument line spec ("i i" → "two integers"). */
function describe(spec: string): string {
  const kinds = spec.split(" ") as Arg[];
  if (kinds.length === 1) return kindName(kinds[0]!);
  if (kinds.every((k) => k === "i")) return plural(kinds.length, "integer");
  if (kinds.every((k) => k === "r" || k === "i") && kinds.every((k) => k === kinds[0]))
    return plural(kinds.length, "number");
  if (kinds.length === 1) return kindName(kinds[0]!);
  return kinds.map(kindName).join(", ");
}

/** Space groups (1-230) by crystal system: the number of lattice parameters CRYSTAL reads. */
function latticeParameterCount(
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
function slabParameterCount(layerGroup: number): { count: number; names: string } {
  if (layerGroup <= 7) return { count: 3, names: "a b gamma" };
  if (layerGroup <= 48) return { count: 2, names: "a b" };
  if (layerGroup <= 64) return { count: 1, names: "a" };
  return { count: 1, names: "a" };
}

/** A cursor over the deck's lines with the checks shared by every section. */
class DeckReader {
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

// ------------------------------------------------------------------------------------ sections

function isEnd(word: string): boolean {
  return word.startsWith("END");
}

/** The first word of a keyword line, upper-case. */
function keywordOf(text: string): string {
  return (text.trim().split(/\s+/)[0] ?? "").toUpperCase();
}

/**
 * Reads keyword lines of `section` until a word starting with END (returned true) or, for the
 * geometry section, BASISSET. `stopAt` lists words that end the section without being consumed.
 */
function readKeywords(r: DeckReader, section: Section): "end" | "basisset" | "eof" {
  const table = TABLES[section];
  const checked = section !== "printout";
  // what the keyword before a line of numbers was: its arguments may run on (unknown keyword) or not
  let previous: { word: string; line: number; known: "unknown" | "flag" | "args" } | null = null;
  while (!r.done) {
    const text = r.lines[r.i]!;
    const line = r.lineNo;
    if (text.trim() === "") {
      r.warn(line, "blank line: CRYSTAL reads it as an empty keyword — remove it");
      r.i++;
      continue;
    }
    const word = keywordOf(text);
    r.i++;
    if (isNumber(word)) {
      if (!checked) continue;
      if (previous?.known === "flag")
        r.warn(
          line,
          `numbers after ${previous.word} (line ${previous.line}), which this checker knows without arguments — check them`,
        );
      else if (previous?.known !== "unknown")
        r.error(
          line,
          previous
            ? `a line of numbers where a keyword is expected — ${previous.word} (line ${previous.line}) takes fewer lines; remove the extra one`
            : "a line of numbers where a keyword is expected — check the keyword above",
        );
      continue;
    }
    if (isEnd(word)) {
      r.noteKeyword(word);
      return "end";
    }
    if (section === "geometry" && word === "BASISSET") {
      r.noteKeyword(word);
      basisSetName(r, { word, line });
      return "basisset";
    }
    const spec = table[word];
    if (!spec) {
      if (!checked) continue;
      if (section === "scf" && GEOMETRY_KINDS.includes(word as GeometryKind))
        r.error(line, `${word} is a geometry keyword: it belongs on line 2 — is an END missing above?`);
      else
        r.warn(
          line,
          `${word} is not a ${sectionName(section)} keyword this checker knows — CRYSTAL stops if it does not know it either; check the spelling`,
        );
      previous = { word, line, known: "unknown" };
      continue;
    }
    r.noteKeyword(word);
    const kw = { word, line };
    for (const a of spec.aux ?? []) r.aux.add(a);
    if (spec.calc) r.calcs.push(spec.calc);
    if (spec.read) spec.read(r, kw);
    else if (spec.args) {
      const examples = spec.example?.split("\n") ?? [];
      for (let k = 0; k < spec.args.length; k++) if (!r.argLine(kw, spec.args[k]!, examples[k])) break;
    }
    previous = { word, line, known: spec.read || spec.args ? "args" : "flag" };
    if (spec.block) {
      const end = readKeywords(r, spec.block);
      if (end === "eof")
        r.error(
          line,
          `${word} opens a block that is never closed — add ${blockEnd(spec.block)} after its keywords`,
        );
      else r.lastClosedBlock = kw;
      previous = null;
    }
  }
  return "eof";
}

function sectionName(section: Section): string {
  switch (section) {
    case "geometry":
      return "geometry";
    case "scf":
      return "Hamiltonian/SCF";
    case "dft":
      return "DFT";
    case "basis":
      return "basis set";
    case "properties":
      return "properties";
    case "dftd3":
      return "DFTD3/GCP";
    default:
      return section.toUpperCase();
  }
}

function blockEnd(section: Section): string {
  switch (section) {
    case "optgeom":
      return "ENDOPT";
    case "freqcalc":
      return "END";
    case "dft":
      return "ENDDFT";
    default:
      return "END";
  }
}

/** BASISSET: the next line names a basis set of CRYSTAL's library (STO-3G, POB-TZVP, …). */
function basisSetName(r: DeckReader, kw: Keyword): void {
  const next = r.peekTokens();
  if (next === null || next.length === 0) {
    r.error(kw.line, "BASISSET needs the name of a basis set on the next line, e.g. `POB-TZVP-REV2`");
    return;
  }
  r.i++;
}

/** The geometry block of line 2 up to its atoms. */
function readGeometry(r: DeckReader, kind: GeometryKind, kwLine: number): void {
  const kw = { word: kind, line: kwLine };
  const atoms = (what: string) => {
    const head = r.argLine(kw, "i", "2", `the number of atoms (${what})`);
    if (!head) return;
    const natrLine = r.lineNo - 1;
    const n = Number(head[0]);
    if (n <= 0) {
      r.error(r.lineNo - 1, `${kind} needs at least one atom, found ${n}`);
      return;
    }
    for (let k = 0; k < n; k++) {
      const next = r.peekTokens();
      if (next === null || next.length === 0 || !INT.test(next[0]!)) {
        r.error(
          r.lineNo,
          `${kind} announces ${n} atom${n === 1 ? "" : "s"} (line ${natrLine}) but only ${k} follow${k === 1 ? "s" : ""} — one line \`Z x y z\` per atom, e.g. \`12 0. 0. 0.\``,
        );
        return;
      }
      const { line, tokens: t } = r.nextTokens()!;
      if (t.length < 4 || !t.slice(1, 4).every(isNumber))
        r.error(
          line,
          `an atom needs its atomic number and three coordinates (\`Z x y z\`, e.g. \`8 0.5 0.5 0.5\`), found \`${t.join(" ")}\``,
        );
      else if (Number(t[0]) <= 0)
        r.error(
          line,
          `atomic number ${t[0]} is not valid — use 1-118 (or 100+/200+ conventions for ECP/ghost atoms)`,
        );
    }
  };

  switch (kind) {
    case "EXTERNAL":
      r.aux.add("fort.34");
      return;
    case "CRYSTAL": {
      const flagsLine = r.argLine(kw, "i i i", "0 0 0", "three integers (IFLAG IFHR IFSO)");
      if (!flagsLine) return;
      const [iflag, ifhr, ifso] = flagsLine.map(Number) as [number, number, number];
      let spaceGroup: number | null = null;
      if (iflag === 0) {
        const sg = r.argLine(kw, "i", "225", "the space group number (1-230)");
        if (!sg) return;
        spaceGroup = Number(sg[0]);
        if (spaceGroup < 1 || spaceGroup > 230) {
          r.error(
            r.lineNo - 1,
            `space group ${spaceGroup} does not exist — use a number from 1 to 230 (e.g. 225 for Fm-3m)`,
          );
          spaceGroup = null;
        }
      } else {
        const sg = r.nextTokens();
        if (!sg || sg.tokens.length === 0) {
          r.error(
            kwLine + 1,
            "CRYSTAL with IFLAG 1 needs the Hermann-Mauguin symbol of the space group, e.g. `F M 3 M`",
          );
          return;
        }
      }
      if (ifso > 1) r.argLine(kw, "r r r", "0.0 0.0 0.0", "the origin shift (three numbers, since IFSO > 1)");
      const params = r.nextTokens();
      if (!params || params.tokens.length === 0 || !params.tokens.every(isNumber)) {
        r.error(
          params?.line ?? r.lineNo,
          "CRYSTAL needs the lattice parameters (Å, degrees) after the space group, e.g. `4.21`",
        );
        if (params && params.tokens.length > 0 && !isNumber(params.tokens[0]!)) r.i--;
        return;
      }
      if (spaceGroup !== null) {
        const want = latticeParameterCount(spaceGroup, ifhr === 1);
        if (params.tokens.length < want.count)
          r.error(
            params.line,
            `space group ${spaceGroup} needs ${plural(want.count, "lattice parameter")} (${want.names}), found ${params.tokens.length}`,
          );
        else if (params.tokens.length > want.count)
          r.warn(
            params.line,
            `space group ${spaceGroup} reads ${plural(want.count, "lattice parameter")} (${want.names}); CRYSTAL ignores the rest`,
          );
      }
      if (params.tokens.some((v) => Number(v) <= 0))
        r.error(params.line, "lattice parameters must be positive");
      atoms("NATR, the irreducible atoms");
      return;
    }
    case "SLAB": {
      const lg = r.argLine(kw, "i", "78", "the plane group number (1-80)");
      if (!lg) return;
      const group = Number(lg[0]);
      if (group < 1 || group > 80) r.error(r.lineNo - 1, `plane group ${group} does not exist — use 1 to 80`);
      const want = slabParameterCount(group);
      const params = r.argLine(
        kw,
        Array(want.count).fill("r").join(" "),
        "3.0",
        `the lattice parameters (${want.names})`,
      );
      if (!params) return;
      atoms("NATR");
      return;
    }
    case "POLYMER": {
      if (!r.argLine(kw, "i", "1", "the rod group number (1-75)")) return;
      if (!r.argLine(kw, "r", "2.5", "the lattice parameter a")) return;
      atoms("NATR");
      return;
    }
    case "HELIX":
      // rarely used; its layout is not checked
      r.skipNumeric(kw);
      return;
    case "MOLECULE": {
      const pg = r.argLine(kw, "i", "1", "the point group number (1-46)");
      if (!pg) return;
      const group = Number(pg[0]);
      if (group < 1 || group > 46)
        r.error(r.lineNo - 1, `point group ${group} does not exist — use 1 to 46 (1 is C1)`);
      atoms("NATR");
      return;
    }
  }
}

/**
 * After an error in an inline basis set, goes on after its `99 0` (or at the next keyword when
 * there is none), so one mistake gives one message.
 */
function skipBasis(r: DeckReader): "end" | "eof" | "keywords" {
  for (let k = r.i; k < r.lines.length; k++) {
    const t = tokens(r.lines[k]!);
    if (t[0] === "99" && t.length >= 2 && INT.test(t[1]!)) {
      r.i = k + 1;
      return readKeywords(r, "basis") === "eof" ? "eof" : "end";
    }
  }
  while (!r.done && (r.peekTokens()!.length === 0 || isNumber(r.peekTokens()![0]!))) r.i++;
  return "keywords";
}

/** An inline basis set: per atom `Z NSHELL`, an optional pseudopotential, NSHELL shells; `99 0` ends it. */
function readBasis(r: DeckReader): "end" | "eof" | "keywords" {
  const result = readBasisAtoms(r);
  return result === "error" ? skipBasis(r) : result;
}

function readBasisAtoms(r: DeckReader): "end" | "eof" | "keywords" | "error" {
  const start = r.lineNo;
  let atomsRead = 0;
  while (!r.done) {
    const next = r.peekTokens()!;
    if (next.length === 0) {
      r.warn(r.lineNo, "blank line in the basis set: CRYSTAL reads it as data — remove it");
      r.i++;
      continue;
    }
    const word = next[0]!.toUpperCase();
    if (!isNumber(word)) {
      if (atomsRead === 0) {
        r.error(
          r.lineNo,
          `the basis set section starts with \`${next[0]}\`: give BASISSET and a basis name, or per atom \`Z NSHELL\` lines ending with \`99 0\``,
        );
      } else {
        r.error(r.lineNo, "the basis set is not closed — add `99 0` after the last atom's shells");
      }
      return "keywords";
    }
    const { line, tokens: t } = r.nextTokens()!;
    if (t.length < 2 || !INT.test(t[0]!) || !INT.test(t[1]!)) {
      r.error(
        line,
        `a basis set atom starts with \`Z NSHELL\` (two integers, e.g. \`8 2\`), found \`${t.join(" ")}\``,
      );
      return "error";
    }
    const z = Number(t[0]);
    const nshell = Number(t[1]);
    if (z === 99) {
      if (atomsRead === 0) r.warn(line, "the basis set ends (`99 0`) before any atom");
      // optional basis-section keywords, then END
      const end = readKeywords(r, "basis");
      if (end === "eof") r.error(line, "the basis set section needs END after `99 0`");
      return end === "eof" ? "eof" : "end";
    }
    atomsRead++;
    // pseudopotential keyword line for ECP atoms
    const pp = r.peekTokens();
    if (
      pp &&
      pp.length > 0 &&
      ["INPUT", "HAYWLC", "HAYWSC", "BARTHE", "DURAND"].includes(pp[0]!.toUpperCase())
    ) {
      const { line: ppLine, tokens: ppt } = r.nextTokens()!;
      r.noteKeyword(ppt[0]!.toUpperCase());
      if (ppt[0]!.toUpperCase() === "INPUT") {
        const head = r.nextTokens();
        if (!head || head.tokens.length < 7 || !head.tokens.every(isNumber)) {
          r.error(
            head?.line ?? ppLine,
            "INPUT (pseudopotential) needs `ZNUC M M0 M1 M2 M3 M4` on the next line, e.g. `10. 2 4 4 2 0 0`",
          );
          return "error";
        }
        const terms = head.tokens.slice(1, 7).reduce((s, v) => s + Number(v), 0);
        for (let k = 0; k < terms; k++) {
          const term = r.nextTokens();
          if (!term || term.tokens.length < 3 || !term.tokens.slice(0, 3).every(isNumber)) {
            r.error(
              term?.line ?? r.lineNo,
              `the pseudopotential announces ${terms} terms (\`A C N\` lines); term ${k + 1} is missing`,
            );
            return "error";
          }
        }
      }
    }
    for (let s = 0; s < nshell; s++) {
      const shell = r.nextTokens();
      if (!shell || shell.tokens.length < 5 || !shell.tokens.slice(0, 5).every(isNumber)) {
        r.error(
          shell?.line ?? r.lineNo,
          `atom ${z} announces ${nshell} shells (line ${line}); shell ${s + 1} needs \`ITYB LAT NG CHE SCAL\` (five numbers, e.g. \`0 1 3 8. 1.\`)`,
        );
        if (shell && shell.tokens.length > 0 && !isNumber(shell.tokens[0]!)) r.i--;
        return "error";
      }
      const [ityb, lat, ng] = shell.tokens.map(Number) as [number, number, number];
      if (ityb === 0) {
        // general contraction: NG primitives, `exponent coefficient` (SP shells: two coefficients)
        const per = lat === 1 ? 3 : 2;
        for (let g = 0; g < ng; g++) {
          const prim = r.nextTokens();
          if (!prim || prim.tokens.length < per || !prim.tokens.slice(0, per).every(isNumber)) {
            r.error(
              prim?.line ?? r.lineNo,
              `the shell on line ${shell.line} announces ${ng} primitive${ng === 1 ? "" : "s"}; primitive ${g + 1} needs ${per} numbers (exponent, ${per === 3 ? "s and p coefficients" : "coefficient"})`,
            );
            return "error";
          }
        }
      } else if (ityb !== 1 && ityb !== 2) {
        r.error(shell.line, `shell type ITYB ${ityb} is not one of 0 (general), 1 (STO-nG), 2 (3-21G/6-21G)`);
      }
    }
  }
  r.error(start, "the basis set never ends — close it with `99 0` and END");
  return "eof";
}

// ------------------------------------------------------------------------------------ entry points

/** Words that open a properties (.d3) deck. */
const PROPERTIES_START = new Set([
  "NEWK",
  "BAND",
  "DOSS",
  "RDFMWF",
  "FMWF",
  "PPAN",
  "ECHG",
  "BWIDTH",
  "CRYAPI_OUT",
  "POTM",
  "CLAS",
  "RHOLINE",
  "PATO",
  "PBAN",
  "LOCALWF",
  "ANISOTRO",
  "EMDL",
  "3DRHOGRID",
]);

/**
 * Reads a deck. A crystal deck (.d12) is the default; a deck whose first line is a properties
 * keyword (NEWK, BAND, DOSS, …) and whose second line is not a geometry keyword is read as a
 * properties deck (.d3). Never throws.
 */
export function readDeck(text: string): DeckReport {
  return deckKind(text) === "properties" ? readPropertiesDeck(text) : readCrystalDeck(text);
}

/** Which program reads a deck, from its first two lines only (the rule of readDeck, without reading the rest). */
export function deckKind(text: string): DeckReport["kind"] {
  const head = text.slice(0, 4096).replace(/\r\n?/g, "\n").split("\n");
  const first = head.find((l) => l.trim() !== "");
  if (first === undefined) return "crystal";
  const second = keywordOf(head[1] ?? "");
  return PROPERTIES_START.has(keywordOf(first)) && !GEOMETRY_KINDS.includes(second as GeometryKind)
    ? "properties"
    : "crystal";
}

/** Reads a crystal (.d12) deck. Never throws. */
export function readCrystalDeck(text: string): DeckReport {
  const r = new DeckReader(text);
  const report = (title: string, geometry: GeometryKind | null): DeckReport => ({
    kind: "crystal",
    title,
    geometry,
    calcType: calcTypeOf(r.calcs),
    auxInputs: [...r.aux],
    keywords: r.keywords,
    errors: r.errors,
    warnings: r.warnings,
  });
  if (r.lines.every((l) => l.trim() === "")) {
    r.error(
      1,
      "the deck is empty — line 1 is the title, line 2 the geometry (CRYSTAL, SLAB, POLYMER, MOLECULE or EXTERNAL)",
    );
    return report("", null);
  }
  const title = r.nextTokens()!.text.trim();
  if (GEOMETRY_KINDS.includes(title.toUpperCase() as GeometryKind))
    r.warn(
      1,
      `line 1 is the title, but it reads \`${title}\` — CRYSTAL takes it as the title, not as the geometry keyword`,
    );
  const geo = r.nextTokens();
  if (!geo) {
    r.error(
      2,
      "the deck has only a title — line 2 must be the geometry keyword (CRYSTAL, SLAB, POLYMER, MOLECULE or EXTERNAL)",
    );
    return report(title, null);
  }
  const kind = keywordOf(geo.text) as GeometryKind;
  if (!GEOMETRY_KINDS.includes(kind)) {
    r.error(
      geo.line,
      `line 2 must be the geometry keyword (CRYSTAL, SLAB, POLYMER, MOLECULE or EXTERNAL), found \`${geo.text.trim()}\``,
    );
    return report(title, null);
  }
  r.noteKeyword(kind);
  readGeometry(r, kind, geo.line);
  const geometryEnd = readKeywords(r, "geometry");
  if (geometryEnd === "eof") {
    r.error(
      r.lines.length,
      "the geometry section is never closed — add END after it (then the basis set, then the SCF section)",
    );
    return report(title, kind);
  }
  if (geometryEnd === "end") {
    // the basis set: BASISSET + name, or inline atoms ending with `99 0` and END
    const next = r.peekTokens();
    if (next === null) {
      r.error(
        r.lines.length,
        "the deck ends after the geometry — the basis set section comes next (BASISSET and a name, or inline atoms ending with `99 0` and END)",
      );
      return report(title, kind);
    }
    if (next.length > 0 && next[0]!.toUpperCase() === "BASISSET") {
      const line = r.lineNo;
      r.i++;
      r.noteKeyword("BASISSET");
      basisSetName(r, { word: "BASISSET", line });
    } else {
      const end = readBasis(r);
      if (end === "eof") return report(title, kind);
    }
  }
  // Hamiltonian and SCF, closed by the last END
  const scfStart = r.lineNo;
  const scfEnd = readKeywords(r, "scf");
  if (scfEnd === "eof") {
    const block = r.lastClosedBlock;
    const hint =
      block && block.line >= scfStart
        ? ` (the last END closes ${block.word}, opened on line ${block.line})`
        : "";
    r.error(
      Math.max(scfStart, r.lines.length),
      `the SCF section is never closed — add END as the last line of the deck${hint}`,
    );
  } else {
    const rest = r.lines.slice(r.i).findIndex((l) => l.trim() !== "");
    if (rest >= 0) r.warn(r.i + rest + 1, "text after the deck's last END — CRYSTAL never reads it");
  }
  return report(title, kind);
}

function calcTypeOf(calcs: string[]): string {
  for (const c of ["elastic", "eos", "freq", "opt"]) if (calcs.includes(c)) return c;
  return "scf";
}

/**
 * Reads a properties (.d3) deck: keywords until END; it reads the wavefunction from fort.9 — or,
 * with RDFMWF, the formatted wavefunction from fort.98 (which it turns into fort.9). Never throws.
 */
export function readPropertiesDeck(text: string): DeckReport {
  const r = new DeckReader(text);
  if (r.lines.every((l) => l.trim() === "")) {
    r.error(1, "the properties deck is empty — give keywords such as NEWK, BAND or DOSS, then END");
  } else {
    const end = readKeywords(r, "properties");
    if (end === "eof")
      r.error(r.lines.length, "the properties deck is never closed — add END as its last line");
    else {
      const rest = r.lines.slice(r.i).findIndex((l) => l.trim() !== "");
      if (rest >= 0) r.warn(r.i + rest + 1, "text after the deck's END — properties never reads it");
    }
  }
  r.aux.add(r.keywords.includes("RDFMWF") ? "fort.98" : "fort.9");
  const band = r.calcs.includes("band");
  const dos = r.calcs.includes("dos");
  return {
    kind: "properties",
    title: "",
    geometry: null,
    calcType: band && dos ? "band_dos" : band ? "band" : dos ? "dos" : "properties",
    auxInputs: [...r.aux],
    keywords: r.keywords,
    errors: r.errors,
    warnings: r.warnings,
  };
}
