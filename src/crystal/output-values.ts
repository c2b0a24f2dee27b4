// Values CRYSTAL prints on one line of their own, each declared once here: the line it starts with,
// how the number is read from it, and how a person reads it (label, unit, format). The parser's
// line rules (output-rules.ts), the result's type and its fields (result.ts: every key, null when
// the line never came), and the rows of `parse` and the TUI's Results tab (result-fields.ts) are
// all derived from this table, so a new value of this kind is one entry here and nothing else.
// The last such line of the run wins (CRYSTAL repeats a value after each step of a run). No imports:
// the result types (one layer above it, test/layers.test.ts) are derived from it.

export interface LineValue {
  /** The result's key (snake case, with its unit: `…_ev`, `…_hartree`, `…_s`). */
  readonly key: string;
  /** What the line starts with, after its leading blanks (at least two characters). */
  readonly prefix: string;
  /** The value from the line's text (from the prefix on); null when the line does not hold one. */
  readonly read: (line: string) => number | null;
  readonly label: string;
  readonly unit: string | null;
  /** The value as a person reads it (the unit appended by the caller's table). */
  readonly format: (value: number) => string;
}

/** The first number after the prefix (Fortran style, `1.5D-03` too). */
export const numberAfter =
  (prefix: string) =>
  (line: string): number | null => {
    const m = /^\s*[:=]?\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?)/.exec(line.slice(prefix.length));
    if (!m) return null;
    const v = Number(m[1]!.replace(/[Dd]/, "E"));
    return Number.isFinite(v) ? v : null;
  };

export const LINE_VALUES = [] as const satisfies readonly LineValue[];

export type LineValueKey = (typeof LINE_VALUES)[number]["key"];

/** Every value of the table, null until its line comes. */
export type LineValues = { [K in LineValueKey]: number | null };

/** The values as the result holds them: every key, null when its line never came. */
export function lineValuesOf(seen: ReadonlyMap<string, number | null>): LineValues {
  return Object.fromEntries(
    (LINE_VALUES as readonly LineValue[]).map((v) => [v.key, seen.get(v.key) ?? null]),
  ) as LineValues;
}
