// CRYSTAL's file conventions: what a job file is called in the run folder, and back.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AUX_INPUTS,
  crystalExecutable,
  deckFileName,
  INPUT_NAME,
  KEPT_OUTPUTS,
  keptNameFor,
  lastGeometryFile,
  outputFileName,
  stagedNameFor,
} from "../../src/crystal/files.js";

describe("CRYSTAL file names", () => {
  it("stages auxiliary inputs under CRYSTAL's names", () => {
    expect(INPUT_NAME).toBe("INPUT");
    expect(stagedNameFor("mgo.gui")).toBe("fort.34");
    expect(stagedNameFor("mgo.f9")).toBe("fort.20");
    expect(stagedNameFor("mgo.f98")).toBe("fort.98");
    expect(stagedNameFor("mgo.hessopt")).toBe("HESSOPT.DAT");
    expect(stagedNameFor("nio.born")).toBe("BORN.DAT");
    expect(stagedNameFor("/some/folder/NiO.AFM.GUI")).toBe("fort.34");
    // the restart data of OPTGEOM RESTART and FREQCALC RESTART (job restart, the recovery policies)
    expect(stagedNameFor("mgo.optinfo")).toBe("OPTINFO.DAT");
    expect(stagedNameFor("mgo.freqinfo")).toBe("FREQINFO.DAT");
    for (const name of ["mgo.d12", "mgo.out", "gui", ".gui", "mgo", "mgo.optinf"])
      expect(stagedNameFor(name), name).toBeNull();
  });

  it("properties reads the wavefunction as fort.9", () => {
    expect(stagedNameFor("mgo.f9", "properties")).toBe("fort.9");
    expect(stagedNameFor("mgo.gui", "properties")).toBeNull();
  });

  it("keeps outputs under the job's name", () => {
    expect(keptNameFor("fort.9", "mgo")).toBe("mgo.f9");
    expect(keptNameFor("fort.34", "mgo_opt")).toBe("mgo_opt.gui");
    expect(keptNameFor("OPTINFO.DAT", "a")).toBe("a.optinfo");
    expect(keptNameFor("FREQINFO.DAT", "a")).toBe("a.freqinfo");
    expect(keptNameFor("HESSOPT.DAT", "a")).toBe("a.hessopt");
    expect(keptNameFor("fort.98", "a")).toBe("a.f98");
    expect(keptNameFor("fort.10", "a")).toBeNull();
  });

  it("a kept output staged for the next job lands where CRYSTAL reads it", () => {
    // the optimised geometry becomes the next EXTERNAL input, the wavefunction the next GUESSP
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
        fc.constantFrom(...Object.keys(KEPT_OUTPUTS)),
        (job, out) => {
          const kept = keptNameFor(out, job)!;
          const staged = stagedNameFor(kept);
          const expectedStage: Record<string, string | null> = {
            "fort.34": "fort.34",
            "fort.9": "fort.20",
            "fort.98": "fort.98",
            "HESSOPT.DAT": "HESSOPT.DAT",
            "OPTINFO.DAT": "OPTINFO.DAT",
            "FREQINFO.DAT": "FREQINFO.DAT",
            // properties' band structure and DOS are kept for plots, never read by crystal
            "fort.25": null,
            "BAND.DAT": null,
            "DOSS.DAT": null,
          };
          expect(staged).toBe(expectedStage[out]);
        },
      ),
    );
    expect(Object.values(AUX_INPUTS).sort()).toEqual([
      "BORN.DAT",
      "FREQINFO.DAT",
      "HESSOPT.DAT",
      "OPTINFO.DAT",
      "fort.20",
      "fort.34",
      "fort.98",
    ]);
  });

  it("picks the MPI binary only for more than one rank", () => {
    expect(crystalExecutable(undefined)).toBe("crystalOMP");
    expect(crystalExecutable(0)).toBe("crystalOMP");
    expect(crystalExecutable(1)).toBe("crystalOMP");
    expect(crystalExecutable(2)).toBe("PcrystalOMP");
    expect(outputFileName("mgo")).toBe("mgo.out");
    expect(deckFileName("mgo")).toBe("mgo.d12");
  });

  it("the run's last geometry: the fort.34 it wrote, else the newest optcNNN, else the fort.34 that is there", () => {
    // an ended optimisation: CRYSTAL wrote fort.34 after its points
    expect(lastGeometryFile(["INPUT", "fort.34", "optc001", "optc002"], false)).toBe("fort.34");
    // killed at its walltime: fort.34 is still the staged EXTERNAL input
    expect(lastGeometryFile(["INPUT", "fort.34", "optc001", "optc009", "optc010"], true)).toBe("optc010");
    expect(lastGeometryFile(["optc001", "optc002"], false)).toBe("optc002");
    // no point written: the input is all there is (a restart then says the geometry did not change)
    expect(lastGeometryFile(["INPUT", "fort.34"], true)).toBe("fort.34");
    expect(lastGeometryFile(["INPUT", "fort.9", "optc.bak", "optcx"], false)).toBeNull();
  });

  it("the newest point is the highest number, not the last name in any order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 30 }),
        (points) => {
          const names = points.map((n) => `optc${String(n).padStart(3, "0")}`);
          expect(lastGeometryFile(["fort.34", ...names], true)).toBe(
            `optc${String(Math.max(...points)).padStart(3, "0")}`,
          );
        },
      ),
    );
  });
});
