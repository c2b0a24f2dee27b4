// `crystal-tui job show ID` (the real CLI) prints the results a chemist reads in the TUI: gap, cell,
// convergence and SCF cycles, the frequencies with their imaginary count, the elastic moduli and
// stability, the band structure and DOS files, where it ran — and never calls an energy final that
// is not.
import { describe, expect, test } from "vitest";
import type { Store } from "../../src/store/store.js";
import { cli } from "../helpers/project.js";
import { makeStore } from "./helpers-store.js";
import { albiteWithImaginaryModes, finishedJob } from "./results-helpers.js";

const show = (store: Store, id: number) => {
  const r = cli(store.projectDir, ["job", "show", String(id)]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

describe("job show prints the results", () => {
  test("an SCF: energy, SCF cycles, gap, cell, where it ran", () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_scf", { file: "aiida-crystal17__mgo_sto3g_scf.out" });
    const out = show(store, job.id);
    store.close();
    expect(out).toMatch(/^runs on {3}local \(local\)$/m);
    expect(out).toMatch(/^energy {4}-271\.21814375 Ha$/m);
    expect(out).toMatch(/^results$/m);
    expect(out).toMatch(/^ {2}Outcome\s+completed$/m);
    expect(out).toMatch(/^ {2}SCF\s+converged in 7 cycles$/m);
    expect(out).toMatch(/^ {2}Band gap\s+\d+\.\d{4} eV$/m);
    expect(out).toMatch(/^ {2}Cell\s+a 2\.97692 b 2\.97692 c 2\.97692 Å {2}α 60 β 60 γ 60°$/m);
  });

  test("a frequency run with imaginary modes: counted, with the lowest frequency", () => {
    const store = makeStore();
    const job = finishedJob(store, "albite_freq", { text: albiteWithImaginaryModes() });
    const out = show(store, job.id);
    store.close();
    expect(out).toMatch(/^ {2}Frequencies\s+78 modes, ⚠ 2 imaginary, highest 1168\.2 cm⁻¹$/m);
    expect(out).toMatch(/^ {2}Modes at Γ\s+78 modes at Γ, ⚠ 2 imaginary modes \(lowest -74\.18 cm⁻¹\)/m);
  });

  test("an elastic run: stability and the Voigt / Reuss / Hill moduli", () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_elastic", { file: "aiida-crystal-dft__mgo_sto3g_elastic.out" });
    const out = show(store, job.id);
    store.close();
    expect(out).toMatch(
      /^ {2}Stability\s+mechanically stable \(Born: every eigenvalue of C > 0, lowest 289\.27 GPa\)$/m,
    );
    expect(out).toMatch(/^ {2}Voigt\s+K 470\.57 GPa {2}G 339\.87 GPa$/m);
    expect(out).toMatch(/^ {2}Reuss\s+K 470\.57 GPa {2}G 329\.35 GPa$/m);
    expect(out).toMatch(/^ {2}Hill\s+K 470\.57 GPa {2}G 334\.61 GPa {2}E 811\.48 GPa {2}ν 0\.21$/m);
  });

  test("a properties run: its band structure and DOS files, the path named from its deck", () => {
    const store = makeStore();
    const deck =
      "BAND\nNaCl\n4 0 60 1 18 2 1\nG X\nX W\nW L\nL G\nNEWK\n12 12\n1 0\nDOSS\n0 300 11 14 1 12 0\nEND\n";
    const job = finishedJob(
      store,
      "nacl",
      { file: "electronic-parsers__NaCl.out" },
      { deck, files: { "nacl.f25": "electronic-parsers__NaCl.f25" } },
    );
    const out = show(store, job.id);
    store.close();
    expect(out).toMatch(/^ {2}Properties\s+BAND NEWK DOSS · NEWK gap 14\.2982 eV · completed$/m);
    expect(out).toMatch(/^ {2}Band structure\s+Γ → X → W → L → Γ, 18 bands, gap 14\.30 eV$/m);
    expect(out).toMatch(/^ {2}DOS\s+-17\.25 to 0\.06 eV from E_F, total$/m);
    expect(out).toMatch(/^ {2}Data files\s+nacl\.f25$/m);
  });

  test("an optimisation that was killed: its energy is marked not final, with why", () => {
    const store = makeStore();
    const job = finishedJob(store, "nio_opt", { file: "aiida-crystal17__nio_sto3g_afm_opt_walltime.out" });
    const out = show(store, job.id);
    store.close();
    expect(out).toMatch(
      /^energy {4}-3128\.31829419 Ha {2}~ not a final energy: the run was killed before it finished$/m,
    );
    expect(out).toMatch(/^ {2}Last energy\s+-3128\.3182941933 Ha .*~$/m);
    expect(out).not.toMatch(/Final energy/);
    expect(out).toMatch(/^ {2}Optimisation\s+not converged after 19 steps$/m);
  });
});

test("job list (text) marks the energy of a run that did not converge with ~", () => {
  const store = makeStore();
  const ok = finishedJob(store, "mgo_opt", { file: "aiida-crystal17__mgo_sto3g_opt.out" });
  const bad = finishedJob(store, "nio_opt", { file: "aiida-crystal17__nio_sto3g_afm_opt_walltime.out" });
  const r = cli(store.projectDir, ["job", "list"]);
  store.close();
  expect(r.code, r.stderr).toBe(0);
  const rowOf = (id: number) => r.stdout.split("\n").find((l) => l.startsWith(`${id} `))!;
  expect(rowOf(ok.id)).toMatch(/-271\.25962069 /);
  expect(rowOf(bad.id)).toMatch(/-3128\.31829419~/);
});
