// Typed template parameters: what a template declares (name, type, default, range, options) and the
// checking of values given for them — from YAML (typed), from a form or `--set k=v` (strings).
// One place says what a valid value is; the TUI form, the CLI and workflows all ask it.
import { formatCrystalNumber, parseNumber } from "./numbers.js";

export const PARAM_TYPES = ["string", "integer", "float", "boolean", "choice"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface TemplateParam {
  name: string;
  type: ParamType;
  default?: unknown;
  min?: number;
  max?: number;
  options?: string[];
  required?: boolean;
  help?: string;
  /** string parameters: a regular expression the whole value must match. */
  pattern?: string;
  /** string parameters: allow several lines (refused otherwise: a newline would break the deck). */
  multiline?: boolean;
}

export interface ParamError {
  param: string;
  message: string;
}

/** Names the rendering context uses itself; a parameter cannot take them. */
export const RESERVED_NAMES = new Set(["steps", "attempt", "params", "workflow", "loop", "caller", "super"]);

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names every JavaScript object has (its prototype machinery): never a parameter's. */
const OBJECT_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/** Whether `name` can name a parameter: an identifier, and none of an object's own names. */
export function isParamName(name: string): boolean {
  return PARAM_NAME.test(name) && !OBJECT_NAMES.has(name);
}

const TRUE_WORDS = new Set(["true", "yes", "on", "1", "y"]);
const FALSE_WORDS = new Set(["false", "no", "off", "0", "n"]);

/** Checks one parameter declaration of a template file; returns the problems (empty when sound). */
export function checkParamDeclaration(p: Partial<TemplateParam>, index: number): string[] {
  const where = `params[${index}]${typeof p.name === "string" ? ` (${p.name})` : ""}`;
  const problems: string[] = [];
  if (typeof p.name !== "string" || !PARAM_NAME.test(p.name)) {
    problems.push(`${where}: name must be letters, digits and _ (starting with a letter or _)`);
  } else if (RESERVED_NAMES.has(p.name) || OBJECT_NAMES.has(p.name) || p.name.startsWith("__")) {
    problems.push(`${where}: the name ${p.name} is reserved`);
  }
  if (!PARAM_TYPES.includes(p.type as ParamType)) {
    problems.push(`${where}: type must be one of ${PARAM_TYPES.join(", ")}`);
    return problems;
  }
  if (p.type === "choice") {
    if (!Array.isArray(p.options) || p.options.length === 0) {
      problems.push(`${where}: a choice needs a list of options`);
    }
  } else if (p.options !== undefined) {
    problems.push(`${where}: options are only for type choice`);
  }
  for (const bound of ["min", "max"] as const) {
    if (p[bound] !== undefined && (typeof p[bound] !== "number" || !Number.isFinite(p[bound]))) {
      problems.push(`${where}: ${bound} must be a number`);
    }
  }
  if (typeof p.min === "number" && typeof p.max === "number" && p.min > p.max) {
    problems.push(`${where}: min ${p.min} is larger than max ${p.max}`);
  }
  if (p.pattern !== undefined) {
    try {
      new RegExp(p.pattern);
    } catch {
      problems.push(`${where}: pattern is not a valid regular expression`);
    }
  }
  if (p.default !== undefined && p.default !== null && problems.length === 0) {
    const checked = coerceParam(p as TemplateParam, p.default);
    if ("error" in checked)
      problems.push(`${where}: default ${JSON.stringify(p.default)} — ${checked.error}`);
  }
  return problems;
}

function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
}

/** Converts one raw value (typed, or text from a form) to the parameter's type, or says why not. */
export function coerceParam(p: TemplateParam, raw: unknown): { value: unknown } | { error: string } {
  // a YAML list or mapping (or anything else that is not a plain value) is never a parameter value;
  // String() of such a value can even throw
  if (raw !== null && (typeof raw === "object" || typeof raw === "function")) {
    return {
      error: `a ${p.type} value is expected, not ${Array.isArray(raw) ? "a list" : "a table of values"}`,
    };
  }
  switch (p.type) {
    case "integer":
    case "float": {
      let n: number | null = null;
      if (typeof raw === "number") n = raw;
      else if (typeof raw === "string") {
        n = parseNumber(raw);
        if (n === null && /^\s*[+-]?\d+,\d+\s*$/.test(raw)) {
          return { error: `${JSON.stringify(raw)} is not a number — use a decimal point, not a comma` };
        }
      }
      if (n === null || !Number.isFinite(n)) return { error: `${JSON.stringify(raw)} is not a number` };
      if (p.type === "integer" && !Number.isInteger(n)) {
        return { error: `${JSON.stringify(raw)} is not a whole number` };
      }
      if (p.min !== undefined && n < p.min)
        return { error: `${formatCrystalNumber(n)} is below the minimum ${p.min}` };
      if (p.max !== undefined && n > p.max)
        return { error: `${formatCrystalNumber(n)} is above the maximum ${p.max}` };
      return { value: n };
    }
    case "boolean": {
      if (typeof raw === "boolean") return { value: raw };
      const word = String(raw).trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { error: `${JSON.stringify(raw)} is not true or false` };
    }
    case "choice": {
      const options = (p.options ?? []).map(String);
      const text = typeof raw === "number" ? formatCrystalNumber(raw) : String(raw).trim();
      // CRYSTAL keywords are upper case; a chemist typing b3lyp means B3LYP
      const match =
        options.find((o) => o === text) ?? options.find((o) => o.toLowerCase() === text.toLowerCase());
      if (match === undefined)
        return { error: `${JSON.stringify(text)} is not one of ${options.join(", ")}` };
      return { value: match };
    }
    case "string": {
      if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
        return { error: "must be text" };
      }
      const text = typeof raw === "number" ? formatCrystalNumber(raw) : String(raw);
      if (!p.multiline && /[\r\n]/.test(text)) {
        return { error: "must be one line (a line break would change the structure of the deck)" };
      }
      // other control characters have no business in a deck
      if (/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) return { error: "contains control characters" };
      if (p.pattern !== undefined && !new RegExp(`^(?:${p.pattern})$`).test(text)) {
        return {
          error: `${JSON.stringify(text)} does not have the expected form${p.help ? ` (${p.help})` : ""}`,
        };
      }
      return { value: text };
    }
  }
}

/**
 * Checks raw values against a template's parameters: unknown names, missing required values,
 * types, ranges, options. Defaults fill what is not given. Values may be strings (a form, --set).
 */
export function validateParamValues(
  templateName: string,
  params: readonly TemplateParam[],
  raw: Record<string, unknown>,
): { values: Record<string, unknown>; errors: ParamError[] } {
  const values: Record<string, unknown> = {};
  const errors: ParamError[] = [];
  const known = new Map(params.map((p) => [p.name, p]));
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) {
      errors.push({
        param: name,
        message: `template ${templateName} has no parameter ${name} — its parameters are ${params.map((p) => p.name).join(", ") || "(none)"}`,
      });
    }
  }
  for (const p of params) {
    const given = Object.hasOwn(raw, p.name) ? raw[p.name] : undefined;
    if (isEmpty(given)) {
      if (p.default !== undefined && p.default !== null) {
        const d = coerceParam(p, p.default);
        if ("value" in d) values[p.name] = d.value;
      } else if (p.required) {
        errors.push({ param: p.name, message: `${p.name} is required${p.help ? ` (${p.help})` : ""}` });
      } else if (p.type === "boolean") {
        values[p.name] = false;
      }
      continue;
    }
    const checked = coerceParam(p, given);
    if ("error" in checked) errors.push({ param: p.name, message: `${p.name}: ${checked.error}` });
    else values[p.name] = checked.value;
  }
  return { values, errors };
}
