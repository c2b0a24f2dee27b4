// `crystal-tui job log` of a local job: its CRYSTAL output byte for byte, its stderr, the last lines,
// --follow of a job that already ended, and bad input in one line.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, FIXTURES, tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

const RECORDING = "aiida-crystal17__mgo_sto3g_scf";

describe("job log (local jobs)", () => {
  it("prints the output as it is, the stderr, the last lines; --follow of an ended job exits at once", () => {
    const project = tempProject();
    const deck = path.join(project, "a.d12");
    fs.writeFileSync(deck, standinDeck(`[standin:${RECORDING}]`));
    const ok = cliJson<{ id: number }>(project, ["job", "add", "a", "--input", deck]).id;
    const bad = path.join(project, "b.d12");
    fs.writeFileSync(bad, standinDeck("[standin:fail]"));
    const failed = cliJson<{ id: number }>(project, ["job", "add", "b", "--input", bad]).id;
    // nothing yet: an empty log, not an error
    expect(cli(project, ["job", "log", String(ok)])).toMatchObject({ code: 0, stdout: "" });
    expect(cli(project, ["run"], standinEnv()).code).toBe(0);

    const whole = fs.readFileSync(path.join(FIXTURES, `${RECORDING}.out`), "utf8");
    expect(cli(project, ["job", "log", String(ok)]).stdout).toBe(whole);
    const lines = whole.trimEnd().split("\n");
    expect(cli(project, ["job", "log", String(ok), "-n", "2"]).stdout).toBe(
      `${lines.slice(-2).join("\n")}\n`,
    );
    expect(cli(project, ["job", "log", String(ok), "--stderr"]).stdout).toMatch(
      /^crystal-standin: this is crystal-tui's CRYSTAL stand-in, not CRYSTAL/,
    );
    expect(cli(project, ["job", "log", String(ok), "--follow"])).toMatchObject({ code: 0, stdout: whole });
    // a failed job: its output so far, and --follow says how it ended (exit 1)
    const f = cli(project, ["job", "log", String(failed), "--follow"]);
    expect(f.code).toBe(1);
    expect(f.stdout.length).toBeGreaterThan(0);
    expect(f.stderr).toMatch(/^crystal-tui: job 2 ended FAILED: .+\n$/);

    expect(cli(project, ["job", "log", String(ok), "--lines", "ten"])).toMatchObject({ code: 2 });
    const unknown = cli(project, ["job", "log", "99"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
  });
});
