// Results replayed by crystal-tui's CRYSTAL stand-in are said to be so wherever they are shown, not
// only in the demo (issue 15): job list (text and JSON), job show, workflow show and `parse --stderr`.
// A run of another CRYSTAL executable (here a script printing the same recorded output, as a real
// CRYSTAL's output would be) is shown without any such words: the label comes from the run itself
// (the stand-in's own first stderr line), not from the numbers.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseOutputText } from "../../src/crystal/output-parser.js";
import { standinRunIn } from "../../src/crystal/standin-signature.js";
import { cli, cliJson, FIXTURES, ROOT, tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

const RECORDING = "aiida-crystal17__mgo_sto3g_scf";

/** A CRY23_EXEDIR whose crystalOMP is not the stand-in: it prints a recorded output and nothing on stderr. */
function otherCrystal(project: string): string {
  const dir = path.join(project, "other-crystal");
  fs.mkdirSync(dir);
  const exe = path.join(dir, "crystalOMP");
  fs.writeFileSync(exe, `#!/bin/sh\ncat >/dev/null\ncat '${path.join(FIXTURES, `${RECORDING}.out`)}'\n`);
  fs.chmodSync(exe, 0o755);
  return dir;
}

function addJob(project: string, name: string, deck: string, extra: string[] = []): number {
  const file = path.join(project, `${name}.d12`);
  fs.writeFileSync(file, deck);
  return cliJson<{ id: number }>(project, ["job", "add", name, "--input", file, ...extra]).id;
}

describe("results from the stand-in are labelled outside the demo", () => {
  it("job list, job show and their JSON say so for the stand-in's run, and nothing for another CRYSTAL's", () => {
    const project = tempProject();
    const replayed = addJob(project, "replayed", standinDeck(`[standin:${RECORDING}]`));
    expect(cli(project, ["run"], standinEnv()).code).toBe(0);
    const computed = addJob(project, "computed", standinDeck(""));
    const run = cli(project, ["run"], { CRY23_EXEDIR: otherCrystal(project), CRY23_SCRDIR: "" });
    expect(run.code, run.stderr).toBe(0);

    const list = cliJson<{ id: number; status: string; final_energy: number; standin: boolean }[]>(project, [
      "job",
      "list",
    ]);
    const byId = new Map(list.map((j) => [j.id, j]));
    // the same numbers either way: only where they came from differs
    expect(byId.get(replayed)!.final_energy).toBeCloseTo(-271.21814374931, 6);
    expect(byId.get(computed)!.final_energy).toBeCloseTo(-271.21814374931, 6);
    expect(byId.get(replayed)!.standin).toBe(true);
    expect(byId.get(computed)!.standin).toBe(false);

    const text = cli(project, ["job", "list"]).stdout.split("\n");
    expect(text.find((l) => l.includes("replayed"))).toMatch(/-271\.21814\d*↺/);
    expect(text.find((l) => l.includes("computed"))).not.toMatch(/↺/);

    const shown = cli(project, ["job", "show", String(replayed)]).stdout;
    expect(shown).toMatch(
      /^energy {4}-271\.21814375 Ha {2}↺ replayed by the CRYSTAL stand-in, not computed by CRYSTAL$/m,
    );
    expect(shown).toMatch(
      new RegExp(
        `^ {2}Computed by\\s+crystal-tui's CRYSTAL stand-in replaying the recording ${RECORDING} — not computed by CRYSTAL$`,
        "m",
      ),
    );
    const other = cli(project, ["job", "show", String(computed)]).stdout;
    expect(other).toMatch(/^energy {4}-271\.21814375 Ha$/m);
    expect(other).not.toMatch(/stand-in/i);
    const json = cliJson<{ standin: boolean; key_results: { standin: unknown } }>(project, [
      "job",
      "show",
      String(replayed),
    ]);
    expect(json.standin).toBe(true);
    expect(json.key_results.standin).toEqual({ recording: RECORDING });
  });

  it("workflow show counts the steps whose results the stand-in replayed", () => {
    const project = tempProject();
    const made = cli(project, ["workflow", "run", path.join(ROOT, "examples/workflows/mgo-opt-freq.yaml")]);
    expect(made.code, made.stderr).toBe(0);
    const run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    const out = cli(project, ["workflow", "show", "1"]).stdout;
    expect(out).toMatch(
      /^2\/2 jobs' results replayed by crystal-tui's CRYSTAL stand-in — not computed by CRYSTAL$/m,
    );
    const json = cliJson<{ summary: { replayed_by_standin: number } }>(project, ["workflow", "show", "1"]);
    expect(json.summary.replayed_by_standin).toBe(2);
  });

  it("parse --stderr names the stand-in; the reader matches what the stand-in really prints", () => {
    const project = tempProject();
    const id = addJob(project, "p", standinDeck(`[standin:${RECORDING}]`));
    expect(cli(project, ["run"], standinEnv()).code).toBe(0);
    const folder = cliJson<{ folder: string }>(project, ["job", "show", String(id)]).folder;
    const stderr = fs.readFileSync(path.join(folder, ".run", "stderr"), "utf8");
    expect(standinRunIn(stderr)).toEqual({ recording: RECORDING });
    const out = path.join(folder, "p.out");
    const parsed = cliJson<{ standin: unknown }>(project, [
      "parse",
      out,
      "--stderr",
      path.join(folder, ".run", "stderr"),
    ]);
    expect(parsed.standin).toEqual({ recording: RECORDING });
    expect(cliJson<{ standin: unknown }>(project, ["parse", out]).standin).toBeNull();
    // nothing else is taken for the stand-in: a scheduler's stderr, an empty one, a quoted line
    expect(
      standinRunIn(
        fs.readFileSync(
          path.join(FIXTURES, "aiida-crystal17__nio_sto3g_afm_opt_walltime._scheduler-stderr.txt"),
          "utf8",
        ),
      ),
    ).toBeNull();
    expect(standinRunIn("")).toBeNull();
    expect(
      standinRunIn(`error: "crystal-standin: this is crystal-tui's CRYSTAL stand-in, not CRYSTAL"`),
    ).toBeNull();
    expect(parseOutputText(fs.readFileSync(out, "latin1")).standin).toBeNull();
  });
});
