// The template library: every built-in renders with its defaults into a deck the project's own
// validator accepts; numbers come out the way CRYSTAL reads them; user and project templates
// override built-ins by name; errors name the template, the line of its file and the parameter.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readDeck } from "../../src/crystal/deck.js";
import {
  BUILTIN_TEMPLATES_DIR,
  findTemplate,
  loadTemplateReport,
  loadTemplates,
  renderTemplate,
  type Template,
  userTemplatesDir,
} from "../../src/workflows/templates.js";
import { tempProject } from "../helpers/project.js";

/** Folders with no user templates, so the machine's ~/.config never leaks into a test. */
const NO_USER = { userDir: path.join(tempProject("ctui-nouser-"), "none") };

const EXPECTED_CALC: Record<string, string> = {
  "single-point": "scf",
  optimise: "opt",
  frequencies: "freq",
  elastic: "elastic",
  eos: "eos",
  bands: "band",
  dos: "dos",
};

function byName(name: string): Template {
  return findTemplate(name, NO_USER);
}

describe("the built-in library", () => {
  const builtins = loadTemplates(NO_USER);

  it("has the templates the issue asks for, each from templates/ of the package", () => {
    expect(builtins.map((t) => t.name).sort()).toEqual(Object.keys(EXPECTED_CALC).sort());
    for (const t of builtins) {
      expect(t.source).toBe("builtin");
      expect(path.dirname(t.path)).toBe(BUILTIN_TEMPLATES_DIR);
      expect(t.description.length).toBeGreaterThan(20);
    }
  });

  it.each(Object.keys(EXPECTED_CALC))(
    "%s renders with its defaults into a deck the validator accepts",
    (name) => {
      const { deck, report } = renderTemplate(byName(name), {});
      expect(report.errors).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.calcType).toBe(EXPECTED_CALC[name]);
      // the validator is the project's own, called directly on the text too
      expect(readDeck(deck).errors).toEqual([]);
      expect(deck.endsWith("END\n")).toBe(true);
    },
  );

  it("writes TOLDEE 8 as 8 and SHRINK 8 as `8 8`, never 8.0 or 1e-08", () => {
    const { deck } = renderTemplate(byName("single-point"), {});
    expect(deck).toContain("\nTOLDEE\n8\n");
    expect(deck).toContain("\nSHRINK\n8 8\n");
    expect(deck).toContain("\n4.21\n");
    expect(deck).not.toMatch(/\n8\.0|e-0?8/);
    const scaled = renderTemplate(byName("single-point"), { a: 4.21 * 1.01, shrink: "12", toldee: "9" }).deck;
    expect(scaled).toContain("\n4.2521\n");
    expect(scaled).toContain("\nSHRINK\n12 12\n");
    expect(scaled).toContain("\nTOLDEE\n9\n");
  });

  it("sets GUESSP and EXTERNAL only when asked, and the validator sees the files they need", () => {
    const r = renderTemplate(byName("frequencies"), {
      geometry: "external",
      guessp: true,
      intensities: "ir+raman",
    });
    expect(r.report.errors).toEqual([]);
    expect(r.report.geometry).toBe("EXTERNAL");
    expect(r.report.auxInputs.sort()).toEqual(["fort.20", "fort.34"]);
    expect(r.deck).toMatch(/FREQCALC\nNUMDERIV\n2\nINTENS\nINTRAMAN\nINTCPHF\nENDCPHF\nENDFREQ\n/);
    const plain = renderTemplate(byName("frequencies"), {});
    expect(plain.report.auxInputs).toEqual([]);
  });

  it("gives a valid deck for every option of every choice, and for random mixes of them", () => {
    let decks = 0;
    for (const t of builtins) {
      const choices = t.params.filter((p) => p.type === "choice" || p.type === "boolean");
      const optionsOf = (p: (typeof choices)[number]): unknown[] =>
        p.type === "boolean" ? [false, true] : p.options!;
      for (const p of choices) {
        for (const option of optionsOf(p)) {
          const { report } = renderTemplate(t, { [p.name]: option });
          expect(report.errors, `${t.name} ${p.name}=${String(option)}`).toEqual([]);
          decks++;
        }
      }
      if (choices.length === 0) continue;
      const mix = fc.record(
        Object.fromEntries(choices.map((p) => [p.name, fc.constantFrom(...optionsOf(p))])),
      );
      fc.assert(
        fc.property(mix, (values) => {
          const { report } = renderTemplate(t, values);
          expect(report.errors, `${t.name} ${JSON.stringify(values)}`).toEqual([]);
          decks++;
        }),
        { numRuns: 150 },
      );
    }
    expect(decks).toBeGreaterThan(700);
  });

  it("gives a valid deck for any numbers within the declared ranges", () => {
    const t = byName("optimise");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 4, max: 14 }),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 99 }),
        fc.option(fc.double({ min: 0.000001, max: 0.1, noNaN: true }), { nil: undefined }),
        (shrink, toldee, a, fmixing, toldeg) => {
          const { deck, report } = renderTemplate(t, {
            shrink,
            toldee,
            a,
            fmixing,
            ...(toldeg ? { toldeg } : {}),
          });
          expect(report.errors).toEqual([]);
          expect(deck).not.toMatch(/[0-9]e[-+]?[0-9]/i);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses values outside a parameter's range, naming the template and the parameter", () => {
    expect(() => renderTemplate(byName("single-point"), { shrink: 0 })).toThrow(
      /template single-point: shrink: 0 is below the minimum 1/,
    );
    expect(() => renderTemplate(byName("single-point"), { method: "LDA" })).toThrow(
      /method: "LDA" is not one of HF/,
    );
    expect(() => renderTemplate(byName("single-point"), { atoms: "12 0 0" })).toThrow(
      /atoms: .* expected form/,
    );
  });
});

function writeTemplate(dir: string, file: string, text: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const full = path.join(dir, file);
  fs.writeFileSync(full, text);
  return full;
}

const SMALL = (name: string, title: string) => `name: ${name}
description: a test template
params:
  - name: shrink
    type: integer
    default: 8
deck: |
  ${title}
  CRYSTAL
  0 0 0
  225
  4.21
  2
  12 0.0 0.0 0.0
  8 0.5 0.5 0.5
  BASISSET
  STO-3G
  SHRINK
  {{ shrink }} {{ shrink }}
  END
`;

describe("user and project templates", () => {
  it("override built-ins by name: project over user over built-in", () => {
    const project = tempProject();
    const userDir = path.join(tempProject("ctui-user-"), "templates");
    writeTemplate(userDir, "sp.yaml", SMALL("single-point", "from the user folder"));
    writeTemplate(userDir, "mine.yaml", SMALL("mine", "only the user has it"));
    let t = findTemplate("single-point", { projectDir: project, userDir });
    expect(t.source).toBe("user");
    expect(renderTemplate(t, {}).deck.split("\n")[0]).toBe("from the user folder");
    writeTemplate(path.join(project, "templates"), "x.yaml", SMALL("single-point", "from the project"));
    t = findTemplate("single-point", { projectDir: project, userDir });
    expect(t.source).toBe("project");
    expect(renderTemplate(t, {}).deck.split("\n")[0]).toBe("from the project");
    const all = loadTemplates({ projectDir: project, userDir });
    expect(all.filter((x) => x.name === "single-point")).toHaveLength(1);
    expect(all.find((x) => x.name === "mine")?.source).toBe("user");
    expect(all.find((x) => x.name === "optimise")?.source).toBe("builtin");
  });

  it("finds the user folder under $XDG_CONFIG_HOME, or where $CRYSTAL_TUI_TEMPLATES_DIR says", () => {
    expect(userTemplatesDir({ XDG_CONFIG_HOME: "/x/config" })).toBe("/x/config/crystal-tui/templates");
    expect(userTemplatesDir({ HOME: "/home/a" })).toMatch(/\.config\/crystal-tui\/templates$/);
    expect(userTemplatesDir({ CRYSTAL_TUI_TEMPLATES_DIR: "/t", XDG_CONFIG_HOME: "/x" })).toBe("/t");
  });

  it("reports a broken template file without spoiling the others", () => {
    const project = tempProject();
    const dir = path.join(project, "templates");
    const bad = writeTemplate(dir, "bad.yaml", "name: bad\nparams: [oops\n");
    writeTemplate(dir, "noparams.yaml", "name: nodeck\nparams: []\n");
    writeTemplate(
      dir,
      "badparam.yaml",
      "name: badparam\nparams:\n  - {name: steps, type: string}\ndeck: x\n",
    );
    writeTemplate(dir, "good.yaml", SMALL("good", "ok"));
    const { templates, problems } = loadTemplateReport({ projectDir: project, ...NO_USER });
    expect(templates.map((t) => t.name)).toContain("good");
    expect(templates.map((t) => t.name)).toContain("single-point");
    expect(problems.map((p) => path.basename(p.file)).sort()).toEqual([
      "bad.yaml",
      "badparam.yaml",
      "noparams.yaml",
    ]);
    expect(problems.find((p) => p.file === bad)?.message).toMatch(/not valid YAML/);
    expect(() => findTemplate("badparam", { projectDir: project, ...NO_USER })).toThrow(
      /name steps is reserved/,
    );
    expect(() => findTemplate("nosuch", { projectDir: project, ...NO_USER })).toThrow(
      /there is no template "nosuch" — see `crystal-tui template list`/,
    );
  });

  it("names the template, the line of its file and the parameter when rendering fails", () => {
    const project = tempProject();
    const file = writeTemplate(
      path.join(project, "templates"),
      "typo.yaml",
      `name: typo
description: a typo in the deck
params:
  - name: shrink
    type: integer
    default: 8
  - name: label
    type: string
deck: |
  {{ label }}
  CRYSTAL
  SHRINK
  {{ shrinkk }} {{ shrink }}
  END
`,
    );
    const t = findTemplate("typo", { projectDir: project, ...NO_USER });
    // line 10 of the file is `{{ label }}`: an optional parameter left empty
    expect(() => renderTemplate(t, {})).toThrow(
      `template typo (${file} line 10): \`label\` has no value [parameter label]`,
    );
    expect(() => renderTemplate(t, { label: "x" })).toThrow(
      `template typo (${file} line 13): \`shrinkk\` has no value [shrinkk is not a parameter of typo: shrink, label]`,
    );
  });

  it("lets a user template include the built-in partials (and its own)", () => {
    const project = tempProject();
    const dir = path.join(project, "templates");
    writeTemplate(dir, "_mine.njk", "SHRINK\n{{ shrink }} {{ shrink }}\n");
    const geometryParams = byName("single-point").params;
    writeTemplate(
      dir,
      "inc.yaml",
      `name: inc
params: ${JSON.stringify(geometryParams)}
deck: |
  {{ title }}
  {% include "_geometry.njk" %}
  BASISSET
  {{ basis }}
  {% include "_mine.njk" %}
  END
`,
    );
    const { deck, report } = renderTemplate(findTemplate("inc", { projectDir: project, ...NO_USER }), {});
    expect(report.errors).toEqual([]);
    expect(deck).toContain(
      "CRYSTAL\n0 0 0\n225\n4.21\n2\n12 0.0 0.0 0.0\n8 0.5 0.5 0.5\nBASISSET\nSTO-3G\nSHRINK\n8 8\nEND\n",
    );
  });
});
