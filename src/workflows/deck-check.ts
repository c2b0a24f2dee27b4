// The project's own deck validator, as templates and workflows use it: one call for both kinds of
// deck (a .d12 for crystal, a .d3 for properties) and one line per error for messages.
import { type DeckReport, readDeck, readPropertiesDeck } from "../crystal/deck.js";

export type { DeckReport } from "../crystal/deck.js";

export function checkDeck(deck: string, kind: "crystal" | "properties" = "crystal"): DeckReport {
  return kind === "properties" ? readPropertiesDeck(deck) : readDeck(deck);
}

/** The first error of a report in one line ("line 12: SHRINK needs …"), or null. */
export function firstDeckError(report: DeckReport): string | null {
  const e = report.errors[0];
  if (!e) return null;
  const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : "";
  return `line ${e.line}: ${e.message}${more}`;
}
