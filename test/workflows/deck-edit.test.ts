// Deck edits made by recovery policies: exact, validator-clean, and refused (null) when the deck is
// not understood — on template decks (BASISSET) and on real decks with inline basis sets.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readDeck } from "../../src/crystal/deck.js";
import {
  addOptgeomFlag,
  addScfFlag,
  externalGeometry,
  optgeomValue,
  scfValue,
  setOptgeomKeyword,
  setScfKeyword,
} from "../../src/workflows/deck-edit.js";
import { findTemplate, renderTemplate } from "../../src/workflows/templates.js";
import { FIXTURES, tempProject } from "../helpers/project.js";

const NO_USER = { userDir: path.join(tempProject("ctui-nouser-"), "none") };
const optimise = findTemplate("optimise", NO_USER);
const OPT_DECK = renderTemplate(optimise, { fmixing: 30, maxcycle: 100, opt_maxcycle: 50 }).deck;
const FIXTURE_OPT = fs.readFileSync(path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_opt.d12"), "utf8");
const FIXTURE_NIO = fs.readFileSync(
  path.join(FIXTURES, "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.d12"),
  "utf8",
);

function clean(deck: string) {
  const r = readDeck(deck);
  expect(r.errors).toEqual([]);
  return r;
}

describe("SCF edits", () => {
  it("change the SCF MAXCYCLE, not the one of OPTGEOM", () => {
    const edited = setScfKeyword(OPT_DECK, "MAXCYCLE", "200")!;
    expect(scfValue(edited, "MAXCYCLE")).toBe(200);
    expect(optgeomValue(edited, "MAXCYCLE")).toBe(50);
    clean(edited);
  });

  it("add a keyword the deck does not have, before the final END", () => {
    const edited = setScfKeyword(FIXTURE_OPT, "FMIXING", "50")!;
    expect(edited).toMatch(/SHRINK\n8 8\nFMIXING\n50\nEND\n$/);
    expect(addScfFlag(edited, "GUESSP")).toMatch(/FMIXING\n50\nGUESSP\nEND\n$/);
    expect(clean(addScfFlag(edited, "GUESSP")!).auxInputs).toContain("fort.20");
  });

  it("read and replace values of a real failed deck", () => {
    expect(scfValue(FIXTURE_NIO, "FMIXING")).toBe(50);
    expect(scfValue(FIXTURE_NIO, "MAXCYCLE")).toBe(10);
    const edited = setScfKeyword(setScfKeyword(FIXTURE_NIO, "MAXCYCLE", "20")!, "FMIXING", "70")!;
    expect(scfValue(edited, "MAXCYCLE")).toBe(20);
    expect(scfValue(edited, "FMIXING")).toBe(70);
    expect(edited.split("\n").length).toBe(FIXTURE_NIO.trimEnd().split("\n").length + 1);
    clean(edited);
  });

  it("are idempotent and keep every template deck valid", () => {
    const single = findTemplate("single-point", NO_USER);
    fc.assert(
      fc.property(
        fc.constantFrom("HF", "B3LYP", "PBE"),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 5000 }),
        (method, fmixing, maxcycle) => {
          const deck = renderTemplate(single, { method }).deck;
          const once = addScfFlag(
            setScfKeyword(setScfKeyword(deck, "FMIXING", String(fmixing))!, "MAXCYCLE", String(maxcycle))!,
            "GUESSP",
          )!;
          const twice = addScfFlag(
            setScfKeyword(setScfKeyword(once, "FMIXING", String(fmixing))!, "MAXCYCLE", String(maxcycle))!,
            "GUESSP",
          )!;
          expect(twice).toBe(once);
          expect(scfValue(once, "FMIXING")).toBe(fmixing);
          expect(scfValue(once, "MAXCYCLE")).toBe(maxcycle);
          clean(once);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("refuse a deck they do not understand", () => {
    expect(setScfKeyword("title\nCRYSTAL\n", "FMIXING", "50")).toBeNull();
    expect(scfValue("junk", "FMIXING")).toBeNull();
  });
});

describe("geometry and optimisation edits", () => {
  it("replace the typed-in structure by EXTERNAL", () => {
    const edited = externalGeometry(OPT_DECK)!;
    expect(edited.split("\n").slice(0, 3)).toEqual(["MgO bulk", "EXTERNAL", "OPTGEOM"]);
    const r = clean(edited);
    expect(r.geometry).toBe("EXTERNAL");
    expect(r.auxInputs).toContain("fort.34");
    const fixture = clean(externalGeometry(FIXTURE_OPT)!);
    expect(fixture.geometry).toBe("EXTERNAL");
    // already EXTERNAL: unchanged
    expect(externalGeometry(FIXTURE_NIO)).toBe(FIXTURE_NIO.replace(/\n*$/, "\n"));
    expect(externalGeometry("t\nSLAB\n1\n2.0\n1\n12 0 0 0\nEND\nEND\n")).toBeNull();
  });

  it("set OPTGEOM's MAXCYCLE and add HESSOPT inside the block", () => {
    const edited = addOptgeomFlag(setOptgeomKeyword(FIXTURE_OPT, "MAXCYCLE", "400")!, "HESSOPT")!;
    expect(edited).toContain("OPTGEOM\nFULLOPTG\nMAXCYCLE\n400\nHESSOPT\nENDOPT\n");
    expect(optgeomValue(edited, "MAXCYCLE")).toBe(400);
    expect(clean(edited).auxInputs).toContain("HESSOPT.DAT");
    expect(setOptgeomKeyword(FIXTURE_NIO, "MAXCYCLE", "5")).toBeNull();
  });
});
