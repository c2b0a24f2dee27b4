// The scripts crystal-tui runs on remote machines: sbatch scripts and the SSH runner's wrapper,
// compared with golden files (test/runners/golden/, refreshed with UPDATE_GOLDEN=1), every bad value
// refused with an error naming its field, and a property test that no value — whatever it holds —
// can add a line, an #SBATCH directive or a command to a script.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/domain/errors.js";
import type { Cluster, Job, Parallelism } from "../../src/domain/types.js";
import { isLoopbackHost, pollIntervalMsFor } from "../../src/runners/remote-run.js";
import { environmentLines } from "../../src/runners/remote-script.js";
import { renderSbatch, type SbatchInput } from "../../src/runners/sbatch.js";
import { wrapperScript } from "../../src/runners/ssh.js";
import { clusterRecord } from "../helpers/cluster-record.js";

const GOLDEN = path.join(import.meta.dirname, "golden");

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.golden`);
  if (process.env.UPDATE_GOLDEN === "1" || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== "1")
      throw new Error(`golden file ${file} was missing: written, check it in`);
  }
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}

function cluster(config: Cluster["config"] = {}, name = "hpc"): Cluster {
  return clusterRecord({ name, config });
}

function job(parallelism: Parallelism = {}, name = "mgo", id = 7): Pick<Job, "id" | "name" | "parallelism"> {
  return { id, name, parallelism };
}

const DIR = "/scratch/chem/crystal-tui/7-mgo-0a1b2c3d4e5f";
const TOKEN = "0a1b2c3d4e5f";

describe("sbatch scripts (golden files)", () => {
  it("one rank: crystalOMP with OMP_NUM_THREADS from --cpus-per-task", () => {
    golden(
      "sbatch-openmp",
      renderSbatch({ job: job({ threads_per_rank: 4 }), cluster: cluster(), dir: DIR, token: TOKEN }).script,
    );
  });

  it("MPI ranks with every resource, modules, environment, CRYSTAL folder", () => {
    const rendered = renderSbatch({
      job: job({
        mpi_ranks: 64,
        threads_per_rank: 2,
        nodes: 2,
        time: "1-12:00:00",
        partition: "compute",
        qos: "normal",
        account: "chem-123",
        mem: "180G",
        constraint: "skylake&ib",
      }),
      cluster: cluster({
        modules: ["intel-oneapi-mpi/2021.9.0", "CRYSTAL/23"],
        env: { I_MPI_PMI_LIBRARY: "/usr/lib64/libpmi2.so", CRY23_SCRDIR: "/local/scratch" },
        crystal_exedir: "~/CRYSTAL23/bin/Linux-ifort_i64_omp/v1.0.1",
        account: "ignored-when-the-job-says",
      }),
      dir: DIR,
      token: TOKEN,
    });
    golden("sbatch-mpi-full", rendered.script);
    expect(rendered.directives).toContain("--ntasks=64");
    expect(rendered.directives).toContain("--cpus-per-task=2");
    expect(rendered.directives).toContain("--account=chem-123");
    expect(rendered.commandLine).toBe(
      `cd ${DIR} && srun --ntasks=64 --cpus-per-task=2 '~/CRYSTAL23/bin/Linux-ifort_i64_omp/v1.0.1/PcrystalOMP' < INPUT > mgo.out`,
    );
  });

  it("dependencies on parents queued on the same cluster, by type", () => {
    const rendered = renderSbatch({
      job: job(),
      cluster: cluster({ partition: "debug", qos: "short" }),
      dir: DIR,
      token: TOKEN,
      dependencies: [
        { jobId: "101", type: "after_ok" },
        { jobId: "102", type: "after_ok" },
        { jobId: "103", type: "after_any" },
        { jobId: "104", type: "after_failed" },
      ],
    });
    golden("sbatch-dependencies", rendered.script);
    expect(rendered.directives).toContain("--dependency=afterok:101:102,afterany:103,afternotok:104");
    expect(rendered.directives).toContain("--kill-on-invalid-dep=no");
    expect(rendered.directives).toContain("--partition=debug");
  });

  it("a properties deck runs `properties` as one process unless ranks are asked, then Pproperties", () => {
    const doss = "NEWK\n8 8\n1 0\nDOSS\n0 100 4 9 1 12 0\nEND\n";
    const rendered = renderSbatch({
      job: { ...job({ threads_per_rank: 2 }), inputFile: doss },
      cluster: cluster(),
      dir: DIR,
      token: TOKEN,
    });
    golden("sbatch-properties", rendered.script);
    expect(rendered.directives).toContain("--ntasks=1");
    expect(rendered.script).not.toContain("srun");
    expect(rendered.script).not.toContain("crystal_succeeded"); // the verdict check reads crystal outputs only
    expect(rendered.commandLine).toBe(`cd ${DIR} && properties < INPUT > mgo.out`);
    const mpi = renderSbatch({
      job: { ...job({ mpi_ranks: 8, threads_per_rank: 2 }), inputFile: doss },
      cluster: cluster(),
      dir: DIR,
      token: TOKEN,
    });
    expect(mpi.directives).toContain("--ntasks=8");
    expect(mpi.commandLine).toBe(
      `cd ${DIR} && srun --ntasks=8 --cpus-per-task=2 Pproperties < INPUT > mgo.out`,
    );
  });

  it("the SSH runner's wrapper: mpirun for several ranks, PID and exit code recorded", () => {
    const wrapper = wrapperScript(
      cluster({ mpirun: "mpirun --bind-to none" }),
      { ...job({ mpi_ranks: 4, threads_per_rank: 2 }), status: "QUEUED" } as Job,
      DIR,
      TOKEN,
    );
    golden("ssh-wrapper-mpi", wrapper);
    expect(wrapper).toContain(`mpirun --bind-to none -np 4 "\${CRY23_EXEDIR:+$CRY23_EXEDIR/}PcrystalOMP"`);
  });

  it("scripts are valid shell", () => {
    for (const file of fs.readdirSync(GOLDEN)) {
      const r = spawnSync("bash", ["-n", path.join(GOLDEN, file)], { encoding: "utf8" });
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
    }
  });
});

describe("every value is validated, and the error names the field", () => {
  const cases: [string, Partial<SbatchInput>, RegExp][] = [
    ["partition with a space", { job: job({ partition: "a b" }) }, /partition "a b" is not valid/],
    ["time without seconds", { job: job({ time: "1:00" }) }, /time "1:00" is not valid/],
    ["memory with a space", { job: job({ mem: "4 G" }) }, /mem "4 G" is not valid/],
    ["qos with a quote", { job: job({ qos: "x'y" }) }, /qos "x'y" is not valid/],
    ["account with a newline", { job: job({ account: "a\n#SBATCH --mem=1T" }) }, /account .* is not valid/],
    ["constraint with a dollar", { job: job({ constraint: "$(id)" }) }, /constraint .* is not valid/],
    ["zero ranks", { job: job({ mpi_ranks: 0 }) }, /ranks \(mpi_ranks\) must be a whole number/],
    ["a job name with a newline", { job: job({}, "mgo\n#SBATCH --qos=high") }, /job name .* is not allowed/],
    [
      "a cluster partition with a semicolon",
      { cluster: cluster({ partition: "debug;rm" }) },
      /on cluster 'hpc': partition/,
    ],
    [
      "a module with a semicolon",
      { cluster: cluster({ modules: ["CRYSTAL; rm -rf ~"] }) },
      /module "CRYSTAL; rm -rf ~" is not a module name/,
    ],
    [
      "an environment value with a newline",
      { cluster: cluster({ env: { X: "a\nb" } }) },
      /environment variable X/,
    ],
    [
      "an environment name that is not one",
      { cluster: cluster({ env: { "A-B": "1" } }) },
      /environment variable name "A-B"/,
    ],
    [
      "a CRYSTAL folder with a newline",
      { cluster: cluster({ crystal_exedir: "/opt\n/x" }) },
      /crystal_exedir/,
    ],
    ["a job folder with a space", { dir: "/scratch/my runs/7-mgo" }, /remote_dir/],
    [
      "a parent id that is not a number",
      { dependencies: [{ jobId: "1;2", type: "after_ok" }] },
      /SLURM job id "1;2"/,
    ],
  ];
  it.each(cases)("%s", (_what, override, message) => {
    const input: SbatchInput = { job: job(), cluster: cluster(), dir: DIR, token: TOKEN, ...override };
    expect(() => renderSbatch(input)).toThrow(UserError);
    expect(() => renderSbatch(input)).toThrow(message);
  });
});

describe("no value can inject a line, a directive or a command (property)", () => {
  // strings shells and sbatch treat specially, mixed with arbitrary unicode
  const nasty = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc
      .array(
        fc.constantFrom(
          "\n",
          "\r",
          "#SBATCH --mem=1T",
          "'",
          '"',
          "$(id)",
          "`id`",
          ";",
          "&&",
          " ",
          "\\",
          `\${X}`,
          "\t",
          "é",
          "∑",
          "--",
          "*",
          "%j",
        ),
        { maxLength: 6 },
      )
      .map((parts) => parts.join("")),
    fc.stringMatching(/^[A-Za-z0-9_.+-]{1,10}$/),
  );
  const field = fc.constantFrom(
    "partition",
    "qos",
    "account",
    "mem",
    "constraint",
    "time",
    "name",
    "module",
    "env",
    "exedir",
    "dir",
  );

  const baseline = renderSbatch({
    job: job({ partition: "p", qos: "q", account: "a", mem: "1G", constraint: "c", time: "00:10:00" }),
    cluster: cluster({ modules: ["m"], env: { V: "v" }, crystal_exedir: "/opt/crystal" }),
    dir: DIR,
    token: TOKEN,
  });
  const lines = (s: string) => s.split("\n");
  const directives = (s: string) => lines(s).filter((l) => l.startsWith("#SBATCH"));

  it("a rendered script has exactly the expected lines and #SBATCH options", () => {
    let rendered = 0;
    fc.assert(
      fc.property(field, nasty, (which, value) => {
        fc.pre(!(which === "exedir" && value === "")); // an empty folder means "not set": one line fewer
        const p: Parallelism = {
          partition: "p",
          qos: "q",
          account: "a",
          mem: "1G",
          constraint: "c",
          time: "00:10:00",
        };
        const config: Cluster["config"] = { modules: ["m"], env: { V: "v" }, crystal_exedir: "/opt/crystal" };
        let name = "mgo";
        let dir = DIR;
        if (which === "name") name = value;
        else if (which === "module") config.modules = [value];
        else if (which === "env") config.env = { V: value };
        else if (which === "exedir") config.crystal_exedir = value;
        else if (which === "dir") dir = value;
        else (p as Record<string, unknown>)[which] = value;
        let script: string;
        try {
          script = renderSbatch({ job: job(p, name), cluster: cluster(config), dir, token: TOKEN }).script;
        } catch (err) {
          expect(err).toBeInstanceOf(UserError);
          expect((err as Error).message).not.toContain("\n");
          return;
        }
        rendered++;
        // same number of lines, same directives (option names), in the same places
        expect(lines(script).length).toBe(lines(baseline.script).length);
        expect(directives(script).map((d) => d.split("=")[0])).toEqual(
          directives(baseline.script).map((d) => d.split("=")[0]),
        );
        for (const d of directives(script)) expect(d).toMatch(/^#SBATCH --[a-z-]+=[^\s'"`$;\\]+$/);
        // a value only ever appears inside its own line
        lines(script).forEach((line, i) => {
          const before = lines(baseline.script)[i]!;
          if (line !== before) expect(line.split(/=|\s/)[0]).toBe(before.split(/=|\s/)[0]);
        });
      }),
      { numRuns: 400 },
    );
    expect(rendered).toBeGreaterThan(50);
  });

  it("environment values and the CRYSTAL folder reach the shell literally", () => {
    const oneLine = fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !/[\n\r\0]/.test(s));
    fc.assert(
      fc.property(oneLine, oneLine, (value, exedir) => {
        const dir = exedir.startsWith("~") ? `/x${exedir}` : exedir;
        const lines = environmentLines(
          cluster({ env: { CTUI_VALUE: value }, ...(dir ? { crystal_exedir: dir } : {}) }),
        );
        const script = `${lines.join("\n")}\nprintf '%s\\0%s' "$CTUI_VALUE" "\${CRY23_EXEDIR-}"`;
        const r = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH } });
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(`${value}\0${dir}`);
      }),
      { numRuns: 60 },
    );
  });
});

describe("poll interval", () => {
  const c = (poll_interval?: number) => cluster(poll_interval === undefined ? {} : { poll_interval });
  it("defaults to 30 s, never below 10 s on a real cluster, 1 s on this machine's loopback", () => {
    expect(pollIntervalMsFor(c(), "hpc.example.org")).toBe(30_000);
    expect(pollIntervalMsFor(c(60), "hpc.example.org")).toBe(60_000);
    expect(pollIntervalMsFor(c(1), "hpc.example.org")).toBe(10_000);
    expect(pollIntervalMsFor(c(1), "127.0.0.1")).toBe(1_000);
    expect(pollIntervalMsFor(c(0.1), "127.0.0.1")).toBe(1_000);
    expect(pollIntervalMsFor(c(), "127.0.0.1", 200)).toBe(1_000);
    expect(isLoopbackHost("127.1.2.3")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
  });
});
