// Reads and checks CRYSTAL input decks before they are run: a `crystal` deck (.d12: title,
// geometry, optional OPTGEOM / FREQCALC / ELASTCON / EOS blocks, basis set, Hamiltonian and SCF)
// and a `properties` deck (.d3: NEWK, BAND, DOSS, … reading fort.9). It says what the deck asks
// for (calculation type, auxiliary files CRYSTAL will open) and gives line-numbered errors a
// chemist can act on. Keywords it does not know are warnings, never errors: CRYSTAL has many more
// than any list, and a deck CRYSTAL accepts must not be refused here.
//
// CRYSTAL reads keyword lines (only the keyword counts; any word starting with END closes a block)
// and, after some keywords, lines of numbers read in free format.

import { GEOMETRY_KINDS } from "./deck-keywords.js";
import { DeckReader } from "./deck-reader.js";
import { basisSetName, keywordOf, readBasis, readGeometry, readKeywords } from "./deck-sections.js";
import type { DeckReport, GeometryKind } from "./deck-types.js";

export { CRYSTAL_KEYWORDS, crystalKeywords } from "./deck-keywords.js";
export type { DeckMessage, DeckReport, GeometryKind } from "./deck-types.js";

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
