// What stands between a deck and a job made of it, as a list a face can show: the deck reader's
// line-numbered errors, and every file the deck will read (EXTERNAL → fort.34, GUESSP → fort.20,
// OPTGEOM RESTART → OPTINFO.DAT, …) that nothing provides. The CLI prints them, the TUI lists them
// beside the deck; neither creates a job while the list is not empty.
import { readDeck } from "../crystal/deck.js";
import { DATA_LINKS, type ProvidedInputs, unprovidedInputs } from "../crystal/files.js";
import { addScfFlag } from "../workflows/deck-edit.js";

export interface DeckProblem {
  /** 1-based line of the deck, or null for a file the whole deck needs. */
  line: number | null;
  message: string;
}

export function deckProblems(deck: string, provided: ProvidedInputs): DeckProblem[] {
  const report = readDeck(deck);
  const problems: DeckProblem[] = report.errors.map((e) => ({ line: e.line, message: e.message }));
  const program = report.kind === "properties" ? "properties" : "crystal";
  for (const missing of unprovidedInputs(report.auxInputs, program, provided)) {
    const how = missing.link
      ? `the ${missing.link.what} of another job${missing.link.cliFlag ? ` (${missing.link.cliFlag} ID)` : ""} or an aux file *${missing.link.ext}`
      : `an aux file named ${missing.file}`;
    problems.push({
      line: null,
      message: `the deck reads ${missing.file}, which nothing provides — give ${how}`,
    });
  }
  return problems;
}

/** The problems in one line: `line 3: …; line 9: …; the deck reads fort.34, …`. */
export function problemsText(problems: readonly DeckProblem[]): string {
  return problems.map((p) => (p.line === null ? p.message : `line ${p.line}: ${p.message}`)).join("; ");
}

/** A file handed to a deck that will not read it, and the keyword that would make it. */
export interface UnreadInput {
  keyword: string;
  message: string;
}

/**
 * Files handed to a deck that it will not read (a wavefunction given to a deck without GUESSP, a
 * geometry to one without EXTERNAL): warnings, each with the keyword that would read it.
 */
export function unreadInputs(deck: string, fromParents: readonly string[]): UnreadInput[] {
  const report = readDeck(deck);
  const program = report.kind === "properties" ? "properties" : "crystal";
  const out: UnreadInput[] = [];
  for (const ext of fromParents) {
    const link = DATA_LINKS.find((l) => l.ext === ext);
    const file = link?.reads[program];
    if (!link || !file || report.auxInputs.includes(file)) continue;
    out.push({
      keyword: link.keyword,
      message: `the deck does not read the ${link.what} it is given (${file}): add ${link.keyword} to it`,
    });
  }
  return out;
}

/**
 * The deck with the keyword added that makes it read a wavefunction it is handed (GUESSP, in its SCF
 * section) — the one such keyword that can be added without a chemist's judgement: a geometry's
 * EXTERNAL replaces the typed-in geometry, so it is only named in the warning. Null when nothing
 * can be added (nothing unread, a properties deck, no SCF section to put it in).
 */
export function withGuessp(deck: string, fromParents: readonly string[]): string | null {
  if (readDeck(deck).kind === "properties") return null;
  const link = DATA_LINKS.find((l) => l.keyword === "GUESSP");
  if (!link || !fromParents.includes(link.ext)) return null;
  if (!unreadInputs(deck, [link.ext]).some((u) => u.keyword === link.keyword)) return null;
  return addScfFlag(deck, link.keyword);
}
