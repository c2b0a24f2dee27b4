// Expressions inside workflow files: parameter values such as "MgO SHRINK {{ shrink }}",
// "{{ params.a * 1.01 }}" or "{{ steps.opt.final_energy_hartree }}", rendered in the same sandbox
// as templates (no includes), with numbers written the CRYSTAL way.
import { UserError } from "../domain/errors.js";
import { parseNumber } from "./numbers.js";
import { type CompiledTemplate, Sandbox, TemplateProblem } from "./sandbox.js";

let sandbox: Sandbox | null = null;
const compiled = new Map<string, CompiledTemplate>();

function compile(expr: string, label: string): CompiledTemplate {
  const key = `${label}\0${expr}`;
  let c = compiled.get(key);
  if (!c) {
    sandbox ??= new Sandbox({ roots: [] });
    c = sandbox.compile(expr, { file: label, lineOffset: 0 });
    if (compiled.size > 5000) compiled.clear();
    compiled.set(key, c);
  }
  return c;
}

/** Renders an expression; a problem is a UserError naming what was being rendered (`label`). */
export function renderExpression(expr: string, context: Record<string, unknown>, label: string): string {
  try {
    return compile(expr, label).render(context);
  } catch (err) {
    if (err instanceof TemplateProblem) throw new UserError(`${err.message} in ${JSON.stringify(expr)}`);
    throw err;
  }
}

/** Renders an expression that must give a number. */
export function evaluateExpression(expr: string, context: Record<string, unknown>, label: string): number {
  const text = renderExpression(expr, context, label).trim();
  const n = parseNumber(text);
  if (n === null) throw new UserError(`${JSON.stringify(expr)} gives ${JSON.stringify(text)}, not a number`);
  return n;
}
