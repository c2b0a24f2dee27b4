// `crystal-tui workflow run` as a user runs it: the whole graph is checked first and any problem is
// one line with nothing created; a valid workflow becomes every job and dependency at once.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ProjectFiles } from "../../src/crystal/project-files.js";
import { Store } from "../../src/store/store.js";
import { cli, cliJson, MGO_DECK, ROOT, tempProject } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";
import { sql } from "../store/raw-sql.js";

const EXAMPLES = path.join(ROOT, "examples/workflows");

/** A project whose user template folder is empty (the machine's ~/.config stays out of it). */
function project(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempProject();
  return { dir, env: { XDG_CONFIG_HOME: path.join(dir, ".config"), CRYSTAL_TUI_TEMPLATES_DIR: "" } };
}

function counts(dir: string) {
  const store = Store.open(dir);
  try {
    const calc = path.join(dir, "calculations");
    return {
      jobs: store.jobs.count(),
      workflows: store.workflows.count(),
      dependencies: (sql(store).prepare("SELECT COUNT(*) AS n FROM job_dependencies").get() as { n: number })
        .n,
      folders: fs.existsSync(calc) ? fs.readdirSync(calc).length : 0,
    };
  } finally {
    store.close();
  }
}

function withDeps(dir: string, fn: (s: Store) => void): void {
  const s = Store.open(dir);
  try {
    fn(s);
  } finally {
    s.close();
  }
}

function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const BROKEN_TEMPLATE = `name: broken
params:
  - {name: shrink, type: integer, default: 8}
deck: |
  MgO
  CRYSTAL
  0 0 0
  225
  4.21
  2
  12 0.0 0.0 0.0
  8 0.5 0.5 0.5
  BASISSET
  STO-3G
  SHRINK
  {{ shrink }}
  END
`;

describe("an invalid workflow creates nothing", () => {
  const cases: [string, string, (dir: string) => void, string[], RegExp][] = [
    [
      "an unknown step",
      "steps:\n  opt: {template: optimise}\n  freq: {template: frequencies, after_ok: [opz]}\n",
      () => {},
      [],
      /after_ok names unknown step "opz"/,
    ],
    [
      "a cycle",
      "steps:\n  a: {template: single-point, after_ok: [b]}\n  b: {template: single-point, after_ok: [a]}\n",
      () => {},
      [],
      /cycle: a → b → a/,
    ],
    [
      "a missing parameter",
      "params:\n  title: ~\nsteps:\n  a: {template: single-point, params: {title: '{{ params.title }}'}}\n",
      () => {},
      [],
      /workflow parameter title has no value — give it with --set title=…/,
    ],
    [
      "an unknown --set",
      "params:\n  basis: STO-3G\nsteps:\n  a: {template: single-point}\n",
      () => {},
      ["--set", "basys=x"],
      /--set basys: the workflow has no parameter basys — its parameters are basis/,
    ],
    [
      "an invalid rendered deck",
      "steps:\n  a: {template: broken}\n",
      (d) => writeFile(d, "templates/broken.yaml", BROKEN_TEMPLATE),
      [],
      /step a: the deck rendered from template broken is not valid: line 12: SHRINK/,
    ],
    [
      "an unknown cluster",
      "steps:\n  a: {template: single-point, cluster: hpc}\n",
      () => {},
      [],
      /step a: there is no cluster 'hpc'/,
    ],
    [
      "an unknown template",
      "steps:\n  a: {template: singlepoint}\n",
      () => {},
      [],
      /step a: there is no template "singlepoint"/,
    ],
    [
      "an unknown template parameter",
      "steps:\n  a: {template: single-point, params: {shrinkk: 8}}\n",
      () => {},
      [],
      /step a: template single-point has no parameter shrinkk/,
    ],
    [
      "a bad sweep value",
      "steps:\n  scan: {template: single-point, foreach: {shrink: [4, 0]}}\n",
      () => {},
      [],
      /step scan \(shrink=0\): shrink: 0 is below the minimum 1/,
    ],
    [
      "a bad time limit",
      "steps:\n  a: {template: single-point, parallelism: {time: 1 hour}}\n",
      () => {},
      [],
      /step a: time "1 hour" is not valid/,
    ],
    [
      "a missing deck file",
      "steps:\n  a: {deck: nothere.d12}\n",
      () => {},
      [],
      /step a: deck file .*nothere\.d12 does not exist/,
    ],
    [
      "EXTERNAL without a geometry source",
      "steps:\n  a: {template: frequencies, params: {geometry: external}}\n",
      () => {},
      [],
      /step a: its deck reads EXTERNAL \(fort\.34\) — give geometry_from/,
    ],
    [
      "a properties step without a wavefunction",
      "steps:\n  b: {template: bands}\n",
      () => {},
      [],
      /step b: template bands is a properties calculation: it reads a wavefunction — add wavefunction_from/,
    ],
  ];

  it.each(cases)("%s", (_what, text, setup, extra, message) => {
    const { dir, env } = project();
    setup(dir);
    const file = writeFile(dir, "wf.yaml", text);
    const before = counts(dir);
    const r = cli(dir, ["workflow", "run", file, ...extra], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^crystal-tui: workflow wf\.yaml: /);
    expect(r.stderr).toMatch(message);
    expect(counts(dir)).toEqual(before);
    expect(before).toEqual({ jobs: 0, workflows: 0, dependencies: 0, folders: 0 });
  });

  it("rolls back everything when creating a later step fails inside the transaction", async () => {
    const { dir } = project();
    const store = Store.open(dir);
    const files = new ProjectFiles(dir);
    try {
      // the second job names a parent that does not exist: the store refuses it after the
      // workflow and the first job were written, in the same transaction
      await expect(
        files.create(
          [
            { name: "opt", input: MGO_DECK, workflowStep: "opt" },
            {
              name: "freq",
              input: MGO_DECK,
              workflowStep: "freq",
              dependencies: [
                { dependsOn: { batchIndex: 0 }, type: "after_ok" },
                { dependsOn: 999, type: "after_ok" },
              ],
            },
          ],
          (records) => store.workflows.create({ name: "wf", source: "steps: {}\n" }, records, () => ({})),
        ),
      ).rejects.toThrow(/cannot depend on job 999: there is no such job/);
    } finally {
      store.close();
    }
    expect(counts(dir)).toEqual({ jobs: 0, workflows: 0, dependencies: 0, folders: 0 });
  });

  it("--dry-run checks and lists the jobs without creating them", () => {
    const { dir, env } = project();
    const out = cliJson<{ valid: boolean; jobs: Record<string, string[]> }>(
      dir,
      ["workflow", "run", path.join(EXAMPLES, "mgo-shrink-convergence.yaml"), "--dry-run"],
      env,
    );
    expect(out).toEqual({
      workflow: "mgo-shrink-convergence",
      valid: true,
      jobs: { scan: ["scan-4", "scan-6", "scan-8", "scan-10", "scan-12"] },
    });
    expect(counts(dir)).toEqual({ jobs: 0, workflows: 0, dependencies: 0, folders: 0 });
  });
});

describe("a valid workflow", () => {
  it("opt → freq: two jobs, the frequency run waiting for the optimisation and taking its geometry", () => {
    const { dir, env } = project();
    const file = path.join(EXAMPLES, "mgo-opt-freq.yaml");
    const out = cliJson<{ workflow_id: number; jobs: Record<string, number[]> }>(
      dir,
      ["workflow", "run", file],
      env,
    );
    expect(out).toEqual({ workflow_id: 1, jobs: { opt: [1], freq: [2] } });
    const store = Store.open(dir);
    try {
      const opt = store.jobs.require(1);
      const freq = store.jobs.require(2);
      expect(opt).toMatchObject({
        name: "opt",
        workflowId: 1,
        workflowStep: "opt",
        attempt: 1,
        status: "PENDING",
      });
      expect(opt.inputFile).toContain("OPTGEOM\nFULLOPTG\n");
      expect(fs.readFileSync(path.join(jobFolder(store, opt), "opt.d12"), "utf8")).toBe(opt.inputFile);
      expect(freq.inputsFrom).toEqual([{ jobId: 1, ext: ".gui" }]);
      expect(store.dependencies.dependenciesOf(2).map((d) => [d.dependsOnJobId, d.type])).toEqual([
        [1, "after_ok"],
      ]);
      // the title uses the optimisation's energy: rendered when the job starts
      expect(freq.inputFile).toBeNull();
      expect(freq.renderSpec).toMatchObject({ workflow_id: 1, workflow_step: "freq", refs: ["opt"] });
      expect((freq.renderSpec as { values: Record<string, unknown> }).values).toMatchObject({
        geometry: "external",
        intensities: "ir",
      });
      const wf = store.workflows.require(1);
      expect(wf.source).toBe(fs.readFileSync(file, "utf8"));
      expect(wf.sourcePath).toBe(file);
      expect(wf.params).toEqual({ basis: "STO-3G", method: "B3LYP", shrink: 8 });
    } finally {
      store.close();
    }
  });

  it("a sweep: one job per value, decks with the values, and --set reaching every deck", () => {
    const { dir, env } = project();
    const out = cliJson<{ jobs: Record<string, number[]> }>(
      dir,
      ["workflow", "run", path.join(EXAMPLES, "mgo-shrink-convergence.yaml"), "--set", "basis=POB-TZVP-REV2"],
      env,
    );
    expect(out.jobs).toEqual({ scan: [1, 2, 3, 4, 5] });
    const store = Store.open(dir);
    try {
      for (const [id, shrink] of [
        [1, 4],
        [2, 6],
        [3, 8],
        [4, 10],
        [5, 12],
      ] as const) {
        const job = store.jobs.require(id);
        expect(job.name).toBe(`scan-${shrink}`);
        expect(job.inputFile).toContain(`MgO SHRINK ${shrink}\n`);
        expect(job.inputFile).toContain(`\nSHRINK\n${shrink} ${shrink}\n`);
        expect(job.inputFile).toContain("\nBASISSET\nPOB-TZVP-REV2\n");
        expect(job.inputFile).toContain("\nTOLDEE\n9\n");
      }
    } finally {
      store.close();
    }
    const shown = cliJson<{
      steps: {
        name: string;
        status: string;
        jobs: unknown[];
        result: { type: string; status: string } | null;
      }[];
    }>(dir, ["workflow", "show", "1"], env);
    expect(shown.steps.map((s) => [s.name, s.status, s.jobs.length])).toEqual([
      ["scan", "PENDING", 5],
      ["table", "waiting", 0],
    ]);
    expect(shown.steps[1]!.result).toMatchObject({ type: "convergence", status: "waiting" });
    const list = cliJson<{ id: number; name: string; jobs: Record<string, number> }[]>(
      dir,
      ["workflow", "list"],
      env,
    );
    expect(list).toEqual([
      expect.objectContaining({ id: 1, name: "mgo-shrink-convergence", jobs: { PENDING: 5 } }),
    ]);
  });

  it("the EOS example: 7 volumes, each with its a³/4 kept for the fit", () => {
    const { dir, env } = project();
    cliJson(dir, ["workflow", "run", path.join(EXAMPLES, "mgo-eos.yaml")], env);
    const store = Store.open(dir);
    try {
      const wf = store.workflows.require(1);
      const points = (
        wf.spec.steps as { name: string; jobs: { id: number; sweep: { a: number }; volume: number }[] }[]
      )[0]!;
      expect(points.name).toBe("points");
      expect(points.jobs.map((j) => j.sweep.a)).toEqual([4.05, 4.1, 4.15, 4.2, 4.25, 4.3, 4.35]);
      for (const j of points.jobs) {
        expect(j.volume).toBeCloseTo(j.sweep.a ** 3 / 4, 9);
        expect(store.jobs.require(j.id).inputFile).toContain(`\nMgO a = ${j.sweep.a} Å\n`.slice(1));
      }
    } finally {
      store.close();
    }
  });

  it("runs steps on the cluster they name, with their resources", () => {
    const { dir, env } = project();
    const store = Store.open(dir);
    store.clusters.create({ name: "hpc", type: "slurm", hostname: "127.0.0.1", username: "me" });
    store.close();
    const file = writeFile(
      dir,
      "wf.yaml",
      "defaults:\n  cluster: hpc\n  parallelism: {mpi_ranks: 4, time: '01:00:00', partition: short}\nsteps:\n  a: {template: single-point}\n  b: {template: single-point, cluster: local, parallelism: {}, after_any: [a]}\n",
    );
    cliJson(dir, ["workflow", "run", file], env);
    const s = Store.open(dir);
    try {
      expect(s.jobs.require(1)).toMatchObject({
        clusterName: "hpc",
        runnerType: "slurm",
        parallelism: { mpi_ranks: 4, time: "01:00:00", partition: "short" },
      });
      expect(s.jobs.require(2)).toMatchObject({ clusterName: null, runnerType: "local", parallelism: {} });
      expect(s.dependencies.dependenciesOf(2).map((d) => d.type)).toEqual(["after_any"]);
    } finally {
      s.close();
    }
  });

  it("takes deck files (with their aux files) and every kind of edge", () => {
    const { dir, env } = project();
    const fixtures = path.join(ROOT, "fixtures/crystal-outputs");
    fs.copyFileSync(path.join(fixtures, "aiida-crystal17__mgo_sto3g_opt.d12"), path.join(dir, "opt.d12"));
    fs.copyFileSync(
      path.join(fixtures, "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.d12"),
      path.join(dir, "nio.d12"),
    );
    fs.copyFileSync(
      path.join(fixtures, "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.gui"),
      path.join(dir, "nio.gui"),
    );
    const file = writeFile(
      dir,
      "flows/wf.yaml",
      `steps:
  opt: {deck: ../opt.d12}
  nio: {deck: ../nio.d12, aux: [../nio.gui], after_any: [opt]}
  rescue: {template: single-point, after_failed: [nio]}
  again: {deck: ../nio.d12, geometry_from: opt, after_ok: [rescue]}
`,
    );
    const out = cliJson<{ jobs: Record<string, number[]> }>(dir, ["workflow", "run", file], env);
    expect(out.jobs).toEqual({ opt: [1], nio: [2], rescue: [3], again: [4] });
    withDeps(dir, (s) => {
      expect(s.jobs.require(1).inputFile).toBe(fs.readFileSync(path.join(dir, "opt.d12"), "utf8"));
      expect(s.jobs.require(2).auxFiles).toEqual(["nio.gui"]);
      expect(fs.existsSync(path.join(jobFolder(s, s.jobs.require(2)), "nio.gui"))).toBe(true);
      const edges = (id: number) => s.dependencies.dependenciesOf(id).map((d) => [d.dependsOnJobId, d.type]);
      expect(edges(2)).toEqual([[1, "after_any"]]);
      expect(edges(3)).toEqual([[2, "after_failed"]]);
      expect(edges(4)).toEqual([
        [1, "after_ok"],
        [3, "after_ok"],
      ]);
      expect(s.jobs.require(4).inputsFrom).toEqual([{ jobId: 1, ext: ".gui" }]);
    });
  });

  it("`workflow show` in text names each step, its jobs and statuses", () => {
    const { dir, env } = project();
    cli(dir, ["workflow", "run", path.join(EXAMPLES, "mgo-opt-freq.yaml")], env);
    const r = cli(dir, ["workflow", "show", "1"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^workflow 1 {2}mgo-opt-freq/);
    expect(r.stdout).toMatch(/\nopt {2}… PENDING {2}\(template optimise\)\n/);
    expect(r.stdout).toMatch(/\nfreq {2}… PENDING {2}\(template frequencies\)\n/);
    expect(cli(dir, ["workflow", "show", "7"], env)).toMatchObject({
      code: 1,
      stderr: "crystal-tui: there is no workflow 7 — see `crystal-tui workflow list`\n",
    });
    expect(cli(dir, ["workflow", "show", "x"], env).code).toBe(2);
  });
});
