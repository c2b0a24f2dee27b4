// The CRYSTAL output parser against real outputs: every value of expected.json, status from the
// content (truncations, banners), streaming in any chunking, partial results while running, and
// robustness against anything (random bytes, binary, huge lines, missing files).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CrystalResult,
  classifyStderr,
  HARTREE_TO_EV,
  OutputParser,
  parseOutputFile,
  parseOutputFileSync,
  parseOutputText,
} from "../../src/crystal/output-parser.js";
import { UserError } from "../../src/domain/errors.js";
import { FIXTURES } from "../helpers/project.js";

interface Expected {
  file: string;
  [key: string]: unknown;
}

const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, "expected.json"), "utf8")) as {
  files: Expected[];
};
const outputs = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".out"));
const text = (file: string) => fs.readFileSync(path.join(FIXTURES, file), "latin1");

/** How each expected.json key is read from a result, and compared. */
const CHECKS: Record<string, (r: CrystalResult, want: unknown) => void> = {
  status: (r, want) => expect(r.status).toBe(want),
  calc_type: (r, want) => expect(r.calc_type).toBe(want),
  crystal_version: (r, want) => expect(r.crystal_version).toBe(want),
  n_atoms: (r, want) => expect(r.n_atoms).toBe(want),
  spin_polarized: (r, want) => expect(r.spin_polarized).toBe(want),
  error_kind: (r, want) => expect(r.error_kind).toBe(want),
  scf_converged: (r, want) => expect(r.scf.converged).toBe(want),
  scf_cycles: (r, want) => expect(r.scf.cycles).toBe(want),
  opt_converged: (r, want) => expect(r.opt?.converged).toBe(want),
  final_energy_hartree: (r, want) => {
    if (want === null) expect(r.final_energy_hartree).toBeNull();
    else {
      expect(r.final_energy_hartree).not.toBeNull();
      expect(Math.abs(r.final_energy_hartree! - (want as number))).toBeLessThan(1e-6);
      expect(Math.abs(r.final_energy_ev! - (want as number) * HARTREE_TO_EV)).toBeLessThan(1e-4);
    }
  },
  band_gap_ev: (r, want) => expect(Math.abs(r.band_gap_ev! - (want as number))).toBeLessThan(1e-3),
  band_gap_alpha_ev: (r, want) =>
    expect(Math.abs(r.band_gap_alpha_ev! - (want as number))).toBeLessThan(1e-3),
  band_gap_beta_ev: (r, want) => expect(Math.abs(r.band_gap_beta_ev! - (want as number))).toBeLessThan(1e-3),
  zero_point_energy_ev: (r, want) =>
    expect(Math.abs(r.zero_point_energy_ev! - (want as number))).toBeLessThan(1e-3),
  program: (r, want) => expect(r.program).toBe(want),
  n_frequencies: (r, want) => expect(r.frequencies?.modes).toHaveLength(want as number),
  bulk_modulus_gpa: (r, want) => expect(r.elastic?.bulk_modulus_gpa).toBeCloseTo(want as number, 2),
  bulk_modulus_voigt_gpa: (r, want) =>
    expect(r.elastic?.voigt?.bulk_modulus_gpa).toBeCloseTo(want as number, 2),
};

describe("every value of expected.json", () => {
  it("covers every real output", () => {
    expect(expected.files.map((e) => e.file).sort()).toEqual([...outputs].sort());
  });

  for (const entry of expected.files) {
    it(entry.file, async () => {
      const result = await parseOutputFile(path.join(FIXTURES, entry.file));
      for (const [key, want] of Object.entries(entry)) {
        if (key === "file") continue;
        const check = CHECKS[key];
        if (!check) throw new Error(`expected.json key ${key} has no check in this test`);
        check(result, want);
      }
    });
  }
});

describe("what else the real outputs say", () => {
  it("reads the SCF energies cycle by cycle and the optimisation step by step", () => {
    const scf = parseOutputText(text("aiida-crystal17__mgo_sto3g_scf.out"));
    expect(scf.scf.energies_hartree).toHaveLength(7);
    expect(scf.scf.energies_hartree[0]).toBeCloseTo(-271.1666822111, 9);
    expect(scf.scf.energies_hartree.at(-1)).toBeCloseTo(-271.2181437493, 9);
    // `CYC   0 ETOT(AU) -2.706739657077E+02` (line 405): the guess, so cycle 1's change is known
    expect(scf.scf.initial_energy_hartree).toBeCloseTo(-270.6739657077, 9);
    const opt = parseOutputText(text("aiida-crystal17__mgo_sto3g_opt.out"));
    expect(opt.opt?.steps).toBe(6);
    expect(opt.opt?.energies_hartree).toHaveLength(6);
    expect(opt.opt?.energies_hartree.at(-1)).toBeCloseTo(-271.2596206888, 9);
    // energies go down along this optimisation
    const e = opt.opt!.energies_hartree;
    for (let i = 1; i < e.length; i++) expect(e[i]!).toBeLessThanOrEqual(e[i - 1]!);
  });

  it("takes the final cell of an optimisation and drops non-periodic directions", () => {
    const opt = parseOutputText(text("aiida-crystal17__mgo_sto3g_opt.out"));
    expect(opt.lattice).toEqual({
      a: 2.74665816,
      b: 2.74665816,
      c: 2.74665816,
      alpha: 60,
      beta: 60,
      gamma: 60,
    });
    const slab = parseOutputText(text("CRYSTALpytools__conv_mgo100.out"));
    expect(slab.lattice?.c).toBeNull();
    expect(slab.lattice?.a).toBeCloseTo(3.0097887, 6);
    expect(parseOutputText(text("CRYSTALpytools__out_coOpt.out")).lattice).toBeNull(); // a molecule
  });

  it("computes the gap from the band edges when CRYSTAL14 prints no gap line", () => {
    const r = parseOutputText(text("pycrystal__raman.out"));
    expect(r.band_gap_ev).toBeGreaterThan(19);
    expect(r.band_gap_ev).toBeLessThan(20.5);
  });

  it("keeps CRYSTAL's ERROR, WARNING, Fortran and MPI lines verbatim", () => {
    const r = parseOutputText(text("aiida-crystal17__FAILED_GEOM_mackinawite_opt.out"));
    expect(r.errors).toContain("ERROR **** f90main **** GEOMETRY OPTIMIZATION FAILED");
    expect(r.errors.some((e) => e.includes("MPI_Abort"))).toBe(true);
    expect(parseOutputText(text("pycrystal__raman.out")).warnings).toEqual([
      "WARNING **** READM2 **** PROBABLE LOSS IN FREQCALC ACCURACY; SCF TOL LT          10",
    ]);
  });

  it("reports the wall time from the last timing line", () => {
    expect(parseOutputText(text("aiida-crystal17__mgo_sto3g_opt.out")).wall_time_s).toBe(102.52);
  });
});

describe("status comes from the content", () => {
  it("a normal termination banner after TOO MANY CYCLES is still a failure", () => {
    const t = text("aiida-crystal17__nio_sto3g_afm_scf_maxcyc.out");
    expect(t).toContain("EEEEEEEEEE TERMINATION");
    const r = parseOutputText(t);
    expect(r.status).toBe("failed");
    expect(r.final_energy_hartree).toBeNull();
  });

  it("a run without its banner is incomplete, even when its SCF converged", () => {
    const t = text("aiida-crystal17__mgo_sto3g_scf.out").replace(/^ EEEEEEEEEE TERMINATION.*$/m, "");
    const r = parseOutputText(t);
    expect(r.status).toBe("incomplete");
    expect(r.scf.converged).toBe(true);
  });

  it("an optimisation whose SCF converged but geometry did not finish is incomplete, not completed", () => {
    const t = text("aiida-crystal17__mgo_sto3g_opt.out");
    const cut = t.slice(0, t.indexOf("* OPT END"));
    expect(parseOutputText(cut).status).toBe("incomplete");
    const withBanner = `${cut}\n EEEEEEEEEE TERMINATION  DATE 27 08 2018 TIME 06:31:05.7\n`;
    const r = parseOutputText(withBanner);
    expect(r.status).toBe("failed");
    expect(r.error_kind).toBe("geometry_not_converged");
  });

  /** Where the termination banner line of an output ends (the newline after it). */
  function bannerEnd(t: string): number {
    // up to its newline: a CRLF output's line is not whole before the \n
    const m = /^ *E{10,} +TERMINATION\b[^\n]*/m.exec(t);
    return m ? m.index + m[0].length : Number.POSITIVE_INFINITY;
  }

  for (const file of outputs) {
    it(`${file} cut at 300 offsets is never completed before its banner`, () => {
      const t = text(file);
      const end = bannerEnd(t);
      const full = parseOutputText(t).status;
      const offsets = new Set<number>();
      for (let k = 0; k < 250; k++) offsets.add(Math.floor((t.length * k) / 250));
      // right around the banner, byte by byte
      if (Number.isFinite(end))
        for (let d = -60; d <= 2; d++) offsets.add(Math.max(0, Math.min(t.length, end + d)));
      for (const cut of offsets) {
        const r = parseOutputText(t.slice(0, cut));
        if (cut < end) expect(r.status, `cut at ${cut} of ${t.length}`).not.toBe("completed");
        // once the banner line is whole, what follows (the run script's trailer) changes nothing
        if (cut > end) expect(r.status, `cut at ${cut} of ${t.length}`).toBe(full);
        expect(["completed", "failed", "incomplete"]).toContain(r.status);
      }
    });
  }
});

describe("why a run stopped, from the scheduler's stderr", () => {
  const partial = text("aiida-crystal17__cry17_incomplete_scf.out");

  it("reads SLURM time limits, PBS walltime, OOM kills and MPI aborts", () => {
    const cases: [string, string][] = [
      [
        "slurmstepd: error: *** JOB 1234 ON node01 CANCELLED AT 2024-03-01T10:00:00 DUE TO TIME LIMIT ***",
        "walltime",
      ],
      [
        fs.readFileSync(
          path.join(FIXTURES, "aiida-crystal17__nio_sto3g_afm_opt_walltime._scheduler-stderr.txt"),
          "utf8",
        ),
        "walltime",
      ],
      [
        "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=1234.batch. Some of your processes may have been killed by the cgroup out-of-memory handler.",
        "memory",
      ],
      ["MPI_ABORT was invoked on rank 3 in communicator MPI_COMM_WORLD\nwith errorcode 1.", "mpi_abort"],
    ];
    for (const [stderrText, kind] of cases) {
      const r = parseOutputText(partial, { stderrText });
      expect(r.status).toBe("incomplete");
      expect(r.error_kind).toBe(kind);
      expect(r.errors.length).toBeGreaterThan(0);
    }
  });

  it("a time limit outranks the MPI noise it causes", () => {
    expect(
      classifyStderr(
        "mpirun noticed that process rank 0 exited on signal 15\n*** JOB 9 CANCELLED AT x DUE TO TIME LIMIT ***",
      )?.kind,
    ).toBe("walltime");
  });

  it("does not override what the output itself says, nor a completed run", () => {
    const slurm = "*** JOB 1 CANCELLED AT x DUE TO TIME LIMIT ***";
    expect(
      parseOutputText(text("aiida-crystal17__nio_sto3g_afm_scf_maxcyc.out"), { stderrText: slurm })
        .error_kind,
    ).toBe("scf_not_converged");
    const done = parseOutputText(text("aiida-crystal17__mgo_sto3g_scf.out"), { stderrText: slurm });
    expect(done.status).toBe("completed");
    expect(done.error_kind).toBeNull();
  });

  it("without stderr, a run killed by a signal says so", () => {
    expect(parseOutputText(text("aiida-crystal17__nio_sto3g_afm_opt_walltime.out")).error_kind).toBe(
      "killed",
    );
  });

  it("an optimisation stopped by a failed SCF (CRYSTAL14 bcc iron, aiida-crystal17) is an SCF failure", () => {
    const t = text("aiida-crystal17__mgo_sto3g_opt.out");
    const stopped = `${t.slice(0, t.indexOf("* OPT END"))}
 INFORMATION **** OPTGEOM **** WF DATA SAVED IN FORT.9
 ERROR **** OPTGEOM **** SCF FAILED - OPTGEOM STOP
 TTTTTTTTTTTTTTTTTTTTTTTTTTTTTT ERR         TELAPSE      916.29 TCPU      913.96
application called MPI_Abort(MPI_COMM_WORLD, 1) - process 2
`;
    const r = parseOutputText(stopped);
    expect([r.calc_type, r.status, r.error_kind]).toEqual(["opt", "failed", "scf_not_converged"]);
    expect(r.wall_time_s).toBe(916.29);
  });

  it("runtime messages of gfortran, Intel Fortran and mpirun: killed (incomplete) or crashed (failed)", () => {
    const cases: [string, string, string][] = [
      [
        "Program received signal SIGSEGV: Segmentation fault - invalid memory reference.",
        "failed",
        "crashed",
      ],
      ["forrtl: severe (174): SIGSEGV, segmentation fault occurred", "failed", "crashed"],
      ["forrtl: severe (41): insufficient virtual memory", "failed", "memory"],
      ["Operating system error: Cannot allocate memory", "failed", "memory"],
      [
        "mpirun noticed that process rank 0 with PID 4242 on node n01 exited on signal 9 (Killed).",
        "incomplete",
        "killed",
      ],
      ["application called MPI_Abort(MPI_COMM_WORLD, 1) - process 0", "incomplete", "mpi_abort"],
    ];
    for (const [line, status, kind] of cases) {
      const r = parseOutputText(`${partial}\n${line}\n`);
      expect([r.status, r.error_kind], line).toEqual([status, kind]);
      expect(r.errors).toContain(line);
    }
  });
});

describe("streaming", () => {
  it("gives the same result whatever the chunking, as Buffers or strings", () => {
    const files = [
      "aiida-crystal17__mgo_sto3g_opt.out",
      "aiida-crystal17__cry17_spin_opt.out",
      "pycrystal__raman.out",
    ];
    const whole = new Map(files.map((f) => [f, parseOutputText(text(f))]));
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (file, sizes, asBuffer) => {
          const bytes = fs.readFileSync(path.join(FIXTURES, file));
          const parser = new OutputParser();
          let at = 0;
          let k = 0;
          while (at < bytes.length) {
            const size = sizes[k++ % sizes.length]!;
            const piece = bytes.subarray(at, at + size);
            parser.feed(asBuffer ? piece : piece.toString("latin1"));
            at += size;
          }
          expect(parser.end()).toEqual(whole.get(file));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("the line filter loses nothing: reading every line gives the same result", () => {
    for (const file of outputs) {
      const everyLine = new OutputParser({ readEveryLine: true });
      everyLine.feed(text(file));
      expect(parseOutputText(text(file)), file).toEqual(everyLine.end());
    }
  });

  it("reads CRLF outputs like LF ones", () => {
    for (const file of ["aiida-crystal17__mgo_sto3g_opt.out", "pycrystal__raman.out"]) {
      expect(parseOutputText(text(file).replace(/\n/g, "\r\n"))).toEqual(parseOutputText(text(file)));
    }
  });

  it("says what is known while the run is going", () => {
    const t = text("aiida-crystal17__mgo_sto3g_scf.out");
    const parser = new OutputParser();
    const beforeCycles = t.indexOf(" CYC   3 ");
    parser.feed(t.slice(0, beforeCycles));
    let s = parser.snapshot();
    expect(s.status).toBe("incomplete");
    expect(s.calc_type).toBe("scf");
    expect(s.crystal_version).toBe("17");
    expect(s.scf.cycles).toBe(2);
    expect(s.scf.energies_hartree).toHaveLength(2);
    expect(s.final_energy_hartree).toBeNull();
    // a line being written is not read until it is complete
    parser.feed(" CYC   3 ETOT(AU) -2.7121");
    expect(parser.snapshot().scf.cycles).toBe(2);
    parser.feed(t.slice(beforeCycles + " CYC   3 ETOT(AU) -2.7121".length));
    s = parser.snapshot();
    expect(s.status).toBe("completed");
    expect(parser.end()).toEqual(parseOutputText(t));
  });

  it("reads files as streams, synchronously too", async () => {
    const file = path.join(FIXTURES, "aiida-crystal17__cry17_spin_opt.out");
    expect(await parseOutputFile(file)).toEqual(parseOutputText(text("aiida-crystal17__cry17_spin_opt.out")));
    expect(parseOutputFileSync(file)).toEqual(await parseOutputFile(file));
  });
});

describe("never throws, never hangs", () => {
  const validShape = (r: CrystalResult) => {
    expect(["completed", "failed", "incomplete"]).toContain(r.status);
    expect(Array.isArray(r.errors) && Array.isArray(r.warnings)).toBe(true);
    expect(Array.isArray(r.scf.energies_hartree)).toBe(true);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  };

  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20000 }), (bytes) => {
        const parser = new OutputParser();
        parser.feed(Buffer.from(bytes));
        const r = parser.end();
        validShape(r);
        expect(r.status).not.toBe("completed");
      }),
      { numRuns: 200 },
    );
  });

  it("real output lines shuffled, repeated, mangled", () => {
    const lines = text("aiida-crystal17__mgo_sto3g_opt.out").split("\n");
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...lines),
            fc.constantFrom(...lines).map((l) => l.replace(/\d/g, "9")),
            fc.constantFrom(...lines).map((l) => l.replace(/[-.E+]/g, "*")),
            fc.string(),
          ),
          { maxLength: 300 },
        ),
        (picked) => validShape(parseOutputText(picked.join("\n"))),
      ),
      { numRuns: 150 },
    );
  });

  it("a binary file and a 20 MB line without newline", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-parse-"));
    try {
      const binary = path.join(dir, "binary.out");
      fs.writeFileSync(binary, Buffer.concat([fs.readFileSync(process.execPath).subarray(0, 2_000_000)]));
      validShape(await parseOutputFile(binary));
      const parser = new OutputParser();
      const chunk = "x".repeat(1 << 20);
      for (let i = 0; i < 20; i++) parser.feed(chunk);
      parser.feed("\n CYC   1 ETOT(AU) -1.0E+00 DETOT -1.0E+00 tst  0.0E+00 PX  1.0E+00\n");
      const r = parser.end();
      expect(r.scf.cycles).toBe(1); // reading goes on after the junk line
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("long lines built to make regexes backtrack are read in linear time", () => {
    // 2000 lines of ~500 blanks: a quadratic regex on any of them would take minutes
    const nasty = [
      " == SCF ENDED -",
      " * OPT END -",
      " *   CRYSTAL",
      " CYC 1",
      " TOTAL ENERGY(",
      " ATOMS IN THE ASYMMETRIC UNIT",
      " CENTRAL POINT",
      " E0",
      " N. OF ATOMS PER CELL",
      " ERROR",
      " WARNING",
      "forrtl: severe",
      "Program received signal",
      " PRIMITIVE CELL",
      " DIMENSIONALITY OF THE SYSTEM",
      " INDIRECT ENERGY BAND GAP:",
      " TOP OF VALENCE BANDS",
      " TYPE OF CALCULATION",
      " COORDINATE OPTIMIZATION - POINT",
    ];
    for (const start of nasty) {
      const line = `${start}${" ".repeat(490)}x\n`;
      const r = parseOutputText(line.repeat(2000));
      expect(["failed", "incomplete"]).toContain(r.status);
    }
    const cell = ` PRIMITIVE CELL\n A B C ALPHA BETA GAMMA${" ".repeat(480)}\n${" 1".repeat(240)}\n`;
    expect(parseOutputText(cell.repeat(1000)).status).toBe("incomplete");
    const stderrLine = `walltime ${"exceeded ".repeat(200)}${" ".repeat(2000)}\n`;
    expect(classifyStderr(stderrLine.repeat(200))?.kind).toBe("walltime");
  });

  it("a missing file or a folder is a UserError with what to do", async () => {
    await expect(parseOutputFile("/nonexistent/mgo.out")).rejects.toThrow(UserError);
    await expect(parseOutputFile("/nonexistent/mgo.out")).rejects.toThrow(/no such file/);
    await expect(parseOutputFile(os.tmpdir())).rejects.toThrow(/folder/);
    expect(() => parseOutputFileSync("/nonexistent/mgo.out")).toThrow(UserError);
  });
});
