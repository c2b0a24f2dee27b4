// The job list's state rules, as a user meets them, with the expected states written out here.
import { describe, expect, it } from "vitest";
import type { JobsState } from "../../src/tui/screens/jobs-keys.js";
import {
  centredTop,
  followJob,
  type JobsModal,
  type JobsModalAction,
  jobsModalReducer,
  moveCursor,
  NO_MODAL,
  requeried,
  scrollInto,
} from "../../src/tui/screens/jobs-state.js";

const run = (actions: JobsModalAction[], from: JobsModal = NO_MODAL) =>
  actions.reduce(jobsModalReducer, from);

const cancel7 = { kind: "cancel", id: 7, name: "mgo" } as const;

const at = (cursor: number, top: number, jobId: number | null = null): JobsState => ({
  query: { status: null, search: "", sort: "created", descending: true },
  cursor,
  top,
  searching: false,
  jobId,
  marked: [],
});

describe("job list: what covers it", () => {
  it("opens with nothing over the list", () => {
    expect(NO_MODAL).toEqual({ kind: "none" });
  });

  it("a question is asked and answered", () => {
    const asked = run([{ type: "ask", pending: cancel7 }]);
    expect(asked).toEqual({ kind: "ask", pending: { kind: "cancel", id: 7, name: "mgo" } });
    expect(jobsModalReducer(asked, { type: "ask", pending: null })).toEqual({ kind: "none" });
  });

  it("the sort chooser opens on a column, moves, and closes", () => {
    const s = run([
      { type: "sort", choice: 0 },
      { type: "sort", choice: 3 },
    ]);
    expect(s).toEqual({ kind: "sort", choice: 3 });
    expect(jobsModalReducer(s, { type: "sort", choice: null })).toEqual({ kind: "none" });
  });

  it("the comparison opens with the marked jobs and closes", () => {
    const s = run([{ type: "compare", ids: [3, 5] }]);
    expect(s).toEqual({ kind: "compare", ids: [3, 5] });
    expect(jobsModalReducer(s, { type: "compare", ids: null })).toEqual({ kind: "none" });
  });

  it("while a question is open, the sort chooser and the comparison do not open", () => {
    const asked = run([{ type: "ask", pending: cancel7 }]);
    expect(jobsModalReducer(asked, { type: "sort", choice: 2 })).toEqual(asked);
    expect(jobsModalReducer(asked, { type: "compare", ids: [1, 2] })).toEqual(asked);
  });

  it("while the chooser is open the comparison does not open, nor the chooser over the comparison", () => {
    const choosing = run([{ type: "sort", choice: 1 }]);
    expect(jobsModalReducer(choosing, { type: "compare", ids: [1, 2] })).toEqual({ kind: "sort", choice: 1 });
    const comparing = run([{ type: "compare", ids: [1, 2] }]);
    expect(jobsModalReducer(comparing, { type: "sort", choice: 0 })).toEqual({
      kind: "compare",
      ids: [1, 2],
    });
  });

  it("closing one thing leaves another that is open as it is", () => {
    const choosing = run([{ type: "sort", choice: 4 }]);
    expect(jobsModalReducer(choosing, { type: "ask", pending: null })).toEqual({ kind: "sort", choice: 4 });
    expect(jobsModalReducer(choosing, { type: "compare", ids: null })).toEqual({ kind: "sort", choice: 4 });
    const asked = run([{ type: "ask", pending: cancel7 }]);
    expect(jobsModalReducer(asked, { type: "sort", choice: null })).toEqual(asked);
  });

  it("a question that arrives late (after reading the marked jobs) replaces what was opened meanwhile", () => {
    const many = { kind: "delete-many" as const, jobs: [], kept: 0, children: 2 };
    expect(
      run([
        { type: "sort", choice: 1 },
        { type: "ask", pending: many },
      ]),
    ).toEqual({
      kind: "ask",
      pending: { kind: "delete-many", jobs: [], kept: 0, children: 2 },
    });
    expect(
      run([
        { type: "compare", ids: [1, 2] },
        { type: "ask", pending: cancel7 },
      ]),
    ).toEqual({
      kind: "ask",
      pending: { kind: "cancel", id: 7, name: "mgo" },
    });
  });
});

describe("job list: scrolling the cursor into view", () => {
  it("a row on the page leaves the page where it is", () => {
    expect(scrollInto(10, 10, 5)).toBe(10);
    expect(scrollInto(10, 14, 5)).toBe(10);
  });

  it("one row past the bottom scrolls by one; far past it, the row is the page's last", () => {
    expect(scrollInto(10, 15, 5)).toBe(11);
    expect(scrollInto(10, 40, 5)).toBe(36);
  });

  it("a row above the page becomes its first", () => {
    expect(scrollInto(10, 9, 5)).toBe(9);
    expect(scrollInto(10, 2, 5)).toBe(2);
  });

  it("never above the first row", () => {
    expect(scrollInto(3, -1, 5)).toBe(0);
  });

  it("a new order puts the cursor's row mid-page, not above the first row", () => {
    expect(centredTop(50, 20)).toBe(40);
    expect(centredTop(50, 21)).toBe(40);
    expect(centredTop(4, 20)).toBe(0);
  });
});

describe("job list: the cursor", () => {
  it("down by one at the page's bottom moves the page by one; the cursor is on a row, not a job", () => {
    expect(moveCursor(at(14, 10, 99), 15, 100, 5)).toEqual(at(15, 11, null));
  });

  it("stays on the list's rows: not past the last, not above the first", () => {
    expect(moveCursor(at(98, 95), 120, 100, 5)).toEqual(at(99, 95));
    expect(moveCursor(at(2, 0), -20, 100, 5)).toEqual(at(0, 0));
  });

  it("an empty list keeps the cursor and the page at the top", () => {
    expect(moveCursor(at(0, 0), 1, 0, 5)).toEqual(at(0, 0));
    expect(moveCursor(at(6, 4), 7, 0, 5)).toEqual(at(0, 0));
  });

  it("follows its job to where it is now, scrolling only as far as needed", () => {
    expect(followJob(at(12, 10, 42), 42, 20, 5)).toEqual(at(20, 16, 42));
    expect(followJob(at(12, 10, 42), 42, 11, 5)).toEqual(at(11, 10, 42));
  });

  it("its job gone: the cursor stays on its row, with the job there now", () => {
    expect(followJob(at(12, 10, 42), 42, null, 5)).toEqual(at(12, 10, null));
  });

  it("moved by a key meanwhile: the late answer about the old job changes nothing", () => {
    expect(followJob(at(3, 0, 8), 42, 20, 5)).toEqual(at(3, 0, 8));
  });

  it("another order keeps the cursor on its job, mid-page; its job not listed, the first row", () => {
    const byName = { status: null, search: "", sort: "name", descending: false } as const;
    expect(requeried(at(3, 0, 42), byName, 30, 10)).toEqual({ ...at(30, 25, 42), query: byName });
    expect(requeried(at(3, 0, 42), byName, null, 10)).toEqual({ ...at(0, 0, 42), query: byName });
  });
});
