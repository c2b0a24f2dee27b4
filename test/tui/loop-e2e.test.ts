// The chemist's daily loop in a real terminal (issue 13): several running jobs cancelled with one
// question, a walltime-killed optimisation restarted with R, three finished jobs compared with `=`.
// The jobs run on the CRYSTAL stand-in; what the screen says is checked against the store, the
// processes, the run folders and values worked out here by hand.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { Store } from "../../src/store/store.js";
import { fort34Cell, lastPointCell, sameCell } from "../helpers/geometry-oracle.js";
import { CLI, cli, cliJson, FIXTURES, tempProject, writeDeck } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";
import { type Screen, startTui } from "./pty.js";

let screen: Screen | null = null;
const cleanups: (() => void)[] = [];
afterEach(() => {
  screen?.kill();
  screen = null;
  for (const c of cleanups.splice(0)) c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `test` holds (or throws with `what` after `timeoutMs`). */
async function until(what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Whether a process is still there (a zombie has ended: it only waits to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function statuses(project: string): Map<number, string> {
  const store = Store.open(project);
  try {
    return new Map(store.jobs.list().map((j) => [j.id, j.status]));
  } finally {
    store.close();
  }
}

describe("the daily loop in a real terminal", () => {
  test("5 running jobs marked with space, c: one question naming 5, all CANCELLED and their processes gone", async () => {
    const project = tempProject("ctui-loop-");
    const counter = path.join(project, "starts.txt");
    const ids = ["h1", "h2", "h3", "h4", "h5"].map(
      (n) =>
        cliJson<{ id: number }>(project, [
          "job",
          "add",
          n,
          "--input",
          writeDeck(project, `${n}.d12`, standinDeck(`[standin:hang] ${n}`)),
        ]).id,
    );
    // an engine in another process that runs all 5 at once (the TUI's own would take only this
    // machine's cores); the TUI's cancel is then carried out by that engine, as with `run --watch`
    const run = spawn(
      process.execPath,
      [CLI, "--project", project, "run", "--watch", "--quiet", "--cores", "5", "--max-jobs", "5"],
      { env: { ...process.env, ...standinEnv({ CRYSTAL_STANDIN_COUNTER: counter }) }, stdio: "ignore" },
    );
    const pids = () =>
      fs.existsSync(counter)
        ? fs
            .readFileSync(counter, "utf8")
            .trim()
            .split("\n")
            .map((l) => Number(l.split(" ")[0]))
        : [];
    cleanups.push(() => {
      if (run.exitCode === null) run.kill("SIGKILL");
      // a failed test must not leave hanging stand-ins behind
      for (const pid of pids()) if (alive(pid)) process.kill(pid, "SIGTERM");
    });
    await until("5 stand-ins started", () => pids().length === 5);
    await until("5 jobs RUNNING", () => [...statuses(project).values()].every((s) => s === "RUNNING"));
    expect(pids().every(alive)).toBe(true);

    screen = startTui(["--project", project], { env: { ...standinEnv(), NO_COLOR: "1" } });
    await screen.waitFor(/h5\s+▶ RUNNING/, 20_000);
    // newest first: the cursor starts on h5; mark it and the four below it
    for (let i = 0; i < 5; i++) {
      screen.write(" ");
      await screen.waitFor(`${i + 1} selected`);
      screen.write("j");
      await sleep(100);
    }
    screen.write("c");
    const asked = await screen.waitFor("[y/N] Cancel");
    // one question, naming the count
    expect(asked.match(/\[y\/N\]/g)).toHaveLength(1);
    expect(asked).toMatch(/\[y\/N\] Cancel 5 jobs\?/);
    expect([...statuses(project).values()].every((s) => s === "RUNNING")).toBe(true);
    screen.write("y");
    await screen.waitFor(/cancel of 5 jobs requested|5 jobs cancelled/);
    await until(
      "all 5 CANCELLED",
      () => ids.every((id) => statuses(project).get(id) === "CANCELLED"),
      30_000,
    );
    await until("the 5 stand-ins gone", () => !pids().some(alive), 15_000);
    await screen.waitFor((s) => (s.match(/CANCELLED/g) ?? []).length >= 5, 15_000);
    expect(pids()).toHaveLength(5); // none started again
    screen.write("q");
    expect((await screen.exited).exitCode).toBe(0);
  }, 120_000);

  test("R on a walltime-killed optimisation: the new job continues it with OPTGEOM RESTART from its last point's geometry, not its start", async () => {
    const project = tempProject("ctui-loop-");
    const counter = path.join(project, "starts.txt");
    const deck = fs
      .readFileSync(path.join(FIXTURES, `${WALLTIME}.d12`), "utf8")
      .replace(/^.*\n/, `NiO [standin:${WALLTIME}]\n`);
    const start = path.join(project, "start.gui");
    fs.copyFileSync(path.join(FIXTURES, `${WALLTIME}.gui`), start);
    const first = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "nio",
      "--input",
      writeDeck(project, "nio.d12", deck),
      "--aux",
      start,
    ]).id;
    // the first run: the recorded NiO optimisation that PBS killed at its walltime
    const r = cli(project, ["run"], standinEnv());
    expect(r.code, r.stderr).toBe(0);
    const killed = shown(project, first);
    expect(killed.status).toBe("FAILED");
    const killedFolder = killed.folder;
    const leftGeometry = fs.readFileSync(path.join(killedFolder, "nio.gui"), "utf8");
    // the geometry it left is its last optimisation point's (the cell its output prints there), and
    // not the one it was given — which is what the run folder's fort.34 still held when it was killed
    const last = lastPointCell(fs.readFileSync(path.join(killedFolder, "nio.out"), "latin1"));
    expect(last.point).toBe(20);
    expect(sameCell(fort34Cell(leftGeometry), last.cell), `${fort34Cell(leftGeometry)} vs ${last.cell}`).toBe(
      true,
    );
    expect(sameCell(fort34Cell(fs.readFileSync(start, "utf8")), last.cell)).toBe(false);

    // slow enough that the continuation's staged fort.34 can be read while it runs
    screen = startTui(["--project", project], {
      env: {
        ...standinEnv({ CRYSTAL_STANDIN_DELAY_MS: "5", CRYSTAL_STANDIN_COUNTER: counter }),
        NO_COLOR: "1",
      },
    });
    await screen.waitFor(/nio\s+✖ FAILED/, 20_000);
    screen.write("R");
    await screen.waitFor(`[y/N] Restart job ${first} (nio) as a new job that continues it?`);
    screen.write("y");
    const said = await screen.waitFor(`job ${first} restarted as job ${first + 1}`, 20_000);
    expect(said).toMatch(/OPTGEOM RESTART/);
    await screen.waitFor(/nio\s+▶ RUNNING/, 30_000);
    await until("the continuation started", () => fs.existsSync(counter));
    const scratch = fs.readFileSync(counter, "utf8").trim().split("\n")[0]!.split(" ")[1]!;
    // what CRYSTAL reads in the continuation's run folder: the killed run's last point and OPTINFO.DAT
    const read = fs.readFileSync(path.join(scratch, "fort.34"), "utf8");
    expect(sameCell(fort34Cell(read), last.cell), `${fort34Cell(read)} vs ${last.cell}`).toBe(true);
    expect(read).toBe(leftGeometry);
    expect(fs.readFileSync(path.join(scratch, "OPTINFO.DAT"), "utf8")).toBe(
      fs.readFileSync(path.join(killedFolder, "nio.optinfo"), "utf8"),
    );
    const store = Store.open(project);
    try {
      const made = store.jobs.require(first + 1);
      // written out by hand: the deck CRYSTAL's manual asks for to continue an optimisation
      expect(made.inputFile!.split("\n").slice(0, 7)).toEqual([
        `NiO [standin:${WALLTIME}]`,
        "EXTERNAL",
        "OPTGEOM",
        "FULLOPTG",
        "RESTART",
        "HESSOPT",
        "ENDOPT",
      ]);
      expect(made.inputFile!.replace("RESTART\nHESSOPT\n", "")).toBe(deck);
      expect(made.retryOf).toBe(first);
    } finally {
      store.close();
    }
    // the stand-in stops with fort.34 NOT FOUND when EXTERNAL has no geometry: it ran on
    await screen.waitFor(/nio\s+✖ FAILED[\s\S]*nio\s+✖ FAILED/, 60_000);
    expect(fs.readFileSync(path.join(shown(project, first + 1).folder, "nio.out"), "latin1")).not.toMatch(
      /NOT FOUND/,
    );
    screen.write("q");
    expect((await screen.exited).exitCode).toBe(0);
  }, 180_000);
  test("= on 3 marked finished jobs: the ΔE on screen, in Ha and in eV, is worked out from their stored energies", async () => {
    const project = tempProject("ctui-loop-");
    const recordings = [
      "aiida-crystal17__mgo_sto3g_scf",
      "aiida-crystal17__mgo_sto3g_opt",
      "CRYSTALpytools__out_mgoSCF",
    ];
    for (const [i, rec] of recordings.entries()) {
      cliJson(project, [
        "job",
        "add",
        `mgo${i + 1}`,
        "--input",
        writeDeck(project, `m${i}.d12`, standinDeck(`[standin:${rec}]`)),
      ]);
    }
    const r = cli(project, ["run"], standinEnv());
    expect(r.code, r.stderr).toBe(0);
    const store = Store.open(project);
    const energy = new Map<number, number>();
    try {
      for (const j of store.jobs.list()) {
        expect(j.status).toBe("COMPLETED");
        energy.set(j.id, j.finalEnergy!);
      }
    } finally {
      store.close();
    }
    expect(new Set(energy.values()).size).toBe(3); // three different energies, or ΔE says little
    const lowest = Math.min(...energy.values());
    screen = startTui(["--project", project], { env: { ...standinEnv(), NO_COLOR: "1" } });
    await screen.waitFor(/mgo3\s+✔ COMPLETED/, 20_000);
    for (let i = 0; i < 3; i++) {
      screen.write(" ");
      await screen.waitFor(`${i + 1} selected`);
      screen.write("j");
      await sleep(100);
    }
    screen.write("=");
    for (const [unit, perHartree, decimals] of [
      ["Ha", 1, 8],
      ["eV", HARTREE_EV, 5],
    ] as const) {
      const table = await screen.waitFor(`ΔE (${unit})`, 15_000);
      expect(table).toContain(`Comparing 3 jobs — energy per cell in ${unit}`);
      const rows = compareRows(table);
      expect([...rows.keys()].sort()).toEqual([...energy.keys()].sort());
      for (const [id, shown] of rows) {
        const want = (energy.get(id)! - lowest) * perHartree;
        // as shown: rounded to the unit's decimals, the lowest at 0
        expect(Math.abs(shown.delta - want), `job ${id} ΔE ${unit}`).toBeLessThanOrEqual(
          0.5 * 10 ** -decimals + 1e-12,
        );
        expect(Math.abs(shown.energy - energy.get(id)! * perHartree)).toBeLessThanOrEqual(
          0.5 * 10 ** -decimals + 1e-9,
        );
      }
      expect(Math.max(...[...rows.values()].map((x) => x.delta))).toBeGreaterThan(10 ** -decimals); // not all 0
      screen.write("u");
    }
    screen.write("\u001b");
    await screen.waitFor("filter: all"); // the list again (its header reads like the table's)
    screen.write("q");
    expect((await screen.exited).exitCode).toBe(0);
  }, 120_000);
});

/** CODATA 2018: 1 Hartree in eV. */
const HARTREE_EV = 27.211386245988;

/** The comparison table's rows as read off the screen: id → energy and ΔE. */
function compareRows(screen: string): Map<number, { energy: number; delta: number }> {
  const out = new Map<number, { energy: number; delta: number }>();
  for (const line of screen.split("\n")) {
    // a row opens with › on the cursor's and * on the reference's
    const m = /^[›*\s]*(\d+)\s+\S+\s+\S\s+[A-Z]+\s+(-?\d+\.\d+)~?\s+([+-]?\d+\.\d+)\s/.exec(line);
    if (m) out.set(Number(m[1]), { energy: Number(m[2]), delta: Number(m[3]) });
  }
  return out;
}

function shown(project: string, id: number): { status: string; folder: string } {
  return cliJson(project, ["job", "show", String(id)]);
}

const WALLTIME = "aiida-crystal17__nio_sto3g_afm_opt_walltime";
