// The engine with the local runner, end to end on the CRYSTAL stand-in: dependency order, failure
// handling for each dependency type, fan-out/fan-in, cancel, the MPI path, results in the database.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { CLI, cli, cliJson, tempProject } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

interface JobJson {
  id: number;
  name: string;
  status: string;
  status_reason: string | null;
  final_energy: number | null;
  started_at: string | null;
  completed_at: string | null;
  command_line: string | null;
  key_results: Record<string, unknown> | null;
  history: { from: string | null; to: string; reason: string | null }[];
  folder: string;
}

function addJob(project: string, name: string, deck: string, extra: string[] = []): number {
  const file = path.join(project, `${name}.input.d12`);
  fs.writeFileSync(file, deck);
  return cliJson<{ id: number }>(project, ["job", "add", name, "--input", file, ...extra]).id;
}

const show = (project: string, id: number) => cliJson<JobJson>(project, ["job", "show", String(id)]);

describe("engine + local runner on the CRYSTAL stand-in", () => {
  it("runs a chain a → b → c in order and stores each result", () => {
    const project = tempProject();
    const counter = path.join(project, "starts.log");
    const a = addJob(project, "a", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"));
    const b = addJob(project, "b", standinDeck("[standin:aiida-crystal17__mgo_sto3g_opt]"), [
      "--after-ok",
      String(a),
    ]);
    const c = addJob(project, "c", standinDeck("[standin:CRYSTALpytools__out_mgoSCF]"), [
      "--after-ok",
      String(b),
    ]);
    const run = cli(project, ["run"], standinEnv({ CRYSTAL_STANDIN_COUNTER: counter }));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/3 finished \(3 COMPLETED\)/);
    const [ja, jb, jc] = [a, b, c].map((id) => show(project, id));
    for (const j of [ja, jb, jc]) expect(j!.status, `${j!.name}: ${j!.status_reason}`).toBe("COMPLETED");
    expect(ja!.final_energy).toBeCloseTo(-271.21814374931, 6);
    expect(jb!.final_energy).toBeCloseTo(-271.2596206888, 6);
    expect(jc!.final_energy).toBeCloseTo(-275.44859113743, 6);
    expect(jb!.key_results?.calc_type).toBe("opt");
    // b started only after a completed, c only after b
    expect(jb!.started_at! >= ja!.completed_at!).toBe(true);
    expect(jc!.started_at! >= jb!.completed_at!).toBe(true);
    expect(fs.readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(3);
    // outputs kept in the job folder under CRYSTAL's conventions; scratch removed after success
    const files = fs.readdirSync(jb!.folder);
    expect(files).toEqual(expect.arrayContaining(["b.d12", "b.out", "b.f9", "b.gui"]));
    expect(files).not.toContain("scratch");
    expect(ja!.command_line).toMatch(/crystalOMP/);
    expect(ja!.command_line).toMatch(/OMP_NUM_THREADS=1/);
    expect(ja!.history.map((h) => h.to)).toEqual(["PENDING", "QUEUED", "RUNNING", "COMPLETED"]);
  });

  it("a failing job: after_ok dependent skipped with the reason, after_failed and after_any dependents run", () => {
    const project = tempProject();
    const bad = addJob(project, "bad", standinDeck("[standin:aiida-crystal17__nio_sto3g_afm_scf_maxcyc]"));
    const ok = addJob(project, "needs_ok", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"), [
      "--after-ok",
      String(bad),
    ]);
    const rescue = addJob(project, "rescue", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"), [
      "--after-failed",
      String(bad),
    ]);
    const any = addJob(project, "anyway", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"), [
      "--after-any",
      String(bad),
    ]);
    const grandchild = addJob(project, "grandchild", standinDeck("x"), ["--after-ok", String(ok)]);
    const run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    const jb = show(project, bad);
    expect(jb.status).toBe("FAILED");
    expect(jb.status_reason).toMatch(/SCF did not converge/);
    expect(show(project, ok)).toMatchObject({ status: "SKIPPED" });
    expect(show(project, ok).status_reason).toMatch(
      /after_ok on job \d+ \(bad\) can never be met: it ended FAILED/,
    );
    expect(show(project, grandchild).status_reason).toMatch(
      /\(needs_ok\) can never be met: it ended SKIPPED/,
    );
    expect(show(project, rescue).status).toBe("COMPLETED");
    expect(show(project, any).status).toBe("COMPLETED");
    // the failed run's scratch is kept for inspection
    expect(fs.existsSync(path.join(jb.folder, "scratch", "INPUT"))).toBe(true);
    const human = cli(project, ["job", "show", String(bad)]).stdout;
    expect(human).toMatch(/FAILED — SCF did not converge/);
  });

  it("a crash (signal) and a non-zero exit are failures with the reason", () => {
    const project = tempProject();
    const crash = addJob(project, "crash", standinDeck("[standin:crash]"));
    const exit3 = addJob(project, "exit3", standinDeck("[standin:exit=3]"));
    const run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(show(project, crash)).toMatchObject({ status: "FAILED" });
    expect(show(project, crash).status_reason).toMatch(/killed by SIG(SEGV|KILL)/);
    expect(show(project, exit3).status_reason).toMatch(/exit code 3/);
  });

  it("fan-out from one job and fan-in to one job", () => {
    const project = tempProject();
    const root = addJob(project, "root", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"));
    const leaves = [1, 2, 3, 4].map((i) =>
      addJob(project, `leaf${i}`, standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"), [
        "--after-ok",
        String(root),
      ]),
    );
    const sink = addJob(project, "sink", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"), [
      ...leaves.flatMap((l) => ["--after-ok", String(l)]),
    ]);
    const run = cli(project, ["run", "--max-jobs", "2"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    const all = [root, ...leaves, sink].map((id) => show(project, id));
    expect(all.every((j) => j.status === "COMPLETED")).toBe(true);
    const sinkStart = all.at(-1)!.started_at!;
    for (const leaf of all.slice(1, 5)) {
      expect(leaf.started_at! >= all[0]!.completed_at!).toBe(true);
      expect(sinkStart >= leaf.completed_at!).toBe(true);
    }
  });

  it("job cancel from another process stops a running job within a poll; a pending one at once", async () => {
    const project = tempProject();
    const hang = addJob(project, "hang", standinDeck("[standin:hang]"));
    const later = addJob(project, "later", standinDeck("x"), ["--after-ok", String(hang)]);
    const engine = spawn(process.execPath, [CLI, "--project", project, "run"], {
      env: { ...process.env, ...standinEnv() },
      stdio: "ignore",
    });
    const exited = new Promise<number>((r) => engine.on("exit", (c) => r(c ?? -1)));
    const deadline = Date.now() + 15_000;
    while (show(project, hang).status !== "RUNNING") {
      if (Date.now() > deadline) throw new Error("job never started");
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = cliJson<{ pid: number }>(project, ["job", "show", String(hang)]).pid;
    const t0 = Date.now();
    const cancel = cli(project, ["job", "cancel", String(hang)]);
    expect(cancel.stdout).toMatch(/cancel requested/);
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    const j = show(project, hang);
    expect(j.status).toBe("CANCELLED");
    expect(j.status_reason).toMatch(/cancelled/);
    expect(show(project, later).status).toBe("SKIPPED");
    // the whole process group is gone
    expect(() => process.kill(-pid, 0)).toThrow();
    // a pending job is cancelled at once, no engine needed
    const pending = addJob(project, "pending", standinDeck("x"));
    expect(cli(project, ["job", "cancel", String(pending)]).stdout).toMatch(/cancelled/);
    expect(show(project, pending).status).toBe("CANCELLED");
  }, 40_000);

  it("MPI path: ranks > 1 runs PcrystalOMP under the configured mpirun", () => {
    const project = tempProject();
    const bin = path.join(project, "fakempi");
    fs.mkdirSync(bin);
    const log = path.join(project, "mpirun.log");
    // a fake mpirun: records how it was called, then runs the program once (one "rank")
    fs.writeFileSync(
      path.join(bin, "mpirun"),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\n[ "$1" = "-np" ] && shift 2\nOMPI_COMM_WORLD_SIZE=4 exec "$@"\n`,
      { mode: 0o755 },
    );
    const id = addJob(project, "mpi", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]"), [
      "--ranks",
      "4",
      "--threads",
      "2",
    ]);
    const run = cli(project, ["run", "--cores", "8"], standinEnv({ PATH: `${bin}:${process.env.PATH}` }));
    expect(run.code, run.stderr).toBe(0);
    const j = show(project, id);
    expect(j.status, j.status_reason ?? "").toBe("COMPLETED");
    expect(j.command_line).toMatch(/mpirun -np 4 \S*PcrystalOMP/);
    expect(j.command_line).toMatch(/OMP_NUM_THREADS=2/);
    expect(fs.readFileSync(log, "utf8")).toMatch(/^-np 4 \S*PcrystalOMP$/m);
  });

  it("stages auxiliary inputs under CRYSTAL's names (EXTERNAL reads fort.34)", () => {
    const project = tempProject();
    const gui = path.join(project, "start.gui");
    fs.copyFileSync(
      path.join(
        import.meta.dirname,
        "../../fixtures/crystal-outputs/aiida-crystal17__nio_sto3g_afm_opt_walltime.gui",
      ),
      gui,
    );
    const deck =
      "NiO from geometry [standin:aiida-crystal17__mgo_sto3g_scf]\nEXTERNAL\nEND\nBASISSET\nSTO-3G\nEND\n";
    const withGeom = addJob(project, "withgeom", deck, ["--aux", gui]);
    const without = addJob(project, "nogeom", deck, ["--no-check"]);
    expect(cli(project, ["run"], standinEnv()).code).toBe(0);
    expect(show(project, withGeom).status).toBe("COMPLETED");
    // without the geometry the stand-in fails like CRYSTAL does: staging really happened above
    expect(show(project, without).status).toBe("FAILED");
  });

  it("opt → freq: the second job starts from the first one's optimised geometry (fort.34)", () => {
    const project = tempProject();
    const opt = addJob(
      project,
      "opt",
      standinDeck("[standin:aiida-crystal17__mgo_sto3g_opt]").replace(
        "END\nBASISSET",
        "OPTGEOM\nFULLOPTG\nEND\nEND\nBASISSET",
      ),
    );
    const freqDeck =
      "MgO freq [standin:pycrystal__raman]\nEXTERNAL\nFREQCALC\nEND\nEND\nBASISSET\nSTO-3G\nSHRINK\n8 8\nEND\n";
    const freq = addJob(project, "freq", freqDeck, ["--geometry-from", String(opt)]);
    const run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    const jo = show(project, opt);
    const jf = show(project, freq);
    expect(jo.status, jo.status_reason ?? "").toBe("COMPLETED");
    expect(jf.status, jf.status_reason ?? "").toBe("COMPLETED");
    // the optimised geometry went from opt's folder into freq's, byte for byte
    expect(fs.readFileSync(path.join(jf.folder, "freq.gui"), "utf8")).toBe(
      fs.readFileSync(path.join(jo.folder, "opt.gui"), "utf8"),
    );
    expect(jf.key_results?.calc_type).toBe("freq");
  });

  it("with no CRYSTAL installed, `run` says how to fix it and changes nothing", () => {
    const project = tempProject();
    const id = addJob(project, "a", standinDeck("x"));
    const r = cli(project, ["run"], {
      CRY23_EXEDIR: path.join(project, "nowhere"),
      CRY23_ROOT: "",
      PATH: "/usr/bin:/bin",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/crystalOMP was not found — set CRY23_EXEDIR/);
    const store = Store.open(project);
    expect(store.jobs.require(id).status).toBe("PENDING");
    expect(store.events.forJob(id)).toHaveLength(1);
    store.close();
  });
});
