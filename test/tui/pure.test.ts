// The TUI's pure parts: deck highlighting, the workflow tree, formats, and field editing.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { editText, moveChoice } from "../../src/tui/components/Form.js";
import { clip, formatDuration, parseDbTime, runtimeOf, wrapText } from "../../src/tui/format.js";
import { highlightDeck } from "../../src/tui/highlight.js";
import { buildTree } from "../../src/tui/tree.js";
import { noKey } from "../helpers/no-key.js";

const KEYS = new Set(["CRYSTAL", "END", "OPTGEOM", "FULLOPTG", "ENDOPT", "SHRINK", "BASISSET"]);
describe("deck highlighting", () => {
  test("title, keywords and numbers are told apart; the text is kept exactly", () => {
    const deck = "MgO bulk\nCRYSTAL\n0 0 0\n 225\n4.21\nOPTGEOM\nfulloptg\nENDOPT\n12 0. 0. 0.\nSTO-3G\n";
    const lines = highlightDeck(deck, KEYS);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toEqual([{ text: "MgO bulk", kind: "title" }]);
    expect(lines[1]).toEqual([{ text: "CRYSTAL", kind: "keyword" }]);
    expect(lines[6]![0]!.kind).toBe("keyword"); // CRYSTAL reads keywords in any case
    expect(lines[3]!.map((s) => s.kind)).toEqual(["text", "number"]);
    expect(lines[9]!.every((s) => s.kind !== "keyword")).toBe(true);
  });

  test("joining the segments gives back every line of any deck", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)),
          { maxLength: 30 },
        ),
        (lines) => {
          const deck = lines.join("\n");
          const out = highlightDeck(deck, KEYS);
          const back = out.map((segs) => segs.map((s) => s.text).join(""));
          const expected = deck.split("\n");
          if (expected[expected.length - 1] === "") expected.pop();
          expect(back).toEqual(expected);
        },
      ),
    );
  });
});

describe("workflow tree", () => {
  test("steps hang under the first parent they wait for; a step with two parents notes the other", () => {
    const tree = buildTree([
      { id: 1, parents: [] },
      { id: 2, parents: [1] },
      { id: 3, parents: [1] },
      { id: 4, parents: [3, 2] },
      { id: 5, parents: [] },
    ]);
    expect(tree.map((t) => `${t.prefix}${t.node.id}`)).toEqual(["1", "├─ 2", "│  └─ 4", "└─ 3", "5"]);
    expect(tree.find((t) => t.node.id === 4)!.alsoAfter).toEqual([3]);
  });

  test("every step appears exactly once, whatever the edges", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }), { maxLength: 12 }),
        (parentLists) => {
          // edges only to earlier steps, as the store guarantees (no cycles)
          const nodes = parentLists.map((ps, i) => ({
            id: i + 1,
            parents: [...new Set(ps.filter((p) => p < i + 1))],
          }));
          const tree = buildTree(nodes);
          expect(tree.map((t) => t.node.id).sort((a, b) => a - b)).toEqual(nodes.map((n) => n.id));
        },
      ),
    );
  });
});

describe("formats", () => {
  test("durations and runtimes read short", () => {
    expect(formatDuration(8)).toBe("8s");
    expect(formatDuration(725)).toBe("12m05s");
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe("3h07m");
    expect(formatDuration(2 * 86400 + 4 * 3600)).toBe("2d04h");
    const start = "2025-01-01 10:00:00";
    expect(runtimeOf({ startedAt: start, completedAt: "2025-01-01 10:03:12" })).toBe("3m12s");
    expect(runtimeOf({ startedAt: null, completedAt: null })).toBe("");
    expect(runtimeOf({ startedAt: start, completedAt: null }, parseDbTime(start)! + 5000)).toBe("5s");
  });

  test("wrapped text: no line over the width, every word kept in order, whole words where they fit", () => {
    const word = fc
      .string({ minLength: 1, maxLength: 14 })
      .map((w) => w.replace(/[\s\u0000-\u001f\u007f]/g, "x"));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), fc.integer({ min: 1, max: 40 }), (words, w) => {
        const lines = wrapText(words.join(" "), w);
        for (const l of lines) expect([...l].length).toBeLessThanOrEqual(w);
        // read back without the breaks: the same characters in the same order
        expect(lines.join("").replace(/ /g, "")).toBe(words.join(""));
        // a word that fits a line is never split across two
        if (words.every((x) => [...x].length <= w)) {
          expect(lines.flatMap((l) => l.split(" ")).filter(Boolean)).toEqual(words);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("fit never returns more than the width", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 50 }), (s, w) => {
        expect([...clip(s, w)].length).toBeLessThanOrEqual(w);
        if ([...s].length <= w) expect(clip(s, w)).toBe(s);
      }),
    );
  });
});

describe("form fields", () => {
  test("typing appends, backspace removes one character, control characters never enter", () => {
    expect(editText("mg", "o", noKey)).toBe("mgo");
    expect(editText("mgo", "", { ...noKey, backspace: true })).toBe("mg");
    expect(editText("mgo", "x\u0007y", noKey)).toBe("mgoxy");
    expect(editText("mgo", "", { ...noKey, upArrow: true })).toBe("mgo");
    // a burst that arrives as one chunk: a held backspace, a paste
    expect(editText("mgo_scf", "\u007f\u007f\u007f", noKey)).toBe("mgo_");
    expect(editText("", "4.21\tx", noKey)).toBe("4.21x");
  });

  test("choices wrap around", () => {
    expect(moveChoice(["a", "b", "c"], "c", 1)).toBe("a");
    expect(moveChoice(["a", "b", "c"], "a", -1)).toBe("c");
  });
});
