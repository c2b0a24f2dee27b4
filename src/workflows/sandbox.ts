// The sandbox templates are rendered in. A template is text written by a user (or downloaded by
// one), so rendering it must not be able to read files outside the template folders, include by
// path traversal, run code, reveal code, or hang its caller — nunjucks alone allows all of these
// (e.g. `range.constructor("…")()`, `{{ range | string }}`, nested `range(100000)` loops).
//
// Why nunjucks, checked, rather than another engine: decks are written in its (Jinja's) language
// by chemists who know it from other tools, and the checks are small and tested against its syntax
// tree. The price is that nunjucks compiles a template to JavaScript, so the check must know every
// node the compiler sees: nunjucks is pinned exactly (package.json), the check refuses node types
// it does not know, and test/workflows/sandbox-nunjucks.test.ts fails when nunjucks' node set or
// the compiler API used here changes. The README's "Templates" paragraph says the same.
//
// Defence in depth: the syntax tree is checked and guarded before it is compiled
// (sandbox-check.ts); the guards below run while it renders; includes are resolved only inside
// the template folders, by a loader that refuses absolute paths, `..`, symlinks leading out, and
// anything but `.njk` partials. Nothing here is module-global: each Sandbox holds its own
// environment, and each render its own budget.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { INPUT_LIMITS, readInputText } from "../files/input-file.js";
import { formatCrystalNumber } from "./numbers.js";
import {
  type Any,
  ATTRIBUTE_FILTERS,
  forbiddenAttribute,
  forbiddenName,
  GUARD,
  includeNameOk,
  includeRefusal,
  nunjucks,
  type Origin,
  secure,
  TemplateProblem,
} from "./sandbox-check.js";

export { TemplateProblem } from "./sandbox-check.js";

const require = createRequire(import.meta.url);
const transformer: Any = require("nunjucks/src/transformer");

/** A value standing in for a parent's result that does not exist yet (checking a deferred deck). */
export const PLACEHOLDER = Symbol("crystal-tui placeholder");

export function makePlaceholder(label: string): unknown {
  const target = {};
  return new Proxy(target, {
    get(_t, key) {
      if (key === PLACEHOLDER) return label;
      if (key === Symbol.toPrimitive) return (hint: string) => (hint === "string" ? "1" : 1);
      if (typeof key === "string") return makePlaceholder(`${label}.${key}`);
      return undefined;
    },
  });
}

function isPlaceholder(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[PLACEHOLDER] !== undefined
  );
}

/**
 * What one render may cost. A deck renders in milliseconds and is at most a few hundred KB (a
 * large inline basis set): the limits are two orders of magnitude above that, and far below a
 * hang or an out-of-memory.
 */
export interface RenderLimits {
  /** Wall-clock time of one render. */
  timeMs: number;
  /** Characters one render may write (and the longest string it may build). */
  outputChars: number;
}

export const RENDER_LIMITS: RenderLimits = { timeMs: 2_000, outputChars: 4 * 1024 * 1024 };

/** `range` without the chance to allocate a billion-element list by accident. */
const MAX_RANGE = 100_000;
function cappedRange(start: number, stop?: number, step?: number): number[] {
  let from = start;
  let to = stop;
  let by = step ?? 1;
  if (to === undefined) {
    to = from;
    from = 0;
    by = 1;
  }
  if (![from, to, by].every(Number.isFinite) || by === 0)
    throw new Error("range() needs finite numbers and a step ≠ 0");
  const n = Math.max(0, Math.ceil((to - from) / by));
  if (n > MAX_RANGE) throw new Error(`range() of ${n} values is more than the ${MAX_RANGE} allowed`);
  return Array.from({ length: n }, (_, i) => from + i * by);
}

/** Filters whose numeric argument is a count of what they make (`center(1e9)`), and its most. */
const COUNT_FILTERS: Record<string, "chars" | number> = {
  center: "chars",
  indent: "chars",
  slice: MAX_RANGE,
};

/** One render's spending, against its limits. */
interface Budget {
  deadline: number;
  chars: number;
  limits: RenderLimits;
}

export interface SandboxOptions {
  /** Folders includes are looked up in, first match wins (project, user, built-in). */
  roots: string[];
  /** What one render may cost (default RENDER_LIMITS). */
  limits?: Partial<RenderLimits>;
}

export interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

export class Sandbox {
  readonly env: Any;
  private readonly roots: string[];
  private readonly filterNames: Set<string>;
  private readonly limits: RenderLimits;
  /** Renders are synchronous; a guard that fails leaves its problem here so the caller gets it whole. */
  private pending: TemplateProblem | null = null;
  /** The budget of the render under way (renders are synchronous: one at a time per sandbox). */
  private budget: Budget | null = null;

  constructor(options: SandboxOptions) {
    this.roots = options.roots.filter((r) => fs.existsSync(r));
    this.limits = { ...RENDER_LIMITS, ...options.limits };
    const sandbox = this;
    const loader = {
      cache: {},
      getSource(name: string) {
        return sandbox.loadPartial(name);
      },
    };
    this.env = new nunjucks.Environment([loader], {
      autoescape: false,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    // no prototype: a global lookup of `constructor` or `toString` must find nothing
    this.env.globals = Object.assign(Object.create(null), {
      range: cappedRange,
      cycler: this.env.globals.cycler,
      joiner: this.env.globals.joiner,
    });
    this.env.addFilter("crystal", (v: unknown) => (typeof v === "number" ? formatCrystalNumber(v) : v));
    this.env.addFilter("decimals", (v: unknown, n: unknown) => {
      const digits = Math.max(0, Math.min(20, Math.trunc(Number(n) || 0)));
      return typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : v;
    });
    // "12 0 0 0; 8 0.5 0.5 0.5" → one entry per atom: lists typed into one form field
    this.env.addFilter("split_list", (v: unknown, sep: unknown) =>
      String(v ?? "")
        .split(typeof sep === "string" && sep !== "" ? sep : ";")
        .flatMap((part) => part.split("\n"))
        .map((part) => part.trim())
        .filter((part) => part !== ""),
    );
    for (const [name, from] of Object.entries(ATTRIBUTE_FILTERS)) {
      this.env.addFilter(name, this.guardAttributes(this.env.filters[name], from));
    }
    for (const [name, most] of Object.entries(COUNT_FILTERS)) {
      this.env.addFilter(name, this.guardCounts(this.env.filters[name], name, most));
    }
    this.filterNames = new Set(Object.keys(this.env.filters));
    this.addGuards();
  }

  private fail(problem: TemplateProblem): never {
    this.pending = problem;
    throw problem;
  }

  /** Time and size of the render under way; a loop or macro that exceeds them stops here. */
  private spend(chars: number, line: number | null, file: string): void {
    const budget = this.budget;
    if (!budget) return;
    budget.chars += chars;
    if (budget.chars > budget.limits.outputChars) {
      this.fail(
        new TemplateProblem(
          `the deck would be longer than ${budget.limits.outputChars} characters, the most one template may write — does a loop here run more often than meant?`,
          file,
          line,
        ),
      );
    }
    if (Date.now() > budget.deadline) {
      this.fail(
        new TemplateProblem(
          `rendering took longer than ${budget.limits.timeMs / 1000} s, the most one template may take — does a loop or macro here run more often than meant?`,
          file,
          line,
        ),
      );
    }
  }

  /** The runtime guards sandbox-check.ts weaves into every template. */
  private addGuards(): void {
    const env = this.env;
    // `{{ value }}`: numbers the CRYSTAL way; a missing or unprintable value is an error
    const output = (
      value: unknown,
      expr: string,
      param: string | null,
      line: number | null,
      file: string,
    ) => {
      const text = this.outputText(value, expr, param, line, file);
      this.spend(text.length, line, file);
      return text;
    };
    env.addFilter(GUARD.out, output);
    env.addFilter(GUARD.value, (value: unknown, expr: string, line: number | null, file: string) => {
      if (typeof value === "function") {
        this.fail(
          new TemplateProblem(
            `\`${expr}\` is a function: a template may call it (${expr}(…)), not use it as a value`,
            file,
            line,
          ),
        );
      }
      return value;
    });
    env.addFilter(GUARD.key, (key: unknown, line: number | null, file: string) => {
      if (typeof key === "number") return key;
      if (typeof key !== "string" || forbiddenName(key)) {
        this.fail(
          new TemplateProblem(
            `the attribute ${JSON.stringify(String(key))} is not allowed in a template (it reaches JavaScript internals)`,
            file,
            line,
          ),
        );
      }
      return key;
    });
    env.addFilter(GUARD.attr, (attr: unknown, line: number | null, file: string) => {
      if (forbiddenAttribute(attr)) {
        this.fail(
          new TemplateProblem(
            `the attribute ${JSON.stringify(attr)} is not allowed in a template`,
            file,
            line,
          ),
        );
      }
      return attr;
    });
    env.addFilter(GUARD.partial, (name: unknown, line: number | null, file: string) => {
      if (!includeNameOk(name)) this.fail(new TemplateProblem(includeRefusal(name), file, line));
      if (!this.findPartial(String(name))) {
        this.fail(new TemplateProblem(this.missingPartial(String(name)), file, line));
      }
      return name;
    });
    env.addFilter(GUARD.tick, (_empty: string, chars: number, line: number | null, file: string) => {
      this.spend(chars, line, file);
      return "";
    });
    env.addFilter(GUARD.size, (value: unknown, expr: string, line: number | null, file: string) => {
      const limit = this.budget?.limits.outputChars ?? this.limits.outputChars;
      if (typeof value === "string" && value.length > limit) {
        this.fail(
          new TemplateProblem(
            `\`${expr}\` grows longer than ${limit} characters, the most one template may write — is it added to itself in a loop?`,
            file,
            line,
          ),
        );
      }
      return value;
    });
  }

  private outputText(
    value: unknown,
    expr: string,
    param: string | null,
    line: number | null,
    file: string,
  ): string {
    if (value === undefined || value === null) {
      this.fail(new TemplateProblem(`\`${expr}\` has no value`, file, line, param));
    }
    if (isPlaceholder(value)) return "1";
    if (typeof value === "number") {
      if (!Number.isFinite(value)) {
        this.fail(new TemplateProblem(`\`${expr}\` is not a finite number (${value})`, file, line, param));
      }
      return formatCrystalNumber(value);
    }
    if (typeof value === "string") return value;
    if (typeof value === "boolean") return value ? "true" : "false";
    if (value instanceof nunjucks.runtime.SafeString) return String(value);
    if (Array.isArray(value)) {
      return value.map((v): string => this.outputText(v, `${expr}[…]`, param, line, file)).join(" ");
    }
    if (typeof value === "function") {
      this.fail(new TemplateProblem(`\`${expr}\` is a function, not a value — call it`, file, line, param));
    }
    const keys = Object.keys(value as object);
    this.fail(
      new TemplateProblem(
        `\`${expr}\` holds several values, not one — use one of its fields (${keys.slice(0, 8).join(", ")})`,
        file,
        line,
        param,
      ),
    );
  }

  /** A filter that reads attributes named by its arguments from `from` on: the same names are refused. */
  private guardAttributes(filter: (...args: unknown[]) => unknown, from: number) {
    const sandbox = this;
    return function (this: unknown, ...args: unknown[]) {
      args.forEach((arg, i) => {
        const names =
          typeof arg === "string"
            ? i >= from
              ? [arg]
              : []
            : arg && typeof arg === "object" && !Array.isArray(arg) && i > 0
              ? Object.values(arg).filter((v) => typeof v === "string")
              : [];
        for (const attr of names) {
          if (forbiddenAttribute(attr)) {
            sandbox.fail(
              new TemplateProblem(
                `the attribute ${JSON.stringify(attr)} is not allowed in a template`,
                null,
                null,
              ),
            );
          }
        }
      });
      return filter.apply(this, args);
    };
  }

  /** A filter whose numeric arguments are counts of what it makes: no more than a deck can hold. */
  private guardCounts(filter: (...args: unknown[]) => unknown, name: string, most: "chars" | number) {
    const sandbox = this;
    return function (this: unknown, ...args: unknown[]) {
      const limit = most === "chars" ? sandbox.limits.outputChars : most;
      for (const arg of args.slice(1)) {
        if (typeof arg === "number" && !(Math.abs(arg) <= limit)) {
          sandbox.fail(
            new TemplateProblem(
              `${name}(${arg}) asks for more than the ${limit} ${most === "chars" ? "characters one template may write" : "parts one template may make"}`,
              null,
              null,
            ),
          );
        }
      }
      return filter.apply(this, args);
    };
  }

  /**
   * Where each include name was found, and the file's stamp, for a moment: a sweep renders the
   * same partials hundreds of times in a row, and an edit of a partial still shows a second later.
   */
  private readonly resolved = new Map<string, { real: string | null; stamp: string; at: number }>();
  private static readonly RESOLVE_TTL_MS = 1000;

  /** The real path of a partial inside one of the roots; refuses one that leads out (a symlink). */
  private findPartial(rel: string): { real: string; stamp: string } | null {
    const hit = this.resolved.get(rel);
    if (hit && Date.now() - hit.at < Sandbox.RESOLVE_TTL_MS)
      return hit.real ? { real: hit.real, stamp: hit.stamp } : null;
    for (const root of this.roots) {
      let real: string;
      try {
        real = fs.realpathSync(path.join(root, rel));
      } catch {
        continue;
      }
      if (!real.startsWith(fs.realpathSync(root) + path.sep)) {
        this.fail(
          new TemplateProblem(
            `cannot include ${JSON.stringify(rel)}: it leads out of the template folder ${root}`,
            null,
            null,
          ),
        );
      }
      const stat = fs.statSync(real);
      if (!stat.isFile()) continue;
      const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      this.resolved.set(rel, { real, stamp, at: Date.now() });
      return { real, stamp };
    }
    this.resolved.set(rel, { real: null, stamp: "", at: Date.now() });
    return null;
  }

  private missingPartial(rel: string): string {
    return `cannot include ${JSON.stringify(rel)}: there is no such partial in the template folders (${this.roots.join(", ")})`;
  }

  /** Compiled partials by file, valid while the file is unchanged (a sweep renders them many times). */
  private readonly partials = new Map<string, { stamp: string; props: Any }>();

  private loadPartial(name: string) {
    if (!includeNameOk(name)) this.fail(new TemplateProblem(includeRefusal(name), null, null));
    const rel = String(name);
    const found = this.findPartial(rel);
    if (!found) this.fail(new TemplateProblem(this.missingPartial(rel), null, null));
    let cached = this.partials.get(found.real);
    if (cached?.stamp !== found.stamp) {
      const source = readInputText(found.real, {
        what: "template partial",
        maxBytes: INPUT_LIMITS.template,
        strict: true,
      });
      cached = { stamp: found.stamp, props: this.compileProps(source, { file: found.real, lineOffset: 0 }) };
      this.partials.set(found.real, cached);
    }
    return { src: { type: "code", obj: cached.props }, path: found.real, noCache: true };
  }

  private compileProps(source: string, origin: Origin): Any {
    let ast: Any;
    try {
      ast = nunjucks.parser.parse(source, this.env.extensionsList, this.env.opts);
    } catch (err) {
      const e = err as { message: string; lineno?: number };
      const line = typeof e.lineno === "number" ? e.lineno + origin.lineOffset : null;
      throw new TemplateProblem(cleanMessage(e.message), origin.file, line);
    }
    try {
      secure(ast, origin, this.filterNames);
      const compiler = new nunjucks.compiler.Compiler(origin.file, false);
      compiler.compile(transformer.transform(ast, this.env.asyncFilters, origin.file));
      // the same step nunjucks itself takes for every template: its compiled code becomes a function
      return new Function(compiler.getCode())();
    } catch (err) {
      if (err instanceof TemplateProblem) throw err;
      // nunjucks' parser lets some malformed templates through to a compiler that then trips
      const e = err as { message: string; lineno?: number };
      throw new TemplateProblem(
        `the template cannot be compiled (${cleanMessage(e.message)}) — check its {{ }} and {% %} expressions`,
        origin.file,
        typeof e.lineno === "number" ? e.lineno + origin.lineOffset : null,
      );
    }
  }

  /** Compiles a template text; errors are TemplateProblems located in `origin.file`. */
  compile(source: string, origin: Origin): CompiledTemplate {
    const props = this.compileProps(source, origin);
    const template = new nunjucks.Template({ type: "code", obj: props }, this.env, origin.file);
    return {
      render: (context: Record<string, unknown>) => this.render(template, context, origin),
    };
  }

  private render(template: Any, context: Record<string, unknown>, origin: Origin): string {
    this.pending = null;
    this.budget = { deadline: Date.now() + this.limits.timeMs, chars: 0, limits: this.limits };
    try {
      return template.render(context) as string;
    } catch (err) {
      const problem = this.pending as TemplateProblem | null;
      if (problem) {
        // an include's problem is known only by the include's name: say which template asked
        if (problem.file === null) {
          const loc = locate((err as Error).message, origin);
          throw new TemplateProblem(problem.message, loc.file, loc.line, problem.param);
        }
        throw problem;
      }
      throw fromNunjucksError(err as Error, origin);
    } finally {
      this.pending = null;
      this.budget = null;
    }
  }
}

function cleanMessage(message: string): string {
  return message
    .replace(/^\s*\([^)]*\)\s*/, "")
    .replace(/\[Line \d+, Column \d+\]\s*/g, "")
    .replace(/^(Template render error|Error|TypeError|RangeError):\s*/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Where nunjucks says a runtime error happened: "(file) [Line N, Column M]", N counted from 0
 * (and left out altogether on the first line).
 */
function locate(message: string, origin: Origin): { file: string; line: number | null } {
  const m = /\(([^)]*)\)\s*\[Line (\d+), Column \d+\]/.exec(message);
  if (!m) return { file: origin.file, line: null };
  const file = m[1] && m[1] !== "unknown path" ? m[1] : origin.file;
  const line = Number(m[2]) + 1 + (file === origin.file ? origin.lineOffset : 0);
  return { file, line };
}

function fromNunjucksError(err: Error, origin: Origin): TemplateProblem {
  const loc = locate(err.message, origin);
  const inner = err.message.split("\n").slice(1).join(" ").trim() || err.message;
  let text = cleanMessage(inner);
  const undefinedCall = /Unable to call `([^`]*)`, which is undefined or falsey/.exec(text);
  if (undefinedCall) text = `\`${undefinedCall[1]}\` is not something that can be called`;
  if (/Maximum call stack size exceeded/.test(text))
    text = "a macro or include calls itself without end — give its recursion a stop";
  return new TemplateProblem(text, loc.file, loc.line);
}
