// Workflow files: their structure is checked before anything else happens, and every mistake is
// one line naming the file, the step and what to do.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edgesOf, parseWorkflowFile, stepRefsIn } from "../../src/workflows/workflow-file.js";
import { ROOT } from "../helpers/project.js";

const parse = (text: string) => parseWorkflowFile(text, "/wf/test.yaml");

describe("reading workflow files", () => {
  it("reads the shipped examples", () => {
    const dir = path.join(ROOT, "examples/workflows");
    const names = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    expect(names.sort()).toEqual([
      "mgo-eos.yaml",
      "mgo-opt-freq.yaml",
      "mgo-opt-sp-bands-dos.yaml",
      "mgo-scf-bands-dos.yaml",
      "mgo-shrink-convergence.yaml",
    ]);
    const optFreq = parseWorkflowFile(
      fs.readFileSync(path.join(dir, "mgo-opt-freq.yaml"), "utf8"),
      path.join(dir, "mgo-opt-freq.yaml"),
    );
    const byName = new Map(optFreq.steps.map((s) => [s.name, s]));
    const freq = byName.get("freq")!;
    expect(freq.geometryFrom).toBe("opt");
    expect(freq.refs).toEqual(["opt"]);
    expect(edgesOf(freq, byName)).toEqual([{ step: "opt", type: "after_ok" }]);
    expect(freq.recovery).toEqual({
      max_attempts: 3,
      on: ["scf_not_converged", "walltime", "geometry_not_converged"],
    });
    const eos = parseWorkflowFile(
      fs.readFileSync(path.join(dir, "mgo-eos.yaml"), "utf8"),
      path.join(dir, "mgo-eos.yaml"),
    );
    expect(eos.steps[0]!.foreach).toEqual([{ name: "a", values: [4.05, 4.1, 4.15, 4.2, 4.25, 4.3, 4.35] }]);
    expect(eos.steps[1]!.aggregate).toMatchObject({
      type: "eos",
      over: "points",
      volume: "{{ a ** 3 / 4 }}",
    });
    expect(edgesOf(eos.steps[1]!, new Map(eos.steps.map((s) => [s.name, s])))).toEqual([
      { step: "points", type: "after_any" },
    ]);
  });

  it.each([
    [
      "steps:\n  opt: {template: optimise}\n  freq: {template: frequencies, after_ok: [opz]}\n",
      'step freq: after_ok names unknown step "opz" (steps: opt, freq)',
    ],
    [
      "steps:\n  a: {template: x, after_ok: b}\n  b: {template: x, after_any: [a]}\n",
      "its steps wait for each other in a cycle: a → b → a",
    ],
    [
      "steps:\n  a: {template: x, geometry_from: b}\n  b: {template: x, wavefunction_from: a}\n",
      "cycle: a → b → a",
    ],
    ["steps:\n  a: {template: x, after_ok: [a]}\n", "step a: a step cannot wait for itself"],
    ["steps:\n  opt: {tempalte: optimise}\n", "step opt: unknown setting tempalte"],
    [
      "steps:\n  opt: {template: optimise, deck: x.d12}\n",
      "step opt: give exactly one of template, deck or aggregate",
    ],
    [
      "steps:\n  s: {template: sp, foreach: {shrink: [4, 6]}}\n  f: {template: frequencies, geometry_from: s}\n",
      "step f: geometry_from must name a step with one job; s is a sweep",
    ],
    [
      "steps:\n  s: {template: sp, params: {title: '{{ steps.nope.x }}'}}\n",
      "step s: its parameters use steps.nope, but there is no step nope",
    ],
    ["steps:\n  t: {aggregate: eos}\n", "step t: an aggregate needs over:"],
    [
      "steps:\n  t: {aggregate: fit, over: a}\n  a: {template: x}\n",
      "step t: aggregate must be convergence or eos",
    ],
    [
      "steps:\n  a: {template: x, recovery: {max_attempts: 0}}\n",
      "step a: recovery max_attempts must be a whole number from 1 to 10",
    ],
    ["steps:\n  a: {template: x, recovery: {on: [oom]}}\n", 'step a: recovery cannot act on "oom"'],
    ["steps:\n  a: {template: x, parallelism: {ranks: 4}}\n", "step a: parallelism has no setting ranks"],
    [
      "steps:\n  a: {template: x, foreach: {shrink: {from: 4, to: 2, step: 2}}}\n",
      "step a: foreach shrink: step must be a non-zero number going from 4 towards 2",
    ],
    [
      "steps:\n  a: {template: x, foreach: {a: {from: 1, to: 2, count: 100000}}}\n",
      "count must be a whole number from 1 to 10000",
    ],
    ["steps:\n  1a: {template: x}\n", "step 1a: a step name must start with a letter"],
    ["name: x y\nsteps:\n  a: {template: x}\n", 'name "x y" must be'],
    ["params: [1]\nsteps:\n  a: {template: x}\n", "params must map each workflow parameter"],
    ["steps:\n  a: {template: x}\n  a: {template: y}\n", "not valid YAML (line 3)"],
    ["steps: []\nbogus: 1\n", "unknown setting bogus"],
    ["{", "not valid YAML"],
    ["steps:\n  d: {deck: x.d12, params: {a: 1}}\n", "step d: a deck file takes no params — use a template"],
  ])("refuses %j", (text, message) => {
    expect(() => parse(text)).toThrow(message);
    expect(() => parse(text)).toThrow(/^workflow test\.yaml: /);
  });

  it("counts the other problems in the same line", () => {
    expect(() => parse("steps:\n  a: {tempalte: x, bogus: 1}\n")).toThrow(
      /unknown setting tempalte \(and 2 more problems\)$/,
    );
  });

  it("expands ranges: count gives exactly count values from `from` to `to`", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.integer({ min: 2, max: 50 }),
        (from, to, count) => {
          const f = parse(
            `steps:\n  a: {template: x, foreach: {v: {from: ${from}, to: ${to}, count: ${count}}}}\n`,
          );
          const values = f.steps[0]!.foreach[0]!.values as number[];
          expect(values).toHaveLength(count);
          expect(values[0]).toBeCloseTo(from, 9);
          expect(values[count - 1]).toBeCloseTo(to, 9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("expands ranges with a step, both ends included, without float noise", () => {
    const f = parse("steps:\n  a: {template: x, foreach: {a: {from: 4.0, to: 4.3, step: 0.05}}}\n");
    expect(f.steps[0]!.foreach[0]!.values).toEqual([4, 4.05, 4.1, 4.15, 4.2, 4.25, 4.3]);
  });

  it("finds the steps whose results parameters use", () => {
    expect(
      stepRefsIn("E = {{ steps.opt.final_energy_hartree }} {{ steps['scan'][0].x }} {{ steps.opt.x }}"),
    ).toEqual(["opt", "scan"]);
    expect(stepRefsIn("{{ params.steps }}")).toEqual([]);
  });

  it("applies defaults: cluster, parallelism, priority and recovery for every step", () => {
    const f = parse(
      "defaults:\n  cluster: hpc\n  parallelism: {mpi_ranks: 4}\n  priority: 3\n  recovery: false\nsteps:\n  a: {template: x}\n  b: {template: x, cluster: local, recovery: {max_attempts: 2}}\n",
    );
    expect(f.steps[0]).toMatchObject({
      cluster: "hpc",
      parallelism: { mpi_ranks: 4 },
      priority: 3,
      recovery: null,
    });
    expect(f.steps[1]).toMatchObject({ cluster: null, recovery: { max_attempts: 2 } });
  });
});
