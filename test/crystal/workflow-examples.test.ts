// The properties workflow examples, as a user runs them: `workflow run` checks and creates them (every
// rendered deck passes the deck validator), then the engine runs them with the stand-in — the SCF,
// then BAND and DOSS with the properties program on its wavefunction.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, ROOT, tempProject } from "../helpers/project.js";
import { standinEnv } from "../helpers/standin.js";

interface JobRow {
  id: number;
  name: string;
  status: string;
  key_results: {
    program: string | null;
    calc_type: string | null;
    properties: { kinds: string[] } | null;
  } | null;
}

describe("workflow examples with BAND and DOSS", () => {
  for (const [file, steps] of [
    ["mgo-scf-bands-dos.yaml", ["scf", "bands", "dos"]],
    ["mgo-opt-sp-bands-dos.yaml", ["opt", "sp", "bands", "dos"]],
  ] as const) {
    it(`${file}: created, then run to the band structure and DOS`, () => {
      const project = tempProject();
      const made = cliJson<{ jobs: Record<string, number[]> }>(project, [
        "workflow",
        "run",
        path.join(ROOT, "examples/workflows", file),
        "--json",
      ]);
      expect(Object.keys(made.jobs)).toEqual([...steps]);
      const run = cli(project, ["run", "--max-jobs", "2"], standinEnv());
      expect(run.code, run.stderr).toBe(0);
      const jobs = cliJson<JobRow[]>(project, ["job", "list", "--json"]);
      const byName = new Map(jobs.map((j) => [j.name, j]));
      for (const step of steps) expect(byName.get(step)?.status, step).toBe("COMPLETED");
      expect(byName.get("bands")?.key_results?.program).toBe("properties");
      expect(byName.get("bands")?.key_results?.properties?.kinds).toContain("BAND");
      expect(byName.get("dos")?.key_results?.properties?.kinds).toContain("DOSS");
    }, 180_000);
  }
});
