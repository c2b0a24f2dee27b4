// `?` lists every key of the screen; each screen fits 80×24; NO_COLOR is honoured; q quits.
import { afterEach, describe, expect, test } from "vitest";
import { colorWanted } from "../../src/tui/theme.js";
import { addJobs, KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const fits = (frame: string, cols: number, rows: number) => {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(cols);
};

/** The help's line for these keys (the keys, then the gap before what they do). */
const keyRow = (frame: string, keys: string) => frame.split("\n").find((l) => l.startsWith(`${keys}  `));

describe("help, layout, colour", () => {
  test("? lists every key of the jobs screen (and any key closes it)", async () => {
    const store = makeStore();
    addJobs(store, ["x", "y"]);
    m = mount(store, { columns: 100, rows: 30 });
    await m.waitFor("CREATED");
    await m.press("?");
    const f = await m.waitFor("Keys — jobs screen");
    for (const k of ["↑↓ j k", "pgup pgdn", "g G home end", "enter", "/", "f F", "s", "S", "y", "Marks"])
      expect(keyRow(f, k), k).toBeTruthy();
    expect(f).toContain("Everywhere");
    // the status symbols of the list and the status line, said in words (issue 13, defect 14)
    expect(f).toMatch(
      /Statuses\s+… waiting \(for its parents, or for free cores\)\s+◷ in a cluster's queue\s+▶ running/,
    );
    await m.press("j");
    await m.waitFor("CREATED");
  });

  test("? on the job detail lists the detail's keys", async () => {
    const store = makeStore();
    addJobs(store, ["x"]);
    m = mount(store, { columns: 100, rows: 30, view: { name: "detail", jobId: 1, from: { name: "jobs" } } });
    await m.waitFor("#1 x");
    await m.press("?");
    const f = await m.waitFor("Keys — detail screen");
    for (const k of ["tab → l", "shift+tab ← h", "esc", "c", "r", "d"]) expect(keyRow(f, k), k).toBeTruthy();
  });

  test("every screen fits 80×24, and 1 2 3 switch screens", async () => {
    const store = makeStore();
    addJobs(store, ["a_rather_long_job_name_that_does_not_fit_in_its_column_at_all"]);
    store.clusters.create({
      name: "a-cluster-with-a-long-name",
      type: "slurm",
      hostname: "login.example.org",
      username: "chemist",
    });
    m = mount(store, { columns: 80, rows: 24 });
    fits(await m.waitFor("CREATED"), 80, 24);
    await m.press("2");
    fits(await m.waitFor("No workflows yet"), 80, 24);
    await m.press("3");
    fits(await m.waitFor("a-cluster-with-a-long"), 80, 24);
    await m.press("1", KEY.enter);
    fits(await m.waitFor("History"), 80, 24);
    await m.press(KEY.escape, "n");
    fits(await m.waitFor("single-point", 10_000), 80, 24);
  });

  test("the demo notice says plainly that results are replayed by the stand-in", async () => {
    m = mount(makeStore(), { demo: true });
    await m.waitFor(
      "DEMO — results come from the CRYSTAL stand-in replaying recorded CRYSTAL outputs, not from CRYSTAL",
    );
  });

  test("NO_COLOR turns colour off (any value but empty)", () => {
    expect(colorWanted({})).toBe(true);
    expect(colorWanted({ NO_COLOR: "" })).toBe(true);
    expect(colorWanted({ NO_COLOR: "1" })).toBe(false);
  });

  test("q quits from the list; in a text field q is just a letter", async () => {
    const store = makeStore();
    m = mount(store);
    await m.waitFor("CREATED");
    await m.press("/");
    await m.type("q");
    expect(m.quit.called).toBe(false);
    await m.waitFor("/q");
    await m.press(KEY.escape, "q");
    expect(m.quit.called).toBe(true);
  });
});
