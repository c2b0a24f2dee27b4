// A sweep: a step's `foreach`, a parameter taking each value of a list or of a range
// ({from, to, step} or {from, to, count}); several parameters sweep their combinations. One job per
// point, so the number of points is bounded.
import { parseNumber } from "./numbers.js";
import type { Problems } from "./problems.js";

export interface SweepVar {
  name: string;
  values: (string | number | boolean)[];
}

/** The most jobs one step's sweep (or one range) may make. */
const MAX_POINTS = 10_000;

/** A parameter value a sweep or a step may give: a number, a word or true/false. */
export function isScalarValue(v: unknown): v is string | number | boolean {
  return typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean";
}

/** Values of a range {from, to, step} or {from, to, count}, both ends included, without float noise. */
function rangeValues(spec: Record<string, unknown>, where: string, problems: Problems): number[] {
  const num = (k: string) =>
    typeof spec[k] === "number" ? (spec[k] as number) : parseNumber(String(spec[k] ?? ""));
  const from = num("from");
  const to = num("to");
  if (from === null || to === null) {
    problems.add(`${where}: a range needs numbers from and to (and step or count)`);
    return [];
  }
  const tidy = (x: number) => Number(x.toPrecision(12));
  if (spec.count !== undefined) {
    const count = num("count");
    if (count === null || !Number.isInteger(count) || count < 1 || count > MAX_POINTS) {
      problems.add(`${where}: count must be a whole number from 1 to ${MAX_POINTS}`);
      return [];
    }
    if (count === 1) return [tidy(from)];
    return Array.from({ length: count }, (_, i) => tidy(from + ((to - from) * i) / (count - 1)));
  }
  const step = num("step");
  if (step === null || step === 0 || Math.sign(step) !== Math.sign(to - from || step)) {
    problems.add(`${where}: step must be a non-zero number going from ${from} towards ${to}`);
    return [];
  }
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  if (n > MAX_POINTS) {
    problems.add(`${where}: the range has ${n} values, more than the ${MAX_POINTS} allowed`);
    return [];
  }
  return Array.from({ length: n }, (_, i) => tidy(from + i * step));
}

/** A step's `foreach`: its variables and their values; problems are added to `problems`. */
export function parseForeach(raw: unknown, where: string, problems: Problems): SweepVar[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.add(`${where}: foreach must map a parameter to its values, e.g. foreach: {shrink: [4, 6, 8]}`);
    return [];
  }
  const vars: SweepVar[] = [];
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || ["params", "steps", "item", "index"].includes(name)) {
      problems.add(
        `${where}: foreach variable ${JSON.stringify(name)} must be a parameter-like name (not params, steps, item, index)`,
      );
      continue;
    }
    let values: (string | number | boolean)[];
    if (Array.isArray(spec)) {
      if (!spec.every(isScalarValue)) {
        problems.add(`${where}: foreach ${name} must list numbers, words or true/false`);
        continue;
      }
      values = spec;
    } else if (spec && typeof spec === "object") {
      values = rangeValues(spec as Record<string, unknown>, `${where}: foreach ${name}`, problems);
    } else {
      problems.add(`${where}: foreach ${name} must be a list of values or a range {from, to, step | count}`);
      continue;
    }
    if (values.length === 0) {
      problems.add(`${where}: foreach ${name} has no values`);
      continue;
    }
    vars.push({ name, values });
  }
  const total = vars.reduce((n, v) => n * v.values.length, 1);
  if (total > MAX_POINTS)
    problems.add(`${where}: foreach makes ${total} jobs, more than the ${MAX_POINTS} allowed`);
  return vars;
}
