// What the CLI prints from files and remote hosts never acts on the terminal (issue 14, items 11
// and 17): a CRYSTAL error line carrying `\e]0;…\a\e[2J` would retitle the window and clear the
// screen; U+2028 breaks a line where none is; U+202E reverses what follows; DEL erases. The CLI shows
// each as its \uXXXX escape, and its --json output stays exact.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { terminalSafe } from "../../src/cli/output.js";
import { parseOutputFile } from "../../src/crystal/output-parser.js";
import { cli, FIXTURES, tempProject, writeDeck } from "../helpers/project.js";

/** The characters that must never reach a terminal raw, written out independently of the code. */
function unsafeAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lineEnd = c === 13 && text.charCodeAt(i + 1) === 10;
    if (c < 0x20 && c !== 9 && c !== 10 && !lineEnd) return i;
    if (c >= 0x7f && c <= 0x9f) return i;
    if (c === 0x061c || c === 0x200e || c === 0x200f) return i;
    if (c >= 0x2028 && c <= 0x202e) return i;
    if (c >= 0x2066 && c <= 0x2069) return i;
  }
  return -1;
}

// ASCII only: the parser reads an output's bytes one to a character, so a UTF-8 U+202E in a file
// reaches the CLI as three other characters (the error-message test below has the real ones)
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

const HOSTILE = "ERROR **** RDINPT **** \x1b]0;pwned\x07\x1b[2J bad input \x7f\x1b[31m end";

describe("terminalSafe", () => {
  it("shows each unsafe character as its \\u escape and leaves text alone", () => {
    expect(terminalSafe("\x1b]0;t\x07\x1b[2J")).toBe("\\u001b]0;t\\u0007\\u001b[2J");
    expect(terminalSafe("a\u2028b\u202ec\x7fd\x9be")).toBe("a\\u2028b\\u202ec\\u007fd\\u009be");
    expect(terminalSafe("over\rwrite")).toBe("over\\u000dwrite");
    expect(terminalSafe("MgO  Å  é  → ✓\tcol\r\nnext\n")).toBe("MgO  Å  é  → ✓\tcol\r\nnext\n");
  });

  it("leaves nothing unsafe, and JSON through it parses back to the same value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(unsafeAt(terminalSafe(s))).toBe(-1);
        const json = JSON.stringify({ s }, null, 2);
        expect(JSON.parse(terminalSafe(json))).toEqual({ s });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("through the real CLI", () => {
  function hostileOutput(dir: string): string {
    const file = path.join(dir, "hostile.out");
    const real = fs.readFileSync(path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out"), "utf8");
    fs.writeFileSync(file, `${real} ${HOSTILE}\n`);
    return file;
  }

  it("parse shows a hostile CRYSTAL error line escaped; --json keeps it exact", async () => {
    const dir = tempProject();
    const file = hostileOutput(dir);
    const text = cli(dir, ["parse", file]);
    expect(text.code).toBe(0);
    expect(unsafeAt(text.stdout + text.stderr)).toBe(-1);
    expect(text.stdout).toContain("\\u001b]0;pwned\\u0007\\u001b[2J bad input \\u007f\\u001b[31m end");
    const json = cli(dir, ["parse", file, "--json"]);
    expect(unsafeAt(json.stdout)).toBe(-1);
    const expected = (await parseOutputFile(file)).errors;
    expect(expected.join("\n")).toContain("\x1b]0;pwned\x07");
    expect(JSON.parse(json.stdout).errors).toEqual(expected);
  });

  it("run, job show and job list show what a CRYSTAL run wrote escaped", async () => {
    const dir = tempProject();
    const output = hostileOutput(dir);
    // a CRYSTAL whose run ends in that error line (the stand-in only plays clean recordings)
    const exedir = path.join(dir, "exe");
    fs.mkdirSync(exedir);
    fs.writeFileSync(path.join(exedir, "crystalOMP"), `#!/bin/sh\ncat '${output}'\nexit 1\n`, {
      mode: 0o755,
    });
    const env = { CRY23_EXEDIR: exedir, CRY23_SCRDIR: "" };
    expect(cli(dir, ["job", "add", "hostile", "--input", writeDeck(dir)], env).code).toBe(0);
    const run = cli(dir, ["run"], env);
    expect(run.code, run.stderr).toBe(0);
    const show = cli(dir, ["job", "show", "1"], env);
    const list = cli(dir, ["job", "list"], env);
    for (const r of [run, show, list]) expect(unsafeAt(r.stdout + r.stderr)).toBe(-1);
    expect(show.stdout).toContain("\\u001b]0;pwned\\u0007\\u001b[2J");
    // --json carries the line itself, every character as CRYSTAL wrote it
    const asJson = JSON.parse(cli(dir, ["job", "show", "1", "--json"], env).stdout);
    const expected = (await parseOutputFile(output)).errors.find((e) => e.includes("pwned"));
    expect(expected).toContain("\x1b]0;pwned\x07\x1b[2J bad input \x7f\x1b[31m end");
    expect(stringsIn(asJson)).toContain(expected);
  });

  it("error messages show U+2028, U+202E and DEL escaped", () => {
    const dir = tempProject();
    const r = cli(dir, ["job", "add", "a\u202eb\u2028c\x7f", "--input", writeDeck(dir)]);
    expect(r.code).not.toBe(0);
    expect(unsafeAt(r.stderr)).toBe(-1);
    expect(r.stderr).toContain("a\\u202eb\\u2028c\\u007f");
  });
});
