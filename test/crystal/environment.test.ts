// Finding CRYSTAL like its own scripts: configuration, CRY23_EXEDIR, CRY23_ROOT/bin/ARCH/VERSION,
// cry23.bashrc, PATH — and `crystal-tui doctor` saying what is missing and how to fix it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverCrystal } from "../../src/crystal/environment.js";
import { installStandin } from "../../src/crystal/standin.js";
import { cli, tempProject } from "../helpers/project.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-env-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A folder with executables of these names (tiny sh scripts: discovery only looks at files). */
function binaries(dir: string, names: string[]): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const n of names) {
    fs.writeFileSync(path.join(dir, n), "#!/bin/sh\nexit 0\n");
    fs.chmodSync(path.join(dir, n), 0o755);
  }
  return dir;
}

const BASE_ENV = { PATH: "/usr/bin:/bin" };

describe("discoverCrystal", () => {
  it("finds nothing, and says how to fix it, without crashing", () => {
    const d = discoverCrystal({ env: { ...BASE_ENV } });
    expect(d.usable).toBe(false);
    expect(d.crystalOMP.path).toBeNull();
    expect(d.crystalOMP.fix).toBe(
      "crystalOMP not found — set CRY23_EXEDIR to the folder holding it, or source cry23.bashrc",
    );
    expect(d.scratch.path).toBeNull();
    expect(d.scratch.fix).toMatch(/CRY23_SCRDIR is not set/);
    expect(d.cores).toBeGreaterThan(0);
  });

  it("uses CRY23_EXEDIR", () => {
    const dir = binaries(path.join(root, "exedir"), ["crystalOMP", "PcrystalOMP"]);
    const d = discoverCrystal({ env: { ...BASE_ENV, CRY23_EXEDIR: dir } });
    expect(d.usable).toBe(true);
    expect([d.exedir, d.exedirSource]).toEqual([dir, "CRY23_EXEDIR"]);
    expect(d.crystalOMP).toMatchObject({
      path: path.join(dir, "crystalOMP"),
      source: "CRY23_EXEDIR",
      fix: null,
    });
    expect(d.properties.path).toBeNull();
    expect(d.properties.fix).toContain(`not in ${dir}`);
  });

  it("puts explicit configuration first, then CRY23_EXEDIR", () => {
    const configured = binaries(path.join(root, "configured"), ["crystalOMP"]);
    const env = binaries(path.join(root, "env"), ["crystalOMP", "PcrystalOMP"]);
    const d = discoverCrystal({ env: { ...BASE_ENV, CRY23_EXEDIR: env }, exedir: configured });
    expect(d.crystalOMP).toMatchObject({ path: path.join(configured, "crystalOMP"), source: "config" });
    expect(d.PcrystalOMP).toMatchObject({ path: path.join(env, "PcrystalOMP"), source: "CRY23_EXEDIR" });
  });

  it("builds $CRY23_ROOT/bin/$CRY23_ARCH/$VERSION", () => {
    const cryRoot = path.join(root, "CRYSTAL23");
    binaries(path.join(cryRoot, "bin", "Linux-ifort_i64_omp", "v1.0.1"), ["crystalOMP", "properties"]);
    const d = discoverCrystal({
      env: { ...BASE_ENV, CRY23_ROOT: cryRoot, CRY23_ARCH: "Linux-ifort_i64_omp", VERSION: "v1.0.1" },
    });
    expect(d.crystalOMP.source).toBe("CRY23_ROOT");
    expect(d.properties.path).toBe(path.join(cryRoot, "bin", "Linux-ifort_i64_omp", "v1.0.1", "properties"));
  });

  it("sources $CRY23_ROOT/utils23/cry23.bashrc when only CRY23_ROOT is set", () => {
    const cryRoot = path.join(root, "CRYSTAL23-bashrc");
    const exe = binaries(path.join(cryRoot, "bin", "Linux-gfortran_openmpi", "std"), [
      "crystalOMP",
      "PcrystalOMP",
    ]);
    const scratch = fs.mkdtempSync(path.join(root, "scr-"));
    fs.mkdirSync(path.join(cryRoot, "utils23"), { recursive: true });
    fs.writeFileSync(
      path.join(cryRoot, "utils23", "cry23.bashrc"),
      [
        `export CRY23_ROOT="${cryRoot}"`,
        'export CRY23_BIN="bin"',
        'export CRY23_ARCH="Linux-gfortran_openmpi"',
        'export VERSION="std"',
        `export CRY23_SCRDIR="${scratch}"`,
        'export CRY23_EXEDIR="$CRY23_ROOT/$CRY23_BIN/$CRY23_ARCH/$VERSION"',
        'echo "this chatter is ignored"',
        "",
      ].join("\n"),
    );
    const d = discoverCrystal({ env: { ...BASE_ENV, CRY23_ROOT: cryRoot } });
    expect(d.crystalOMP).toMatchObject({ path: path.join(exe, "crystalOMP"), source: "cry23.bashrc" });
    expect(d.scratch).toMatchObject({ path: scratch, exists: true, writable: true, fix: null });
  });

  it("falls back to PATH, and ignores files that are not executable", () => {
    const onPath = binaries(path.join(root, "path-bin"), ["PcrystalOMP", "mpirun"]);
    fs.writeFileSync(path.join(onPath, "crystalOMP"), "not executable");
    const d = discoverCrystal({ env: { PATH: `${onPath}:/usr/bin` } });
    expect(d.crystalOMP.path).toBeNull();
    expect(d.PcrystalOMP).toMatchObject({ path: path.join(onPath, "PcrystalOMP"), source: "PATH" });
    expect(d.mpirun.path).toBe(path.join(onPath, "mpirun"));
    expect(d.usable).toBe(true);
  });

  it("says when CRY23_EXEDIR or CRY23_SCRDIR point nowhere", () => {
    const d = discoverCrystal({
      env: { ...BASE_ENV, CRY23_EXEDIR: "/nonexistent/crystal", CRY23_SCRDIR: "/nonexistent/scratch" },
    });
    expect(d.notes).toEqual(["CRY23_EXEDIR points to /nonexistent/crystal, which is not a folder"]);
    expect(d.crystalOMP.fix).toContain("not in /nonexistent/crystal");
    expect(d.scratch).toMatchObject({ exists: false, writable: false });
    expect(d.scratch.fix).toMatch(/does not exist — create it/);
  });
});

describe("crystal-tui doctor", () => {
  const project = tempProject();

  it("reports the stand-in installed as CRYSTAL, as JSON and for people", () => {
    const exedir = path.join(root, "standin");
    installStandin(exedir);
    const env = { CRY23_EXEDIR: exedir, CRY23_SCRDIR: root };
    const json = cli(project, ["doctor", "--json"], env);
    expect(json.code).toBe(0);
    const d = JSON.parse(json.stdout);
    expect(d.usable).toBe(true);
    expect(d.crystalOMP.path).toBe(path.join(exedir, "crystalOMP"));
    expect(d.scratch.writable).toBe(true);
    const human = cli(project, ["doctor"], env);
    expect(human.code).toBe(0);
    // found, and said to be the stand-in (issue 15): not the ✓ a real CRYSTAL gets
    expect(human.stdout).toContain(`~ crystalOMP   ${path.join(exedir, "crystalOMP")}  (STAND-IN`);
    expect(human.stdout).toMatch(/– mpirun +\(optional\) mpirun not found/); // optional: only MPI runs need it
  });

  it("exits 1 with one line on stderr when CRYSTAL is missing, and still prints the report", () => {
    const r = cli(project, ["doctor"], { CRY23_EXEDIR: "", CRY23_ROOT: "", PATH: "/usr/bin:/bin" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ crystalOMP");
    expect(r.stderr.trim().split("\n")).toEqual([
      "crystal-tui: CRYSTAL was not found — set CRY23_EXEDIR to the folder holding crystalOMP, or source cry23.bashrc",
    ]);
    const json = cli(project, ["doctor", "--json"], {
      CRY23_EXEDIR: "",
      CRY23_ROOT: "",
      PATH: "/usr/bin:/bin",
    });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).usable).toBe(false);
  });
});
