// The template sandbox checks nunjucks' syntax tree before nunjucks compiles it to JavaScript
// (src/workflows/sandbox-check.ts), so it must know every node the compiler sees and the compiler
// API it calls. nunjucks is pinned exactly; this test is the alarm for an upgrade: it fails when the
// installed version, the node set, a node's fields or the compiler API differ from what the check
// was written against. Whoever upgrades reads what the new nodes compile to, teaches the check,
// then updates the literal tables below.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Sandbox, TemplateProblem } from "../../src/workflows/sandbox.js";
import { ROOT } from "../helpers/project.js";

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: nunjucks' internals are not in its type definitions
const nunjucks: any = require("nunjucks");

/** nunjucks 3.2.4's node classes and their fields, written out by hand from its src/nodes.js. */
const NODES_3_2_4: Record<string, string[] | null> = {
  Node: null,
  Root: ["children"],
  NodeList: ["children"],
  Value: ["value"],
  Literal: ["value"],
  Symbol: ["value"],
  Group: ["children"],
  Array: ["children"],
  Pair: ["key", "value"],
  Dict: ["children"],
  Output: ["children"],
  Capture: ["body"],
  TemplateData: ["value"],
  If: ["cond", "body", "else_"],
  IfAsync: ["cond", "body", "else_"],
  InlineIf: ["cond", "body", "else_"],
  For: ["arr", "name", "body", "else_"],
  AsyncEach: ["arr", "name", "body", "else_"],
  AsyncAll: ["arr", "name", "body", "else_"],
  Macro: ["name", "args", "body"],
  Caller: ["name", "args", "body"],
  Import: ["template", "target", "withContext"],
  FromImport: ["template", "names", "withContext"],
  FunCall: ["name", "args"],
  Filter: ["name", "args"],
  FilterAsync: ["name", "args", "symbol"],
  KeywordArgs: ["children"],
  Block: ["name", "body"],
  Super: ["blockName", "symbol"],
  Extends: ["template"],
  Include: ["template", "ignoreMissing"],
  Set: ["targets", "value"],
  Switch: ["expr", "cases", "default"],
  Case: ["cond", "body"],
  LookupVal: ["target", "val"],
  BinOp: ["left", "right"],
  In: ["left", "right"],
  Is: ["left", "right"],
  Or: ["left", "right"],
  And: ["left", "right"],
  Not: ["target"],
  Add: ["left", "right"],
  Concat: ["left", "right"],
  Sub: ["left", "right"],
  Mul: ["left", "right"],
  Div: ["left", "right"],
  FloorDiv: ["left", "right"],
  Mod: ["left", "right"],
  Pow: ["left", "right"],
  Neg: ["target"],
  Pos: ["target"],
  Compare: ["expr", "ops"],
  CompareOperand: ["expr", "type"],
  CallExtension: ["extName", "prop", "args", "contentArgs"],
  CallExtensionAsync: ["extName", "prop", "args", "contentArgs"],
};

describe("nunjucks, as the sandbox was written against it", () => {
  it("is pinned exactly, and the installed copy is that version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.dependencies.nunjucks).toBe("3.2.4");
    const installed = JSON.parse(
      fs.readFileSync(
        path.join(path.dirname(require.resolve("nunjucks/package.json")), "package.json"),
        "utf8",
      ),
    );
    expect(installed.version).toBe("3.2.4");
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    expect(lock.packages["node_modules/nunjucks"].version).toBe("3.2.4");
  });

  it("has exactly the node types and fields the check knows", () => {
    const actual: Record<string, string[] | null> = {};
    for (const [name, value] of Object.entries(nunjucks.nodes)) {
      if (name === "printNodes") continue; // a debugging helper, not a node
      actual[name] = (value as { prototype: { fields?: string[] } }).prototype.fields ?? null;
    }
    expect(actual).toEqual(NODES_3_2_4);
  });

  it("offers the compiler API the sandbox calls", () => {
    expect(typeof nunjucks.parser.parse).toBe("function");
    expect(typeof nunjucks.compiler.Compiler).toBe("function");
    expect(typeof require("nunjucks/src/transformer").transform).toBe("function");
    // parse → transform → compile → code → props, the path sandbox.ts takes for every template
    const env = new nunjucks.Environment([]);
    const ast = nunjucks.parser.parse("a{{ x }}b", env.extensionsList, env.opts);
    expect(ast.typename).toBe("Root");
    const compiler = new nunjucks.compiler.Compiler("t", false);
    compiler.compile(require("nunjucks/src/transformer").transform(ast, [], "t"));
    const code = compiler.getCode();
    expect(typeof code).toBe("string");
    const props = new Function(code)();
    expect(typeof props.root).toBe("function");
    const t = new nunjucks.Template({ type: "code", obj: props }, env, "t");
    expect(t.render({ x: 1 })).toBe("a1b");
    expect(typeof nunjucks.runtime.SafeString).toBe("function");
  });

  it("a node type the check does not know is refused, not compiled", () => {
    // as a future nunjucks would hand over a new construct: the check must fail closed
    const sandbox = new Sandbox({ roots: [] });
    const Unknown = nunjucks.nodes.Node.extend("Unknown", { fields: ["value"] });
    const parse = nunjucks.parser.parse;
    nunjucks.parser.parse = (...args: unknown[]) => {
      const ast = parse(...args);
      ast.children.push(new Unknown(0, 0, "x"));
      return ast;
    };
    try {
      let caught: unknown;
      try {
        sandbox.compile("{{ 1 }}", { file: "new.yaml", lineOffset: 0 });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TemplateProblem);
      expect((caught as Error).message).toMatch(/a construct the sandbox does not know \(Unknown\)/);
    } finally {
      nunjucks.parser.parse = parse;
    }
  });
});
