// The demo in a real terminal at 80×24 (node-pty + a headless xterm): its NaCl properties job,
// replayed by the stand-in, brings back its fort.25 and the Results tab plots the band structure
// (k points named, E_F) and the DOS; its MgO frequency job shows the frequency table.
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { tempProject } from "../helpers/project.js";
import { type Screen, startTui } from "./pty.js";

let screen: Screen | null = null;
afterEach(() => {
  screen?.kill();
  screen = null;
});

const KEY = { enter: "\r", tab: "\t", esc: "\u001b" };

/** Searches the job list for a name and opens the job's Results tab. */
async function openResults(s: Screen, name: string) {
  s.write("/");
  await s.type(name);
  s.write(KEY.enter);
  await s.waitFor(new RegExp(`›\\s*\\d+ ${name}`));
  s.write(KEY.enter);
  await s.waitFor(new RegExp(`#\\d+ ${name}`));
  s.write(KEY.tab);
  s.write(KEY.tab);
  await s.waitFor(/Outcome\s+completed/);
}

/** Presses ] until the section's title is the first line under the tabs (at most a dozen presses). */
async function jumpTo(s: Screen, title: string) {
  const top = () => {
    const lines = s.text().split("\n");
    return lines[lines.findIndex((l) => l.includes(" Log  Input  Results")) + 1] ?? "";
  };
  for (let i = 0; i < 12 && !top().startsWith(title); i++) {
    const before = top();
    s.write("]");
    // the next press only once this one is on screen (a loaded machine renders late; a press
    // made before would jump one section too far)
    for (let t = 0; t < 60 && top() === before; t++) await new Promise((r) => setTimeout(r, 50));
  }
  return s.waitFor(title);
}

test("demo at 80×24: the NaCl band structure and DOS plotted, the MgO frequency table", async () => {
  const dir = path.join(tempProject("ctui-results-e2e-"), "demo");
  screen = startTui(["demo", "--dir", dir], {
    cols: 80,
    rows: 24,
    env: { CRYSTAL_STANDIN_DELAY_MS: "1", NO_COLOR: "1" },
  });
  await screen.waitFor(/DEMO.*stand-in/, 30_000);
  await screen.waitFor(/nacl_bands\s+✔ COMPLETED/, 180_000);
  await screen.waitFor(/mgo_freq\s+✔ COMPLETED/, 180_000);

  await openResults(screen, "nacl_bands");
  let s = await jumpTo(screen, "Band structure");
  expect(s).toContain("Fermi level E_F = 0, gap 14.30 eV");
  expect(s).toMatch(/^\s+Γ\s+X\s+W\s+L\s+Γ\s*$/m);
  expect(s).toMatch(/^E_F┤/m);
  expect(s).toMatch(/[⠁-⣿]{3}/);
  for (const l of s.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  s = await jumpTo(screen, "Density of states");
  expect(s).toContain("┊ Fermi level at 0");
  expect(s).toMatch(/[⠁-⣿]{2}/);

  screen.write(KEY.esc);
  await screen.waitFor("CREATED");
  screen.write(KEY.esc); // clear the search
  await screen.waitFor("mgo_freq");
  await openResults(screen, "mgo_freq");
  s = await screen.waitFor(/Frequencies\s+6 modes, no imaginary mode/);
  s = await jumpTo(screen, "Vibrational frequencies");
  expect(s).toContain("6 modes at Γ, no imaginary mode");
  expect(s).toMatch(/MODE\s+cm⁻¹\s+SYM\s+IR km\/mol/);
  expect(s).toMatch(/4–6\s+485\.03\s+Fu\s+1045\.07\s+A\s+I/);

  screen.write("q");
  expect((await screen.exited).exitCode).toBe(0);
}, 300_000);
