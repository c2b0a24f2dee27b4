// The Results tab of real jobs at 80×24 and 120×40: the frequency table (imaginary modes flagged by
// a symbol and counted), the elastic tensor and moduli (3D GPa, a slab in CRYSTAL's HARTREE), the
// final geometry (scrolling), Mulliken charges and spins, the band structure with its k points and
// Fermi level, the DOS, the SCF plot with every cycle — each read from what the screen shows.

import { afterEach, describe, expect, test } from "vitest";
import { ProjectFiles } from "../../src/crystal/project-files.js";
import type { Store } from "../../src/store/store.js";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";
import { albiteWithImaginaryModes, finishedJob } from "./results-helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 120, rows: 40 },
] as const;

const detail = (jobId: number) => ({ name: "detail" as const, jobId, from: { name: "jobs" as const } });

/** Opens the job's Results tab at this size and waits for its first frame. */
async function openResults(store: Store, jobId: number, size: { columns: number; rows: number }) {
  m = mount(store, { ...size, view: detail(jobId) });
  await m.waitFor(`#${jobId} `);
  await m.press(KEY.tab, KEY.tab); // Log → Input → Results
  await m.waitFor("Outcome");
  return m;
}

/** Presses ] until the section's title is the first line of the tab (or the end is reached). */
async function jumpTo(mounted: Mounted, title: string) {
  const bodyTop = () => mounted.lastFrame().split("\n")[4] ?? "";
  for (let i = 0; i < 12 && !bodyTop().startsWith(title); i++) {
    const before = mounted.lastFrame();
    await mounted.press("]");
    if (mounted.lastFrame() === before) break;
  }
  return mounted.waitFor(title);
}

function fits(frame: string, size: { columns: number; rows: number }) {
  const lines = frame.split("\n");
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(size.columns);
  expect(lines.length).toBeLessThanOrEqual(size.rows);
}

describe.each(SIZES)("Results tab at $columns×$rows", (size) => {
  test("frequencies: the modes at Γ, imaginary ones flagged ⚠ (no colour needed) and counted", async () => {
    const store = makeStore();
    const job = finishedJob(store, "albite_freq", { text: albiteWithImaginaryModes() });
    const mounted = await openResults(store, job.id, size);
    const top = mounted.lastFrame();
    expect(top).toMatch(/Frequencies\s+78 modes, ⚠ 2 imaginary/);
    // the header says it too, in words
    expect(top).toContain("⚠ 2 imaginary modes");
    const f = await jumpTo(mounted, "Vibrational frequencies");
    fits(f, size);
    expect(f).toContain("78 modes at Γ, ⚠ 2 imaginary modes (lowest -74.18 cm⁻¹)");
    expect(f).toMatch(/MODE\s+cm⁻¹\s+SYM\s+IR km\/mol\s+IR RAMAN\s+I\(Raman\)/);
    expect(f).toMatch(/ {2}1–3\s+0\.00\s+Au\s+0\.00\s+A\s+I/);
    expect(f).toMatch(/⚠\s+4\s+-68\.60\s+Ag\s+0\.00\s+I\s+A\s+3\.06/);
    expect(f).toMatch(/⚠\s+5\s+-74\.18\s+Au\s+7\.81\s+A\s+I/);
    expect(f).toMatch(/^\s+6\s+77\.43\s+Ag/m);
  });

  test("frequencies of MgO: degenerate modes on one row, no imaginary mode, thermodynamics", async () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_freq", { file: "pycrystal__raman.out" });
    const mounted = await openResults(store, job.id, size);
    expect(mounted.lastFrame()).not.toContain("⚠");
    const f = await jumpTo(mounted, "Vibrational frequencies");
    fits(f, size);
    expect(f).toContain("6 modes at Γ, no imaginary mode, 485.03–485.03 cm⁻¹");
    expect(f).toContain("zero-point energy 0.090204 eV");
    expect(f).toMatch(/4–6\s+485\.03\s+Fu\s+1045\.07\s+A\s+I/);
    expect(f).toMatch(/Thermodynamics at 298\.15 K/);
    expect(f).toMatch(/G -274\.66116326 Ha/);
  });

  test("elastic constants of MgO: the 6×6 tensor in GPa, stability, Voigt/Reuss/Hill moduli", async () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_elastic", { file: "aiida-crystal-dft__mgo_sto3g_elastic.out" });
    const mounted = await openResults(store, job.id, size);
    let f = await jumpTo(mounted, "Elastic constants");
    fits(f, size);
    expect(f).toContain("C (GPa, Voigt notation, symmetrized)");
    expect(f).toMatch(/1 xx\s+2 yy\s+3 zz\s+4 yz\s+5 xz\s+6 xy/);
    // as CRYSTAL printed them (F9.3)
    expect(f).toMatch(/1 xx\s+1024\.920\s+193\.388\s+193\.388\s+0\.000\s+0\.000\s+0\.000/);
    expect(f).toMatch(/6 xy(\s+0\.000){5}\s+289\.268/);
    expect(f).toContain("mechanically stable (Born: every eigenvalue of C > 0, lowest 289.27 GPa)");
    if (!f.includes("Hill")) {
      await mounted.press(" "); // a page down
      f = await mounted.waitFor("Hill");
    }
    expect(f).toMatch(/K bulk\s+G shear\s+E Young\s+ν Poisson/);
    expect(f).toMatch(/Voigt\s+470\.57\s+339\.87/);
    expect(f).toMatch(/Reuss\s+470\.57\s+329\.35/);
    expect(f).toMatch(/Hill\s+470\.57\s+334\.61\s+811\.48\s+0\.21/);
  });

  test("elastic constants of a slab (graphene): 3×3 in CRYSTAL's HARTREE, no moduli", async () => {
    const store = makeStore();
    const job = finishedJob(store, "graphene", { file: "CRYSTALpytools__elastic2D_graphene.out" });
    const mounted = await openResults(store, job.id, size);
    const f = await jumpTo(mounted, "Elastic constants of the slab");
    fits(f, size);
    expect(f).toContain("C (HARTREE, Voigt notation, symmetrized)");
    expect(f).toMatch(/1 xx\s+4\.479\s+0\.982\s+0\.000/);
    expect(f).toMatch(/3 xy\s+0\.000\s+0\.000\s+1\.749/);
    expect(f).not.toMatch(/4 yz/);
    expect(f).toContain("no bulk or shear modulus for a slab");
  });

  test("final geometry of albite: cell, volume, 26 atoms with fractional coordinates, scrolled to the last", async () => {
    const store = makeStore();
    const job = finishedJob(store, "albite", { file: "electronic-parsers__albite_freq_intens.out" });
    const mounted = await openResults(store, job.id, size);
    let f = await jumpTo(mounted, "Final geometry");
    fits(f, size);
    expect(f).toContain("Final geometry  crystal (3D), 26 atoms");
    expect(f).toMatch(/cell\s+a 7\.747113 b 7\.481185 c 7\.207491 Å {2}α 79\.535 β 107\.454 γ 64\.905°/);
    expect(f).toMatch(/volume\s+337\.0295 Å³/);
    expect(f).toMatch(/#\s+Z\s+x\/a\s+y\/b\s+z\/c/);
    expect(f).toMatch(/^\s+1\s+13 Al\s+0\.175584\s+0\.158315\s+0\.206941$/m);
    expect(f).toMatch(/^\s+2\s+13 Al\s+-0\.175584\s+-0\.158315\s+-0\.206941$/m);
    for (let i = 0; i < 4 && !/^\s+26\s+\d+ O /m.test(mounted.lastFrame()); i++) await mounted.press(" ");
    f = await mounted.waitFor(/^\s+26\s+\d+ O\s/m);
    fits(f, size);
  });

  test("Mulliken of a spin-polarised FeS: charges, spins, total spin; its geometry's atoms by name", async () => {
    const store = makeStore();
    const job = finishedJob(store, "fes", { file: "aiida-crystal17__cry17_spin_opt.out" });
    const mounted = await openResults(store, job.id, size);
    const f = await jumpTo(mounted, "Mulliken populations");
    fits(f, size);
    expect(f).toContain("(e; spin = α − β electrons)");
    expect(f).toMatch(/total spin 0\.000 \(α − β per cell\)/);
    expect(f).toMatch(/electrons\s+charge\s+spin/);
    expect(f).toMatch(/1 Fe\s+26\.0510\s+-0\.0510\s+\+3\.5460/);
    expect(f).toMatch(/2 Fe\s+26\.0490\s+-0\.0490\s+-3\.5480/);
    expect(f).toMatch(/4 S\s+15\.9500\s+\+0\.0500\s+\+0\.0010/);
  });

  test("band structure and DOS of NaCl from its fort.25: k points Γ X W L Γ, E_F, the gap", async () => {
    const store = makeStore();
    const deck =
      "BAND\nNaCl\n4 0 60 1 18 2 1\nG X\nX W\nW L\nL G\nNEWK\n12 12\n1 0\nDOSS\n0 300 11 14 1 12 0\nEND\n";
    const job = finishedJob(
      store,
      "nacl_bands",
      { file: "electronic-parsers__NaCl.out" },
      { deck, files: { "nacl_bands.f25": "electronic-parsers__NaCl.f25" } },
    );
    const mounted = await openResults(store, job.id, size);
    let f = await jumpTo(mounted, "Band structure");
    fits(f, size);
    expect(f).toMatch(/^\s+Γ\s+X\s+W\s+L\s+Γ(\s+DOS)?\s*$/m);
    // wide enough, the total DOS is drawn beside the bands on their energy axis
    if (size.columns >= 100)
      expect(f).toContain("Band structure and DOS  E − E_F (eV), ┄ E_F = 0, gap 14.30 eV; DOS 0–5.16");
    else expect(f).toContain("Band structure  E − E_F (eV), ┄ Fermi level E_F = 0, gap 14.30 eV");
    expect(f).toMatch(/^E_F┤[⠀-⣿┄]+/m);
    expect(f).toMatch(/└┴─+┴─+┴─+┴─+┴/);
    expect(f).toMatch(/[⠁-⣿]/); // braille dots
    f = await jumpTo(mounted, "Density of states");
    fits(f, size);
    expect(f).toContain("total, states/eV/cell; E − E_F (eV), ┊ Fermi level at 0");
    expect(f).toMatch(/10\.8┤/);
    if (!f.includes("E − E_F (eV)\n") && !/^\s+E − E_F \(eV\)$/m.test(f)) {
      await mounted.press(" ");
      f = await mounted.waitFor(/^\s+E − E_F \(eV\)$/m);
    }
    expect(f).toMatch(/-14\s+-12\s+-10\s+-8\s+-6\s+-4\s+-2\s+0|-15\s+-10\s+-5\s+0/);
    expect(f).toContain("read from nacl_bands.f25");
  });

  test("SCF convergence: every cycle CRYSTAL printed, cycle 1 to 7", async () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_scf", { file: "aiida-crystal17__mgo_sto3g_scf.out" });
    const mounted = await openResults(store, job.id, size);
    const f = await jumpTo(mounted, "SCF convergence");
    fits(f, size);
    const plot = f.split("\n");
    const at = plot.findIndex((l) => l.includes("SCF convergence"));
    const rows = plot.slice(at + 1).filter((l) => l.includes("┤"));
    const points = rows.join("").split("●").length - 1;
    expect(points).toBe(7);
    expect(plot.find((l) => /^\s+1\s.*cycle.*\s7$/.test(l))).toBeDefined();
    // cycle 1 (0.49 Ha against the guess) in the first column, within the top decade
    expect(rows[0]).toMatch(/^\s*1e0┤/);
    expect(rows.slice(0, 2).some((r) => /┤●/.test(r))).toBe(true);
  });
});

describe.each(SIZES)("optimisation plot at $columns×$rows", (size) => {
  test("the energy of every geometry point, steps 1 to 6, on round energy labels", async () => {
    const store = makeStore();
    const job = finishedJob(store, "mgo_opt", { file: "aiida-crystal17__mgo_sto3g_opt.out" });
    const mounted = await openResults(store, job.id, size);
    const f = await jumpTo(mounted, "Optimisation — energy per step");
    fits(f, size);
    const lines = f.split("\n");
    const at = lines.findIndex((l) => l.startsWith("Optimisation — energy per step"));
    const rows = lines.slice(at + 1).filter((l) => l.includes("┤"));
    expect(rows.join("").split("●").length - 1).toBe(6);
    expect(rows.some((r) => /^-271\.2\d*┤/.test(r))).toBe(true);
    expect(lines.find((l) => /^\s+1\s.*step.*\s6$/.test(l))).toBeDefined();
  });
});

test("an optimisation that ran out of time: its energy is marked ~ in the header and the tab, never called final", async () => {
  const store = makeStore();
  const job = finishedJob(store, "nio_opt", { file: "aiida-crystal17__nio_sto3g_afm_opt_walltime.out" });
  const mounted = await openResults(store, job.id, { columns: 80, rows: 24 });
  const f = mounted.lastFrame();
  expect(f).toMatch(/E -3128\.31829419 Ha ~/);
  expect(f).toContain("~ not a final energy: the run was killed before it finished");
  expect(f).toMatch(/Last energy\s+-3128\.3182941933 Ha .*~/);
  expect(f).not.toMatch(/Final energy/);
});

test("a properties job whose data files did not come back says so instead of plotting nothing", async () => {
  const store = makeStore();
  const job = finishedJob(store, "nacl_nofiles", { file: "electronic-parsers__NaCl.out" });
  const mounted = await openResults(store, job.id, { columns: 80, rows: 24 });
  const f = await mounted.waitFor("no fort.25, BAND.DAT or DOSS.DAT");
  expect(f).toContain("The run computed BAND and DOSS");
});

test("imaginary modes are drawn red (tone bad) and marked ⚠, so they read with and without colour", async () => {
  const { parseOutputText } = await import("../../src/crystal/output-parser.js");
  const { frequencyLines } = await import("../../src/tui/components/results/frequencies.js");
  const { frequenciesOf } = await import("../../src/tui/components/results/sections.js");
  const { renderLines } = await import("../../src/tui/components/results/render.js");
  const f = frequenciesOf(parseOutputText(albiteWithImaginaryModes()).frequencies)!;
  const lines = frequencyLines(f, { width: 80 });
  // the table's rows that start with the mark (the title line says "⚠ 2 imaginary modes" too)
  const flagged = lines.filter((l) => l[0]?.text.startsWith("⚠ "));
  expect(flagged).toHaveLength(2);
  for (const l of flagged) expect(l.every((s) => s.tone === "bad")).toBe(true);
  const ok = lines.find((l) => l.some((s) => /^\s+6\s+77\.43/.test(s.text)))!;
  expect(ok.some((s) => s.tone === "bad")).toBe(false);
  // the renderer gives "bad" its colour when colour is on, none under NO_COLOR
  type El = { props: { children: { props: { color?: string } }[] } };
  const [colored] = renderLines([flagged[0]!], (c) => c) as unknown as El[];
  expect(colored!.props.children[0]!.props.color).toBe("red");
  const [plain] = renderLines([flagged[0]!], () => undefined) as unknown as El[];
  expect(plain!.props.children[0]!.props.color).toBeUndefined();
});

test("a running properties job: its plots are promised for when its data files come back", async () => {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { FIXTURES } = await import("../helpers/project.js");
  const { addJobs } = await import("./helpers.js");
  const store = makeStore();
  const [job] = addJobs(store, ["nacl_live"], "NEWK\n12 12\n1 0\nBAND\nNaCl\n1 0 20 1 18 1 0\nG X\nEND\n");
  store.jobs.transition(job!.id, "RUNNING");
  const text = fs.readFileSync(path.join(FIXTURES, "electronic-parsers__NaCl.out"), "latin1");
  // the output up to the end of the BAND step, before DOSS
  const cut = text.indexOf("TOTAL AND PROJECTED DENSITY OF STATES");
  expect(cut).toBeGreaterThan(0);
  fs.writeFileSync(
    path.join(new ProjectFiles(store.projectDir).folderOf(job!), "nacl_live.out"),
    text.slice(0, cut),
    "latin1",
  );
  const mounted = await openResults(store, job!.id, { columns: 80, rows: 24 });
  const f = await mounted.waitFor("so far: the plots come when the run ends");
  expect(f).toMatch(/Outcome\s+incomplete \(so far/);
  expect(f).not.toContain("but no fort.25");
});
