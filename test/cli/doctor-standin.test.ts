// `crystal-tui doctor` says when the CRYSTAL it found is crystal-tui's stand-in (issue 15, item 2):
// with CRY23_EXEDIR pointing at the stand-in it used to show `✓ crystalOMP` as for a real CRYSTAL.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempProject } from "../helpers/project.js";
import { standinExedir } from "../helpers/standin.js";

describe("doctor and the stand-in", () => {
  it("labels the stand-in in words and in JSON", () => {
    const dir = tempProject();
    const env = { CRY23_EXEDIR: standinExedir(), PATH: "/usr/bin:/bin" };
    const text = cli(dir, ["doctor"], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^ {2}~ crystalOMP +\S+crystalOMP {2}\(STAND-IN: replays recorded outputs, not CRYSTAL\)$/m,
    );
    expect(text.stdout).not.toMatch(/✓ crystalOMP/);
    expect(text.stdout).toMatch(
      /^note +crystalOMP here is crystal-tui's CRYSTAL stand-in: .*computes nothing/m,
    );
    const json = JSON.parse(cli(dir, ["doctor", "--json"], env).stdout);
    expect(json.standin).toBe(true);
    expect(json.usable).toBe(true);
    expect([json.crystalOMP.standin, json.PcrystalOMP.standin, json.properties.standin]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it("says nothing of the kind for another CRYSTAL", () => {
    const dir = tempProject();
    const exedir = path.join(dir, "crystal23");
    fs.mkdirSync(exedir);
    fs.writeFileSync(path.join(exedir, "crystalOMP"), "#!/bin/sh\necho ' CRYSTAL23'\n", { mode: 0o755 });
    const env = { CRY23_EXEDIR: exedir, PATH: "/usr/bin:/bin" };
    const text = cli(dir, ["doctor"], env);
    expect(text.stdout).toMatch(/^ {2}✓ crystalOMP +\S+crystalOMP$/m);
    expect(text.stdout).not.toMatch(/STAND-IN|stand-in/);
    const json = JSON.parse(cli(dir, ["doctor", "--json"], env).stdout);
    expect(json.standin).toBe(false);
    expect(json.crystalOMP.standin).toBe(false);
  });
});
