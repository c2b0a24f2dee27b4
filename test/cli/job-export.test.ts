// Export: `job list` filters that combine (--workflow, --name GLOB, --cluster, --status a status or a
// group) and --format csv|tsv|json with chosen --columns; the CSV read back by Python's csv module
// gives the numbers --json gives. `workflow show N --format csv` gives a sweep's table the same way.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, cliJson, ROOT, tempProject, writeDeck } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

let project = "";
let workflowId = 0;

/** Python's csv module's reading of a CSV (or TSV) text: a list of dicts. */
function pythonRead(text: string, delimiter = ","): Record<string, string>[] {
  return JSON.parse(
    execFileSync(
      "python3",
      [
        "-c",
        "import csv,sys,json; print(json.dumps(list(csv.DictReader(sys.stdin, delimiter=sys.argv[1]))))",
        delimiter,
      ],
      { input: text, encoding: "utf8" },
    ),
  ) as Record<string, string>[];
}

beforeAll(() => {
  project = tempProject();
  const env = {
    ...standinEnv(),
    XDG_CONFIG_HOME: path.join(project, ".config"),
    CRYSTAL_TUI_TEMPLATES_DIR: "",
  };
  expect(
    cli(project, ["cluster", "add", "hpc", "--type", "slurm", "--host", "login.example", "--user", "chem"])
      .code,
  ).toBe(0);
  const add = (name: string, tag: string, extra: string[] = []) =>
    cliJson<{ id: number }>(project, [
      "job",
      "add",
      name,
      "--input",
      writeDeck(project, `${name}.d12`, standinDeck(tag)),
      ...extra,
    ]);
  add("try-4", "[standin:aiida-crystal17__mgo_sto3g_scf]");
  add("try-10", "[standin:CRYSTALpytools__out_mgoSCF]");
  add("try-bad", "[standin:fail]");
  add("other", "[standin:aiida-crystal17__mgo_sto3g_scf]");
  add("try-remote", "x", ["--cluster", "hpc"]); // never runs here: stays PENDING
  const wf = cliJson<{ workflow_id: number }>(
    project,
    ["workflow", "run", path.join(ROOT, "examples/workflows/mgo-shrink-convergence.yaml")],
    env,
  );
  workflowId = wf.workflow_id;
  const r = cli(project, ["run"], env);
  expect(r.stderr).not.toMatch(/internal error/);
});

interface Listed {
  id: number;
  name: string;
  status: string;
  final_energy: number | null;
  cluster: string | null;
  workflow_id: number | null;
}

describe("job list filters and export", () => {
  it("filters combine: name glob, status group or status, cluster, workflow", () => {
    const names = (args: string[]) =>
      cliJson<Listed[]>(project, ["job", "list", ...args])
        .map((j) => j.name)
        .sort();
    const all = cliJson<Listed[]>(project, ["job", "list"]);
    const scanNames = all.filter((j) => /^try-/.test(j.name)).map((j) => j.name);
    expect(names(["--name", "try-*"])).toEqual([...scanNames].sort());
    expect(names(["--name", "try-?"])).toEqual(["try-4"]);
    expect(names(["--name", "try-*", "--status", "finished"])).toEqual(["try-10", "try-4"]);
    expect(names(["--name", "try-*", "--status", "failed"])).toEqual(["try-bad"]);
    expect(names(["--name", "try-*", "--status", "active"])).toEqual(["try-remote"]);
    expect(names(["--status", "pending"])).toEqual(["try-remote"]);
    expect(names(["--cluster", "hpc"])).toEqual(["try-remote"]);
    expect(names(["--cluster", "local", "--name", "other"])).toEqual(["other"]);
    const wfJobs = all.filter((j) => j.workflow_id === workflowId);
    expect(wfJobs.length).toBeGreaterThanOrEqual(5);
    expect(names(["--workflow", String(workflowId)])).toEqual(wfJobs.map((j) => j.name).sort());
    expect(names(["--workflow", String(workflowId), "--name", "try-*"])).toEqual([]);
    expect(names(["--workflow", String(workflowId), "--name", "scan-1?"])).toEqual(["scan-10", "scan-12"]);
    expect(names(["--name", "try-*", "--limit", "2"])).toHaveLength(2);
  });

  it("--format csv read back by Python's csv module gives the numbers of --json", () => {
    const columns = "id,name,status,energy_hartree,scf_cycles,runtime_s,cluster";
    const json = cliJson<Record<string, unknown>[]>(project, [
      "job",
      "list",
      "--format",
      "json",
      "--columns",
      columns,
    ]);
    expect(Object.keys(json[0]!)).toEqual(columns.split(","));
    const full = cliJson<Listed[]>(project, ["job", "list"]);
    expect(json.map((j) => j.energy_hartree)).toEqual(full.map((j) => j.final_energy));
    for (const [format, delimiter] of [
      ["csv", ","],
      ["tsv", "\t"],
    ] as const) {
      const r = cli(project, ["job", "list", "--format", format, "--columns", columns]);
      expect(r.code, r.stderr).toBe(0);
      const rows = pythonRead(r.stdout, delimiter);
      expect(rows).toHaveLength(json.length);
      rows.forEach((row, i) => {
        const j = json[i]!;
        expect(Object.keys(row)).toEqual(columns.split(","));
        for (const key of columns.split(",")) {
          const v = j[key];
          if (v === null) expect(row[key], key).toBe("");
          else if (typeof v === "number") expect(Number(row[key]), key).toBe(v);
          else expect(row[key], key).toBe(v);
        }
      });
      expect(rows.some((row) => row.energy_hartree !== "")).toBe(true);
    }
  });

  it("--format csv with the default columns reads back as the jobs' --json values", () => {
    const json = cliJson<Record<string, unknown>[]>(project, ["job", "list", "--format", "json"]);
    const r = cli(project, ["job", "list", "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = pythonRead(r.stdout);
    expect(rows).toHaveLength(json.length);
    const columns = Object.keys(rows[0]!);
    expect(columns).toEqual(expect.arrayContaining(["id", "name", "status", "energy_hartree"]));
    const byId = new Map(json.map((j) => [j.id, j]));
    for (const row of rows) {
      const j = byId.get(Number(row.id))!;
      expect(row.name).toBe(j.name);
      expect(row.status).toBe(j.status);
      // --format json without --columns is the whole job: its energy is final_energy
      expect(row.energy_hartree === "" ? null : Number(row.energy_hartree)).toBe(j.final_energy);
    }
    expect(rows.filter((row) => row.energy_hartree !== "").length).toBeGreaterThanOrEqual(3);
  });

  it("bad filters and formats are usage errors (exit 2) in one line", () => {
    for (const args of [
      ["--status", "BOGUS"],
      ["--format", "xml"],
      ["--columns", "id,colour"],
      ["--workflow", "x"],
      ["--limit", "-1"],
    ]) {
      const r = cli(project, ["job", "list", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
    expect(cli(project, ["job", "list", "--workflow", "999"]).code).toBe(1);
  });
});

describe("workflow show --format csv", () => {
  it("the convergence table read back by Python's csv module gives the numbers of --json", () => {
    const shown = cliJson<{
      steps: { name: string; jobs: { id: number; final_energy: number | null }[] }[];
      results: {
        table: {
          table: {
            quantity: string;
            rows: { value: unknown; job_id: number; quantity: number | null; delta_last: number | null }[];
          };
        };
      };
    }>(project, ["workflow", "show", String(workflowId)]);
    const t = shown.results.table.table;
    const r = cli(project, ["workflow", "show", String(workflowId), "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = pythonRead(r.stdout);
    expect(rows).toHaveLength(t.rows.length);
    expect(rows.length).toBe(5);
    rows.forEach((row, i) => {
      const j = t.rows[i]!;
      expect(Number(row.shrink)).toBe(j.value);
      expect(Number(row.job_id)).toBe(j.job_id);
      expect(row[t.quantity] === "" ? null : Number(row[t.quantity])).toBe(j.quantity);
      expect(row.delta_last === "" ? null : Number(row.delta_last)).toBe(j.delta_last);
    });
    // the sweep's jobs, by --step
    const scan = pythonRead(
      cli(project, ["workflow", "show", String(workflowId), "--format", "tsv", "--step", "scan"]).stdout,
      "\t",
    );
    const jobs = shown.steps.find((s) => s.name === "scan")!.jobs;
    expect(scan.map((row) => Number(row.job_id))).toEqual(jobs.map((j) => j.id));
    expect(
      scan.map((row) => (row.final_energy_hartree === "" ? null : Number(row.final_energy_hartree))),
    ).toEqual(jobs.map((j) => j.final_energy));
    expect(
      cli(project, ["workflow", "show", String(workflowId), "--format", "csv", "--step", "nope"]).code,
    ).toBe(2);
  });
});
