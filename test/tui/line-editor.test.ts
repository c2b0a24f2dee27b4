// The text-field line editor against a model written independently: the line as the text before
// the cursor and the text after it (two arrays of characters), each key one small move between them.
import fc from "fast-check";
import type { Key } from "ink";
import { describe, expect, test } from "vitest";
import { atEnd, editLine } from "../../src/tui/components/line-editor.js";
import { noKey } from "../helpers/no-key.js";

type Press =
  | { kind: "type"; text: string }
  | { kind: "left" | "right" | "home" | "end" | "backspace" | "ctrl+u" | "ctrl+k" | "ctrl+w" };

function asKey(p: Press): [string, Key] {
  switch (p.kind) {
    case "type":
      return [p.text, noKey];
    case "left":
      return ["", { ...noKey, leftArrow: true }];
    case "right":
      return ["", { ...noKey, rightArrow: true }];
    case "home":
      return ["", { ...noKey, home: true }];
    case "end":
      return ["", { ...noKey, end: true }];
    case "backspace":
      return ["", { ...noKey, backspace: true }];
    default:
      return [p.kind.slice(5), { ...noKey, ctrl: true }];
  }
}

/** The model: before and after the cursor. */
interface Model {
  before: string[];
  after: string[];
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

function model(m: Model, p: Press): Model {
  const before = [...m.before];
  const after = [...m.after];
  switch (p.kind) {
    case "type":
      for (const ch of p.text) if (ch >= " " && ch !== "\u007f") before.push(ch);
      return { before, after };
    case "left":
      if (before.length) after.unshift(before.pop()!);
      return { before, after };
    case "right":
      if (after.length) before.push(after.shift()!);
      return { before, after };
    case "home":
      return { before: [], after: [...before, ...after] };
    case "end":
      return { before: [...before, ...after], after: [] };
    case "backspace":
      before.pop();
      return { before, after };
    case "ctrl+u":
      return { before: [], after };
    case "ctrl+k":
      return { before, after: [] };
    case "ctrl+w":
      while (isSpace(before.at(-1))) before.pop();
      while (before.length && !isSpace(before.at(-1))) before.pop();
      return { before, after };
  }
}

const press: fc.Arbitrary<Press> = fc.oneof(
  fc.record({ kind: fc.constant("type" as const), text: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant("type" as const), text: fc.constantFrom(" ", "Å", "→", "a b", "/x/") }),
  fc.constantFrom(
    ...(["left", "right", "home", "end", "backspace", "ctrl+u", "ctrl+k", "ctrl+w"] as const).map((kind) => ({
      kind,
    })),
  ),
);

describe("text fields edit like a shell's line", () => {
  test("every key sequence agrees with the before/after model (value and cursor)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.array(press, { maxLength: 30 }), (start, presses) => {
        const clean = [...start].filter((c) => c >= " " && c !== "\u007f");
        let state = atEnd(clean.join(""));
        let m: Model = { before: clean, after: [] };
        for (const p of presses) {
          const [input, key] = asKey(p);
          state = editLine(state, input, key);
          m = model(m, p);
          expect(state.value).toBe([...m.before, ...m.after].join(""));
          expect(state.cursor).toBe(m.before.length);
        }
      }),
      { numRuns: 400 },
    );
  });

  test("the cases a chemist types", () => {
    let s = atEnd("mgo_scf");
    s = editLine(s, "", { ...noKey, home: true });
    s = editLine(s, "bulk_", noKey);
    expect(s).toEqual({ value: "bulk_mgo_scf", cursor: 5 });
    s = editLine(s, "w", { ...noKey, ctrl: true });
    expect(s).toEqual({ value: "mgo_scf", cursor: 0 });
    s = editLine(atEnd("decks/mgo opt.d12"), "w", { ...noKey, ctrl: true });
    expect(s.value).toBe("decks/mgo ");
    s = editLine(s, "u", { ...noKey, ctrl: true });
    expect(s).toEqual({ value: "", cursor: 0 });
    // a held backspace arriving as one chunk deletes before the cursor, not at the end
    s = editLine({ value: "abcdef", cursor: 3 }, "\u007f\u007f", noKey);
    expect(s).toEqual({ value: "adef", cursor: 1 });
  });
});
