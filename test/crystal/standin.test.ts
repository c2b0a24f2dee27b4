// The CRYSTAL stand-in, run as a process the way runners run CRYSTAL: deck on stdin, recorded real
// output on stdout, CRYSTAL's files in the working folder, exit codes and signals as asked.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseOutputText } from "../../src/crystal/output-parser.js";
import { installStandin, RECORDINGS_DIR, STANDIN_PATH } from "../../src/crystal/standin.js";
import { shellQuote } from "../../src/transport/quote.js";
import { fort34Cell, sameCell } from "../helpers/geometry-oracle.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-standin-test-"));
fs.chmodSync(root, 0o755);
const exedir = path.join(root, "exe");
installStandin(exedir);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const MGO = `CRYSTAL
0 0 0
225
4.21
2
12 0. 0. 0.
8 0.5 0.5 0.5
END
BASISSET
STO-3G
SHRINK
8 8
END
`;
const OPT = MGO.replace("END\nBASISSET", "OPTGEOM\nFULLOPTG\nENDOPT\nEND\nBASISSET");
const FREQ = MGO.replace("END\nBASISSET", "FREQCALC\nINTENS\nEND\nEND\nBASISSET");

let runs = 0;
function workdir(): string {
  const dir = path.join(root, `run-${++runs}`);
  fs.mkdirSync(dir, { mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  return dir;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  cwd: string;
}

function run(deck: string, env: Record<string, string> = {}, opts: { exe?: string; cwd?: string } = {}): Run {
  const cwd = opts.cwd ?? workdir();
  const r = spawnSync(path.join(exedir, opts.exe ?? "crystalOMP"), [], {
    cwd,
    input: deck,
    encoding: "utf8",
    env: { ...process.env, CRYSTAL_STANDIN_DELAY_MS: "0", CRYSTAL_STANDIN_MODE: "", ...env },
    timeout: 30_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, cwd };
}

const recording = (name: string) => fs.readFileSync(path.join(RECORDINGS_DIR, `${name}.out`), "utf8");

describe("installStandin", () => {
  it("writes crystalOMP, PcrystalOMP and properties wrappers anyone can run", () => {
    for (const name of ["crystalOMP", "PcrystalOMP", "properties"]) {
      const file = path.join(exedir, name);
      expect(fs.statSync(file).mode & 0o777).toBe(0o755);
      const text = fs.readFileSync(file, "utf8");
      expect(text.startsWith("#!/bin/sh\n")).toBe(true);
      expect(text).toContain(`exec /usr/bin/env node ${shellQuote(STANDIN_PATH)} `);
      expect(text).toContain(`--recordings=${RECORDINGS_DIR}`);
    }
  });
});

describe("like CRYSTAL, at the process level", () => {
  it("an SCF deck replays the real SCF output byte for byte, says on stderr it is not CRYSTAL, writes fort.9", () => {
    const r = run(`MgO bulk\n${MGO}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(recording("aiida-crystal17__mgo_sto3g_scf"));
    expect(r.stderr).toMatch(/^crystal-standin: this is crystal-tui's CRYSTAL stand-in, not CRYSTAL/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(fs.readFileSync(path.join(r.cwd, "fort.9"), "utf8")).toMatch(/stand-in placeholder/);
    expect(fs.existsSync(path.join(r.cwd, "fort.34"))).toBe(false);
    expect(parseOutputText(r.stdout).status).toBe("completed");
  });

  it("an OPTGEOM deck plays an optimisation and leaves the final geometry in fort.34 (EXTERNAL format)", () => {
    const r = run(`MgO opt\n${OPT}`);
    expect(r.code).toBe(0);
    const parsed = parseOutputText(r.stdout);
    expect([parsed.calc_type, parsed.status]).toEqual(["opt", "completed"]);
    for (const f of ["fort.9", "OPTINFO.DAT", "HESSOPT.DAT"])
      expect(fs.existsSync(path.join(r.cwd, f)), f).toBe(true);
    const gui = fs.readFileSync(path.join(r.cwd, "fort.34"), "utf8").trim().split("\n");
    expect(gui[0]!.trim()).toBe("3 1 1");
    const vectors = gui.slice(1, 4).map((l) => l.trim().split(/\s+/).map(Number));
    const lengths = vectors.map((v) => Math.hypot(...v));
    // the lattice vectors are those of the recording's final cell
    for (const [i, key] of (["a", "b", "c"] as const).entries())
      expect(lengths[i]).toBeCloseTo(parsed.lattice![key]!, 6);
    expect(gui[4]!.trim()).toBe("1");
    const nAtoms = Number(gui[9]!.trim());
    expect(nAtoms).toBe(parsed.n_atoms);
    expect(gui.slice(10).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([12, 8]);
  });

  it("an optimisation killed part-way leaves one optcNNN per point, each with that point's cell, and no fort.34", () => {
    const name = "aiida-crystal17__nio_sto3g_afm_opt_walltime";
    const r = run(`NiO [standin:${name}]\n${OPT}`);
    const lines = r.stdout.split("\n");
    // the cells printed after each `CELL OPTIMIZATION - POINT n` header, read here by hand
    const printed = new Map<number, number[]>();
    lines.forEach((l, i) => {
      const m = /OPTIMIZATION - POINT\s+(\d+)/.exec(l);
      if (m && lines[i + 2]?.includes("LATTICE PARAMETERS"))
        printed.set(Number(m[1]), lines[i + 5]!.trim().split(/\s+/).map(Number));
    });
    expect(printed.size).toBe(19); // points 2…20; point 1 is the starting geometry
    const optc = fs
      .readdirSync(r.cwd)
      .filter((f) => f.startsWith("optc"))
      .sort();
    expect(optc).toEqual(Array.from({ length: 20 }, (_, i) => `optc${String(i + 1).padStart(3, "0")}`));
    for (const [point, cell] of printed) {
      const kept = fort34Cell(
        fs.readFileSync(path.join(r.cwd, `optc${String(point).padStart(3, "0")}`), "utf8"),
      );
      expect(sameCell(kept, cell as never), `optc of point ${point}: ${kept} vs ${cell}`).toBe(true);
    }
    expect(fs.existsSync(path.join(r.cwd, "fort.34"))).toBe(false);
    expect(r.stderr).toMatch(/stops before its optimisation ends: no fort\.34 written/);
    // killed at the start of the replay: only the points replayed so far
    const early = run(`NiO [standin:${name}]\n${OPT}`, { CRYSTAL_STANDIN_MODE: "fail" });
    const upTo = Math.max(
      ...[...early.stdout.matchAll(/OPTIMIZATION - POINT\s+(\d+)/g)].map((m) => Number(m[1])),
    );
    expect(fs.readdirSync(early.cwd).filter((f) => f.startsWith("optc")).length).toBe(upTo);
  });

  it("a FREQCALC deck plays the frequency run and writes FREQINFO.DAT", () => {
    const r = run(`MgO freq\n${FREQ}`);
    expect(r.code).toBe(0);
    expect(parseOutputText(r.stdout).calc_type).toBe("freq");
    expect(fs.existsSync(path.join(r.cwd, "FREQINFO.DAT"))).toBe(true);
  });

  it("the title can name any recording; an unknown one is a clear error", () => {
    const r = run(`NiO [standin:aiida-crystal17__cry17_spin_opt]\n${MGO}`);
    expect(r.stdout).toBe(recording("aiida-crystal17__cry17_spin_opt"));
    const bad = run(`MgO [standin:mgo_lda]\n${MGO}`);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(
      /the deck asks for the recording "mgo_lda", which is not in .* — available: .*aiida-crystal17__mgo_sto3g_scf/,
    );
  });

  it("stops like CRYSTAL when EXTERNAL has no fort.34 or GUESSP no fort.20", () => {
    const ext = run("NiO\nEXTERNAL\nEND\nBASISSET\nSTO-3G\nEND\n");
    expect(ext.code).toBe(1);
    const parsed = parseOutputText(ext.stdout);
    expect([parsed.status, parsed.error_kind]).toEqual(["failed", "input_error"]);
    expect(parsed.errors[0]).toMatch(/^ERROR \*\*\*\* EXTERNAL \*\*\*\* fort.34 NOT FOUND/);
    const withGeometry = workdir();
    fs.copyFileSync(
      path.join(RECORDINGS_DIR, "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.gui"),
      path.join(withGeometry, "fort.34"),
    );
    expect(run("NiO\nEXTERNAL\nEND\nBASISSET\nSTO-3G\nEND\n", {}, { cwd: withGeometry }).code).toBe(0);
    const guess = run(`MgO\n${MGO.replace("SHRINK", "GUESSP\nSHRINK")}`);
    expect(guess.code).toBe(1);
    expect(guess.stdout).toContain("ERROR **** GUESSP **** fort.20 NOT FOUND");
  });

  it("counts its starts in CRYSTAL_STANDIN_COUNTER", () => {
    const counter = path.join(root, "starts.txt");
    const a = run(`first run\n${MGO}`, { CRYSTAL_STANDIN_COUNTER: counter });
    const b = run(`second run\n${MGO}`, { CRYSTAL_STANDIN_COUNTER: counter });
    const lines = fs.readFileSync(counter, "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\d+ ${a.cwd} first run$`));
    expect(lines[1]).toMatch(new RegExp(`^\\d+ ${b.cwd} second run$`));
  });

  it("as PcrystalOMP it notes the MPI ranks; only rank 0 writes", () => {
    const r = run(`MgO\n${MGO}`, { OMPI_COMM_WORLD_SIZE: "4" }, { exe: "PcrystalOMP" });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/as PcrystalOMP \(4 MPI ranks\)/);
    expect(r.stdout).toBe(recording("aiida-crystal17__mgo_sto3g_scf"));
    const rank1 = run(
      `MgO\n${MGO}`,
      { OMPI_COMM_WORLD_SIZE: "4", OMPI_COMM_WORLD_RANK: "1" },
      { exe: "PcrystalOMP" },
    );
    expect([rank1.code, rank1.stdout]).toEqual([0, ""]);
    expect(fs.readdirSync(rank1.cwd)).toEqual([]);
  });

  it("as properties it needs fort.9, replays a real properties run and writes its data files", () => {
    const dosDeck = fs.readFileSync(
      path.join(RECORDINGS_DIR, "aiida-crystal17__doss_mgo_sto3g_scf.d3"),
      "utf8",
    );
    const missing = run(dosDeck, {}, { exe: "properties" });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("fort.9 NOT FOUND");
    const dir = workdir();
    fs.writeFileSync(path.join(dir, "fort.9"), "x");
    const dos = run(dosDeck, {}, { exe: "properties", cwd: dir });
    expect(dos.code).toBe(0);
    expect(dos.stderr).toMatch(
      /not CRYSTAL: as properties, replaying the real output aiida-crystal17__doss_mgo_sto3g_scf/,
    );
    const parsed = parseOutputText(dos.stdout);
    expect([parsed.program, parsed.status, parsed.properties?.kinds]).toEqual([
      "properties",
      "completed",
      ["NEWK", "DOSS"],
    ]);
    // the files that run wrote, byte for byte
    for (const [name, recorded] of [
      ["fort.25", "aiida-crystal17__doss_mgo_sto3g_scf.f25"],
      ["DOSS.DAT", "aiida-crystal17__doss_mgo_sto3g_scf.DOSS.DAT"],
    ] as const)
      expect(fs.readFileSync(path.join(dir, name))).toEqual(
        fs.readFileSync(path.join(RECORDINGS_DIR, recorded)),
      );
    const bandDir = workdir();
    fs.writeFileSync(path.join(bandDir, "fort.9"), "x");
    const bands = run(
      "BAND\nNaCl\n4 0 60 1 18 2 1\nG X\nX W\nW L\nL G\nEND\n",
      {},
      { exe: "properties", cwd: bandDir },
    );
    expect(bands.code).toBe(0);
    expect(parseOutputText(bands.stdout).properties?.kinds).toEqual(["BAND", "NEWK", "DOSS"]);
    expect(fs.readdirSync(bandDir).sort()).toEqual(["BAND.DAT", "fort.25", "fort.9"]);
  });

  it("plays an elastic-constants run for ELASTCON", () => {
    const r = run(`MgO elastic\n${MGO.replace("END\nBASISSET", "ELASTCON\nEND\nEND\nBASISSET")}`);
    expect(r.code).toBe(0);
    const parsed = parseOutputText(r.stdout);
    expect([parsed.calc_type, parsed.elastic?.bulk_modulus_gpa]).toEqual(["elastic", 470.57]);
  });

  it("runs as another user from a folder it can write", () => {
    const dir = workdir();
    const r = spawnSync("runuser", ["-u", "nobody", "--", path.join(exedir, "crystalOMP")], {
      cwd: dir,
      input: `MgO as nobody\n${MGO}`,
      encoding: "utf8",
      env: { ...process.env, CRYSTAL_STANDIN_DELAY_MS: "0", CRYSTAL_STANDIN_MODE: "" },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(recording("aiida-crystal17__mgo_sto3g_scf"));
    expect(fs.statSync(path.join(dir, "fort.9")).uid).toBe(65534);
  });
});

describe("failures on demand", () => {
  it("fail and exit=N stop part-way with that exit code", () => {
    const fail = run(`MgO [standin:fail]\n${MGO}`);
    expect(fail.code).toBe(1);
    const full = recording("aiida-crystal17__mgo_sto3g_scf");
    expect(fail.stdout.length).toBeGreaterThan(0);
    expect(fail.stdout.length).toBeLessThan(full.length);
    expect(full.startsWith(fail.stdout)).toBe(true);
    expect(parseOutputText(fail.stdout).status).toBe("incomplete");
    expect(fs.existsSync(path.join(fail.cwd, "fort.9"))).toBe(false);
    expect(run(`MgO [standin:exit=3]\n${MGO}`).code).toBe(3);
  });

  it("crash kills itself with a signal mid-output", () => {
    const killed = run(`MgO [standin:crash]\n${MGO}`);
    expect([killed.code, killed.signal]).toEqual([null, "SIGKILL"]);
    expect(parseOutputText(killed.stdout).status).toBe("incomplete");
    const segv = run(`MgO [standin:crash=SEGV]\n${MGO}`);
    expect(segv.signal).toBe("SIGSEGV");
  });

  it("failed-output plays a real failed run (TOO MANY CYCLES) and exits 0, as CRYSTAL does", () => {
    const r = run(`MgO [standin:failed-output]\n${MGO}`);
    expect(r.code).toBe(0);
    const parsed = parseOutputText(r.stdout);
    expect([parsed.status, parsed.error_kind]).toEqual(["failed", "scf_not_converged"]);
  });

  it("CRYSTAL_STANDIN_MODE wins over the deck", () => {
    expect(run(`MgO [standin:fail]\n${MGO}`, { CRYSTAL_STANDIN_MODE: "ok" }).code).toBe(0);
    expect(run(`MgO\n${MGO}`, { CRYSTAL_STANDIN_MODE: "exit=7" }).code).toBe(7);
    const bad = run(`MgO\n${MGO}`, { CRYSTAL_STANDIN_MODE: "explode" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CRYSTAL_STANDIN_MODE=explode is not one of/);
  });

  it("hang prints a few lines then waits; SIGTERM ends it at once with 143", async () => {
    const cwd = workdir();
    const child = spawn(path.join(exedir, "crystalOMP"), [], {
      cwd,
      env: { ...process.env, CRYSTAL_STANDIN_DELAY_MS: "0", CRYSTAL_STANDIN_MODE: "hang" },
    });
    child.stdin.end(`MgO\n${MGO}`);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const stderr = await new Promise<string>((resolve) => {
      let err = "";
      child.stderr.on("data", (d) => {
        err += d;
        if (err.includes("asked to hang")) resolve(err);
      });
    });
    expect(stderr).toMatch(/asked to hang: it stops writing after 40 lines and waits for SIGTERM/);
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull(); // still there
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(out.split("\n").length).toBeGreaterThan(10);
    expect(parseOutputText(out).status).toBe("incomplete");
  });

  it("paces its output (CRYSTAL_STANDIN_DELAY_MS) and stops writing on SIGTERM", async () => {
    const child = spawn(path.join(exedir, "crystalOMP"), [], {
      cwd: workdir(),
      env: { ...process.env, CRYSTAL_STANDIN_DELAY_MS: "20", CRYSTAL_STANDIN_MODE: "" },
    });
    child.stdin.end(`MgO\n${MGO}`);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const total = recording("aiida-crystal17__mgo_sto3g_scf").split("\n").length;
    // at 20 ms a line the 551-line recording takes ~11 s: after a moment only part of it is there
    await new Promise((r) => setTimeout(r, 1500));
    const seen = out.split("\n").length;
    expect(seen).toBeGreaterThan(1);
    expect(seen).toBeLessThan(total / 2);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    const after = out.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(out.length).toBe(after);
  });
});
