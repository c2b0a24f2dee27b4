// "Every file the deck reads must be provided", and the data one job hands another, checked against
// tables written out here by hand (not read from crystal/files.ts): a wrong table in the code fails.
// The rule is asked by the CLI, the TUI's form and workflow planning alike.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readDeck } from "../../src/crystal/deck.js";
import {
  AUX_INPUTS,
  PROPERTIES_AUX_INPUTS,
  stagedNameFor,
  unprovidedInputs,
} from "../../src/crystal/files.js";
import { checkNewJob } from "../../src/tui/screens/NewJobScreen.js";
import { planWorkflow } from "../../src/workflows/plan.js";
import { renderTemplate, validateParams } from "../../src/workflows/templates.js";
import { parseWorkflowFile } from "../../src/workflows/workflow-file.js";
import { cli, MGO_BODY, tempProject } from "../helpers/project.js";

const SCF = `MgO\n${MGO_BODY}`;
const EXTERNAL = "MgO from a geometry\nEXTERNAL\nEND\nBASISSET\nSTO-3G\nEND\nSHRINK\n8 8\nEND\n";
const GUESSP = SCF.replace("TOLDEE\n8\nEND\n", "TOLDEE\n8\nGUESSP\nEND\n");
const BANDS = "NEWK\n8 8\n1 0\nBAND\nMgO\n2 8 100 1 6 1 0\n0 0 0 4 4 4\n4 4 4 4 0 4\nEND\n";

describe("the data links, by hand", () => {
  it("stage each kept file where each program opens it", () => {
    expect({ ...AUX_INPUTS }).toEqual({
      ".gui": "fort.34",
      ".f9": "fort.20",
      ".f98": "fort.98",
      ".hessopt": "HESSOPT.DAT",
      ".optinfo": "OPTINFO.DAT",
      ".freqinfo": "FREQINFO.DAT",
      ".born": "BORN.DAT",
    });
    expect({ ...PROPERTIES_AUX_INPUTS }).toEqual({ ".f9": "fort.9", ".f98": "fort.98" });
    expect(stagedNameFor("scf.f9", "properties")).toBe("fort.9");
    expect(stagedNameFor("scf.f9", "crystal")).toBe("fort.20");
  });

  it("a deck's inputs must each be provided — by an aux file or a parent's results", () => {
    // deck, program, aux file names, extensions from parents → the files nothing provides
    const cases: [string, "crystal" | "properties", string[], string[], string[]][] = [
      [SCF, "crystal", [], [], []],
      [EXTERNAL, "crystal", [], [], ["fort.34"]],
      [EXTERNAL, "crystal", ["start.gui"], [], []],
      [EXTERNAL, "crystal", [], [".gui"], []],
      [EXTERNAL, "crystal", ["start.f9"], [], ["fort.34"]],
      [GUESSP, "crystal", [], [], ["fort.20"]],
      [GUESSP, "crystal", ["old.f9"], [], []],
      [GUESSP, "crystal", [], [".f9"], []],
      [BANDS, "properties", [], [], ["fort.9"]],
      [BANDS, "properties", ["scf.f9"], [], []],
      [BANDS, "properties", [], [".f9"], []],
      [BANDS, "properties", ["scf.gui"], [], ["fort.9"]],
    ];
    for (const [deck, program, auxFiles, fromParents, missing] of cases) {
      const report = readDeck(deck);
      expect(report.kind, deck.split("\n")[0]).toBe(program);
      expect(
        unprovidedInputs(report.auxInputs, program, { auxFiles, fromParents }).map((m) => m.file),
      ).toEqual(missing);
    }
    // a Hessian is optional: HESSOPT without one starts from a model Hessian
    expect(unprovidedInputs(["HESSOPT.DAT"], "crystal", { auxFiles: [], fromParents: [] })).toEqual([]);
  });
});

describe("every face asks the same rule", () => {
  it("the CLI refuses a job whose deck reads EXTERNAL with nothing to read", () => {
    const dir = tempProject();
    const deck = path.join(dir, "ext.d12");
    fs.writeFileSync(deck, EXTERNAL);
    const r = cli(dir, ["job", "add", "ext", "--input", deck]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /reads fort\.34, which nothing provides — give it with --aux FILE\.gui or --geometry-from JOB_ID/,
    );
    const bands = path.join(dir, "bands.d3");
    fs.writeFileSync(bands, BANDS);
    const p = cli(dir, ["job", "add", "bands", "--input", bands]);
    expect(p.stderr).toMatch(
      /reads fort\.9, which nothing provides — give it with --aux FILE\.f9 or --wavefunction-from JOB_ID/,
    );
  });

  it("the TUI's form says so at the aux field", () => {
    const dir = tempProject();
    fs.writeFileSync(path.join(dir, "ext.d12"), EXTERNAL);
    fs.writeFileSync(path.join(dir, "start.gui"), "geometry\n");
    const form = (aux: string) =>
      checkNewJob(
        { validateParams, renderTemplate },
        {
          template: null,
          raw: {},
          name: "ext",
          deckPath: "ext.d12",
          placement: { where: "local", ranks: "", threads: "", time: "", aux },
          clusters: [],
          projectDir: dir,
        },
      );
    expect(form("").errors.aux).toBe("the deck reads the geometry (fort.34) — give a .gui file");
    expect(form("start.gui").errors.aux).toBeUndefined();
  });

  it("workflow planning refuses a deck step that reads what no step or file gives", () => {
    const dir = tempProject();
    fs.writeFileSync(path.join(dir, "ext.d12"), EXTERNAL);
    const file = path.join(dir, "wf.yaml");
    const text = "steps:\n  a: {deck: ext.d12}\n";
    fs.writeFileSync(file, text);
    expect(() =>
      planWorkflow(parseWorkflowFile(text, file), {
        clusters: [],
        projectDir: dir,
        templateFolders: { userDir: path.join(dir, "none") },
      }),
    ).toThrow(
      /step a: its deck reads EXTERNAL \(fort\.34\) — give geometry_from: <step> or an aux \.gui file/,
    );
  });
});
