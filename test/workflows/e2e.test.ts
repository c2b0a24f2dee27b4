// Workflows run end to end by `crystal-tui run` on the CRYSTAL stand-in (real processes replaying
// real CRYSTAL outputs): opt → freq with the optimised geometry staged as fort.34, failures
// handled by the recovery policies (retry from the last wavefunction with more damping; continue
// an interrupted optimisation from its last geometry), attempts capped, dependents waiting for the
// retry instead of being skipped.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installStandin } from "../../src/crystal/standin.js";
import { Store } from "../../src/store/store.js";
import { cli, cliJson, MGO_DECK, ROOT, tempProject, writeDeck } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";
import { sql } from "../store/raw-sql.js";

const EXAMPLES = path.join(ROOT, "examples/workflows");
let exedir = "";

beforeAll(() => {
  exedir = tempProject("ctui-standin-");
  installStandin(exedir);
});

function project() {
  const dir = tempProject();
  const counter = path.join(dir, "starts.log");
  const env: NodeJS.ProcessEnv = {
    XDG_CONFIG_HOME: path.join(dir, ".config"),
    CRYSTAL_TUI_TEMPLATES_DIR: "",
    CRY23_EXEDIR: exedir,
    CRYSTAL_STANDIN_DELAY_MS: "0",
    CRYSTAL_STANDIN_COUNTER: counter,
    CRYSTAL_STANDIN_MODE: "",
    CRYSTAL_STANDIN_RECORDING: "",
  };
  return {
    dir,
    env,
    starts: () => (fs.existsSync(counter) ? fs.readFileSync(counter, "utf8").trim().split("\n") : []),
  };
}

function run(dir: string, env: NodeJS.ProcessEnv) {
  const r = cli(dir, ["run"], env);
  expect(r.stderr).not.toMatch(/internal error/);
  return r;
}

function withStore<T>(dir: string, fn: (s: Store) => T): T {
  const s = Store.open(dir);
  try {
    return fn(s);
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

describe("opt → freq on the stand-in", () => {
  it("stages the optimised geometry as fort.34 of the frequency run and renders its deck from the result", () => {
    const { dir, env, starts } = project();
    cliJson(dir, ["workflow", "run", path.join(EXAMPLES, "mgo-opt-freq.yaml")], env);
    const r = run(dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);
    withStore(dir, (s) => {
      const opt = s.jobs.require(1);
      const freq = s.jobs.require(2);
      expect([opt.status, freq.status]).toEqual(["COMPLETED", "COMPLETED"]);
      const optGui = path.join(jobFolder(s, opt), "opt.gui");
      const freqGui = path.join(jobFolder(s, freq), "freq.gui");
      // the optimisation's fort.34, kept as opt.gui, became the frequency job's input
      expect(fs.readFileSync(freqGui, "utf8")).toBe(fs.readFileSync(optGui, "utf8"));
      expect(fs.readFileSync(optGui, "utf8").length).toBeGreaterThan(50);
      // rendered at start, with the optimisation's energy in the title
      const energy = opt.finalEnergy!;
      expect(energy).toBeCloseTo(-271.2596206888, 6);
      const deck = fs.readFileSync(path.join(jobFolder(s, freq), "freq.d12"), "utf8");
      expect(deck).toBe(freq.inputFile);
      expect(deck.split("\n").slice(0, 3)).toEqual([
        `MgO frequencies at the optimised geometry, E(opt) = ${energy.toPrecision(12).replace(/0+$/, "")} Ha`,
        "EXTERNAL",
        "FREQCALC",
      ]);
      expect(freq.keyResults?.calc_type).toBe("freq");
    });
    expect(starts().map((l) => l.split(" ").slice(2).join(" "))).toEqual([
      "MgO optimisation",
      expect.stringMatching(/^MgO frequencies at the optimised geometry, E\(opt\) = -271\.259/),
    ]);
    const show = cliJson<{ steps: { name: string; status: string }[] }>(dir, ["workflow", "show", "1"], env);
    expect(show.steps.map((st) => [st.name, st.status])).toEqual([
      ["opt", "COMPLETED"],
      ["freq", "COMPLETED"],
    ]);
  });

  it("(control) the stand-in refuses an EXTERNAL deck when no fort.34 was staged", () => {
    const { dir, env } = project();
    const deck = writeDeck(
      dir,
      "ext.d12",
      MGO_DECK.replace("CRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 0.5 0.5 0.5\n", "EXTERNAL\n"),
    );
    expect(fs.readFileSync(deck, "utf8")).toMatch(/^MgO bulk test\nEXTERNAL\nEND\n/);
    cliJson(dir, ["job", "add", "ext", "-i", deck, "--no-check"]);
    run(dir, env);
    withStore(dir, (s) => {
      const job = s.jobs.require(1);
      expect(job.status).toBe("FAILED");
      expect(fs.readFileSync(path.join(jobFolder(s, job), "ext.out"), "utf8")).toMatch(/fort\.34 NOT FOUND/);
    });
  });
});

const NOT_CONVERGING = "[standin:aiida-crystal17__nio_sto3g_afm_scf_maxcyc]";

describe("recovery policies on the stand-in", () => {
  it("retries an SCF that did not converge from its last wavefunction with more damping, and stops after max_attempts", () => {
    const { dir, env, starts } = project();
    const file = writeFile(
      dir,
      "wf.yaml",
      `steps:
  scf:
    template: single-point
    recovery: {max_attempts: 3}
    params: {title: "NiO ${NOT_CONVERGING}", fmixing: 30, maxcycle: 60}
  next:
    template: single-point
    after_ok: [scf]
`,
    );
    cliJson(dir, ["workflow", "run", file], env);
    const r = run(dir, env);
    expect(r.code).toBe(0);
    withStore(dir, (s) => {
      const attempts = [1, 3, 4].map((id) => s.jobs.require(id));
      expect(attempts.map((j) => [j.name, j.attempt, j.retryOf, j.status])).toEqual([
        ["scf", 1, null, "FAILED"],
        ["scf", 2, 1, "FAILED"],
        ["scf", 3, 3, "FAILED"],
      ]);
      expect(attempts.map((j) => j.keyResults?.error_kind)).toEqual([
        "scf_not_converged",
        "scf_not_converged",
        "scf_not_converged",
      ]);
      const [first, second, third] = attempts as [
        (typeof attempts)[0],
        (typeof attempts)[0],
        (typeof attempts)[0],
      ];
      expect(first.inputFile).toMatch(/\nMAXCYCLE\n60\nFMIXING\n30\nEND\n$/);
      expect(second.inputFile).toMatch(/\nMAXCYCLE\n120\nFMIXING\n50\nGUESSP\nEND\n$/);
      expect(third.inputFile).toMatch(/\nMAXCYCLE\n240\nFMIXING\n70\nGUESSP\nEND\n$/);
      // GUESSP reads fort.20: each retry got the previous attempt's fort.9 (the stand-in refuses GUESSP without it)
      expect(second.inputsFrom).toEqual([{ jobId: 1, ext: ".f9" }]);
      expect(third.inputsFrom).toEqual([{ jobId: 3, ext: ".f9" }]);
      for (const j of [second, third]) {
        expect(fs.existsSync(path.join(jobFolder(s, j), "scf.f9"))).toBe(true);
        expect(fs.readFileSync(path.join(jobFolder(s, j), "scf.out"), "utf8")).not.toMatch(/NOT FOUND/);
      }
      expect(first.statusReason).toMatch(
        /— retried as job 3 \(attempt 2 of 3: GUESSP from its last wavefunction, FMIXING 50, MAXCYCLE 120\)/,
      );
      expect(third.statusReason).toMatch(/— not retried: attempt 3 of 3$/);
      // the dependent waited for every attempt, then could never run
      const next = s.jobs.require(2);
      expect(next.status).toBe("SKIPPED");
      expect(s.dependencies.dependenciesOf(2).map((d) => d.dependsOnJobId)).toEqual([4]);
      expect(next.statusReason).toMatch(/job 4 \(scf\)/);
      expect(s.jobs.count()).toBe(4);
    });
    expect(starts()).toHaveLength(3);
    const show = cliJson<{
      steps: { name: string; status: string; jobs: { id: number; latest: boolean }[] }[];
    }>(dir, ["workflow", "show", "1"], env);
    expect(show.steps[0]!.jobs.map((j) => [j.id, j.latest])).toEqual([
      [1, false],
      [3, false],
      [4, true],
    ]);
    expect(show.steps.map((st) => st.status)).toEqual(["FAILED", "FAILED"]);
  });

  it("a retry that converges lets the dependents go on, with the retry's wavefunction", () => {
    const { dir, env } = project();
    // a project template whose deck asks the stand-in for a converging recording from attempt 2 on
    writeFile(
      dir,
      "templates/stubborn.yaml",
      fs
        .readFileSync(path.join(ROOT, "templates/single-point.yaml"), "utf8")
        .replace("name: single-point", "name: stubborn")
        .replace(
          "deck: |\n  {{ title }}",
          `deck: |\n  {{ title }} {{ "[standin:aiida-crystal17__mgo_sto3g_scf]" if attempt and attempt > 1 else "${NOT_CONVERGING}" }}`,
        ),
    );
    const file = writeFile(
      dir,
      "wf.yaml",
      `steps:
  scf:
    template: stubborn
  bands:
    template: bands
    wavefunction_from: scf
  again:
    template: single-point
    wavefunction_from: scf
    params: {title: "restart from the converged wavefunction"}
`,
    );
    cliJson(dir, ["workflow", "run", file], env);
    run(dir, env);
    withStore(dir, (s) => {
      const retry = s.jobs.require(4);
      expect(retry).toMatchObject({ name: "scf", attempt: 2, retryOf: 1, status: "COMPLETED" });
      expect(retry.inputFile!.split("\n")[0]).toMatch(/\[standin:aiida-crystal17__mgo_sto3g_scf\]$/);
      const again = s.jobs.require(3);
      expect(again.status).toBe("COMPLETED");
      expect(again.inputsFrom).toEqual([{ jobId: 4, ext: ".f9" }]);
      expect(s.dependencies.dependenciesOf(3).map((d) => d.dependsOnJobId)).toEqual([4]);
      expect(fs.readFileSync(path.join(jobFolder(s, again), "again.f9"), "utf8")).toBe(
        fs.readFileSync(path.join(jobFolder(s, retry), "scf.f9"), "utf8"),
      );
      // the band structure waited for the retry too
      expect(s.jobs.require(2).inputsFrom).toEqual([{ jobId: 4, ext: ".f9" }]);
      expect(s.dependencies.dependenciesOf(2).map((d) => d.dependsOnJobId)).toEqual([4]);
    });
  });

  it("continues an optimisation stopped by the walltime from its last geometry and Hessian", () => {
    const { dir, env } = project();
    const file = writeFile(
      dir,
      "wf.yaml",
      `steps:
  opt:
    template: optimise
    recovery: {max_attempts: 2, on: [walltime]}
    parallelism: {time: "00:30:00"}
    params: {title: "NiO [standin:aiida-crystal17__nio_sto3g_afm_opt_walltime]"}
`,
    );
    cliJson(dir, ["workflow", "run", file], env);
    run(dir, env);
    withStore(dir, (s) => {
      const first = s.jobs.require(1);
      const second = s.jobs.require(2);
      expect(first.keyResults).toMatchObject({ status: "incomplete", error_kind: "killed" });
      expect(first.status).toBe("FAILED");
      expect(second).toMatchObject({ attempt: 2, retryOf: 1, parallelism: { time: "01:00:00" } });
      expect(second.inputFile!.split("\n").slice(1, 3)).toEqual(["EXTERNAL", "OPTGEOM"]);
      // the continuation `job restart` makes: OPTGEOM RESTART from OPTINFO.DAT, HESSOPT from HESSOPT.DAT
      const optgeom = /\nOPTGEOM\n([\s\S]*?)\nENDOPT\n/.exec(second.inputFile!)?.[1]?.split("\n");
      expect(optgeom).toContain("RESTART");
      expect(optgeom).toContain("HESSOPT");
      expect(second.inputsFrom).toEqual([
        { jobId: 1, ext: ".gui" },
        { jobId: 1, ext: ".optinfo" },
        { jobId: 1, ext: ".hessopt", optional: true },
      ]);
      // the stand-in read EXTERNAL's fort.34 (it stops without it) and replayed the same interrupted run
      const out = fs.readFileSync(path.join(jobFolder(s, second), "opt.out"), "utf8");
      expect(out).not.toMatch(/NOT FOUND/);
      expect(second.keyResults?.status).toBe("incomplete");
      expect(fs.readFileSync(path.join(jobFolder(s, second), "opt.gui"), "utf8")).toBe(
        fs.readFileSync(path.join(jobFolder(s, first), "opt.gui"), "utf8"),
      );
      expect(second.statusReason).toMatch(/not retried: attempt 2 of 2/);
      expect(s.jobs.count()).toBe(2);
    });
  });

  it("leaves failures it cannot help alone (a crash), and steps with recovery: false", () => {
    const { dir, env } = project();
    const file = writeFile(
      dir,
      "wf.yaml",
      `steps:
  crash:
    template: single-point
    params: {title: "x [standin:crash]"}
  off:
    template: single-point
    recovery: false
    params: {title: "y ${NOT_CONVERGING}"}
`,
    );
    cliJson(dir, ["workflow", "run", file], env);
    run(dir, env);
    withStore(dir, (s) => {
      expect(s.jobs.count()).toBe(2);
      expect(s.jobs.require(1).status).toBe("FAILED");
      expect(s.jobs.require(2)).toMatchObject({ status: "FAILED", attempt: 1 });
    });
  });
});

describe("aggregates on the stand-in", () => {
  it("the SHRINK scan gives its convergence table (the stand-in replays one recording: all equal)", () => {
    const { dir, env } = project();
    cliJson(dir, ["workflow", "run", path.join(EXAMPLES, "mgo-shrink-convergence.yaml")], env);
    run(dir, env);
    const show = cliJson<{
      results: {
        table: {
          status: string;
          table: { rows: { value: number; quantity: number }[]; converged_at: number };
        };
      };
    }>(dir, ["workflow", "show", "1"], env);
    const t = show.results.table;
    expect(t.status).toBe("done");
    expect(t.table.rows.map((r) => r.value)).toEqual([4, 6, 8, 10, 12]);
    for (const row of t.table.rows) expect(row.quantity).toBeCloseTo(-271.21814374931, 6);
    expect(t.table.converged_at).toBe(4);
    const text = cli(dir, ["workflow", "show", "1"], env).stdout;
    expect(text).toMatch(/convergence of final_energy_hartree \(tolerance 0\.00001\): done/);
    expect(text).toMatch(/converged from shrink = 4/);
    // stored for the TUI too
    withStore(dir, (s) => {
      const row = sql(s).prepare("SELECT results FROM workflows WHERE id = 1").get() as { results: string };
      expect(JSON.parse(row.results).table.status).toBe("done");
    });
  });

  it("the EOS example says why it cannot fit energies that do not change", () => {
    const { dir, env } = project();
    cliJson(dir, ["workflow", "run", path.join(EXAMPLES, "mgo-eos.yaml")], env);
    run(dir, env);
    const show = cliJson<{
      results: { fit: { status: string; error: string; points: { volume: number }[] } };
    }>(dir, ["workflow", "show", "1"], env);
    expect(show.results.fit.status).toBe("failed");
    expect(show.results.fit.points.map((p) => p.volume)).toEqual(
      [4.05, 4.1, 4.15, 4.2, 4.25, 4.3, 4.35].map((a) => expect.closeTo(a ** 3 / 4, 9)),
    );
    expect(show.results.fit.error).toMatch(/no minimum/);
  });
});
