// `job restart ID`: the continuation CRYSTAL users make by hand, from the files the run left — run on
// the stand-in, which replays real CRYSTAL outputs (a NiO optimisation killed at its time limit, an
// SCF that ran out of cycles, a frequency run) and leaves CRYSTAL's files in the run folder.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  fort34Cell,
  fort34Vectors,
  lastPointCell,
  lastPrintedVectors,
  sameCell,
} from "../helpers/geometry-oracle.js";
import { cli, cliJson, FIXTURES, MGO_BODY, tempProject, writeDeck } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";
import { startTui } from "../tui/pty.js";

interface Shown {
  id: number;
  name: string;
  status: string;
  status_reason: string | null;
  input_file: string;
  folder: string;
  dependencies: { job_id: number; type: string }[];
}

const WALLTIME = "aiida-crystal17__nio_sto3g_afm_opt_walltime";

function show(project: string, id: number): Shown {
  return cliJson<Shown>(project, ["job", "show", String(id)]);
}

function run(project: string, env: Record<string, string> = {}): void {
  const r = cli(project, ["run"], standinEnv(env));
  expect(r.code, r.stderr).toBe(0);
}

/** The job's links to other jobs' files, as the store keeps them (job show --json has no field). */
async function inputsFrom(project: string, id: number) {
  const { openProject } = await import("../../src/app/project.js");
  const p = await openProject(project);
  try {
    return (await p.store.jobs.require(id)).inputsFrom;
  } finally {
    await p.close();
  }
}

describe("job restart", () => {
  it("a walltime-killed optimisation continues with OPTGEOM RESTART from its last geometry", async () => {
    const project = tempProject();
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
    ]);
    run(project);
    const killed = show(project, first.id);
    expect(killed.status).toBe("FAILED");
    // killed at point 20 of its optimisation: the geometry kept is that point's (the newest optcNNN),
    // not the fort.34 it was given, which is all the run folder's fort.34 still holds
    const last = lastPointCell(fs.readFileSync(path.join(killed.folder, "nio.out"), "latin1"));
    expect(last.point).toBe(20);
    const kept = fort34Cell(fs.readFileSync(path.join(killed.folder, "nio.gui"), "utf8"));
    expect(sameCell(kept, last.cell), `kept ${kept}, point ${last.point} printed ${last.cell}`).toBe(true);
    expect(sameCell(fort34Cell(fs.readFileSync(start, "utf8")), last.cell)).toBe(false);
    const r = cli(project, ["job", "restart", String(first.id), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: number };
    expect(id).toBe(first.id + 1);
    const restarted = show(project, id);
    expect(restarted.status).toBe("PENDING");
    // written out by hand: the deck CRYSTAL's manual asks for to continue an optimisation
    const lines = restarted.input_file.split("\n");
    expect(lines.slice(0, 7)).toEqual([
      `NiO [standin:${WALLTIME}]`,
      "EXTERNAL",
      "OPTGEOM",
      "FULLOPTG",
      "RESTART",
      "HESSOPT",
      "ENDOPT",
    ]);
    expect(restarted.input_file.replace("RESTART\nHESSOPT\n", "")).toBe(deck);
    expect(await inputsFrom(project, id)).toEqual([
      { jobId: first.id, ext: ".gui" },
      { jobId: first.id, ext: ".optinfo" },
      { jobId: first.id, ext: ".hessopt", optional: true },
    ]);
    // the job it continues is not a dependency: it FAILED, and its files are all the restart needs
    expect(restarted.dependencies).toEqual([]);
    const counter = path.join(project, "starts.txt");
    run(project, { CRYSTAL_STANDIN_COUNTER: counter });
    const second = show(project, id);
    // the fort.34 the continuation read in its run folder (kept there, as it failed) has point 20's cell
    const runFolder = fs.readFileSync(counter, "utf8").trim().split("\n")[0]!.split(" ")[1]!;
    const read = fort34Cell(fs.readFileSync(path.join(runFolder, "fort.34"), "utf8"));
    expect(sameCell(read, last.cell), `read ${read}, point ${last.point} printed ${last.cell}`).toBe(true);
    // the last geometry was read (the stand-in stops with fort.34 NOT FOUND without it), and the
    // OPTINFO.DAT and HESSOPT.DAT the first run left were staged beside it
    const out = fs.readFileSync(path.join(second.folder, "nio.out"), "utf8");
    expect(out).not.toMatch(/NOT FOUND/);
    expect(fs.readFileSync(path.join(second.folder, "nio.optinfo"), "utf8")).toMatch(/OPTINFO\.DAT/);
    // the stand-in replayed the same interrupted run: its geometry is the one it started from
    expect(fs.readFileSync(path.join(second.folder, "nio.gui"), "utf8")).toBe(
      fs.readFileSync(path.join(killed.folder, "nio.gui"), "utf8"),
    );
    const again = cli(project, ["job", "restart", String(id)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/geometry did not change/);
    expect(cliJson<{ jobs: number }>(project, ["db", "status"]).jobs).toBe(2);
  });

  it("an optimisation that ended keeps the fort.34 CRYSTAL wrote at the end, not its last optc file", () => {
    const project = tempProject();
    const recording = "aiida-crystal17__mgo_sto3g_opt";
    // started from a given geometry (EXTERNAL), so the run folder held a fort.34 before the run
    const deck = fs
      .readFileSync(path.join(FIXTURES, `${WALLTIME}.d12`), "utf8")
      .replace(/^.*\n/, `MgO [standin:${recording}]\n`);
    const start = path.join(project, "start.gui");
    fs.copyFileSync(path.join(FIXTURES, `${WALLTIME}.gui`), start);
    const job = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "mgo",
      "--input",
      writeDeck(project, "mgo.d12", deck),
      "--aux",
      start,
    ]);
    run(project);
    const done = show(project, job.id);
    expect(done.status).toBe("COMPLETED");
    const out = fs.readFileSync(path.join(done.folder, "mgo.out"), "latin1");
    const gui = fs.readFileSync(path.join(done.folder, "mgo.gui"), "utf8");
    // the final geometry, as the output prints it after OPT END: its vectors, not those of a point
    const vectors = fort34Vectors(gui);
    for (const [i, row] of lastPrintedVectors(out).entries()) {
      for (const [k, x] of row.entries()) expect(vectors[i]![k]).toBeCloseTo(x, 8);
    }
    expect(sameCell(fort34Cell(gui), lastPointCell(out).cell)).toBe(true);
  });

  it("an SCF continues with GUESSP from its fort.9; an empty fort.9 is refused", () => {
    const project = tempProject();
    const scf = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "scf",
      "--input",
      writeDeck(project, "scf.d12", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]")),
    ]);
    run(project);
    const made = cliJson<{ id: number }>(project, ["job", "restart", String(scf.id)]);
    const restarted = show(project, made.id);
    expect(restarted.input_file).toBe(
      standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]").replace(
        "TOLDEE\n8\nEND\n",
        "TOLDEE\n8\nGUESSP\nEND\n",
      ),
    );
    run(project);
    expect(show(project, made.id).status).toBe("COMPLETED"); // the stand-in stops without fort.20
    // a run stopped while writing its wavefunction leaves it empty
    fs.writeFileSync(path.join(show(project, made.id).folder, "scf.f9"), "");
    const refused = cli(project, ["job", "restart", String(made.id)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/fort\.9 is empty/);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(cliJson<{ jobs: number }>(project, ["db", "status"]).jobs).toBe(2);
  });

  it("a frequency run continues with FREQCALC RESTART and its FREQINFO.DAT", async () => {
    const project = tempProject();
    const body = MGO_BODY.replace("8 0.5 0.5 0.5\nEND\n", "8 0.5 0.5 0.5\nFREQCALC\nEND\nEND\n");
    const freq = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "freq",
      "--input",
      writeDeck(project, "freq.d12", standinDeck("frequencies", body)),
    ]);
    run(project);
    const made = cliJson<{ id: number }>(project, ["job", "restart", String(freq.id)]);
    expect(show(project, made.id).input_file).toContain("\nFREQCALC\nRESTART\nEND\nEND\n");
    expect(await inputsFrom(project, made.id)).toEqual([{ jobId: freq.id, ext: ".freqinfo" }]);
  });

  it("refuses what it cannot continue, with what to do instead", () => {
    const project = tempProject();
    const pending = cliJson<{ id: number }>(project, ["job", "add", "p", "--input", writeDeck(project)]);
    const r = cli(project, ["job", "restart", String(pending.id)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is PENDING — a restart continues a finished run/);
    expect(cli(project, ["job", "restart", "abc"]).code).toBe(2);
    expect(cliJson<{ jobs: number }>(project, ["db", "status"]).jobs).toBe(1);
  });

  it("--wavefunction-from on a deck without GUESSP warns that the deck will not read it", () => {
    const project = tempProject();
    const scf = cliJson<{ id: number }>(project, ["job", "add", "scf", "--input", writeDeck(project)]);
    const r = cli(project, [
      "job",
      "add",
      "b",
      "--input",
      writeDeck(project),
      "--wavefunction-from",
      String(scf.id),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: the deck does not read the wavefunction it is given \(fort\.20\): add GUESSP/,
    );
    const guessp = writeDeck(
      project,
      "g.d12",
      `MgO\n${MGO_BODY.replace("TOLDEE\n8\n", "TOLDEE\n8\nGUESSP\n")}`,
    );
    const quiet = cli(project, ["job", "add", "c", "--input", guessp, "--wavefunction-from", String(scf.id)]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe("");
  });

  it("--add-guessp, or y to the question on a terminal, adds GUESSP to the job's deck and leaves the file", async () => {
    const project = tempProject();
    const scf = cliJson<{ id: number }>(project, ["job", "add", "scf", "--input", writeDeck(project)]);
    const file = writeDeck(project, "b.d12");
    const before = fs.readFileSync(file, "utf8");
    const deckOf = (id: number) => show(project, id).input_file.split("\n");
    const scfLines = (lines: string[]) => lines.slice(lines.indexOf("END") + 1);

    const flagged = cli(project, [
      "job",
      "add",
      "b",
      "--input",
      file,
      "--wavefunction-from",
      String(scf.id),
      "--add-guessp",
      "--json",
    ]);
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.stderr).toMatch(/GUESSP added to the job's deck/);
    const id = (JSON.parse(flagged.stdout) as { id: number }).id;
    expect(scfLines(deckOf(id))).toContain("GUESSP");
    expect(deckOf(scf.id)).not.toContain("GUESSP");
    expect(fs.readFileSync(file, "utf8")).toBe(before);

    // on a terminal the warning is a question: n keeps the deck as it is, y adds the keyword
    for (const [answer, added] of [
      ["n", false],
      ["y", true],
    ] as const) {
      const screen = startTui(
        [
          "--project",
          project,
          "job",
          "add",
          `t${answer}`,
          "--input",
          file,
          "--wavefunction-from",
          String(scf.id),
          "--json",
        ],
        { cols: 200 },
      );
      try {
        await screen.waitFor(/\(fort\.20\): add GUESSP to it\? \[y\/N\]/, 20_000);
        screen.write(`${answer}\r`);
        expect((await screen.exited).exitCode).toBe(0);
      } finally {
        screen.kill();
      }
      const made = cliJson<{ id: number; name: string }[]>(project, ["job", "list"]).find(
        (j) => j.name === `t${answer}`,
      )!;
      expect(scfLines(deckOf(made.id)).includes("GUESSP")).toBe(added);
    }
  }, 60_000);
});
