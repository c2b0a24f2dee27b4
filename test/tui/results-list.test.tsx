// The job list marks what a chemist must not miss, with symbols that read without colour: `~` after
// an energy that is not final (an optimisation out of time), `⚠` after the energy of a frequency
// run with imaginary modes; `?` says what they mean, the detail says it in words.

import { afterEach, expect, test } from "vitest";
import { sql } from "../store/raw-sql.js";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";
import { albiteWithImaginaryModes, finishedJob } from "./results-helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

test("the list marks a not-final energy ~ and imaginary modes ⚠, in 80×24; ? explains; the detail says why", async () => {
  const store = makeStore();
  finishedJob(store, "mgo_scf", { file: "aiida-crystal17__mgo_sto3g_scf.out" });
  finishedJob(store, "nio_opt", { file: "aiida-crystal17__nio_sto3g_afm_opt_walltime.out" });
  finishedJob(store, "albite_fq", { text: albiteWithImaginaryModes() });
  finishedJob(store, "albite_ok", { file: "electronic-parsers__albite_freq_intens.out" });
  m = mount(store, { columns: 80, rows: 24 });
  const f = await m.waitFor("albite_ok");
  for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  const rowOf = (name: string) => f.split("\n").find((l) => l.includes(name))!;
  expect(rowOf("mgo_scf")).toMatch(/✔ COMPLETED.*-271\.21814375 /);
  expect(rowOf("nio_opt")).toMatch(/✖ FAILED.*-3128\.31829419~/);
  expect(rowOf("albite_fq")).toMatch(/✔ COMPLETED.*-3747\.55081947⚠/);
  expect(rowOf("albite_ok")).toMatch(/-3747\.55081947 /);
  // the energy column keeps its place: the value's last digit, then the mark, then CREATED
  const created = ["mgo_scf", "nio_opt", "albite_fq", "albite_ok"].map((n) =>
    rowOf(n).search(/\d\d-\d\d \d\d:\d\d/),
  );
  expect(new Set(created).size).toBe(1);
  for (const n of ["mgo_scf", "nio_opt", "albite_fq", "albite_ok"])
    expect(rowOf(n)[created[0]! - 3]).toMatch(/\d/);
  await m.press("?");
  const help = await m.waitFor("Marks");
  expect(help).toMatch(/Marks\s+~ not final {2}⚠ imaginary modes {2}↺ stand-in {2}\(the job says why\)/);
  expect(help).toContain("ctrl+c"); // the whole help still fits
  await m.press("x"); // any key closes it
  await m.waitFor("albite_fq");
  // the detail of the frequency job says it in words
  await m.press("k", "k", "k"); // the list is newest first: albite_ok, albite_fq, nio_opt, mgo_scf
  await m.press(KEY.down);
  await m.press(KEY.enter);
  const d = await m.waitFor("⚠ 2 imaginary modes");
  expect(d).toMatch(/#3 albite_fq\s+✔ COMPLETED.*E -3747\.55081947 Ha ⚠/);
});

test("the list reads the marks of the rows on screen only (a broken key_results gives no mark, no error)", async () => {
  const store = makeStore();
  const job = finishedJob(store, "nio_opt", { file: "aiida-crystal17__nio_sto3g_afm_opt_walltime.out" });
  // a result written by an earlier tool (no status of its own): a FAILED job's energy is not final
  sql(store)
    .prepare("UPDATE jobs SET final_energy = ?, key_results = ? WHERE id = ?")
    .run(-3128.3, JSON.stringify({ energy: -3128.3 }), job.id);
  m = mount(store, { columns: 80, rows: 24 });
  const f = await m.waitFor("nio_opt");
  expect(f.split("\n").find((l) => l.includes("nio_opt"))).toMatch(/-3128\.30000000~/);
});

test("a result the CRYSTAL stand-in replayed is marked ↺ in the list, said in words in the detail and first in Results", async () => {
  const store = makeStore();
  const stderr =
    "crystal-standin: this is crystal-tui's CRYSTAL stand-in, not CRYSTAL: as crystalOMP, replaying the real output aiida-crystal17__mgo_sto3g_scf\n";
  finishedJob(store, "real_scf", { file: "aiida-crystal17__mgo_sto3g_scf.out" });
  const replayed = finishedJob(
    store,
    "replayed_scf",
    { file: "aiida-crystal17__mgo_sto3g_scf.out" },
    { stderr },
  );
  m = mount(store, { columns: 80, rows: 24 });
  const f = await m.waitFor("replayed_scf");
  const rowOf = (name: string) => f.split("\n").find((l) => l.includes(name))!;
  expect(rowOf("replayed_scf")).toMatch(/-271\.21814375↺/);
  expect(rowOf("real_scf")).toMatch(/-271\.21814375 /);
  m.unmount();
  m = mount(store, {
    columns: 80,
    rows: 24,
    view: { name: "detail", jobId: replayed.id, from: { name: "jobs" } },
  });
  const d = await m.waitFor("replayed by the CRYSTAL stand-in");
  expect(d).toMatch(/E -271\.21814375 Ha ↺/);
  await m.press(KEY.tab, KEY.tab); // Log → Input → Results
  const r = await m.waitFor("Computed by");
  expect(r).toMatch(/Computed by\s+crystal-tui's CRYSTAL stand-in replaying the recording/);
});
