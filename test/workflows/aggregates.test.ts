// Aggregates and deferred decks on a real project database: the EOS of MgO over 7 volumes fitted
// from results as the engine stores them, and a step rendered from the fit (`steps.fit.V0`).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ProjectFiles } from "../../src/crystal/project-files.js";
import type { CrystalResult } from "../../src/crystal/result.js";
import type { Job } from "../../src/domain/types.js";
import { Store } from "../../src/store/store.js";
import { createWorkflow } from "../../src/workflows/create.js";
import { renderDeferredJob } from "../../src/workflows/deferred.js";
import { workflowHooks } from "../../src/workflows/engine-hooks.js";
import { birchMurnaghanEnergy } from "../../src/workflows/eos.js";
import { planWorkflow } from "../../src/workflows/plan.js";
import { workflowView } from "../../src/workflows/progress.js";
import { parseWorkflowFile } from "../../src/workflows/workflow-file.js";
import { ROOT, tempProject } from "../helpers/project.js";
import { jobFolder } from "../store/new-jobs.js";

const MGO = { V0: 18.6, E0: -275.1234, B0_GPa: 165, B0_prime: 4.2 };

function makeWorkflow(store: Store, dir: string, text: string) {
  const file = path.join(dir, "wf.yaml");
  fs.writeFileSync(file, text);
  const plan = planWorkflow(parseWorkflowFile(text, file), {
    clusters: store.clusters.list(),
    projectDir: dir,
    templateFolders: { userDir: path.join(dir, "none") },
  });
  return createWorkflow({ store, files: new ProjectFiles(store.projectDir) }, plan);
}

/** What the engine does when a run ends: status and results, then the hooks that follow a finish. */
async function finish(
  store: Store,
  id: number,
  status: "COMPLETED" | "FAILED",
  partial: Record<string, unknown>,
): Promise<Job> {
  // the parts of a parsed result the aggregates read
  const result = partial as unknown as CrystalResult;
  store.jobs.transition(id, "RUNNING");
  store.jobs.transition(id, status, { reason: status === "FAILED" ? "CRYSTAL reported a failure" : null });
  store.jobs.storeResults(id, result.final_energy_hartree ?? null, result);
  const job = store.jobs.require(id);
  await workflowHooks.finished?.({ store, files: new ProjectFiles(store.projectDir) }, job, result);
  return job;
}

describe("the EOS aggregate", () => {
  it("fits the stored energies of the 7 MgO volumes and feeds a single point at the fitted V0", async () => {
    const dir = tempProject();
    const store = Store.open(dir);
    try {
      const text = `${fs.readFileSync(path.join(ROOT, "examples/workflows/mgo-eos.yaml"), "utf8")}
  at_v0:
    template: single-point
    params:
      title: "MgO at V0 = {{ steps.fit.V0 }} A^3, B0 = {{ steps.fit.B0_GPa | decimals(1) }} GPa"
      a: "{{ (steps.fit.V0 * 4) ** (1 / 3) }}"
`;
      const created = await makeWorkflow(store, dir, text);
      expect(created.jobs).toEqual({ points: [1, 2, 3, 4, 5, 6, 7], at_v0: [8] });
      // the single point waits for every point of the fit, whatever their outcome
      expect(store.dependencies.dependenciesOf(8).map((d) => [d.dependsOnJobId, d.type])).toEqual(
        [1, 2, 3, 4, 5, 6, 7].map((id) => [id, "after_any"]),
      );
      const aValues = [4.05, 4.1, 4.15, 4.2, 4.25, 4.3, 4.35];
      for (const [i, a] of aValues.entries()) {
        const id = i + 1;
        // one point fails: the fit goes on with the others
        if (id === 7) await finish(store, id, "FAILED", { status: "failed", error_kind: "input_error" });
        else {
          await finish(store, id, "COMPLETED", {
            status: "completed",
            final_energy_hartree: birchMurnaghanEnergy(a ** 3 / 4, MGO),
            lattice: {
              a: a / Math.SQRT2,
              b: a / Math.SQRT2,
              c: a / Math.SQRT2,
              alpha: 60,
              beta: 60,
              gamma: 60,
            },
          });
        }
        const stored = store.workflows.require(1).results as Record<string, { status: string }>;
        expect(stored.fit!.status).toBe(id < 7 ? "waiting" : "done");
      }
      const view = await workflowView(store, 1);
      const fit = view.steps.find((s) => s.name === "fit")!;
      expect(fit.status).toBe("done");
      const result = fit.result as {
        type: string;
        fit: { V0: number; E0: number; B0_GPa: number; B0_prime: number };
        points: unknown[];
      };
      expect(result.points).toHaveLength(6);
      expect(result.fit.V0).toBeCloseTo(MGO.V0, 6);
      expect(result.fit.E0).toBeCloseTo(MGO.E0, 8);
      expect(result.fit.B0_GPa).toBeCloseTo(MGO.B0_GPa, 3);
      expect(result.fit.B0_prime).toBeCloseTo(MGO.B0_prime, 3);
      expect(view.steps.find((s) => s.name === "points")!.status).toBe("FAILED");

      const deck = (await renderDeferredJob(
        { store, files: new ProjectFiles(store.projectDir) },
        store.jobs.require(8),
      ))!;
      const lines = deck.split("\n");
      expect(lines[0]).toMatch(/^MgO at V0 = 18\.6(0000\d*)? A\^3, B0 = 165\.0 GPa$/);
      expect(Number(lines[4])).toBeCloseTo((4 * MGO.V0) ** (1 / 3), 8);
      expect(store.jobs.require(8).inputFile).toBe(deck);
      expect(fs.readFileSync(path.join(jobFolder(store, store.jobs.require(8)), "at_v0.d12"), "utf8")).toBe(
        deck,
      );
    } finally {
      store.close();
    }
  });

  it("takes volumes from the parsed cell when the file gives no volume expression", async () => {
    const dir = tempProject();
    const store = Store.open(dir);
    try {
      await makeWorkflow(
        store,
        dir,
        "steps:\n  p:\n    template: single-point\n    foreach: {a: [4.0, 4.1, 4.2, 4.3, 4.4]}\n  fit: {aggregate: eos, over: p}\n",
      );
      for (const [i, a] of [4.0, 4.1, 4.2, 4.3, 4.4].entries()) {
        const edge = a / Math.SQRT2;
        await finish(store, i + 1, "COMPLETED", {
          status: "completed",
          final_energy_hartree: birchMurnaghanEnergy(a ** 3 / 4, MGO),
          lattice: { a: edge, b: edge, c: edge, alpha: 60, beta: 60, gamma: 60 },
        });
      }
      const fit = (await workflowView(store, 1)).steps[1]!.result as { fit: { V0: number } };
      expect(fit.fit.V0).toBeCloseTo(MGO.V0, 5);
    } finally {
      store.close();
    }
  });
});

describe("deferred decks", () => {
  it("fail their job with a message naming the parameter when a parent's result is missing", async () => {
    const dir = tempProject();
    const store = Store.open(dir);
    try {
      await makeWorkflow(
        store,
        dir,
        "steps:\n  a: {template: single-point}\n  b:\n    template: single-point\n    after_any: [a]\n    params: {title: 'gap {{ steps.a.band_gap_ev }}'}\n",
      );
      await finish(store, 1, "FAILED", { status: "failed", error_kind: "input_error", band_gap_ev: null });
      await expect(
        renderDeferredJob({ store, files: new ProjectFiles(store.projectDir) }, store.jobs.require(2)),
      ).rejects.toThrow(
        /^job 2 \(b\): parameter title: `steps\.a\.band_gap_ev` has no value in "gap \{\{ steps\.a\.band_gap_ev \}\}"$/,
      );
      expect(store.jobs.require(2).inputFile).toBeNull();
    } finally {
      store.close();
    }
  });
});
