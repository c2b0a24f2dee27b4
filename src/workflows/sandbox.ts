// The sandbox templates are rendered in. A template is text written by a user (or downloaded by
// one), so rendering it must not be able to read files outside the template folders, include by
// path traversal, or run code — nunjucks alone allows all three (e.g. `range.constructor("…")()`).
//
// Defence in depth, all at compile time plus two runtime guards:
//  - the template's syntax tree is checked before it is compiled: names and attribute keys that
//    lead to JavaScript internals (constructor, __proto__, prototype, call, …) are refused;
//  - attribute keys that are computed at runtime (`x[k]`) go through a guard filter;
//  - every `{{ … }}` goes through an output filter that writes numbers the CRYSTAL way and turns
//    a missing value into an error naming the parameter and line;
//  - includes are resolved only inside the template folders, by a loader that refuses absolute
//    paths, `..`, and symlinks leading out, and only serves `.njk` partials.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { formatCrystalNumber } from "./numbers.js";

// nunjucks' parser, compiler and node classes are not in its type definitions
const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped internals of nunjucks
type Any = any;
const nunjucks: Any = require("nunjucks");
const transformer: Any = require("nunjucks/src/transformer");
const nodes: Any = nunjucks.nodes;

/** A problem found while compiling or rendering, located in a file (1-based line). */
export class TemplateProblem extends Error {
  override readonly name = "TemplateProblem";
  constructor(
    message: string,
    readonly file: string | null,
    readonly line: number | null,
    /** The template parameter (or variable) the problem is about, when there is one. */
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** Names that lead from a template value to JavaScript internals (and from there to Function). */
const FORBIDDEN = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
  "constructor",
  "caller",
  "callee",
  "arguments",
  "apply",
  "bind",
  "call",
]);

function forbiddenName(name: unknown): boolean {
  return typeof name === "string" && (FORBIDDEN.has(name) || name.startsWith("__"));
}

/**
 * nunjucks writes variable names into the JavaScript it compiles without escaping them, and its
 * lexer lets quotes and backslashes into a name (`a"b` is one symbol): only plain identifiers pass.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Attribute keys end up in compiled code too (in call sites' names): no quotes, backslashes, controls. */
const UNSAFE_KEY = /["\\\u0000-\u001f\u2028\u2029]/;

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

/** Renders are synchronous; a guard that fails leaves its problem here so the caller gets it whole. */
let pendingProblem: TemplateProblem | null = null;

function fail(problem: TemplateProblem): never {
  pendingProblem = problem;
  throw problem;
}

/** The name a reader would use for an expression in an error message. */
function describe(node: Any): string {
  if (!node) return "expression";
  switch (node.typename) {
    case "Symbol":
      return String(node.value);
    case "Literal":
      return JSON.stringify(node.value);
    case "LookupVal":
      return node.val?.typename === "Literal" && typeof node.val.value === "string"
        ? `${describe(node.target)}.${node.val.value}`
        : `${describe(node.target)}[…]`;
    case "Filter":
      return `${describe(node.args?.children?.[0])} | ${node.name?.value}`;
    case "FunCall":
      return `${describe(node.name)}(…)`;
    default:
      return "expression";
  }
}

function rootName(node: Any): string | null {
  if (!node) return null;
  if (node.typename === "Symbol") return String(node.value);
  if (node.typename === "LookupVal") return rootName(node.target);
  if (node.typename === "Filter") return rootName(node.args?.children?.[0]);
  return null;
}

interface Origin {
  /** The file errors point at. */
  file: string;
  /** Lines before the template text in that file (a deck body inside a YAML file). */
  lineOffset: number;
}

function guardNode(lineno: number, colno: number, filter: string, args: Any[]): Any {
  return new nodes.Filter(
    lineno,
    colno,
    new nodes.Symbol(lineno, colno, filter),
    new nodes.NodeList(lineno, colno, args),
  );
}

/** Checks a parsed template and inserts the runtime guards. Throws TemplateProblem. */
function secure(root: Any, origin: Origin, filterNames: Set<string>): void {
  const lineOf = (node: Any) =>
    typeof node?.lineno === "number" ? node.lineno + 1 + origin.lineOffset : null;
  const refuse = (node: Any, what: string): never => {
    throw new TemplateProblem(
      `${what} is not allowed in a template (it reaches JavaScript internals) — use the template's parameters and filters`,
      origin.file,
      lineOf(node),
    );
  };
  const visit = (node: Any): void => {
    if (!(node instanceof nodes.Node)) return;
    switch (node.typename) {
      case "Symbol":
        if (typeof node.value !== "string" || !IDENTIFIER.test(node.value)) {
          throw new TemplateProblem(
            `${JSON.stringify(String(node.value))} is not a name: names are letters, digits and _ (is a space or an operator missing?)`,
            origin.file,
            lineOf(node),
          );
        }
        if (forbiddenName(node.value)) refuse(node, `the name \`${node.value}\``);
        return;
      case "LookupVal": {
        visit(node.target);
        if (node.val?.typename === "Literal") {
          if (forbiddenName(node.val.value)) refuse(node, `the attribute \`${node.val.value}\``);
          if (typeof node.val.value === "string" && UNSAFE_KEY.test(node.val.value)) {
            refuse(
              node,
              `an attribute name with quotes, backslashes or control characters (${JSON.stringify(node.val.value)})`,
            );
          }
        } else {
          visit(node.val);
          node.val = guardNode(node.lineno, node.colno, "__crystal_key", [
            node.val,
            new nodes.Literal(node.lineno, node.colno, lineOf(node)),
            new nodes.Literal(node.lineno, node.colno, origin.file),
          ]);
        }
        return;
      }
      case "Filter":
      case "FilterAsync": {
        const name = node.name?.value;
        if (typeof name !== "string" || name.startsWith("__") || !filterNames.has(name)) {
          throw new TemplateProblem(
            `there is no filter \`${String(name)}\` — filters: ${[...filterNames]
              .filter((f) => !f.startsWith("__"))
              .sort()
              .join(", ")}`,
            origin.file,
            lineOf(node),
          );
        }
        visit(node.args);
        if (ATTRIBUTE_FILTERS.includes(name)) {
          // the attribute names these filters read are checked like `x.name`, with the line
          const guard = (arg: Any) =>
            guardNode(arg.lineno, arg.colno, "__crystal_attr", [
              arg,
              new nodes.Literal(arg.lineno, arg.colno, lineOf(node)),
              new nodes.Literal(arg.lineno, arg.colno, origin.file),
            ]);
          const args: Any[] = node.args.children;
          args.forEach((arg, i) => {
            if (i === 0) return;
            if (arg instanceof nodes.KeywordArgs) {
              for (const pair of arg.children) pair.value = guard(pair.value);
            } else args[i] = guard(arg);
          });
        }
        return;
      }
      case "Output": {
        const children: Any[] = node.children;
        children.forEach((child, i) => {
          if (child instanceof nodes.TemplateData) return;
          visit(child);
          children[i] = guardNode(child.lineno, child.colno, "__crystal_out", [
            child,
            new nodes.Literal(child.lineno, child.colno, describe(child)),
            new nodes.Literal(child.lineno, child.colno, rootName(child)),
            new nodes.Literal(child.lineno, child.colno, lineOf(child)),
            new nodes.Literal(child.lineno, child.colno, origin.file),
          ]);
        });
        return;
      }
      case "Include":
      case "Extends":
      case "Import":
      case "FromImport": {
        // a literal name is checked now, with its line; a computed one by the loader when used
        if (node.template?.typename === "Literal" && !includeNameOk(node.template.value)) {
          throw new TemplateProblem(includeRefusal(node.template.value), origin.file, lineOf(node));
        }
        node.iterFields((value: Any) => visit(value));
        node.template = guardNode(node.lineno, node.colno, "__crystal_partial", [
          node.template,
          new nodes.Literal(node.lineno, node.colno, lineOf(node)),
          new nodes.Literal(node.lineno, node.colno, origin.file),
        ]);
        return;
      }
      case "FunCall":
        if (node.name?.typename === "Literal") refuse(node, "calling a literal value");
        visit(node.name);
        visit(node.args);
        return;
      case "CallExtension":
      case "CallExtensionAsync":
        refuse(node, "a template extension");
        return;
      default:
        if (node instanceof nodes.NodeList) {
          for (const child of node.children) visit(child);
        } else {
          node.iterFields((value: Any) => visit(value));
        }
    }
  };
  visit(root);
}

/** `{{ value }}`: numbers the CRYSTAL way; a missing or unprintable value is an error. */
function outputFilter(
  value: unknown,
  expr: string,
  param: string | null,
  line: number | null,
  file: string,
): string {
  if (value === undefined || value === null) {
    fail(new TemplateProblem(`\`${expr}\` has no value`, file, line, param));
  }
  if (isPlaceholder(value)) return "1";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      fail(new TemplateProblem(`\`${expr}\` is not a finite number (${value})`, file, line, param));
    }
    return formatCrystalNumber(value);
  }
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof nunjucks.runtime.SafeString) return String(value);
  if (Array.isArray(value)) {
    return value.map((v): string => outputFilter(v, `${expr}[…]`, param, line, file)).join(" ");
  }
  if (typeof value === "function") {
    fail(new TemplateProblem(`\`${expr}\` is a function, not a value — call it`, file, line, param));
  }
  const keys = Object.keys(value as object);
  fail(
    new TemplateProblem(
      `\`${expr}\` holds several values, not one — use one of its fields (${keys.slice(0, 8).join(", ")})`,
      file,
      line,
      param,
    ),
  );
}

function keyFilter(key: unknown, line: number | null, file: string): unknown {
  if (typeof key === "number") return key;
  if (typeof key !== "string" || forbiddenName(key)) {
    fail(
      new TemplateProblem(
        `the attribute ${JSON.stringify(String(key))} is not allowed in a template (it reaches JavaScript internals)`,
        file,
        line,
      ),
    );
  }
  return key;
}

function attrFilter(attr: unknown, line: number | null, file: string): unknown {
  if (typeof attr === "string" && attr.split(".").some(forbiddenName)) {
    fail(
      new TemplateProblem(`the attribute ${JSON.stringify(attr)} is not allowed in a template`, file, line),
    );
  }
  return attr;
}

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

/** An include name: a relative path of plain segments, ending in .njk. */
const INCLUDE_NAME = /^(?:[A-Za-z0-9_][A-Za-z0-9_.+-]*\/)*[A-Za-z0-9_][A-Za-z0-9_.+-]*\.njk$/;

function includeNameOk(name: unknown): boolean {
  const text = String(name);
  return INCLUDE_NAME.test(text) && !text.split("/").some((seg) => seg === "." || seg === "..");
}

function includeRefusal(name: unknown): string {
  return `cannot include ${JSON.stringify(String(name))}: a template may only include .njk files of the template folders, by a relative name without '..'`;
}

function checkIncludeName(name: unknown): string {
  if (!includeNameOk(name)) fail(new TemplateProblem(includeRefusal(name), null, null));
  return String(name);
}

/** Filters that read an attribute named by a string ("a.b"): the same names are refused there. */
const ATTRIBUTE_FILTERS = ["sum", "sort", "groupby", "selectattr", "rejectattr"];

function guardAttributeFilter(filter: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    for (const arg of args.slice(1)) {
      const names =
        typeof arg === "string"
          ? [arg]
          : arg && typeof arg === "object"
            ? Object.values(arg).filter((v) => typeof v === "string")
            : [];
      for (const attr of names as string[]) {
        if (attr.split(".").some(forbiddenName)) {
          fail(
            new TemplateProblem(
              `the attribute ${JSON.stringify(attr)} is not allowed in a template`,
              null,
              null,
            ),
          );
        }
      }
    }
    return filter.apply(this, args);
  };
}

export interface SandboxOptions {
  /** Folders includes are looked up in, first match wins (project, user, built-in). */
  roots: string[];
}

export class Sandbox {
  readonly env: Any;
  private readonly roots: string[];
  private readonly filterNames: Set<string>;

  constructor(options: SandboxOptions) {
    this.roots = options.roots.filter((r) => fs.existsSync(r));
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
    this.env.addFilter("__crystal_out", outputFilter);
    this.env.addFilter("__crystal_key", keyFilter);
    this.env.addFilter("__crystal_attr", attrFilter);
    this.env.addFilter("__crystal_partial", (name: unknown, line: number | null, file: string) => {
      if (!includeNameOk(name)) fail(new TemplateProblem(includeRefusal(name), file, line));
      if (!this.findPartial(String(name))) {
        fail(new TemplateProblem(this.missingPartial(String(name)), file, line));
      }
      return name;
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
    for (const name of ATTRIBUTE_FILTERS) {
      this.env.addFilter(name, guardAttributeFilter(this.env.filters[name]));
    }
    this.filterNames = new Set(Object.keys(this.env.filters));
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
        fail(
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
    const rel = checkIncludeName(name);
    const found = this.findPartial(rel);
    if (!found) fail(new TemplateProblem(this.missingPartial(rel), null, null));
    let cached = this.partials.get(found.real);
    if (cached?.stamp !== found.stamp) {
      const source = fs.readFileSync(found.real, "utf8");
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
    pendingProblem = null;
    try {
      return template.render(context) as string;
    } catch (err) {
      const problem = pendingProblem as TemplateProblem | null;
      pendingProblem = null;
      if (problem) {
        // an include's problem is known only by the include's name: say which template asked
        if (problem.file === null) return fail2(problem, origin, (err as Error).message);
        throw problem;
      }
      throw fromNunjucksError(err as Error, origin);
    }
  }
}

function fail2(problem: TemplateProblem, origin: Origin, nunjucksMessage: string): never {
  const loc = locate(nunjucksMessage, origin);
  throw new TemplateProblem(problem.message, loc.file, loc.line, problem.param);
}

export interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

function cleanMessage(message: string): string {
  return message
    .replace(/^\s*\([^)]*\)\s*/, "")
    .replace(/\[Line \d+, Column \d+\]\s*/g, "")
    .replace(/^(Template render error|Error|TypeError):\s*/g, "")
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
  return new TemplateProblem(text, loc.file, loc.line);
}
