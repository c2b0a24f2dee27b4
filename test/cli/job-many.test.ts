// Several jobs at once: `job cancel ID…` / by a filter, `job restart` of several, `workflow cancel N`
// — one confirmation naming the count (--yes for scripts), each job answered, nothing done when the
// confirmation is missing; and a finished job's cancel says so with exit 1.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, ROOT, tempProject, writeDeck } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

interface Listed {
  id: number;
  name: string;
  status: string;
  status_reason: string | null;
  retry_of: number | null;
}

function list(project: string): Listed[] {
  return cliJson<Listed[]>(project, ["job", "list"]);
}

function statuses(project: string): Record<string, string> {
  return Object.fromEntries(list(project).map((j) => [j.name, j.status]));
}

function addMany(project: string, names: string[], tag = "x"): number[] {
  return names.map(
    (n) =>
      cliJson<{ id: number }>(project, [
        "job",
        "add",
        n,
        "--input",
        writeDeck(project, `${n}.d12`, standinDeck(tag)),
      ]).id,
  );
}

describe("several jobs at once", () => {
  it("job cancel of 5 jobs asks once (a script passes --yes); without it nothing changes", () => {
    const project = tempProject();
    const ids = addMany(project, ["a1", "a2", "a3", "a4", "a5"]);
    const refused = cli(project, ["job", "cancel", ...ids.map(String)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cancel 5 jobs \(1, 2, 3, 4, 5\) needs a yes: pass --yes/);
    expect(Object.values(statuses(project))).toEqual(Array(5).fill("PENDING"));
    const r = cli(project, ["job", "cancel", ...ids.map(String), "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(ids.map((id) => `job ${id} cancelled`));
    expect(Object.values(statuses(project))).toEqual(Array(5).fill("CANCELLED"));
    // a finished job: said so, exit 1
    const again = cli(project, ["job", "cancel", String(ids[0])]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/job 1 has already finished \(CANCELLED\); nothing to cancel/);
  });

  it("a filter picks the unfinished jobs it names; mixed ids report the finished ones with exit 1", () => {
    const project = tempProject();
    addMany(project, ["scan-1", "scan-2", "scan-3", "keep"]);
    const r = cli(project, ["job", "cancel", "--name", "scan-*", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { outcome: string }[]).map((x) => x.outcome)).toEqual(
      Array(3).fill("cancelled"),
    );
    expect(statuses(project)).toEqual({
      "scan-1": "CANCELLED",
      "scan-2": "CANCELLED",
      "scan-3": "CANCELLED",
      keep: "PENDING",
    });
    const none = cli(project, ["job", "cancel", "--name", "scan-*", "--yes"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/nothing to cancel/);
    const mixed = cli(project, ["job", "cancel", "1", "4", "--yes"]);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toMatch(/job 4 cancelled/);
    expect(mixed.stderr).toMatch(/1 of 2 jobs had already finished \(1\)/);
    expect(cli(project, ["job", "cancel"]).code).toBe(2);
    expect(cli(project, ["job", "cancel", "1", "--name", "x"]).code).toBe(2);
    expect(cli(project, ["job", "cancel", "77"]).code).toBe(1);
  });

  it("workflow cancel N cancels every unfinished job of the workflow", () => {
    const project = tempProject();
    const env = { XDG_CONFIG_HOME: path.join(project, ".config"), CRYSTAL_TUI_TEMPLATES_DIR: "" };
    const wf = cliJson<{ workflow_id: number; jobs: Record<string, number[]> }>(
      project,
      ["workflow", "run", path.join(ROOT, "examples/workflows/mgo-shrink-convergence.yaml")],
      env,
    );
    addMany(project, ["outside"]);
    const ids = Object.values(wf.jobs).flat();
    const ask = cli(project, ["workflow", "cancel", String(wf.workflow_id)]);
    expect(ask.code).toBe(2);
    expect(ask.stderr).toMatch(new RegExp(`cancel workflow ${wf.workflow_id}: ${ids.length} jobs`));
    const r = cli(project, ["workflow", "cancel", String(wf.workflow_id), "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    const after = list(project);
    for (const j of after) expect(j.status, j.name).toBe(j.name === "outside" ? "PENDING" : "CANCELLED");
    expect(after.find((j) => j.name !== "outside")!.status_reason).toMatch(/workflow cancel/);
    expect(cli(project, ["workflow", "cancel", String(wf.workflow_id)]).stdout).toMatch(/no unfinished jobs/);
    expect(cli(project, ["workflow", "cancel", "99"]).code).toBe(1);
  });

  it("job restart of the failed jobs: one continuation each", () => {
    const project = tempProject();
    const failed = addMany(project, ["f1", "f2"], "[standin:aiida-crystal17__nio_sto3g_afm_scf_maxcyc]");
    addMany(project, ["ok"], "[standin:aiida-crystal17__mgo_sto3g_scf]");
    const run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(statuses(project)).toMatchObject({ f1: "FAILED", f2: "FAILED", ok: "COMPLETED" });
    const r = cli(project, ["job", "restart", "--status", "FAILED", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const made = JSON.parse(r.stdout) as { id: number; restarted_as: number }[];
    expect(made.map((m) => m.id).sort()).toEqual(failed);
    const jobs = list(project);
    for (const m of made) {
      expect(jobs.find((j) => j.id === m.restarted_as)).toMatchObject({ status: "PENDING", retry_of: m.id });
      const shown = cliJson<{ input_file: string }>(project, ["job", "show", String(m.restarted_as)]);
      expect(shown.input_file).toMatch(/\nGUESSP\n/);
    }
  });

  it("job rerun of the failed jobs: a new job each with the same deck, asked once; a pending job named is refused", () => {
    const project = tempProject();
    const failed = addMany(project, ["f1", "f2"], "[standin:aiida-crystal17__nio_sto3g_afm_scf_maxcyc]");
    addMany(project, ["ok"], "[standin:aiida-crystal17__mgo_sto3g_scf]");
    const run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    // two jobs without a terminal to ask on and without --yes: refused, nothing made
    const unasked = cli(project, ["job", "rerun", "--status", "failed"]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/re-run 2 jobs .*--yes/);
    expect(list(project)).toHaveLength(3);

    const r = cli(project, ["job", "rerun", "--status", "failed", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const made = JSON.parse(r.stdout) as { id: number; rerun_as: number }[];
    expect(made.map((m) => m.id).sort()).toEqual(failed);
    const jobs = list(project);
    expect(jobs).toHaveLength(5);
    for (const m of made) {
      const old = jobs.find((j) => j.id === m.id)!;
      const again = jobs.find((j) => j.id === m.rerun_as)!;
      expect(again).toMatchObject({ status: "PENDING", name: old.name });
      const deck = (id: number) =>
        cliJson<{ input_file: string }>(project, ["job", "show", String(id)]).input_file;
      expect(deck(m.rerun_as)).toBe(deck(m.id));
    }
    // a job that has not finished is not repeated: its id named alone is the error, exit 1
    const pending = made[0]!.rerun_as;
    const refused = cli(project, ["job", "rerun", String(pending)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`job ${pending} is PENDING — only a finished job can be re-run`),
    );
    expect(list(project)).toHaveLength(5);
  });
});
