// Every line the output parser reads, declared once: what the line starts with (after leading
// blanks), when it matters, and what reading it does. The parser's pre-filter is built from the
// same table (the first two bytes of each prefix), so a line no rule can match is skipped without
// a look, and a rule cannot be dispatched without being let through (issue 10).
import { bytesStartWith, fortranNumber as num } from "./output-bytes.js";
import type { LineView } from "./output-line.js";
import type { Run } from "./output-run.js";
import { LINE_VALUES, type LineValue } from "./output-values.js";
import type { CalcType } from "./result.js";

export interface LineRule {
  /** What the line starts with, after its leading blanks (at least two characters). */
  prefix: string;
  /** The whole line is the prefix (a keyword of the deck echoed before CRYSTAL's banner). */
  exact?: boolean;
  /** Only while this holds (e.g. band edges until CRYSTAL prints its gaps). */
  when?: (run: Run) => boolean;
  /** Only in a properties run (checked before `when`, without a call: timing lines are frequent). */
  inProperties?: boolean;
  /** Reads the line [p, e) of v, p at the prefix. */
  read: (run: Run, v: LineView, p: number, e: number) => void;
}

const int = (text: string | undefined): number | null => {
  const v = num(text);
  return v !== null && Number.isInteger(v) ? v : null;
};

/** Lines of the deck echoed before CRYSTAL's banner say what was asked; the outer task wins. */
function deckWord(calc: CalcType): LineRule["read"] {
  return (run) => {
    if (run.bannerSeen) return;
    // FREQCALC / ELASTCON / EOS may hold an OPTGEOM (pre-optimisation)
    if (run.deckEchoCalc === null || calc !== "opt") run.deckEchoCalc = calc;
  };
}

function optimisationHeader(run: Run, line: string): void {
  if (run.scf.optimisationPoint(line)) run.calcFlags.opt = true;
  else if (line.startsWith("CONVERGENCE TESTS UNSATISFIED") || line.includes("OPTIMIZATION"))
    run.calcFlags.opt = true;
}

/** `*` lines: the banner (`*  CRYSTAL17  *`), OPT END, ELASTCON's title. */
function starLine(run: Run, v: LineView, p: number, e: number): void {
  const b = v.b;
  let q = p;
  while (q < e && (b[q] === 42 || b[q] === 32)) q++;
  if (bytesStartWith(b, q, "OPT END")) {
    run.calcFlags.opt = true;
    run.scf.optEndLine(v, q, e);
    return;
  }
  if (bytesStartWith(b, q, "ELASTCON OPTION")) {
    run.calcFlags.elastic = true;
    return;
  }
  if (b[q] !== 67 && b[q] !== 80) return; // CRYSTALnn or PROPERTIES
  const line = v.text(p, e);
  const m = /^\*\s+CRYSTAL(\d{2})\b/.exec(line);
  if (m) run.banner(m[1]!);
  else if (/^\*\s+PROPERTIES\s+\*?$/.test(line)) {
    run.banner(null);
    run.startProperties();
  }
}

const geometry = (run: Run) => run.readsGeometry;
const edgesWanted = (run: Run) => !run.gaps.printed;
const elastic = (run: Run) => run.calcFlags.elastic;

function freqLine(label: string): LineRule["read"] {
  return (run, v, p, e) => run.freq.energyLine(label, v.text(p, e));
}

function dimensionality(d: number): LineRule["read"] {
  return (run) => run.geometry.setDimensionality(d);
}

export const LINE_RULES: readonly LineRule[] = [
  // the values CRYSTAL prints on a line of their own, declared in output-values.ts: the last wins
  ...(LINE_VALUES as readonly LineValue[]).map(
    (lv): LineRule => ({
      prefix: lv.prefix,
      read: (run, v, p, e) => {
        const value = lv.read(v.text(p, e));
        if (value !== null) run.lineValues.set(lv.key, value);
      },
    }),
  ),
  // the SCF, read on every cycle
  {
    prefix: "CYC ",
    read: (run, v, p, e) => {
      if (run.scf.cycLine(v, p, e)) run.gaps.cycle();
    },
  },
  { prefix: "== SCF ENDED", read: (run, v, p, e) => run.scf.scfEndedLine(v, p, e) },
  { prefix: "CRYSTAL - SCF - TYPE OF CALCULATION", read: (run) => run.scf.newScf() },
  {
    prefix: "CRYSTAL - PROPERTIES",
    read: (run, v, p, e) => run.startProperties().typeLine(v.text(p, e)),
  },
  { prefix: "TYPE OF CALCULATION", read: (run, v, p, e) => run.typeOfCalculation(v.text(p, e)) },
  { prefix: "TOTAL ENERGY(", read: (run, v, p, e) => run.scf.totalEnergyLine(v.text(p, e)) },
  { prefix: "TOTAL ENERGY + ", read: (run, v, p, e) => run.scf.correctedEnergyLine(v.text(p, e)) },
  { prefix: "CENTRAL POINT", read: (run, v, p, e) => run.scf.centralPointLine(v.text(p, e)) },
  // band gaps, after each diagonalisation
  { prefix: "INDIRECT ENERGY BAND GAP:", read: (run, v, p, e) => run.gaps.gapLine(v, p + 25, e) },
  { prefix: "DIRECT ENERGY BAND GAP:", read: (run, v, p, e) => run.gaps.gapLine(v, p + 23, e) },
  { prefix: "INSULATING STATE", when: edgesWanted, read: (run) => run.gaps.state("insulating") },
  { prefix: "CONDUCTING STATE", read: (run) => run.gaps.state("conducting") },
  { prefix: "POSSIBLY CONDUCTING STATE", read: (run) => run.gaps.state("conducting") },
  { prefix: "SPIN LOCKING: NO ENERGY GAP", read: (run) => run.gaps.state("no_gap") },
  { prefix: "TOP OF VALENCE BANDS", when: edgesWanted, read: (run, v, p, e) => run.gaps.edge(true, v, p, e) },
  {
    prefix: "BOTTOM OF VIRTUAL BANDS",
    when: edgesWanted,
    read: (run, v, p, e) => run.gaps.edge(false, v, p, e),
  },
  { prefix: "ALPHA BAND GAP:", read: (run, v, p, e) => run.gaps.finalGap("alpha", v.text(p, e)) },
  { prefix: "BETA BAND GAP:", read: (run, v, p, e) => run.gaps.finalGap("beta", v.text(p, e)) },
  { prefix: "BAND GAP:", read: (run, v, p, e) => run.gaps.finalGap("all", v.text(p, e)) },
  {
    prefix: "ALPHA ",
    read: (run, v, p, e) => {
      if (/^ALPHA\s+ELECTRONS$/.test(v.text(p, e))) run.gaps.spinChannel("alpha");
    },
  },
  {
    prefix: "BETA ",
    read: (run, v, p, e) => {
      if (/^BETA\s+ELECTRONS$/.test(v.text(p, e))) run.gaps.spinChannel("beta");
    },
  },
  // how the run ends
  { prefix: "EEEEEEEEEE", read: (run, v, p, e) => eLine(run, v, p, e) },
  { prefix: "ERROR", read: (run, v, p, e) => run.currentFailures.error(v.text(p, e)) },
  { prefix: "WARNING", read: (run, v, p, e) => warningLine(run, v.text(p, e)) },
  { prefix: "forrtl:", read: (run, v, p, e) => run.currentFailures.fortran(v.text(p, e)) },
  {
    prefix: "Program received signal",
    read: (run, v, p, e) => run.currentFailures.runtimeStop(v.text(p, e)),
  },
  { prefix: "Operating system error", read: (run, v, p, e) => run.currentFailures.runtimeStop(v.text(p, e)) },
  {
    prefix: "mpirun noticed that process",
    read: (run, v, p, e) => run.currentFailures.runtimeStop(v.text(p, e)),
  },
  { prefix: "MPI_ABORT", read: (run, v, p, e) => run.currentFailures.mpiAbortLine(v.text(p, e)) },
  {
    prefix: "application called MPI_Abort",
    read: (run, v, p, e) => run.currentFailures.mpiAbortLine(v.text(p, e)),
  },
  // banners, what the run is
  { prefix: "* ", read: starLine },
  { prefix: "OPTOPTOPT", read: (run) => (run.calcFlags.opt = true) },
  { prefix: "STARTING GEOMETRY OPTIMIZATION", read: (run) => (run.calcFlags.opt = true) },
  { prefix: "COORDINATE", read: (run, v, p, e) => optimisationHeader(run, v.text(p, e)) },
  { prefix: "CELL OPTIMIZATION", read: (run, v, p, e) => optimisationHeader(run, v.text(p, e)) },
  { prefix: "ATOMIC POSITIONS OPTIMIZATION", read: (run, v, p, e) => optimisationHeader(run, v.text(p, e)) },
  { prefix: "INTERNAL OPTIMIZATION", read: (run, v, p, e) => optimisationHeader(run, v.text(p, e)) },
  { prefix: "GEOMETRY OPTIMIZATION", read: (run, v, p, e) => optimisationHeader(run, v.text(p, e)) },
  {
    prefix: "CONVERGENCE TESTS UNSATISFIED",
    read: (run, v, p, e) => optimisationHeader(run, v.text(p, e)),
  },
  { prefix: "FREQUENCY CALCULATION", read: (run) => (run.calcFlags.freq = true) },
  { prefix: "FRQFRQFRQ", read: (run) => (run.calcFlags.freq = true) },
  { prefix: "ELASTIC CONSTANT", read: (run) => (run.calcFlags.elastic = true) },
  { prefix: "ELASTIC CALCULATION", read: (run) => (run.calcFlags.elastic = true) },
  { prefix: "EQUATION OF STATE", read: (run) => (run.calcFlags.eos = true) },
  { prefix: "EOSEOS", read: (run) => (run.calcFlags.eos = true) },
  { prefix: "PROPERTIES", read: (run) => (run.calcFlags.properties = true) },
  { prefix: "OPTGEOM", exact: true, read: deckWord("opt") },
  { prefix: "FREQCALC", exact: true, read: deckWord("freq") },
  { prefix: "ELASTCON", exact: true, read: deckWord("elastic") },
  { prefix: "EOS", exact: true, read: deckWord("eos") },
  // the structure
  {
    prefix: "N. OF ATOMS PER CELL",
    read: (run, v, p, e) => run.atomsPerCell(int(/^N\. OF ATOMS PER CELL\s+(\d+)/.exec(v.text(p, e))?.[1])),
  },
  {
    prefix: "ATOMS IN THE ASYMMETRIC UNIT",
    when: geometry,
    read: (run, v, p, e) => {
      const line = v.text(p, e);
      run.atomsInCell(int(/ATOMS IN THE UNIT CELL:\s*(\d+)/.exec(line)?.[1]));
      run.block = run.geometry.atomsHeader(line);
    },
  },
  { prefix: "PRIMITIVE CELL", when: geometry, read: (run, v, p, e) => cellHeader(run, v.text(p, e)) },
  { prefix: "LATTICE PARAMETERS", when: geometry, read: (run, v, p, e) => cellHeader(run, v.text(p, e)) },
  {
    prefix: "DIRECT LATTICE VECTORS CARTESIAN COMPONENTS (ANGSTROM)",
    when: geometry,
    read: (run) => {
      run.block = run.geometry.vectorsHeader();
    },
  },
  {
    prefix: "CARTESIAN COORDINATES - PRIMITIVE CELL",
    when: geometry,
    read: (run) => {
      run.block = run.geometry.cartesianHeader();
    },
  },
  { prefix: "DIMENSIONALITY", read: (run, v, p, e) => run.geometry.dimensionLine(v.text(p, e)) },
  { prefix: "GEOMETRY FOR WAVE FUNCTION", read: (run, v, p, e) => run.geometry.dimensionLine(v.text(p, e)) },
  {
    prefix: "FINAL OPTIMIZED GEOMETRY",
    read: (run, v, p, e) => {
      run.calcFlags.opt = true;
      run.geometry.dimensionLine(v.text(p, e));
    },
  },
  { prefix: "MOLECULAR CALCULATION", read: dimensionality(0) },
  { prefix: "POLYMER CALCULATION", read: dimensionality(1) },
  { prefix: "SLAB CALCULATION", read: dimensionality(2) },
  { prefix: "CRYSTAL CALCULATION", read: dimensionality(3) },
  { prefix: "0D - ", read: dimensionality(0) },
  { prefix: "1D - ", read: dimensionality(1) },
  { prefix: "2D - ", read: dimensionality(2) },
  { prefix: "3D - ", read: dimensionality(3) },
  { prefix: "SPACE GROUP", read: (run, v, p, e) => run.geometry.groupLine(v.text(p, e)) },
  { prefix: "TWO-SIDED PLANE GROUP", read: (run, v, p, e) => run.geometry.groupLine(v.text(p, e)) },
  { prefix: "PLANE GROUP", read: (run, v, p, e) => run.geometry.groupLine(v.text(p, e)) },
  { prefix: "LAYER GROUP", read: (run, v, p, e) => run.geometry.groupLine(v.text(p, e)) },
  { prefix: "ROD GROUP", read: (run, v, p, e) => run.geometry.groupLine(v.text(p, e)) },
  { prefix: "POINT ", read: (run, v, p, e) => run.geometry.groupLine(v.text(p, e)) },
  // Mulliken populations
  {
    prefix: "TOTAL ATOMIC CHARGES",
    when: geometry,
    read: (run, v, _p, e) => {
      run.block = run.mullikenTable("charges", v, e);
    },
  },
  {
    prefix: "TOTAL ATOMIC SPINS",
    when: geometry,
    read: (run, v, _p, e) => {
      run.block = run.mullikenTable("spins", v, e);
    },
  },
  { prefix: "SUMMED SPIN DENSITY", read: (run, v, p, e) => run.mulliken.summedSpinLine(v.text(p, e)) },
  { prefix: "ALPHA+BETA ELECTRONS", read: (run) => (run.mullikenSpinTable = false) },
  { prefix: "ALPHA-BETA ELECTRONS", read: (run) => (run.mullikenSpinTable = true) },
  {
    prefix: "MULLIKEN POPULATION ANALYSIS - NO. OF ELECTRONS",
    when: geometry,
    read: (run, v, _p, e) => {
      run.block = run.mullikenTable("analysis", v, e);
    },
  },
  // FREQCALC
  {
    prefix: "MODES ",
    read: (run, v, p, e) => {
      const line = v.text(p, e);
      run.block = run.freq.modesHeader(line) ?? run.freq.ramanHeader(line);
    },
  },
  { prefix: "GENERATING FREQUENCIES", read: (run, v) => run.freezeReference(v) },
  { prefix: "E0", read: freqLine("E0") },
  { prefix: "EL+E0+ET+PV-TS", read: freqLine("G") },
  { prefix: "EL ", read: freqLine("EL") },
  { prefix: "ET ", read: freqLine("ET") },
  { prefix: "PV ", read: freqLine("PV") },
  { prefix: "TS ", read: freqLine("TS") },
  { prefix: "AT (T =", read: (run, v, p, e) => run.freq.temperatureLine(v.text(p, e)) },
  { prefix: "ENTROPY", read: (run, v, p, e) => run.freq.perKelvinLine("s", v.text(p, e)) },
  { prefix: "HEAT CAPACITY", read: (run, v, p, e) => run.freq.perKelvinLine("c", v.text(p, e)) },
  // ELASTCON
  { prefix: "STRAIN MATRIX", when: elastic, read: (run, v) => run.freezeReference(v) },
  {
    prefix: "SYMMETRIZED ELASTIC CONSTANTS",
    read: (run, v, p, e) => {
      run.calcFlags.elastic = true;
      run.block = run.elastic.constantsHeader(v.text(p, e));
    },
  },
  {
    prefix: "ELASTIC MODULI",
    read: (run, v, p, e) => {
      run.block = run.elastic.complianceHeader(v.text(p, e));
    },
  },
  {
    prefix: "K_V ",
    when: elastic,
    read: (run, v, p, e) => {
      run.block = run.elastic.vrhHeader(v.text(p, e));
    },
  },
  {
    prefix: "BULK MODULUS (GPa)",
    when: elastic,
    read: (run) => {
      run.block = run.elastic.bulkHeader();
    },
  },
  // the properties program
  {
    prefix: "TTTTTTTTTT",
    inProperties: true,
    read: (run, v, p, e) => run.properties!.timingLine(v.text(p, e)),
  },
  { prefix: "-%-", inProperties: true, read: (run, v, p, e) => run.properties!.fort25Line(v.text(p, e)) },
];

/** `EEEEEEEEEE TERMINATION  DATE …` ends the run; `EEEEEEEEEE SCF TERMINATION`, `INT_CALC TERMINATION` a part. */
function eLine(run: Run, v: LineView, p: number, e: number): void {
  if (/^E{10,}\s+TERMINATION\b/.test(v.text(p, e))) run.termination(v.lineComplete);
}

function warningLine(run: Run, line: string): void {
  if (!line.startsWith("WARNINGWARNING")) run.currentFailures.warning(line);
}

function cellHeader(run: Run, line: string): void {
  run.block = run.geometry.cellHeader(line);
}

/**
 * The rules by the first two bytes of their prefix (c0 * 128 + c1): 0 for a pair no rule starts
 * with, else 1 + the index of the pair's group in RULE_GROUPS. Built once from LINE_RULES.
 */
export const RULE_START = new Uint16Array(128 * 128);
export const RULE_GROUPS: LineRule[][] = [];
/** 1 for a group whose rules all read properties runs only: skipped without a call before one starts. */
export const GROUP_IN_PROPERTIES: number[] = [];

for (const rule of LINE_RULES) {
  if (rule.prefix.length < 2 || [...rule.prefix].some((c) => c.charCodeAt(0) >= 128))
    throw new Error(`line rule ${JSON.stringify(rule.prefix)}: a prefix is two ASCII characters or more`);
  const pair = rule.prefix.charCodeAt(0) * 128 + rule.prefix.charCodeAt(1);
  if (RULE_START[pair] === 0) {
    RULE_GROUPS.push([]);
    RULE_START[pair] = RULE_GROUPS.length;
  }
  RULE_GROUPS[RULE_START[pair]! - 1]!.push(rule);
}
for (const group of RULE_GROUPS)
  GROUP_IN_PROPERTIES.push(group.every((rule) => rule.inProperties === true) ? 1 : 0);
