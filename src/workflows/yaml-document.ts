// A workflow file's YAML, read into a document, with its first problem as one line. yaml's own
// unique-key check compares each key with every earlier key of its mapping — quadratic: a file of
// 10,000 steps spent seconds there — so keys are checked here with a set instead.
import { type Document, isNode, isScalar, LineCounter, parseDocument, visit } from "yaml";

export function readYaml(text: string): { doc: Document; problem: string | null } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    return {
      doc,
      problem: `not valid YAML${e.linePos?.[0] ? ` (line ${e.linePos[0].line})` : ""}: ${message}`,
    };
  }
  const duplicate = duplicateKey(doc);
  if (duplicate !== null) {
    return {
      doc,
      problem: `not valid YAML (line ${lines.linePos(duplicate).line}): Map keys must be unique`,
    };
  }
  return { doc, problem: null };
}

/**
 * The document's values. Aliases (`*name`) that expand to far more than the file holds — a
 * "billion laughs" of nested aliases — are refused by yaml as resource exhaustion: a problem of
 * the file in words, not a crash.
 */
export function yamlValues(doc: Document): { data: unknown; problem: string | null } {
  try {
    return { data: doc.toJS(), problem: null };
  } catch (err) {
    if (!/alias/i.test((err as Error).message)) throw err;
    return {
      data: null,
      problem:
        "its YAML aliases (*name) expand to far more than the file holds — write the values out instead of nesting aliases",
    };
  }
}

/** Where the first mapping key that repeats an earlier key of the same mapping is, or null. */
function duplicateKey(doc: Document): number | null {
  let at: number | null = null;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? `scalar:${String(pair.key.value)}` : `node:${String(pair.key)}`;
        if (seen.has(key)) {
          at = (isNode(pair.key) ? pair.key.range?.[0] : undefined) ?? 0;
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return at;
}
