// The job detail's state rules, as a user meets them, with the expected states written out here.
import { describe, expect, it } from "vitest";
import {
  type DetailAction,
  type DetailState,
  detailReducer,
  initialDetailState,
  shownOffset,
} from "../../src/tui/screens/detail-state.js";

const run = (actions: DetailAction[], from: DetailState = initialDetailState()) =>
  actions.reduce(detailReducer, from);

describe("job detail state", () => {
  it("opens on the Log, following the output, nothing asked", () => {
    expect(initialDetailState()).toEqual({
      tab: "Log",
      offsets: { Log: 0, Input: 0, Results: 0, Files: 0, History: 0 },
      follow: true,
      stream: "output",
      fileCursor: 0,
      viewing: null,
      viewOffset: 0,
      pending: null,
    });
    expect(initialDetailState("Results").tab).toBe("Results");
  });

  it("the Log shows its last page while it follows, whatever was scrolled before", () => {
    const s = run([
      { type: "scroll", to: 10, last: 50 },
      { type: "follow", on: true },
    ]);
    expect(shownOffset(s, 80)).toBe(80);
  });

  it("scrolling the Log back stops following; scrolling to its end follows again", () => {
    const back = run([{ type: "scroll", to: 49, last: 50 }]);
    expect(back.follow).toBe(false);
    expect(shownOffset(back, 50)).toBe(49);
    // the file grows: the place stays where it was left
    expect(shownOffset(back, 70)).toBe(49);
    const end = detailReducer(back, { type: "scroll", to: 1_000_000, last: 70 });
    expect(end.follow).toBe(true);
    expect(shownOffset(end, 90)).toBe(90);
  });

  it("the other stream is read from its end", () => {
    const s = run([
      { type: "scroll", to: 3, last: 40 },
      { type: "stream", stream: "stderr" },
    ]);
    expect(s.stream).toBe("stderr");
    expect(s.follow).toBe(true);
  });

  it("each tab keeps its own place, and scrolling elsewhere leaves the Log following", () => {
    const s = run([
      { type: "tab", tab: "Results" },
      { type: "scroll", to: 12, last: 30 },
      { type: "tab", tab: "Input" },
      { type: "scroll", to: 5, last: 30 },
      { type: "tab", tab: "Results" },
    ]);
    expect(shownOffset(s, 30)).toBe(12);
    expect(s.offsets.Input).toBe(5);
    expect(s.follow).toBe(true);
    // a shorter page than the place left: the last page, not past it
    expect(shownOffset(s, 8)).toBe(8);
  });

  it("scrolls stay inside the text: not above the first line nor past the last page", () => {
    const s = run([
      { type: "tab", tab: "History" },
      { type: "scroll", to: -4, last: 30 },
    ]);
    expect(s.offsets.History).toBe(0);
    expect(detailReducer(s, { type: "scroll", to: 99, last: 30 }).offsets.History).toBe(30);
  });

  it("a file opened in Files starts at its top and scrolls apart from the list", () => {
    const s = run([
      { type: "tab", tab: "Files" },
      { type: "scroll", to: 2, last: 4 },
      { type: "view", name: "mgo.out" },
      { type: "scroll", to: 300, last: 900 },
    ]);
    expect(s.viewing).toBe("mgo.out");
    expect(shownOffset(s, 900)).toBe(300);
    expect(s.offsets.Files).toBe(2);
    const other = detailReducer(s, { type: "view", name: "mgo.d12" });
    expect(shownOffset(other, 900)).toBe(0);
    const back = detailReducer(other, { type: "view", name: null });
    expect(shownOffset(back, 4)).toBe(2);
  });

  it("the chosen file stays one of the files", () => {
    const s = run([{ type: "choose", index: 7, count: 3 }]);
    expect(s.fileCursor).toBe(2);
    expect(detailReducer(s, { type: "choose", index: -1, count: 3 }).fileCursor).toBe(0);
    expect(detailReducer(s, { type: "choose", index: 4, count: 0 }).fileCursor).toBe(0);
  });

  it("a question is asked and answered without moving anything else", () => {
    const before = run([{ type: "scroll", to: 6, last: 20 }]);
    const asked = detailReducer(before, { type: "ask", pending: "rerun" });
    expect(asked.pending).toBe("rerun");
    expect(detailReducer(asked, { type: "ask", pending: null })).toEqual(before);
  });
});
