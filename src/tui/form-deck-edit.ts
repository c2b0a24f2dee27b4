// ctrl+o in the new-job form: the deck the form has rendered goes into the user's $VISUAL/$EDITOR
// (the screen put away meanwhile, src/tui/outside.ts), and comes back checked — the deck reader's
// line-numbered errors and the files it reads that the form does not give (src/app/deck-problems.ts).
// The form then makes the job from the edited deck, and refuses while it has problems.
import { type DeckProblem, deckProblems, problemsText } from "../app/deck-problems.js";
import { discardEdit, type EditedDeck, editDeck } from "../app/edit-deck.js";
import { outsideTui } from "./outside.js";

export interface FormDeckEdit extends EditedDeck {
  problems: DeckProblem[];
}

/** Opens `deck` in the editor; throws a UserError when the editor fails or the deck was emptied. */
export function editFormDeck(deck: string, jobName: string, auxFiles: readonly string[]): FormDeckEdit {
  const edit = outsideTui(() => editDeck(deck, jobName || "deck"));
  return { ...edit, problems: deckProblems(edit.deck, { auxFiles: [...auxFiles], fromParents: [] }) };
}

/** The status line after an edit: what is wrong with it (line by line), or that it is ready. */
export function editOutcome(edit: FormDeckEdit): { text: string; kind: "info" | "error" } {
  if (edit.problems.length > 0) {
    return {
      text: `your deck has ${edit.problems.length} problem${edit.problems.length === 1 ? "" : "s"} — ${problemsText(edit.problems)}; ctrl+o to fix it (no job is made until then)`,
      kind: "error",
    };
  }
  return {
    text: edit.changed
      ? "deck edited — ctrl+s creates the job from your edit"
      : "the deck was not changed — ctrl+s creates the job",
    kind: "info",
  };
}

/** The edit is no longer needed (the job was made from it, or the form was left). */
export function dropFormDeckEdit(edit: FormDeckEdit | null): void {
  if (edit) discardEdit(edit);
}
