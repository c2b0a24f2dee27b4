// Why a pending job has not started, said by `job list` and `job show` from one function
// (src/app/pending-reason.ts): waiting for a parent, for cores, CRYSTAL or mpirun missing, its
// cluster not usable — and an MPI job with no mpirun is not launched into an `exit code 127`.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { whyPending } from "../../src/app/pending-reason.js";
import { discoverCrystal } from "../../src/crystal/environment.js";
import { Store } from "../../src/store/store.js";
import { cli, cliJson, tempProject, writeDeck } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

interface Shown {
  status: string;
  status_reason: string | null;
  pending_reason: string | null;
}

/** A PATH with node and the usual tools but no MPI: a folder of links to what the runs need. */
function pathWithoutMpi(dir: string): string {
  const bin = path.join(dir, "bin-no-mpi");
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  for (const tool of ["sh", "env", "cat", "mkdir", "rm", "cp", "mv", "ls", "kill", "sleep", "ps", "setsid"]) {
    for (const d of ["/usr/bin", "/bin"]) {
      const f = path.join(d, tool);
      if (fs.existsSync(f) && !fs.existsSync(path.join(bin, tool))) fs.symlinkSync(f, path.join(bin, tool));
    }
  }
  return bin;
}

describe("why pending", () => {
  it("waiting for its parent: in job show and in job list", () => {
    const dir = tempProject();
    const a = cliJson<{ id: number }>(dir, ["job", "add", "opt", "--input", writeDeck(dir)]);
    const b = cliJson<{ id: number }>(dir, [
      "job",
      "add",
      "freq",
      "--input",
      writeDeck(dir),
      "--after-ok",
      String(a.id),
    ]);
    const env = standinEnv();
    const shown = cli(dir, ["job", "show", String(b.id)], env);
    expect(shown.stdout).toMatch(
      new RegExp(`^waiting +waiting for job ${a.id} \\(opt\\) \\(PENDING\\) to complete$`, "m"),
    );
    expect(cliJson<Shown>(dir, ["job", "show", String(b.id)], env).pending_reason).toMatch(
      /waiting for job 1/,
    );
    const list = cli(dir, ["job", "list"], env);
    expect(list.stdout).toMatch(/WHY PENDING/);
    expect(list.stdout).toMatch(/freq .*waiting for job 1 \(opt\)/);
    expect(list.stdout).toMatch(/opt .*ready: waits for an engine/);
    expect(cli(dir, ["job", "show", String(a.id)], env).stdout).toMatch(/^can run +yes — ready/m);
  });

  it("an MPI job with no mpirun says so while pending, and is not launched into exit code 127", () => {
    const dir = tempProject();
    const id = cliJson<{ id: number }>(dir, [
      "job",
      "add",
      "mpi",
      "--input",
      writeDeck(dir, "mpi.d12", standinDeck("[standin:aiida-crystal17__mgo_sto3g_scf]")),
      "--ranks",
      "2",
    ]).id;
    const bin = pathWithoutMpi(dir);
    const env = standinEnv({ PATH: bin });
    expect(cliJson<Shown>(dir, ["job", "show", String(id)], env).pending_reason).toMatch(
      /mpirun was not found, and its 2 MPI ranks need it/,
    );
    const run = cli(dir, ["run"], env);
    // the run says why it left the job, and the job waits: not started, not failed
    expect(run.stdout + run.stderr).toMatch(new RegExp(`job ${id} \\(mpi\\) waits: mpirun was not found`));
    const after = cliJson<Shown & { command_line: string | null }>(dir, ["job", "show", String(id)], env);
    expect(after.status).toBe("PENDING");
    expect(after.status_reason ?? "").toMatch(/mpirun was not found/);
    expect(after.pending_reason ?? "").toMatch(/mpirun was not found/);
    expect(after.command_line).toBeNull();
    const folder = cliJson<{ folder: string }>(dir, ["job", "show", String(id)], env).folder;
    expect(fs.existsSync(path.join(folder, "mpi.out")), "CRYSTAL was not started").toBe(false);
    expect(fs.existsSync(path.join(folder, ".run", "stderr"))).toBe(false);

    // an MPI found on PATH (here one that starts the ranks one after the other): the job runs
    fs.writeFileSync(
      path.join(bin, "mpirun"),
      `#!/bin/sh\n[ "$1" = -np ] || exit 2\nn=$2; shift 2\nOMPI_COMM_WORLD_SIZE=$n OMPI_COMM_WORLD_RANK=0 exec "$@"\n`,
      { mode: 0o755 },
    );
    const again = cli(dir, ["run"], env);
    expect(again.code, again.stderr).toBe(0);
    const done = cliJson<Shown>(dir, ["job", "show", String(id)], env);
    expect(done.status, done.status_reason ?? "").toBe("COMPLETED");
  });

  it("waiting for cores, CRYSTAL not found, cluster not usable", async () => {
    const dir = tempProject();
    expect(
      cli(dir, ["cluster", "add", "hpc", "--type", "slurm", "--host", "login.example", "--user", "c"]).code,
    ).toBe(0);
    const big = cliJson<{ id: number }>(dir, [
      "job",
      "add",
      "big",
      "--input",
      writeDeck(dir),
      "--threads",
      "4",
    ]).id;
    const running = cliJson<{ id: number }>(dir, [
      "job",
      "add",
      "busy",
      "--input",
      writeDeck(dir),
      "--threads",
      "6",
    ]).id;
    const remote = cliJson<{ id: number }>(dir, [
      "job",
      "add",
      "far",
      "--input",
      writeDeck(dir),
      "--cluster",
      "hpc",
    ]).id;
    const store = Store.open(dir);
    try {
      store.jobs.transition(running, "QUEUED");
      store.jobs.transition(running, "RUNNING");
      const here = { ...discoverCrystal({ env: { ...process.env, ...standinEnv() } }), cores: 8 };
      expect(here.crystalOMP.path).not.toBeNull();
      expect(await whyPending(store, store.jobs.require(big), { discovery: here })).toEqual({
        kind: "cores",
        text: "waiting for cores (needs 4, 2 free)",
      });
      const nothing = {
        ...discoverCrystal({ env: { PATH: "/nowhere", CRY23_EXEDIR: path.join(dir, "none") } }),
        cores: 8,
      };
      expect((await whyPending(store, store.jobs.require(big), { discovery: nothing }))?.text).toMatch(
        /^crystalOMP was not found on this machine/,
      );
      expect((await whyPending(store, store.jobs.require(remote), { discovery: here }))?.kind).toBe("ready");
      const hpc = store.clusters.getByName("hpc")!;
      store.clusters.update(hpc.id, { status: "inactive" });
      expect((await whyPending(store, store.jobs.require(remote), { discovery: here }))?.text).toMatch(
        /its cluster hpc is inactive/,
      );
      expect(await whyPending(store, store.jobs.require(running))).toBeNull();
    } finally {
      store.close();
    }
  });

  it("a run that fails before CRYSTAL starts gives the first line of its stderr as the reason", () => {
    const dir = tempProject();
    const exedir = path.join(dir, "broken-crystal");
    fs.mkdirSync(exedir);
    fs.writeFileSync(
      path.join(exedir, "crystalOMP"),
      "#!/bin/sh\necho 'crystalOMP: error while loading shared libraries: libmkl_core.so.2: cannot open shared object file' >&2\necho 'second line' >&2\nexit 127\n",
      { mode: 0o755 },
    );
    const id = cliJson<{ id: number }>(dir, ["job", "add", "scf", "--input", writeDeck(dir)]).id;
    cli(dir, ["run"], { CRY23_EXEDIR: exedir, CRY23_SCRDIR: "" });
    const shown = cliJson<Shown>(dir, ["job", "show", String(id)]);
    expect(shown.status).toBe("FAILED");
    expect(shown.status_reason).toMatch(
      /before CRYSTAL started: crystalOMP: error while loading shared libraries: libmkl_core\.so\.2/,
    );
    expect(shown.status_reason).not.toMatch(/second line/);
  });
});
