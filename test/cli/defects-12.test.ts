// Issue 13, defect 12: small CLI defects, each with the behaviour a user saw before the fix.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, FIXTURES, tempProject, writeDeck } from "../helpers/project.js";
import { standinExedir } from "../helpers/standin.js";

describe("defect 12", () => {
  it("template render --set with an unknown parameter names the template once", () => {
    const dir = tempProject();
    const r = cli(dir, ["template", "render", "single-point", "--set", "shrnk=8"], {
      XDG_CONFIG_HOME: path.join(dir, ".config"),
      CRYSTAL_TUI_TEMPLATES_DIR: "",
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/template single-point has no parameter shrnk/);
    expect(r.stderr.match(/template single-point/g)).toHaveLength(1);
  });

  it("doctor: optional items missing (legacy Pcrystal, CRY23_SCRDIR unset) are marked optional, exit 0", () => {
    const dir = tempProject();
    const env = { CRY23_EXEDIR: standinExedir(), PATH: "/usr/bin:/bin", CRY23_SCRDIR: "" };
    const r = cli(dir, ["doctor"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}– Pcrystal +\(optional\) /m);
    expect(r.stdout).toMatch(/^scratch +– \(optional\) CRY23_SCRDIR is not set/m);
    expect(r.stdout).not.toMatch(/✗/);
    // the one thing that is needed, missing: a failure, exit 1
    const none = cli(dir, ["doctor"], { ...env, CRY23_EXEDIR: path.join(dir, "nothing-here") });
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/^ {2}✗ crystalOMP/m);
  });

  it("run without CRYSTAL says 'crystalOMP was not found' once on each stream, not three times", () => {
    const dir = tempProject();
    cliJson(dir, ["job", "add", "a", "--input", writeDeck(dir)]);
    cliJson(dir, ["job", "add", "b", "--input", writeDeck(dir)]);
    const env = { CRY23_EXEDIR: path.join(dir, "nothing-here"), PATH: "/usr/bin:/bin" };
    for (const args of [["run"], ["run", "--quiet"]]) {
      const r = cli(dir, args, env);
      expect(r.code).toBe(1);
      // the error line says it (scripts read stderr); the engine's log said it once as it happened
      expect(r.stderr).toMatch(/^crystal-tui: crystalOMP was not found/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout.match(/crystalOMP was not found/g)?.length ?? 0, args.join(" ")).toBe(
        args.length === 1 ? 1 : 0,
      );
    }
  });

  it("parse on an input deck says it is an input deck, not an output", () => {
    const dir = tempProject();
    for (const deck of [
      path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.d12"),
      path.join(FIXTURES, "aiida-crystal17__doss_mgo_sto3g_scf.d3"),
    ]) {
      const r = cli(dir, ["parse", deck]);
      expect(r.code, deck).toBe(1);
      expect(r.stderr).toMatch(/is an input deck, not an output/);
    }
    // an output still parses
    expect(cli(dir, ["parse", path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out")]).code).toBe(0);
  });
});
