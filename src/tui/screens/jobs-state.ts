// The job list's own rules, pure: what covers the list (a question, the comparison of marked jobs,
// the sort chooser — one at a time), and where the cursor and the first row shown go when the
// cursor moves, its job moves, or the order changes. Tested without a terminal.
import type { JobListQuery } from "../queries.js";
import type { JobsState, Pending } from "./jobs-keys.js";

/** What covers the list; while one is open the list's own keys wait. */
export type JobsModal =
  | { kind: "none" }
  | { kind: "ask"; pending: NonNullable<Pending> }
  | { kind: "compare"; ids: number[] }
  /** `choice`: the highlighted column's index in SORT_COLUMNS. */
  | { kind: "sort"; choice: number };

export type JobsModalAction =
  /** A question (null: answered). */
  | { type: "ask"; pending: Pending }
  | { type: "compare"; ids: number[] | null }
  | { type: "sort"; choice: number | null };

export const NO_MODAL: JobsModal = { kind: "none" };

export function jobsModalReducer(m: JobsModal, a: JobsModalAction): JobsModal {
  switch (a.type) {
    case "ask":
      if (a.pending === null) return m.kind === "ask" ? NO_MODAL : m;
      // a question can arrive after its key (the marked jobs read, the children counted) when the
      // user has opened something else meanwhile: the question still has to be answered, so it wins
      return { kind: "ask", pending: a.pending };
    case "compare":
      if (a.ids === null) return m.kind === "compare" ? NO_MODAL : m;
      return m.kind === "none" ? { kind: "compare", ids: a.ids } : m;
    case "sort":
      if (a.choice === null) return m.kind === "sort" ? NO_MODAL : m;
      return m.kind === "none" || m.kind === "sort" ? { kind: "sort", choice: a.choice } : m;
  }
}

/** The first row shown, scrolled only as far as needed to bring row `at` into a page of `height`. */
export function scrollInto(top: number, at: number, height: number): number {
  if (at < top) return Math.max(0, at);
  if (at >= top + height) return Math.max(0, at - height + 1);
  return top;
}

/** The first row shown when the list is put in another order: the cursor's row mid-page. */
export function centredTop(at: number, height: number): number {
  return Math.max(0, at - Math.floor(height / 2));
}

/**
 * The cursor moved by a key to `target`, kept on the list's rows; it is on a row now, not a job,
 * until the job under it is read again.
 */
export function moveCursor(s: JobsState, target: number, total: number, height: number): JobsState {
  const at = Math.max(0, Math.min(target, total - 1));
  return { ...s, cursor: at, top: scrollInto(s.top, at, height), jobId: null };
}

/**
 * The cursor's job `wanted` found at row `at` (null: no longer listed). Only while the cursor is
 * still on that job: a key may have moved it meanwhile.
 */
export function followJob(s: JobsState, wanted: number, at: number | null, height: number): JobsState {
  if (s.jobId !== wanted) return s;
  // gone (deleted, or no longer matching): the cursor stays on its row, with the job there now
  if (at === null) return { ...s, jobId: null };
  return { ...s, cursor: at, top: scrollInto(s.top, at, height) };
}

/** Another query; the cursor's job found at row `at` in it (null: not listed, so the first row). */
export function requeried(s: JobsState, query: JobListQuery, at: number | null, height: number): JobsState {
  const cursor = at ?? 0;
  return { ...s, query, cursor, top: centredTop(cursor, height) };
}
