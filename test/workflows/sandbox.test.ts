// The template sandbox: a template cannot run code (the known nunjucks escapes through
// `constructor` and friends), cannot read files outside the template folders (traversal, absolute
// paths, symlinks, non-template files), and its errors are TemplateProblems with a file and line.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/domain/errors.js";
import { Sandbox, TemplateProblem } from "../../src/workflows/sandbox.js";
import { findTemplate, renderTemplate } from "../../src/workflows/templates.js";
import { tempProject } from "../helpers/project.js";

const nunjucksModule = () =>
  createRequire(import.meta.url)("nunjucks") as {
    Environment: new () => { renderString(s: string, c: object): string };
  };

/** Any call of the Function constructor reached from a template lands here instead. */
let trapped: unknown[][] = [];
const realConstructor = Object.getOwnPropertyDescriptor(Function.prototype, "constructor")!;
beforeEach(() => {
  trapped = [];
  Object.defineProperty(Function.prototype, "constructor", {
    ...realConstructor,
    value: (...args: unknown[]) => {
      trapped.push(args);
      return () => "PWNED";
    },
  });
});
afterEach(() => {
  Object.defineProperty(Function.prototype, "constructor", realConstructor);
});

function attempt(
  sandbox: Sandbox,
  source: string,
  context: Record<string, unknown> = {},
): string | TemplateProblem {
  try {
    return sandbox.compile(source, { file: "attack.yaml", lineOffset: 0 }).render(context);
  } catch (err) {
    if (err instanceof TemplateProblem) return err;
    throw new Error(`not a TemplateProblem for ${JSON.stringify(source)}: ${(err as Error).stack}`);
  }
}

const CODE_PAYLOADS = [
  '{{ range.constructor("return process")() }}',
  '{{ cycler.constructor("return process")() }}',
  '{{ joiner.constructor("return process")() }}',
  '{{ "".constructor.constructor("return process")() }}',
  '{{ [].constructor.constructor("return process")() }}',
  '{{ ({}).constructor.constructor("return process")() }}',
  '{{ range["constructor"]("return process")() }}',
  '{% set c = "constr" + "uctor" %}{{ range[c]("return process")() }}',
  '{% set c = "constr" ~ "uctor" %}{{ joiner()[c][c]("return process")() }}',
  '{{ x[k][k]("return process")() }}',
  '{{ range.call.constructor("return process")() }}',
  "{{ range.apply(null, [3]) }}",
  "{{ range.bind(null)(3) }}",
  "{{ __proto__ }}",
  "{{ x.__proto__.polluted }}",
  '{{ x["__proto__"] }}',
  '{{ constructor("return process")() }}',
  "{{ valueOf().env.globals }}",
  '{{ toString.constructor("return process")() }}',
  "{{ lipsum.__globals__.os }}",
  "{{ self.__init__.__globals__ }}",
  '{{ caller.constructor("return process")() }}',
  '{% macro m() %}x{% endmacro %}{{ m.constructor("return process")() }}',
  '{{ [range] | sum("constructor") }}',
  '{{ [range] | sort(attribute="constructor") | first }}',
  '{{ [range] | groupby("constructor") }}',
  '{{ [x] | selectattr("__proto__") }}',
  '{{ x | attr("constructor") }}',
  "{{ range | string }}",
  '{{ "abc".toString.constructor("return process")() }}',
  '{{ r/x/.constructor.constructor("return process")() }}',
];

describe("no code execution", () => {
  const sandbox = new Sandbox({ roots: [] });

  it.each(CODE_PAYLOADS)("%s is refused or harmless", (payload) => {
    const out = attempt(sandbox, payload, { x: { a: 1 }, k: "constructor" });
    expect(trapped).toEqual([]);
    if (typeof out === "string") {
      expect(out).not.toMatch(/PWNED|\[object process\]|process\.env/);
    } else {
      expect(out.message).not.toMatch(/PWNED/);
      expect(out.file).toBe("attack.yaml");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses names that smuggle JavaScript into the compiled template (plain nunjucks runs them)", () => {
    // nunjucks' lexer reads `x"&Function…&"` as ONE name and writes it unescaped into the code it
    // compiles; the template-literal escapes avoid every character its lexer splits names at
    const payload = '{{ x"&Function`globalThis\\x2epwned\\x3d1```&" }}';
    const g = globalThis as { pwned?: unknown };
    Object.defineProperty(Function.prototype, "constructor", realConstructor);
    try {
      new (nunjucksModule().Environment)().renderString(payload, {});
      expect(g.pwned).toBe(1); // the hole this sandbox closes
    } finally {
      delete g.pwned;
    }
    const out = attempt(sandbox, payload);
    expect(out).toBeInstanceOf(TemplateProblem);
    expect((out as TemplateProblem).message).toMatch(/is not a name/);
    expect(g.pwned).toBeUndefined();
    for (const p of ['{{ "a\\\\"() }}', '{{ x["a\\\\"]() }}', '{{ x["a\\"b"] }}']) {
      expect(attempt(sandbox, p, { x: {} })).toBeInstanceOf(TemplateProblem);
    }
  });

  it("names the line of the refused expression", () => {
    const out = attempt(sandbox, "line 1\nline 2\n{{ range.constructor }}\n");
    expect(out).toBeInstanceOf(TemplateProblem);
    expect((out as TemplateProblem).line).toBe(3);
    expect((out as TemplateProblem).message).toMatch(/`constructor` is not allowed/);
  });

  it("never reaches the Function constructor, whatever a template is made of", () => {
    const token = fc.constantFrom(
      "{{ ",
      " }}",
      "{% set v = ",
      " %}",
      "range",
      "cycler",
      "joiner",
      "x",
      "k",
      ".",
      "[",
      "]",
      "(",
      ")",
      '"constructor"',
      '"constr" ~ "uctor"',
      "constructor",
      "__proto__",
      "call",
      "apply",
      '"return 1"',
      " | ",
      "sum",
      "sort",
      "first",
      "string",
      "dump",
      "v",
      ",",
      "1",
      "~",
      "+",
      "caller",
      "loop",
      "[]",
      "{}",
      '"',
      "\\",
      "`",
      "&",
      ";",
      "'",
      'x"&Function`globalThis\\x2epwned\\x3d1```&"',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 14 }), (tokens) => {
        const source = tokens.join("");
        const out = attempt(sandbox, source, { x: { a: 1 }, k: "constructor" });
        expect(trapped).toEqual([]);
        // nor is any function's source (or even its [native code] shell) ever written out
        if (typeof out === "string") expect(out).not.toMatch(/function|native code|=>/);
        expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
      }),
      { numRuns: Number(process.env.SANDBOX_FUZZ_RUNS ?? 3000) },
    );
  });
});

describe("no function is ever revealed", () => {
  const sandbox = new Sandbox({ roots: [] });
  // each of these printed a function's source (or its `[native code]` shell) before
  const LEAKS = [
    '{{ [range] | join(",", "constructor") }}',
    '{{ [1] | join(",", "constructor") }}',
    "{{ range | string }}",
    '{{ range ~ "" }}',
    '{{ range + "" }}',
    '{{ [range] | join(",") }}',
    "{{ [range] | sort | join }}",
    '{{ "".concat(range) }}',
    '{% macro m() %}x{% endmacro %}{{ m ~ "" }}',
    '{{ joiner() ~ "" }}',
    '{{ (range or 1) ~ "" }}',
    '{{ "abc".substr ~ "" }}',
    "{{ {a: range} | dictsort | join }}",
    "{{ [range] | first | string }}",
    "{{ range | escape }}",
    "{% set r = range %}{{ r | safe }}",
    '{{ "%" | replace("%", range) }}',
    '{{ x if false else range ~ "" }}',
  ];

  it.each(LEAKS)("%s is refused, naming the function", (payload) => {
    const out = attempt(sandbox, payload, { x: { a: 1 } });
    expect(out).toBeInstanceOf(TemplateProblem);
    const message = (out as TemplateProblem).message;
    expect(message).toMatch(/is a function: a template may call it|is not allowed in a template/);
    expect(message).not.toMatch(/native code|cappedRange|=>/);
    expect((out as TemplateProblem).file).toBe("attack.yaml");
  });

  it("still calls functions, and the filters still work on values", () => {
    expect(attempt(sandbox, '{{ range(3) | join(",") }}')).toBe("0,1,2");
    expect(attempt(sandbox, '{{ xs | join(",", "a") }}', { xs: [{ a: 1 }, { a: 2 }] })).toBe("1,2");
    expect(
      attempt(sandbox, '{% set sep = joiner("+") %}{% for i in range(3) %}{{ sep() }}{{ i }}{% endfor %}'),
    ).toBe("0+1+2");
    expect(attempt(sandbox, '{% set c = cycler("a", "b") %}{{ c.next() }}{{ c.next() }}{{ c.next() }}')).toBe(
      "aba",
    );
    expect(
      attempt(sandbox, "{% macro m(a, b=2) %}{{ a }}-{{ b }}{% endmacro %}{{ m(1) }} {{ m(1, b=3) }}"),
    ).toBe("1-2 1-3");
    expect(attempt(sandbox, '{{ "MgO" ~ " " ~ 4.21 }} {{ 1 + 2 }} {{ (x.a or 5) }}', { x: { a: 0 } })).toBe(
      "MgO 4.21 3 5",
    );
  });
});

describe("names are checked wherever nunjucks writes them into code", () => {
  // nunjucks writes these names unescaped into the JavaScript it compiles. The check used to skip
  // fields holding plain lists, so a name in a set target, a comparison or a switch case ran the
  // payload; the other places are here so that no new gap opens
  const NAME = 'x"&Function`globalThis\\x2epwned\\x3d1```&"';
  it.each([
    `{% set ${NAME} = 1 %}`,
    `{{ 1 == ${NAME} }}`,
    `{{ 1 < 2 < ${NAME} }}`,
    `{% switch 1 %}{% case ${NAME} %}a{% endswitch %}`,
    `{% for ${NAME} in [1] %}{% endfor %}`,
    `{% macro m(${NAME}) %}{% endmacro %}`,
    `{% from "a.njk" import ${NAME} %}`,
  ])("%s is refused before it is compiled", (payload) => {
    const g = globalThis as { pwned?: unknown };
    Object.defineProperty(Function.prototype, "constructor", realConstructor);
    const out = attempt(new Sandbox({ roots: [] }), payload);
    expect(g.pwned).toBeUndefined();
    expect(out).toBeInstanceOf(TemplateProblem);
    expect((out as TemplateProblem).message).toMatch(/is not a name/);
  });

  it("refuses a {% set %} of anything but a plain name", () => {
    const out = attempt(new Sandbox({ roots: [] }), "{% set x.y = 1 %}", { x: {} });
    expect((out as TemplateProblem).message).toMatch(/gives a value to a name/);
  });
});

describe("no files outside the template folders", () => {
  const root = tempProject("ctui-sandbox-");
  const folder = path.join(root, "templates");
  const outside = path.join(root, "secret.njk");
  fs.mkdirSync(path.join(folder, "parts"), { recursive: true });
  fs.writeFileSync(outside, "TOPSECRET");
  fs.writeFileSync(path.join(folder, "notes.txt"), "TOPSECRET in a text file");
  fs.writeFileSync(path.join(folder, "ok.njk"), "fine {{ v }}");
  fs.writeFileSync(path.join(folder, "parts", "nested.njk"), 'nested {% include "../../secret.njk" %}');
  fs.symlinkSync(outside, path.join(folder, "link.njk"));
  fs.symlinkSync(root, path.join(folder, "up"));
  const sandbox = new Sandbox({ roots: [folder] });

  const TRAVERSALS = [
    '{% include "../secret.njk" %}',
    `{% include "${outside}" %}`,
    '{% include "parts/../../secret.njk" %}',
    '{% include "./../secret.njk" %}',
    '{% include "..\\\\secret.njk" %}',
    '{% include "notes.txt" %}',
    '{% include "link.njk" %}',
    '{% include "up/secret.njk" %}',
    '{% include "parts/nested.njk" %}',
    "{% include name %}",
    '{% import "../secret.njk" as m %}',
    '{% from "../secret.njk" import x %}',
    '{% extends "../secret.njk" %}',
    '{% include "/etc/passwd" %}',
    '{% include "ok.njk\\u0000../../secret.njk" %}',
  ];

  it.each(TRAVERSALS)("%s is refused", (payload) => {
    const out = attempt(sandbox, payload, { name: "../secret.njk", v: 1 });
    expect(out).toBeInstanceOf(TemplateProblem);
    expect((out as TemplateProblem).message).toMatch(/cannot include/);
    expect((out as TemplateProblem).message).not.toContain("TOPSECRET");
  });

  it("still includes partials that are inside the folders", () => {
    expect(attempt(sandbox, '{% include "ok.njk" %}', { v: 8 })).toBe("fine 8");
  });
});

describe("through renderTemplate", () => {
  it("a project template with an escape attempt fails with a UserError naming it", () => {
    const project = tempProject();
    fs.mkdirSync(path.join(project, "templates"));
    const file = path.join(project, "templates", "evil.yaml");
    fs.writeFileSync(
      file,
      'name: evil\nparams: []\ndeck: |\n  title\n  {{ range.constructor("return process")().exit(7) }}\n',
    );
    const t = findTemplate("evil", { projectDir: project, userDir: path.join(project, "none") });
    let caught: unknown;
    try {
      renderTemplate(t, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as Error).message).toBe(
      `template evil (${file} line 5): the attribute \`constructor\` is not allowed in a template (it reaches JavaScript internals) — use the template's parameters and filters`,
    );
    expect(trapped).toEqual([]);
  });
});
