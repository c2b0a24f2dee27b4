// The words a chemist filters and compares by, against oracles written here (not the code's tables):
// the status groups as issue 13 names them, and energies in the units of CODATA 2018.
import { describe, expect, it } from "vitest";
import { fromHartree, parseEnergyUnit } from "../../src/domain/energy-units.js";
import { isStatusGroup, statusesNamed } from "../../src/domain/status-groups.js";

describe("status groups", () => {
  it("active, finished and failed name the statuses a chemist means; a status alone is itself", () => {
    expect(statusesNamed("active")?.sort()).toEqual(["PENDING", "QUEUED", "RUNNING"]);
    expect(statusesNamed("finished")).toEqual(["COMPLETED"]);
    expect(statusesNamed("failed")?.sort()).toEqual(["CANCELLED", "FAILED", "SKIPPED"]);
    expect(statusesNamed("FAILED")).toEqual(["FAILED"]);
    expect(statusesNamed("running")).toEqual(["RUNNING"]);
    expect(statusesNamed(" active , COMPLETED ")?.sort()).toEqual([
      "COMPLETED",
      "PENDING",
      "QUEUED",
      "RUNNING",
    ]);
    expect(statusesNamed("active,,")?.length).toBe(3);
  });

  it("a word that is neither is refused (null), as is nothing at all", () => {
    expect(statusesNamed("BOGUS")).toBeNull();
    expect(statusesNamed("active,BOGUS")).toBeNull();
    expect(statusesNamed("")).toBeNull();
    expect(statusesNamed(" , ")).toBeNull();
    expect(isStatusGroup("active")).toBe(true);
    expect(isStatusGroup("toString")).toBe(false);
    expect(isStatusGroup("FAILED")).toBe(false);
  });
});

describe("energy units", () => {
  it("one hartree in eV, kJ/mol and meV as CODATA 2018 gives them", () => {
    expect(fromHartree(1, "Ha")).toBe(1);
    expect(fromHartree(1, "eV")).toBeCloseTo(27.211386245988, 9);
    expect(fromHartree(1, "meV")).toBeCloseTo(27211.386245988, 6);
    // E_h N_A = 4.3597447222071e-18 J × 6.02214076e23 /mol = 2625.4996394799 kJ/mol
    expect(fromHartree(1, "kJ/mol")).toBeCloseTo(2625.4996394799, 6);
    expect(fromHartree(-0.01, "kJ/mol")).toBeCloseTo(-26.254996394799, 8);
  });

  it("the unit as typed, whatever its case; anything else is not a unit", () => {
    expect(parseEnergyUnit(" ev ")).toBe("eV");
    expect(parseEnergyUnit("HA")).toBe("Ha");
    expect(parseEnergyUnit("KJ/MOL")).toBe("kJ/mol");
    expect(parseEnergyUnit("mev")).toBe("meV");
    expect(parseEnergyUnit("kcal/mol")).toBeNull();
    expect(parseEnergyUnit("")).toBeNull();
  });
});
