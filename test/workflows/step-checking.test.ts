// Checking a workflow's steps costs the same per step however many there are (issue 14, item 10:
// 10,001 separate steps took 265 s, because every step re-read and re-parsed the whole template
// library, and two more checks compared every step with every other). Timing is the benchmark's
// business (bench/workflows.bench.ts); here the work itself is counted.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Store } from "../../src/store/store.js";
import { planWorkflow } from "../../src/workflows/plan.js";
import { BUILTIN_TEMPLATES_DIR } from "../../src/workflows/templates.js";
import { parseWorkflowFile } from "../../src/workflows/workflow-file.js";
import { tempProject } from "../helpers/project.js";

function separateSteps(n: number): string {
  let text = "steps:\n";
  for (let i = 0; i < n; i++) text += `  s${i}: {template: single-point, params: {title: "point ${i}"}}\n`;
  return text;
}

describe("checking the steps of a workflow", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reads the template files once, whatever the number of steps", () => {
    const dir = tempProject();
    const store = Store.open(dir);
    const builtins = fs.readdirSync(BUILTIN_TEMPLATES_DIR).filter((f) => f.endsWith(".yaml")).length;
    try {
      const reads = (steps: number) => {
        const file = parseWorkflowFile(separateSteps(steps), path.join(dir, "wf.yaml"));
        const spy = vi.spyOn(fs, "openSync"); // every file a user names is opened by src/files/input-file.ts;
        const plan = planWorkflow(file, {
          clusters: store.clusters.list(),
          projectDir: dir,
          templateFolders: { userDir: path.join(dir, "none") },
        });
        expect(plan.steps).toHaveLength(steps);
        const templateReads = spy.mock.calls.filter(([f]) => String(f).endsWith(".yaml")).length;
        spy.mockRestore();
        return templateReads;
      };
      expect(reads(3)).toBe(builtins);
      expect(reads(300)).toBe(builtins);
    } finally {
      store.close();
    }
  });

  it("still refuses a key given twice, at its line, in steps and inside them", () => {
    expect(() =>
      parseWorkflowFile(
        "steps:\n  a: {template: single-point}\n  a: {template: single-point}\n",
        "/wf/dup.yaml",
      ),
    ).toThrow(/^workflow dup\.yaml: not valid YAML \(line 3\): Map keys must be unique$/);
    expect(() =>
      parseWorkflowFile(
        "name: x\nsteps:\n  a:\n    template: single-point\n    params: {title: a, title: b}\n",
        "/wf/dup.yaml",
      ),
    ).toThrow(/\(line 5\): Map keys must be unique/);
    // the same key in two different mappings is no repeat
    expect(parseWorkflowFile(separateSteps(2).replace(/"point \d"/g, "x"), "/wf/ok.yaml").steps).toHaveLength(
      2,
    );
  });
});
