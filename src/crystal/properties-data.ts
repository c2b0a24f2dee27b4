// The data files the properties program writes, read into band structures and densities of states
// that plots can draw: fort.25 (CRYSTAL's "Crgra" format: blocks `-%-` of BAND, DOSS, PDOS, MAPN
// data in fixed-width Fortran records, CRYSTAL23 manual, appendix on fort.25), BAND.DAT and
// DOSS.DAT (xmgrace tables of energies relative to the Fermi level). Energies are given in eV
// relative to the Fermi level (cm⁻¹ for phonon bands and DOS), DOS in states/eV/cell. Readers are
// pure functions of the text; anything unreadable is skipped, never thrown.
import { fixedWidthNumbers, fortranNumber as num } from "./output-bytes.js";
import { words } from "./output-line.js";
import { HARTREE_TO_EV } from "./result.js";

export type DataFileKind = "fort.25" | "BAND.DAT" | "DOSS.DAT";

export interface Tick {
  /** Path coordinate (bohr⁻¹, as CRYSTAL gives the step). */
  position: number;
  label: string;
}

export interface BandStructure {
  /** "eV" for electrons (relative to the Fermi level), "cm-1" for phonons. */
  unit: "eV" | "cm-1";
  spin_polarized: boolean;
  /** The Fermi energy in eV (absolute, as CRYSTAL computed it); null when the file does not say. */
  fermi_energy_ev: number | null;
  /** The path coordinate of each k point (bohr⁻¹), increasing along the path. */
  k_path: number[];
  /** Where each segment begins and ends, labelled with its k point (`0 0 0`) or CRYSTAL's label. */
  ticks: Tick[];
  /** bands[b][k]: band b at k point k (α for a spin-polarised run). */
  bands: number[][];
  /** β bands of a spin-polarised run, else null. */
  bands_beta: number[][] | null;
}

export interface DosProjection {
  /** CRYSTAL's projection number (1…), the total being the last. */
  index: number;
  values: number[];
  values_beta: number[] | null;
}

export interface DensityOfStates {
  unit: "eV" | "cm-1";
  spin_polarized: boolean;
  fermi_energy_ev: number | null;
  /** Energies of the points, relative to the Fermi level. */
  energies: number[];
  /** The total DOS (states/eV/cell; CRYSTAL writes it as the last projection). */
  total: number[];
  total_beta: number[] | null;
  /** Every block as written, projections then the total. */
  projections: DosProjection[];
}

export interface DataFile {
  kind: DataFileKind;
  band_structure: BandStructure | null;
  dos: DensityOfStates | null;
}

/** Which data file a text is, from its first line; null when it is none of them. */
export function dataFileKind(text: string): DataFileKind | null {
  const first = text.slice(0, 200).split("\n", 1)[0] ?? "";
  if (first.startsWith("-%-")) return "fort.25";
  if (/^#\s*NKPT\s+\d+/.test(first)) return "BAND.DAT";
  if (/^#\s*NEPTS\s+\d+/.test(first)) return "DOSS.DAT";
  return null;
}

/** Reads any of the three; null when the text is none of them. */
export function readDataFile(text: string): DataFile | null {
  const kind = dataFileKind(text);
  if (kind === "fort.25") return { kind, ...readFort25(text) };
  if (kind === "BAND.DAT") return { kind, band_structure: readBandDat(text), dos: null };
  if (kind === "DOSS.DAT") return { kind, band_structure: null, dos: readDossDat(text) };
  return null;
}

// ---------------------------------------------------------------- fort.25

interface Fort25Block {
  /** IHFERM: 0/1 closed/open shell insulator, 2/3 closed/open shell conductor (odd: two spins). */
  ihferm: number;
  type: string;
  nrow: number;
  ncol: number;
  dx: number;
  dy: number;
  fermi: number;
  /** The second record (2E12.5): BAND Emin Emax; DOSS x0 and the first energy. */
  second: number[];
  /** The third record (6I5): BAND the k points of the segment's ends; DOSS the projection and its AOs. */
  third: number[];
  data: number[];
}

/**
 * The blocks of a fort.25: `-%-` I1 A4 2I5 3E12.5 header (IHFERM, type, NROW, NCOL, DX, DY,
 * Fermi), a 2E12.5 record, a 6I5 record, then NROW × NCOL values in 6E12.5 records.
 */
export function fort25Blocks(text: string): Fort25Block[] {
  const lines = text.split(/\r?\n/);
  const blocks: Fort25Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const head = lines[i]!;
    if (!head.startsWith("-%-")) {
      i++;
      continue;
    }
    const ihferm = Number(head.slice(3, 4));
    const type = head.slice(4, 8).trim();
    const nrow = Number(head.slice(8, 13));
    const ncol = Number(head.slice(13, 18));
    const [dx, dy, fermi] = fixedWidthNumbers(head.slice(18, 54), 12);
    const second = fixedWidthNumbers(lines[i + 1] ?? "", 12);
    const third = words(lines[i + 2] ?? "").map(Number);
    i += 3;
    const want = nrow * ncol;
    if (![ihferm, nrow, ncol].every(Number.isInteger) || nrow <= 0 || ncol <= 0 || want > 5e7) continue;
    const data: number[] = [];
    while (i < lines.length && data.length < want && !lines[i]!.startsWith("-%-")) {
      for (const v of fixedWidthNumbers(lines[i]!, 12)) data.push(v);
      i++;
    }
    if (data.length < want || data.some(Number.isNaN)) continue; // a cut or mangled block is left out
    blocks.push({
      ihferm,
      type,
      nrow,
      ncol,
      dx: dx ?? 0,
      dy: dy ?? 0,
      fermi: fermi ?? 0,
      second,
      third,
      data,
    });
  }
  return blocks;
}

export function readFort25(text: string): {
  band_structure: BandStructure | null;
  dos: DensityOfStates | null;
} {
  const blocks = fort25Blocks(text);
  return {
    band_structure: bandsFromFort25(blocks.filter((b) => b.type === "BAND")),
    dos: dosFromFort25(blocks.filter((b) => b.type === "DOSS" || b.type === "PDOS")),
  };
}

/**
 * Phonon bands (PHONBANDS) are BAND blocks with no Fermi level (CRYSTAL writes 0) and frequencies in
 * cm⁻¹; a phonon DOS is a PDOS block.
 */
const isPhonon = (fermi: number, type: string) => (type === "BAND" ? fermi === 0 : type === "PDOS");

function bandsFromFort25(blocks: Fort25Block[]): BandStructure | null {
  if (blocks.length === 0) return null;
  const phonon = isPhonon(blocks[0]!.fermi, "BAND");
  // the k step of a BAND block is its DY field (DX is 0)
  const step = (seg: Fort25Block) => (seg.dy !== 0 ? seg.dy : seg.dx);
  // an open-shell run writes every segment for α, then every segment for β
  const twoSpins = !phonon && blocks[0]!.ihferm % 2 === 1 && blocks.length % 2 === 0;
  const segments = twoSpins ? blocks.slice(0, blocks.length / 2) : blocks;
  const nbands = segments[0]!.nrow;
  if (!blocks.every((b) => b.nrow === nbands)) return null;
  const fermi = blocks[0]!.fermi;
  const scale = (e: number) => (phonon ? e : (e - fermi) * HARTREE_TO_EV);
  const k_path: number[] = [];
  const ticks: Tick[] = [];
  let start = 0;
  segments.forEach((seg, i) => {
    const from = seg.third.slice(0, 3).join(" ");
    const to = seg.third.slice(3, 6).join(" ");
    if (ticks.length === 0) ticks.push({ position: start, label: from });
    // CRYSTAL writes a segment after the first without its starting point (the end of the one
    // before): NaCl's path of "60 K-POINTS" is 20 + 10 + 14 + 17 = 61 points, W at 0.5895 + 10 DY
    // as its BAND.DAT says. A file that does repeat the point (same energies) is read as it is.
    const skipped = i > 0 && !repeatsLastPoint(segments[i - 1]!, seg, nbands) ? 1 : 0;
    for (let k = 0; k < seg.ncol; k++) k_path.push(start + (k + skipped) * step(seg));
    start += (seg.ncol - 1 + skipped) * step(seg);
    ticks.push({ position: start, label: to });
  });
  const bandsOf = (part: Fort25Block[]) => {
    const bands = Array.from({ length: nbands }, () => [] as number[]);
    for (const seg of part)
      for (let k = 0; k < seg.ncol; k++)
        for (let b = 0; b < nbands; b++) bands[b]!.push(scale(seg.data[k * nbands + b]!));
    return bands;
  };
  return {
    unit: phonon ? "cm-1" : "eV",
    spin_polarized: twoSpins,
    fermi_energy_ev: phonon ? null : fermi * HARTREE_TO_EV,
    k_path,
    ticks,
    bands: bandsOf(segments),
    bands_beta: twoSpins ? bandsOf(blocks.slice(blocks.length / 2)) : null,
  };
}

/** The segment's first k point has the energies of the one before's last (it repeats that point). */
function repeatsLastPoint(before: Fort25Block, seg: Fort25Block, nbands: number): boolean {
  const last = (before.ncol - 1) * nbands;
  for (let b = 0; b < nbands; b++) if (Math.abs(before.data[last + b]! - seg.data[b]!) > 1e-7) return false;
  return true;
}

function dosFromFort25(blocks: Fort25Block[]): DensityOfStates | null {
  if (blocks.length === 0) return null;
  const first = blocks[0]!;
  const phonon = isPhonon(first.fermi, first.type);
  const npoints = first.ncol;
  if (!blocks.every((b) => b.ncol === npoints)) return null;
  const twoSpins = !phonon && first.ihferm % 2 === 1 && blocks.length % 2 === 0;
  const alpha = twoSpins ? blocks.slice(0, blocks.length / 2) : blocks;
  const beta = twoSpins ? blocks.slice(blocks.length / 2) : null;
  const e0 = first.second[1] ?? 0;
  const energies = Array.from({ length: npoints }, (_, k) =>
    phonon ? e0 + k * first.dy : (e0 + k * first.dy - first.fermi) * HARTREE_TO_EV,
  );
  const perUnit = (v: number) => (phonon ? v : v / HARTREE_TO_EV);
  const projections: DosProjection[] = alpha.map((b, i) => ({
    index: b.third[0] ?? i + 1,
    values: b.data.map(perUnit),
    // β DOS is written as it is (CRYSTAL's plots draw it negative)
    values_beta: beta ? beta[i]!.data.map(perUnit) : null,
  }));
  const total = projections.at(-1)!;
  return {
    unit: phonon ? "cm-1" : "eV",
    spin_polarized: twoSpins,
    fermi_energy_ev: phonon ? null : first.fermi * HARTREE_TO_EV,
    energies,
    total: total.values,
    total_beta: total.values_beta,
    projections,
  };
}

// ---------------------------------------------------------------- BAND.DAT and DOSS.DAT

/** `# NKPT 61 NBND 18 NSPIN 1` → {NKPT: 61, NBND: 18, NSPIN: 1} */
function headerNumbers(line: string): Record<string, number> {
  const w = words(line.replace(/^#/, ""));
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < w.length; i += 2) out[w[i]!] = Number(w[i + 1]);
  return out;
}

/** `# EFERMI (HARTREE)   -0.14650` (DOSS.DAT, recent BAND.DAT) */
function fermiOf(lines: string[]): number | null {
  for (const line of lines) {
    const m = /^#?\s*@?\s*EFERMI\s*\(HARTREE\)\s*(\S+)/.exec(line.trim());
    if (m) return num(m[1]);
  }
  return null;
}

/** Rows of `count` numbers (the xmgrace data), in order. */
function numericRows(lines: string[], count: number): number[][] {
  const rows: number[][] = [];
  for (const line of lines) {
    const t = line.trim();
    if (t === "" || t.startsWith("#") || t.startsWith("@")) continue;
    const values = words(t).map((w) => num(w) ?? Number.NaN);
    if (values.length === count && !values.some(Number.isNaN)) rows.push(values);
  }
  return rows;
}

export function readBandDat(text: string): BandStructure | null {
  const lines = text.split(/\r?\n/);
  const head = headerNumbers(lines[0] ?? "");
  const nk = head.NKPT;
  const nb = head.NBND;
  const nspin = head.NSPIN ?? 1;
  if (!Number.isInteger(nk) || !Number.isInteger(nb) || nk! <= 0 || nb! <= 0) return null;
  const rows = numericRows(lines, nb! + 1);
  if (rows.length < nk!) return null;
  const twoSpins = nspin === 2 && rows.length >= 2 * nk!;
  const positions = new Map<number, number>();
  const labels = new Map<number, string>();
  for (const line of lines) {
    const tick = /^@\s*XAXIS\s+TICK\s+(\d+)\s*,\s*(\S+)/.exec(line);
    if (tick) positions.set(Number(tick[1]), Number(tick[2]));
    const label = /^@\s*XAXIS\s+TICKLABEL\s+(\d+)\s*,\s*"([^"]*)"/.exec(line);
    if (label) labels.set(Number(label[1]), label[2]!.trim());
  }
  const ticks: Tick[] = [...positions.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, position]) => ({ position, label: labels.get(i) ?? "" }));
  const phonon = /CM\*\*-1|CM-1|FREQUENC/i.test(text.slice(0, 4000));
  const scale = (e: number) => (phonon ? e : e * HARTREE_TO_EV);
  const bandsOf = (part: number[][]) =>
    Array.from({ length: nb! }, (_, b) => part.map((row) => scale(row[b + 1]!)));
  const fermi = fermiOf(lines);
  return {
    unit: phonon ? "cm-1" : "eV",
    spin_polarized: twoSpins,
    fermi_energy_ev: fermi === null || phonon ? null : fermi * HARTREE_TO_EV,
    k_path: rows.slice(0, nk).map((row) => row[0]!),
    ticks,
    bands: bandsOf(rows.slice(0, nk)),
    bands_beta: twoSpins ? bandsOf(rows.slice(nk, 2 * nk!)) : null,
  };
}

export function readDossDat(text: string): DensityOfStates | null {
  const lines = text.split(/\r?\n/);
  const head = headerNumbers(lines[0] ?? "");
  const ne = head.NEPTS;
  const np = head.NPROJ;
  const nspin = head.NSPIN ?? 1;
  if (!Number.isInteger(ne) || !Number.isInteger(np) || ne! <= 0 || np! <= 0) return null;
  const rows = numericRows(lines, np! + 1);
  if (rows.length < ne!) return null;
  const twoSpins = nspin === 2 && rows.length >= 2 * ne!;
  const phonon = /CM\*\*-1|CM-1|FREQUENC/i.test(lines.slice(0, 6).join("\n"));
  const scale = (e: number) => (phonon ? e : e * HARTREE_TO_EV);
  const perUnit = (v: number) => (phonon ? v : v / HARTREE_TO_EV);
  const alpha = rows.slice(0, ne);
  const beta = twoSpins ? rows.slice(ne, 2 * ne!) : null;
  const projections: DosProjection[] = Array.from({ length: np! }, (_, j) => ({
    index: j + 1,
    values: alpha.map((r) => perUnit(r[j + 1]!)),
    // DOSS.DAT writes β as negative numbers: given as positive densities, like fort.25
    values_beta: beta ? beta.map((r) => Math.abs(perUnit(r[j + 1]!))) : null,
  }));
  const total = projections.at(-1)!;
  const fermi = fermiOf(lines);
  return {
    unit: phonon ? "cm-1" : "eV",
    spin_polarized: twoSpins,
    fermi_energy_ev: fermi === null || phonon ? null : fermi * HARTREE_TO_EV,
    energies: alpha.map((r) => scale(r[0]!)),
    total: total.values,
    total_beta: total.values_beta,
    projections,
  };
}

// ---------------------------------------------------------------- series for plots

export interface BandSeries {
  /** The k-path coordinate of each point. */
  x: number[];
  /** The bands that cross the energy window, each a line over x (α, then β for an open shell). */
  lines: { spin: "alpha" | "beta" | null; values: number[] }[];
  ticks: Tick[];
  /** The window drawn (eV or cm⁻¹, relative to the Fermi level: 0 is the Fermi level). */
  window: [number, number];
}

/** The bands within [low, high] (default ±5 eV around the Fermi level; all bands for phonons). */
export function bandSeries(b: BandStructure, window?: [number, number]): BandSeries {
  const all = [...b.bands, ...(b.bands_beta ?? [])].flat();
  const w: [number, number] =
    window ?? (b.unit === "eV" ? [-5, 5] : [Math.min(0, ...all), Math.max(0, ...all)]);
  const within = (values: number[]) => values.some((v) => v >= w[0] && v <= w[1]);
  const lines: BandSeries["lines"] = [];
  for (const values of b.bands)
    if (within(values)) lines.push({ spin: b.bands_beta ? "alpha" : null, values });
  for (const values of b.bands_beta ?? []) if (within(values)) lines.push({ spin: "beta", values });
  return { x: b.k_path, lines, ticks: b.ticks, window: w };
}

/** The total DOS against energy (β negative, as DOS plots draw it), for a plot. */
export function dosSeries(d: DensityOfStates): { x: number[]; y: number[]; y_beta: number[] | null } {
  return { x: d.energies, y: d.total, y_beta: d.total_beta ? d.total_beta.map((v) => -v) : null };
}
