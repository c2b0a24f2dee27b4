// A template's render has a budget of time and output size (issue 14, item 10): nested loops,
// runaway macros and strings that double in a loop stop with an error naming the template and the
// line, instead of hanging `template render`, `workflow run` or the TUI's live check.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RENDER_LIMITS, Sandbox, TemplateProblem } from "../../src/workflows/sandbox.js";
import { cli, tempProject } from "../helpers/project.js";

function render(sandbox: Sandbox, source: string): { out?: string; problem?: TemplateProblem; ms: number } {
  const started = Date.now();
  try {
    const out = sandbox.compile(source, { file: "heavy.yaml", lineOffset: 10 }).render({});
    return { out, ms: Date.now() - started };
  } catch (err) {
    if (!(err instanceof TemplateProblem)) throw err;
    return { problem: err, ms: Date.now() - started };
  }
}

describe("the render budget", () => {
  const sandbox = new Sandbox({ roots: [], limits: { timeMs: 300 } });

  it.each([
    [
      "nested range loops",
      "x\n{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    ],
    [
      "nested loops over one list",
      "x\n{% set r = range(100000) %}{% for a in r %}{% for b in r %}{{ b }}{% endfor %}{% endfor %}",
    ],
    [
      "a macro that calls itself twice",
      "x\n{% macro f(n) %}{% if n > 0 %}{% set a = f(n - 1) %}{% set b = f(n - 1) %}{% endif %}{% endmacro %}{{ f(60) }}",
    ],
  ])("stops %s at its time limit, at the line of the loop", (_what, source) => {
    const r = render(sandbox, source);
    expect(r.problem?.message).toMatch(/rendering took longer than 0\.3 s, the most one template may take/);
    expect(r.problem?.file).toBe("heavy.yaml");
    expect(r.problem?.line).toBe(12);
    expect(r.ms).toBeLessThan(10_000); // it stops, which is the point; the limit itself is 0.3 s
  });

  it.each([
    [
      "a loop that writes too much",
      "{% for a in range(100000) %}{% for b in range(100) %}0123456789{% endfor %}{% endfor %}",
    ],
    ["a loop that prints too much", "{% for a in range(100000) %}{{ range(100) | join }}{% endfor %}"],
    [
      "a string doubled in a loop",
      '{% set s = "xx" %}{% for i in range(60) %}{% set s = s ~ s %}{% endfor %}{{ s }}',
    ],
    ["a filter asked for a huge width", '{{ "x" | center(1000000000) }}'],
  ])("stops %s at its size limit", (_what, source) => {
    const r = render(new Sandbox({ roots: [], limits: { timeMs: 60_000 } }), source);
    expect(r.problem?.message).toMatch(new RegExp(`${RENDER_LIMITS.outputChars} characters`));
    expect(r.problem?.file).toBe("heavy.yaml");
  });

  it("a macro that calls itself without end is an error, not a crash", () => {
    const r = render(sandbox, "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}");
    expect(r.problem?.message).toMatch(/calls itself without end/);
  });

  it("leaves ordinary decks alone: a 10,000-line sweep table renders in full", () => {
    const r = render(
      new Sandbox({ roots: [] }),
      "{% for i in range(10000) %}{{ i }} {{ i * 0.5 }}\n{% endfor %}",
    );
    expect(r.problem).toBeUndefined();
    expect(r.out?.split("\n")).toHaveLength(10_001);
  });

  it("gives each render its own budget: nothing is carried over from the one before", () => {
    const big = new Sandbox({ roots: [], limits: { timeMs: 60_000 } }).compile(
      "{% for a in range(800) %}{{ range(1000) | join(',') }}{% endfor %}",
      { file: "t", lineOffset: 0 },
    );
    // ~3.1 million characters each: two in a row would be over the limit if they shared a count
    for (let i = 0; i < 2; i++) expect(big.render({}).length).toBe(800 * 3889);
    expect(
      render(sandbox, "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
        .problem,
    ).toBeInstanceOf(TemplateProblem);
    expect(sandbox.compile("{{ 1 }} ok", { file: "t", lineOffset: 0 }).render({})).toBe("1 ok");
  });
});

const NESTED = `name: heavy
params: []
deck: |
  MgO
  {% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}
  END
`;

describe("through the CLI", () => {
  function project() {
    const dir = tempProject();
    fs.mkdirSync(path.join(dir, "templates"));
    fs.writeFileSync(path.join(dir, "templates", "heavy.yaml"), NESTED);
    return { dir, env: { XDG_CONFIG_HOME: path.join(dir, ".config"), CRYSTAL_TUI_TEMPLATES_DIR: "" } };
  }

  it("template render stops with one line naming the template and its line", () => {
    const { dir, env } = project();
    const r = cli(dir, ["template", "render", "heavy"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `crystal-tui: template heavy (${path.join(dir, "templates", "heavy.yaml")} line 5): rendering took longer than ${RENDER_LIMITS.timeMs / 1000} s, the most one template may take — does a loop or macro here run more often than meant?\n`,
    );
  });

  it("workflow run stops the same way, and creates nothing", () => {
    const { dir, env } = project();
    fs.writeFileSync(path.join(dir, "wf.yaml"), "steps:\n  a: {template: heavy}\n");
    const r = cli(dir, ["workflow", "run", path.join(dir, "wf.yaml")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/template heavy .*line 5\): rendering took longer than/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, "calculations"))).toBe(false);
  });
});
