// The app's state rules (the way between screens, the help, the message), with the expected states
// written out here.
import { describe, expect, it } from "vitest";
import { type AppAction, type AppState, appReducer, initialAppState } from "../../src/tui/app-state.js";
import type { KeyTable } from "../../src/tui/bindings.js";

const run = (actions: AppAction[], from: AppState = initialAppState()) => actions.reduce(appReducer, from);

describe("app state", () => {
  it("opens on the job list (or the view asked for), no help, no message, no keys yet", () => {
    expect(initialAppState()).toEqual({ view: { name: "jobs" }, help: false, flash: null, table: null });
    expect(initialAppState({ name: "clusters" }).view).toEqual({ name: "clusters" });
  });

  it("a top screen's key shows it and drops the message about the one left", () => {
    const s = run([
      { type: "flash", flash: { text: "job 3 cancelled", kind: "info" } },
      { type: "go", screen: "workflows" },
    ]);
    expect(s).toEqual({ view: { name: "workflows" }, help: false, flash: null, table: null });
  });

  it("a job opened from a list goes back to that list", () => {
    const s = run([
      { type: "go", screen: "queue" },
      { type: "show job", id: 4 },
    ]);
    expect(s.view).toEqual({ name: "detail", jobId: 4, from: { name: "queue" } });
    expect(appReducer(s, { type: "back" }).view).toEqual({ name: "queue" });
  });

  it("a job opened from another job, or from the form that made it, still goes back to the list", () => {
    const fromJob = run([
      { type: "show job", id: 4 },
      { type: "show job", id: 9 },
    ]);
    expect(fromJob.view).toEqual({ name: "detail", jobId: 9, from: { name: "jobs" } });
    const fromForm = run([
      { type: "go", screen: "workflows" },
      { type: "new job" },
      { type: "show job", id: 12 },
    ]);
    expect(fromForm.view).toEqual({ name: "detail", jobId: 12, from: { name: "workflows" } });
    expect(appReducer(fromForm, { type: "back" }).view).toEqual({ name: "workflows" });
  });

  it("the new-job form opened from a job goes back to that job", () => {
    const s = run([{ type: "show job", id: 4 }, { type: "new job" }]);
    expect(s.view).toEqual({ name: "new", from: { name: "detail", jobId: 4, from: { name: "jobs" } } });
    expect(appReducer(s, { type: "back" }).view).toEqual({
      name: "detail",
      jobId: 4,
      from: { name: "jobs" },
    });
  });

  it("back from a top screen goes to the job list", () => {
    expect(run([{ type: "go", screen: "clusters" }, { type: "back" }]).view).toEqual({ name: "jobs" });
  });

  it("the help opens over the screen and closes, leaving the screen as it was", () => {
    const before = run([{ type: "show job", id: 4 }]);
    const open = appReducer(before, { type: "help", open: true });
    expect(open.help).toBe(true);
    expect(open.view).toEqual({ name: "detail", jobId: 4, from: { name: "jobs" } });
    expect(appReducer(open, { type: "help", open: false })).toEqual(before);
  });

  it("the same help, message or keys again is the same state (nothing to draw again)", () => {
    const table: KeyTable = { title: "jobs", screen: [], global: [] };
    const s = run([{ type: "table", table }]);
    expect(appReducer(s, { type: "table", table })).toBe(s);
    expect(appReducer(s, { type: "help", open: false })).toBe(s);
    expect(appReducer(s, { type: "flash", flash: null })).toBe(s);
  });

  it("a message stays until replaced or ended; the keys are replaced as published", () => {
    const s = run([
      { type: "flash", flash: { text: "saved", kind: "info" } },
      { type: "flash", flash: { text: "cannot reach hpc", kind: "error" } },
    ]);
    expect(s.flash).toEqual({ text: "cannot reach hpc", kind: "error" });
    expect(appReducer(s, { type: "flash", flash: null }).flash).toBeNull();
    const t: KeyTable = { title: "search", screen: [], global: [] };
    expect(appReducer(s, { type: "table", table: t }).table).toEqual({
      title: "search",
      screen: [],
      global: [],
    });
  });
});
