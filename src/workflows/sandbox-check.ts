// What a template may contain: the check of a template's syntax tree before nunjucks compiles it to
// JavaScript, and the runtime guards it weaves into the tree (sandbox.ts defines what they do).
//
// The rules, each because nunjucks alone breaks it:
//  - names are plain identifiers, and none leads to JavaScript internals (constructor, __proto__,
//    call, …): nunjucks writes names into the code it compiles without escaping them;
//  - a function is only ever called (or kept in a variable, to be called), never used as a value
//    (`range ~ ""`, `[range] | join`, `range | string` print its source): every value read goes
//    through a guard;
//  - attribute names computed at runtime (`x[k]`, the attribute argument of join/sum/sort/…) are
//    checked when they are known;
//  - every loop iteration and macro call ticks a budget of time and output size, so a template
//    cannot hang its caller or fill its memory;
//  - only the node types below are known: a nunjucks release that adds one is refused here (and
//    fails test/workflows/sandbox-nunjucks.test.ts) until someone has read what it compiles to.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: nunjucks' node classes are not in its type definitions
export type Any = any;
// biome-ignore lint/suspicious/noExplicitAny: untyped internals of nunjucks
export const nunjucks: any = require("nunjucks");
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

/** Where a template text comes from. */
export interface Origin {
  /** The file errors point at. */
  file: string;
  /** Lines before the template text in that file (a deck body inside a YAML file). */
  lineOffset: number;
}

/** The names of the runtime guards (filters the sandbox registers; a template cannot name them). */
export const GUARD = {
  out: "__crystal_out",
  value: "__crystal_value",
  key: "__crystal_key",
  attr: "__crystal_attr",
  partial: "__crystal_partial",
  tick: "__crystal_tick",
  size: "__crystal_size",
} as const;

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

export function forbiddenName(name: unknown): boolean {
  return typeof name === "string" && (FORBIDDEN.has(name) || name.startsWith("__"));
}

/** An attribute path ("a.b") one of whose parts is forbidden. */
export function forbiddenAttribute(attr: unknown): boolean {
  return typeof attr === "string" && attr.split(".").some(forbiddenName);
}

/**
 * nunjucks writes variable names into the JavaScript it compiles without escaping them, and its
 * lexer lets quotes and backslashes into a name (`a"b` is one symbol): only plain identifiers pass.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Attribute keys end up in compiled code too (in call sites' names): no quotes, backslashes, controls. */
const UNSAFE_KEY = /["\\\u0000-\u001f\u2028\u2029]/;

/**
 * Filters that read an attribute named by a string ("a.b"), and the first argument position that
 * is such a name (join's first argument is its separator). The same names are refused there.
 */
export const ATTRIBUTE_FILTERS: Record<string, number> = {
  sum: 1,
  sort: 1,
  groupby: 1,
  selectattr: 1,
  rejectattr: 1,
  join: 2,
};

/** Every node type of nunjucks 3.2.4 the check below knows how to treat. */
const KNOWN_NODES = new Set([
  "Root",
  "NodeList",
  "Literal",
  "TemplateData",
  "Symbol",
  "Group",
  "Array",
  "Dict",
  "KeywordArgs",
  "Pair",
  "LookupVal",
  "If",
  "IfAsync",
  "InlineIf",
  "For",
  "AsyncEach",
  "AsyncAll",
  "Macro",
  "Caller",
  "Import",
  "FromImport",
  "FunCall",
  "Filter",
  "FilterAsync",
  "Block",
  "Super",
  "Extends",
  "Include",
  "Set",
  "Switch",
  "Case",
  "Output",
  "Capture",
  "In",
  "Is",
  "Or",
  "And",
  "Not",
  "Add",
  "Concat",
  "Sub",
  "Mul",
  "Div",
  "FloorDiv",
  "Mod",
  "Pow",
  "Neg",
  "Pos",
  "Compare",
  "CompareOperand",
  "CallExtension",
  "CallExtensionAsync",
]);

/** One of the guards woven in below (messages describe what it guards). */
function isGuard(node: Any): boolean {
  return node.typename === "Filter" && String(node.name?.value).startsWith("__crystal_");
}

/** The name a reader would use for an expression in an error message. */
export function describe(node: Any): string {
  if (!node) return "expression";
  if (isGuard(node)) return describe(node.args.children[0]);
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
    case "Group":
      return `(${describe(node.children?.[0])})`;
    default:
      return "expression";
  }
}

function rootName(node: Any): string | null {
  if (!node) return null;
  if (isGuard(node)) return rootName(node.args.children[0]);
  if (node.typename === "Symbol") return String(node.value);
  if (node.typename === "LookupVal") return rootName(node.target);
  if (node.typename === "Filter") return rootName(node.args?.children?.[0]);
  return null;
}

/** An include name: a relative path of plain segments, ending in .njk. */
const INCLUDE_NAME = /^(?:[A-Za-z0-9_][A-Za-z0-9_.+-]*\/)*[A-Za-z0-9_][A-Za-z0-9_.+-]*\.njk$/;

export function includeNameOk(name: unknown): boolean {
  const text = String(name);
  return INCLUDE_NAME.test(text) && !text.split("/").some((seg) => seg === "." || seg === "..");
}

export function includeRefusal(name: unknown): string {
  return `cannot include ${JSON.stringify(String(name))}: a template may only include .njk files of the template folders, by a relative name without '..'`;
}

/** The literal text a loop or macro body writes by itself each time (not counting inner loops). */
function staticText(node: Any): number {
  if (!(node instanceof nodes.Node)) return 0;
  if (node.typename === "TemplateData") return String(node.value ?? "").length;
  if (["For", "AsyncEach", "AsyncAll", "Macro", "Caller"].includes(node.typename)) return 0;
  let chars = 0;
  if (node instanceof nodes.NodeList) for (const child of node.children) chars += staticText(child);
  else node.iterFields((value: Any) => (chars += staticText(value)));
  return chars;
}

/**
 * Checks a parsed template and weaves in the runtime guards (in place). Throws TemplateProblem.
 * `filterNames` are the filters a template may use.
 */
export function secure(root: Any, origin: Origin, filterNames: Set<string>): void {
  const lineOf = (node: Any) =>
    typeof node?.lineno === "number" ? node.lineno + 1 + origin.lineOffset : null;
  const guard = (node: Any, name: string, extra: unknown[]) =>
    new nodes.Filter(
      node.lineno,
      node.colno,
      new nodes.Symbol(node.lineno, node.colno, name),
      new nodes.NodeList(node.lineno, node.colno, [
        node,
        ...extra.map((v) => new nodes.Literal(node.lineno, node.colno, v)),
      ]),
    );
  const located = (node: Any, name: string, extra: unknown[] = []) =>
    guard(node, name, [...extra, lineOf(node), origin.file]);
  const refuse = (node: Any, what: string): never => {
    throw new TemplateProblem(
      `${what} is not allowed in a template (it reaches JavaScript internals) — use the template's parameters and filters`,
      origin.file,
      lineOf(node),
    );
  };

  /** A name that is bound or declared (a loop variable, a macro, a set target, a keyword). */
  const name = (node: Any): void => {
    if (node?.typename === "Array" || node?.typename === "NodeList") {
      for (const child of node.children) name(child);
      return;
    }
    if (node?.typename === "Pair") {
      name(node.key);
      name(node.value);
      return;
    }
    if (node?.typename !== "Symbol") return;
    if (typeof node.value !== "string" || !IDENTIFIER.test(node.value)) {
      throw new TemplateProblem(
        `${JSON.stringify(String(node.value))} is not a name: names are letters, digits and _ (is a space or an operator missing?)`,
        origin.file,
        lineOf(node),
      );
    }
    if (forbiddenName(node.value)) refuse(node, `the name \`${node.value}\``);
  };

  /** Arguments of a call or filter: values, and keyword arguments whose values are values. */
  const args = (list: Any): void => {
    list.children = list.children.map((arg: Any) => {
      if (arg?.typename === "KeywordArgs") {
        for (const pair of arg.children) {
          name(pair.key);
          pair.value = expr(pair.value, true);
        }
        return arg;
      }
      return expr(arg, true);
    });
  };

  /** A loop or macro body: its statements, then a tick of the budget at each pass. */
  const body = (owner: Any, list: Any): void => {
    statements(list);
    const tick = guard(new nodes.Literal(owner.lineno, owner.colno, ""), GUARD.tick, [
      staticText(list),
      lineOf(owner),
      origin.file,
    ]);
    list.children.unshift(new nodes.Output(owner.lineno, owner.colno, [tick]));
  };

  const statements = (node: Any): void => {
    if (node) expr(node, false);
  };

  /**
   * Checks `node` and returns what stands in its place: wrapped in the value guard when it is used
   * as a value (`asValue`) and could be a function.
   */
  const expr = (node: Any, asValue: boolean): Any => {
    if (!(node instanceof nodes.Node)) return node;
    if (!KNOWN_NODES.has(node.typename)) {
      throw new TemplateProblem(
        `this template uses a construct the sandbox does not know (${node.typename}) — write it with {{ }}, {% if %}, {% for %}, {% set %}, {% macro %} or {% include %}`,
        origin.file,
        lineOf(node),
      );
    }
    const asValueGuard = (n: Any) => (asValue ? located(n, GUARD.value, [describe(n)]) : n);
    switch (node.typename) {
      case "Literal":
      case "TemplateData":
        return node;
      case "Symbol":
        name(node);
        return asValueGuard(node);
      case "LookupVal": {
        // the target is only read from (`loop.index`, `x.y`): names on it are checked below
        node.target = expr(node.target, false);
        if (node.val?.typename === "Literal") {
          if (forbiddenName(node.val.value)) refuse(node, `the attribute \`${node.val.value}\``);
          if (typeof node.val.value === "string" && UNSAFE_KEY.test(node.val.value)) {
            refuse(
              node,
              `an attribute name with quotes, backslashes or control characters (${JSON.stringify(node.val.value)})`,
            );
          }
        } else {
          node.val = located(expr(node.val, true), GUARD.key);
        }
        return asValueGuard(node);
      }
      case "Filter":
      case "FilterAsync": {
        const filter = node.name?.value;
        if (typeof filter !== "string" || filter.startsWith("__") || !filterNames.has(filter)) {
          throw new TemplateProblem(
            `there is no filter \`${String(filter)}\` — filters: ${[...filterNames]
              .filter((f) => !f.startsWith("__"))
              .sort()
              .join(", ")}`,
            origin.file,
            lineOf(node),
          );
        }
        args(node.args);
        const from = ATTRIBUTE_FILTERS[filter];
        if (from !== undefined) {
          // the attribute names these filters read are checked like `x.name`, with the line
          const list: Any[] = node.args.children;
          list.forEach((arg, i) => {
            if (arg?.typename === "KeywordArgs") {
              for (const pair of arg.children) pair.value = located(pair.value, GUARD.attr);
            } else if (i >= from) list[i] = located(arg, GUARD.attr);
          });
        }
        return asValueGuard(node);
      }
      case "FunCall":
        if (node.name?.typename === "Literal") refuse(node, "calling a literal value");
        // what is called is the one place a function may stand
        node.name = expr(node.name, false);
        args(node.args);
        return asValueGuard(node);
      case "Output":
        node.children = node.children.map((child: Any) =>
          child?.typename === "TemplateData"
            ? child
            : located(expr(child, false), GUARD.out, [describe(child), rootName(child)]),
        );
        return node;
      case "Include":
      case "Extends":
      case "Import":
      case "FromImport": {
        // a literal name is checked now, with its line; a computed one by the guard when used
        if (node.template?.typename === "Literal" && !includeNameOk(node.template.value)) {
          throw new TemplateProblem(includeRefusal(node.template.value), origin.file, lineOf(node));
        }
        node.template = located(expr(node.template, true), GUARD.partial);
        if (node.typename === "Import") name(node.target);
        if (node.typename === "FromImport") name(node.names);
        return node;
      }
      case "CallExtension":
      case "CallExtensionAsync":
        return refuse(node, "a template extension");
      case "For":
      case "AsyncEach":
      case "AsyncAll":
        node.arr = expr(node.arr, true);
        name(node.name);
        body(node, node.body);
        statements(node.else_);
        return node;
      case "Macro":
      case "Caller":
        name(node.name);
        for (const arg of node.args.children) {
          if (arg?.typename === "KeywordArgs" || arg?.typename === "Dict") {
            for (const pair of arg.children) {
              name(pair.key);
              pair.value = expr(pair.value, true);
            }
          } else name(arg);
        }
        body(node, node.body);
        return node;
      case "Set":
        for (const target of node.targets ?? []) {
          if (target?.typename !== "Symbol") {
            throw new TemplateProblem(
              "{% set %} gives a value to a name (`{% set x = … %}`), not to an attribute or an expression",
              origin.file,
              lineOf(node),
            );
          }
          name(target);
        }
        // storing is not using: `{% set sep = joiner() %}` keeps a function to call later
        node.value = expr(node.value, false);
        statements(node.body);
        return node;
      case "Array":
      case "Group":
        node.children = node.children.map((child: Any) => expr(child, asValue || node.typename === "Array"));
        return node;
      case "Dict":
      case "KeywordArgs":
        for (const pair of node.children) {
          name(pair.key);
          pair.value = expr(pair.value, true);
        }
        return node;
      case "Add":
      case "Concat":
        // string building: `s ~ s` in a loop doubles a string each pass
        node.left = expr(node.left, true);
        node.right = expr(node.right, true);
        return located(node, GUARD.size, [describe(node.left)]);
      case "Or":
      case "And":
        // `a or b` is a or b itself, not a truth value: used as its operands are
        node.left = expr(node.left, asValue);
        node.right = expr(node.right, asValue);
        return node;
      case "InlineIf":
        node.cond = expr(node.cond, false);
        node.body = expr(node.body, asValue);
        node.else_ = expr(node.else_, asValue);
        return node;
      case "Pair":
        name(node.key);
        node.value = expr(node.value, true);
        return node;
      default:
        // statements and operators whose result is never a function: check what is inside
        if (node instanceof nodes.NodeList) {
          node.children = node.children.map((child: Any) => expr(child, false));
        } else {
          for (const field of node.fields as string[]) {
            const value = node[field];
            node[field] = Array.isArray(value) ? value.map((v) => expr(v, false)) : expr(value, false);
          }
        }
        return node;
    }
  };
  expr(root, false);
}
