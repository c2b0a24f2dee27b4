// Input that was silently changed instead of refused (issue 14, item 15): a priority of 1e23 stored
// as a REAL, `--cluster ''` meaning this machine, `--set __proto__=1` dropped without a word, an
// over-long --limit ending in "internal error" (item 12). Each is refused with one line, exit 1 or 2,
// and nothing made. (Two --aux files with one name: test/store/project-files.test.ts; a deck that is
// not UTF-8: test/cli/hostile-files.test.ts.)
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPriority, PRIORITY_RANGE, wholeNumberIn } from "../../src/domain/whole-numbers.js";
import { cli, cliJson, tempProject, writeDeck } from "../helpers/project.js";

function expectRefused(r: { code: number; stderr: string }, what: RegExp, code = 1): void {
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.code).toBe(code);
}

describe("numbers, names and parameters that were changed silently", () => {
  it("job add refuses a priority beyond its range, in any spelling, and makes nothing", () => {
    const dir = tempProject();
    const deck = writeDeck(dir);
    for (const p of ["1e23", "100000000000000000000000", "1000001", "-1000001", "1.5", "0x10", ""]) {
      expectRefused(
        cli(dir, ["job", "add", "a", "--input", deck, "--priority", p]),
        /--priority must be a whole number from -1000000 to 1000000/,
      );
    }
    expect(cliJson<unknown[]>(dir, ["job", "list"])).toEqual([]);
    const id = cliJson<{ id: number }>(dir, [
      "job",
      "add",
      "a",
      "--input",
      deck,
      "--priority",
      "-1000000",
    ]).id;
    expect(cliJson<{ priority: number }>(dir, ["job", "show", String(id)]).priority).toBe(-1000000);
  });

  it("a workflow step's priority beyond the range is a problem of the file", () => {
    const dir = tempProject();
    writeDeck(dir, "mgo.d12");
    const wf = path.join(dir, "wf.yaml");
    fs.writeFileSync(wf, "steps:\n  scf:\n    deck: mgo.d12\n    priority: 1e23\n");
    expectRefused(cli(dir, ["workflow", "run", wf]), /step scf: priority must be a whole number from/);
    expect(cliJson<unknown[]>(dir, ["job", "list"])).toEqual([]);
  });

  it("--cluster '' is refused, not taken for this machine", () => {
    const dir = tempProject();
    const deck = writeDeck(dir);
    expectRefused(cli(dir, ["job", "add", "a", "--input", deck, "--cluster", ""]), /a cluster name is empty/);
    expectRefused(cli(dir, ["job", "list", "--cluster", ""]), /a cluster name is empty/);
    expect(cliJson<unknown[]>(dir, ["job", "list"])).toEqual([]);
  });

  it("--set refuses an object's own names (__proto__, constructor, prototype)", () => {
    const dir = tempProject();
    for (const name of ["__proto__", "constructor", "prototype"]) {
      expectRefused(
        cli(dir, ["template", "render", "single-point", "--set", `${name}=1`]),
        new RegExp(`"${name}" cannot be a parameter name`),
        2,
      );
    }
  });

  it("an over-long --limit is refused in words (bad usage: exit 2)", () => {
    const dir = tempProject();
    expectRefused(
      cli(dir, ["job", "list", "--limit", "99999999999999999999"]),
      /--limit must be a whole number from 1/,
      2,
    );
    expectRefused(cli(dir, ["job", "list", "--limit", "0"]), /--limit must be a whole number from 1/, 2);
  });

  it("the range checks agree with the numbers they name (oracle: the bounds written out)", () => {
    expect(wholeNumberIn("n", "+42", { min: 0, max: 42 })).toBe(42);
    expect(() => wholeNumberIn("n", "43", { min: 0, max: 42 })).toThrow(/from 0 to 42/);
    expect(checkPriority(PRIORITY_RANGE.max)).toBe(1_000_000);
    for (const bad of [1e23, Number.NaN, Infinity, 0.5, "3", null])
      expect(() => checkPriority(bad)).toThrow();
  });
});
