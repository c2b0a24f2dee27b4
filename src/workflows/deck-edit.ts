// Small, exact edits of a CRYSTAL deck that recovery policies make: set an SCF keyword (FMIXING,
// MAXCYCLE), add GUESSP, set OPTGEOM's MAXCYCLE or add HESSOPT, and replace the typed-in geometry
// by EXTERNAL (fort.34). Each edit either succeeds exactly or returns null — a deck it does not
// understand is never guessed at.

const END_WORDS = new Set(["END", "ENDSCF"]);

interface Lines {
  lines: string[];
  /** Index of the deck's final END (closing the SCF input). */
  finalEnd: number;
}

function split(deck: string): Lines | null {
  const lines = deck.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  let finalEnd = lines.length - 1;
  while (finalEnd >= 0 && lines[finalEnd]!.trim() === "") finalEnd--;
  if (finalEnd < 0 || !END_WORDS.has(word(lines[finalEnd]!))) return null;
  return { lines, finalEnd };
}

function join(l: Lines): string {
  return `${l.lines.join("\n")}\n`;
}

function word(line: string): string {
  return line.trim().split(/\s+/)[0]?.toUpperCase() ?? "";
}

/** First line of the SCF section: after `BASISSET name`, else after the basis input's `99 0` + END. */
function scfStart(lines: string[]): number | null {
  const bs = lines.findIndex((l) => word(l) === "BASISSET");
  if (bs >= 0) return bs + 2;
  const terminator = lines.findIndex((l) => /^\s*99\s+0\s*$/.test(l));
  if (terminator < 0) return null;
  for (let i = terminator + 1; i < lines.length; i++) {
    const w = word(lines[i]!);
    if (w === "END" || w === "ENDBS") return i + 1;
    if (w !== "") return null;
  }
  return null;
}

/** Indexes of top-level SCF-section lines (sub-blocks such as DFT … ENDDFT left out). */
function scfLines(l: Lines): number[] | null {
  const start = scfStart(l.lines);
  if (start === null || start > l.finalEnd) return null;
  const out: number[] = [];
  let inDft = false;
  for (let i = start; i < l.finalEnd; i++) {
    const w = word(l.lines[i]!);
    if (w === "DFT") inDft = true;
    else if (inDft && (w === "ENDDFT" || w === "END")) inDft = false;
    else if (!inDft) out.push(i);
  }
  return out;
}

/** The number after an SCF keyword (FMIXING 30 → 30), or null when the keyword is absent. */
export function scfValue(deck: string, keyword: string): number | null {
  const l = split(deck);
  if (!l) return null;
  const idx = scfLines(l);
  if (!idx) return null;
  for (const i of idx) {
    if (word(l.lines[i]!) === keyword.toUpperCase()) {
      const n = Number(l.lines[i + 1]?.trim().split(/\s+/)[0]);
      return Number.isFinite(n) ? n : null;
    }
  }
  return null;
}

/** Sets `KEYWORD\nvalue` in the SCF section (replacing its value, or adding it before the final END). */
export function setScfKeyword(deck: string, keyword: string, value: string): string | null {
  const l = split(deck);
  if (!l) return null;
  const idx = scfLines(l);
  if (!idx) return null;
  const k = keyword.toUpperCase();
  const at = idx.find((i) => word(l.lines[i]!) === k);
  if (at !== undefined) l.lines[at + 1] = value;
  else l.lines.splice(l.finalEnd, 0, k, value);
  return join(l);
}

/** Adds a keyword without a value (GUESSP) to the SCF section, unless it is there. */
export function addScfFlag(deck: string, keyword: string): string | null {
  const l = split(deck);
  if (!l) return null;
  const idx = scfLines(l);
  if (!idx) return null;
  const k = keyword.toUpperCase();
  if (idx.some((i) => word(l.lines[i]!) === k)) return join(l);
  l.lines.splice(l.finalEnd, 0, k);
  return join(l);
}

function optgeomRange(lines: string[]): [number, number] | null {
  return blockRange(lines, "OPTGEOM");
}

/** The lines of a geometry-section block (OPTGEOM … ENDOPT, FREQCALC … END): its keyword and its end. */
function blockRange(lines: string[], open: string): [number, number] | null {
  const start = lines.findIndex((l) => word(l) === open);
  if (start < 0) return null;
  for (let i = start + 1; i < lines.length; i++) {
    const w = word(lines[i]!);
    if (w.startsWith("END")) return [start, i];
  }
  return null;
}

export function hasOptgeom(deck: string): boolean {
  return deck.split("\n").some((l) => word(l) === "OPTGEOM");
}

/** The number after a keyword of the OPTGEOM block, or null. */
export function optgeomValue(deck: string, keyword: string): number | null {
  const lines = deck.split("\n");
  const range = optgeomRange(lines);
  if (!range) return null;
  for (let i = range[0] + 1; i < range[1]; i++) {
    if (word(lines[i]!) === keyword.toUpperCase()) {
      const n = Number(lines[i + 1]?.trim().split(/\s+/)[0]);
      return Number.isFinite(n) ? n : null;
    }
  }
  return null;
}

/** Sets `KEYWORD\nvalue` inside OPTGEOM … ENDOPT. */
export function setOptgeomKeyword(deck: string, keyword: string, value: string): string | null {
  const l = split(deck);
  if (!l) return null;
  const range = optgeomRange(l.lines);
  if (!range) return null;
  const k = keyword.toUpperCase();
  for (let i = range[0] + 1; i < range[1]; i++) {
    if (word(l.lines[i]!) === k) {
      l.lines[i + 1] = value;
      return join(l);
    }
  }
  l.lines.splice(range[1], 0, k, value);
  return join(l);
}

/** Adds a keyword without a value (HESSOPT) inside OPTGEOM … ENDOPT. */
export function addOptgeomFlag(deck: string, keyword: string): string | null {
  return addBlockFlag(deck, "OPTGEOM", keyword);
}

/** Adds a keyword without a value (RESTART) inside FREQCALC … END. */
export function addFreqcalcFlag(deck: string, keyword: string): string | null {
  return addBlockFlag(deck, "FREQCALC", keyword);
}

function addBlockFlag(deck: string, block: string, keyword: string): string | null {
  const l = split(deck);
  if (!l) return null;
  const range = blockRange(l.lines, block);
  if (!range) return null;
  const k = keyword.toUpperCase();
  for (let i = range[0] + 1; i < range[1]; i++) if (word(l.lines[i]!) === k) return join(l);
  l.lines.splice(range[1], 0, k);
  return join(l);
}

const INT = /^[+-]?\d+$/;

/**
 * Replaces the typed-in structure of a CRYSTAL (3D) geometry by EXTERNAL, so the run reads its
 * geometry from fort.34. A deck already reading EXTERNAL is returned unchanged; other geometry
 * inputs (SLAB, POLYMER, MOLECULE, unusual layouts) give null.
 */
export function externalGeometry(deck: string): string | null {
  const l = split(deck);
  if (!l) return null;
  const kw = word(l.lines[1] ?? "");
  if (kw === "EXTERNAL") return join(l);
  if (kw !== "CRYSTAL") return null;
  const flags = (l.lines[2] ?? "").trim().split(/\s+/);
  if (flags.length < 3 || !flags.every((f) => INT.test(f))) return null;
  const [iflag, , ifso] = flags.map(Number) as [number, number, number];
  let i = 3;
  // IFLAG 0: space group number; 1: its Hermann–Mauguin symbol — one line either way
  if (iflag !== 0 && iflag !== 1) return null;
  i++;
  if (ifso > 1) i++; // an explicit origin shift takes a line
  i++; // the lattice parameters
  const natoms = Number((l.lines[i] ?? "").trim());
  if (!Number.isInteger(natoms) || natoms < 1) return null;
  i += 1 + natoms;
  for (let j = i - natoms; j < i; j++) {
    const t = (l.lines[j] ?? "").trim().split(/\s+/);
    if (t.length < 4 || !INT.test(t[0]!)) return null;
  }
  l.lines.splice(1, i - 1, "EXTERNAL");
  return join(l);
}
