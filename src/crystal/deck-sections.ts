// The sections of a crystal deck (geometry, keyword blocks, basis set), read with the deck reader.
import { GEOMETRY_KINDS, TABLES } from "./deck-keywords.js";
import {
  type DeckReader,
  INT,
  isNumber,
  latticeParameterCount,
  plural,
  slabParameterCount,
  tokens,
} from "./deck-reader.js";
import type { GeometryKind, Keyword, Section } from "./deck-types.js";

export function isEnd(word: string): boolean {
  return word.startsWith("END");
}

/** The first word of a keyword line, upper-case. */
export function keywordOf(text: string): string {
  return (text.trim().split(/\s+/)[0] ?? "").toUpperCase();
}

/**
 * Reads keyword lines of `section` until a word starting with END (returned true) or, for the
 * geometry section, BASISSET. `stopAt` lists words that end the section without being consumed.
 */
export function readKeywords(r: DeckReader, section: Section): "end" | "basisset" | "eof" {
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

export function sectionName(section: Section): string {
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

export function blockEnd(section: Section): string {
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
export function basisSetName(r: DeckReader, kw: Keyword): void {
  const next = r.peekTokens();
  if (next === null || next.length === 0) {
    r.error(kw.line, "BASISSET needs the name of a basis set on the next line, e.g. `POB-TZVP-REV2`");
    return;
  }
  r.i++;
}

/** The geometry block of line 2 up to its atoms. */
export function readGeometry(r: DeckReader, kind: GeometryKind, kwLine: number): void {
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
export function skipBasis(r: DeckReader): "end" | "eof" | "keywords" {
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
export function readBasis(r: DeckReader): "end" | "eof" | "keywords" {
  const result = readBasisAtoms(r);
  return result === "error" ? skipBasis(r) : result;
}

export function readBasisAtoms(r: DeckReader): "end" | "eof" | "keywords" | "error" {
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
