// One line of text being typed, with a cursor — the keys a shell's line editor has taught every
// user (readline/emacs style): ←/→ and Home/End (ctrl+a / ctrl+e) move, backspace deletes before
// the cursor, ctrl+u deletes to the start, ctrl+k to the end, ctrl+w the word before the cursor.
// Positions count characters (code points), not UTF-16 units, so "Å" or "→" is one step.
import type { Key } from "ink";

export interface LineState {
  value: string;
  /** Characters before the cursor (0 … length). */
  cursor: number;
}

/** The keys the editor acts on besides printable text, as a binding table names them. */
export const LINE_EDIT_KEYS = [
  "left",
  "right",
  "home",
  "end",
  "ctrl+a",
  "ctrl+e",
  "ctrl+u",
  "ctrl+k",
  "ctrl+w",
];

export function atEnd(value: string): LineState {
  return { value, cursor: [...value].length };
}

/** Where the word before the cursor starts, as readline's ctrl+w sees it: spaces, then non-spaces. */
function wordStart(chars: readonly string[], cursor: number): number {
  let i = cursor;
  while (i > 0 && /\s/.test(chars[i - 1]!)) i--;
  while (i > 0 && !/\s/.test(chars[i - 1]!)) i--;
  return i;
}

/**
 * A key press applied to the line. A burst that arrives as one chunk (a paste) is inserted as a
 * whole at the cursor; control characters never enter the text.
 */
export function editLine(state: LineState, input: string, key: Key): LineState {
  const chars = [...state.value];
  const cursor = Math.max(0, Math.min(state.cursor, chars.length));
  const at = (value: readonly string[], c: number): LineState => ({ value: value.join(""), cursor: c });
  if (key.leftArrow) return at(chars, Math.max(0, cursor - 1));
  if (key.rightArrow) return at(chars, Math.min(chars.length, cursor + 1));
  if (key.home || (key.ctrl && input === "a")) return at(chars, 0);
  if (key.end || (key.ctrl && input === "e")) return at(chars, chars.length);
  if (key.ctrl && input === "u") return at(chars.slice(cursor), 0);
  if (key.ctrl && input === "k") return at(chars.slice(0, cursor), cursor);
  if (key.ctrl && input === "w") {
    const from = wordStart(chars, cursor);
    return at([...chars.slice(0, from), ...chars.slice(cursor)], from);
  }
  // terminals send DEL (0x7f) for the backspace key, which Ink may report as either
  if (key.backspace || key.delete) {
    if (cursor === 0) return at(chars, 0);
    return at([...chars.slice(0, cursor - 1), ...chars.slice(cursor)], cursor - 1);
  }
  if (key.ctrl || key.meta || key.escape || key.return || key.tab) return at(chars, cursor);
  if (key.upArrow || key.downArrow || key.pageUp || key.pageDown) return at(chars, cursor);
  const typed: string[] = [];
  let left = chars.slice(0, cursor);
  for (const ch of input) {
    // a held backspace on a slow line arrives as DEL characters inside one chunk
    if (ch === "\u007f" || ch === "\b") {
      if (typed.length > 0) typed.pop();
      else left = left.slice(0, -1);
    } else if (!/[\u0000-\u001f]/.test(ch)) typed.push(ch);
  }
  return at([...left, ...typed, ...chars.slice(cursor)], left.length + typed.length);
}

/**
 * What a field `width` characters wide shows of the line: the part around the cursor (the end when
 * the text is longer than the field and the cursor is there), split at the cursor; `at` is the
 * character under the cursor (a space after the last one).
 */
export function cursorView(state: LineState, width: number): { before: string; at: string; after: string } {
  const chars = [...state.value];
  const cursor = Math.max(0, Math.min(state.cursor, chars.length));
  const w = Math.max(1, width);
  // the cursor's cell counts: a cursor after the last character needs one cell of its own
  const total = chars.length + 1;
  const start = total <= w ? 0 : Math.max(0, Math.min(cursor - Math.floor(w / 2), total - w));
  const shown = chars.slice(start, start + w);
  const i = cursor - start;
  return {
    before: shown.slice(0, i).join(""),
    at: shown[i] ?? " ",
    after: shown.slice(i + 1).join(""),
  };
}
