// What a properties deck (.d3) says that its data files do not: the names of the k points of the
// BAND path, for the plot's axis (symbolic labels `G X`, or coordinates in units of 1/ISS; else
// the data file's own tick labels; G is written Γ, as chemists do), and what each DOSS projection
// sums over (atoms or atomic orbitals).
import type { Tick } from "../../../crystal/properties-data.js";

/** Γ for CRYSTAL's G; other labels as written. */
export function pointName(label: string): string {
  const t = label.trim();
  return /^(G|GAMMA|Γ)$/i.test(t) ? "Γ" : t;
}

const VULGAR: Readonly<Record<string, string>> = {
  "1/2": "½",
  "1/3": "⅓",
  "2/3": "⅔",
  "1/4": "¼",
  "3/4": "¾",
  "1/6": "⅙",
  "5/6": "⅚",
  "1/8": "⅛",
  "3/8": "⅜",
  "5/8": "⅝",
  "7/8": "⅞",
};

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

/** n/d reduced: "0", "1", "½", "-¼", "5/12". */
export function fractionText(n: number, d: number): string {
  if (d === 0) return String(n);
  const g = gcd(n, d) || 1;
  const [p, q] = [n / g, d / g];
  if (q === 1) return String(p);
  const sign = p < 0 ? "-" : "";
  const key = `${Math.abs(p)}/${q}`;
  return `${sign}${VULGAR[key] ?? key}`;
}

/** A k point given by integers in units of 1/denominator: Γ for the origin, else "½,0,½". */
export function coordinatesName(coords: readonly number[], denominator: number | null): string {
  if (coords.every((c) => c === 0)) return "Γ";
  return coords.map((c) => (denominator ? fractionText(c, denominator) : String(c))).join(",");
}

export interface DeckPath {
  /** One name per tick (NLINE + 1); "X|U" where the path jumps (a segment does not start where the last ended). */
  labels: string[];
}

/** The BAND block of a properties deck: the names of the path's points, or null when it has none. */
export function deckBandPath(deck: string): DeckPath | null {
  const lines = deck.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim().toUpperCase() === "BAND");
  if (at < 0) return null;
  // BAND, a title, `NLINE ISS NSUB INZB IFNB IPLO IPRI`, then NLINE segments
  const params = (lines[at + 2] ?? "").trim().split(/\s+/).map(Number);
  const [nline, iss] = params;
  if (!Number.isInteger(nline) || !Number.isInteger(iss) || nline! <= 0 || nline! > 1000) return null;
  const segments: [string, string][] = [];
  for (let k = 0; k < nline!; k++) {
    const words = (lines[at + 3 + k] ?? "").trim().split(/\s+/);
    if (iss! > 0) {
      const n = words.slice(0, 6).map(Number);
      if (n.length < 6 || !n.every(Number.isInteger)) return null;
      segments.push([coordinatesName(n.slice(0, 3), iss!), coordinatesName(n.slice(3, 6), iss!)]);
    } else {
      if (words.length < 2 || words[0] === "") return null;
      segments.push([pointName(words[0]!), pointName(words[1]!)]);
    }
  }
  const labels = [segments[0]![0]];
  segments.forEach(([, to], i) => {
    const next = segments[i + 1]?.[0];
    labels.push(next !== undefined && next !== to ? `${to}|${next}` : to);
  });
  return { labels };
}

/** The tick names a plot shows: the deck's when they match the ticks in number, else the file's own. */
export function tickNames(ticks: readonly Tick[], deck: string | null): string[] {
  const fromDeck = deck ? deckBandPath(deck) : null;
  if (fromDeck && fromDeck.labels.length === ticks.length) return fromDeck.labels;
  return ticks.map((t) => {
    const words = t.label.trim().split(/\s+/);
    // fort.25 gives the segment ends as integers (their denominator is not in the file)
    if (words.length === 3 && words.every((w) => /^-?\d+$/.test(w)))
      return coordinatesName(words.map(Number), null);
    return pointName(t.label);
  });
}

/** Numbers as ranges: [1,2,3,7] → "1–3, 7". */
function ranges(ns: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ns.length; i++) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j]! + 1) j++;
    out.push(j > i ? `${ns[i]}–${ns[j]}` : String(ns[i]));
    i = j;
  }
  return out.join(", ");
}

/**
 * The DOSS block's projections, by what they sum: `DOSS NPRO NPT INZB IFNB IPLO NPOL NPR`, the
 * energy range when INZB/IFNB are negative, then NPRO lines `N i1 … iN` (N < 0: |N| atoms, N > 0:
 * N atomic orbitals). Null when the deck has no readable DOSS block.
 */
export function deckProjections(deck: string): string[] | null {
  const lines = deck.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim().toUpperCase() === "DOSS");
  if (at < 0) return null;
  const params = (lines[at + 1] ?? "").trim().split(/\s+/).map(Number);
  const [npro, , inzb, ifnb] = params;
  if (!Number.isInteger(npro) || npro! < 0 || npro! > 1000) return null;
  const first = at + 2 + ((inzb ?? 0) < 0 || (ifnb ?? 0) < 0 ? 1 : 0);
  const names: string[] = [];
  for (let k = 0; k < npro!; k++) {
    const n = (lines[first + k] ?? "").trim().split(/\s+/).map(Number);
    const count = n[0];
    if (!Number.isInteger(count) || count === 0 || n.slice(1).some((x) => !Number.isInteger(x))) return null;
    const members = n.slice(1, 1 + Math.abs(count!));
    names.push(
      count! < 0
        ? `atom${members.length === 1 ? "" : "s"} ${ranges(members)}`
        : `AO${members.length === 1 ? "" : "s"} ${ranges(members)}`,
    );
  }
  return names;
}
