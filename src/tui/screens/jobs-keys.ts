// The job list's keys, as tables (bindings.ts): the footer, `?` and the dispatch read them. What a
// key does to the store is in actions.ts / many-actions.ts; here only which key does what, when.

import { isActive, isTerminal, JOB_STATUSES } from "../../domain/status.js";
import { STATUS_GROUP_NAMES } from "../../domain/status-groups.js";
import type { Job } from "../../domain/types.js";
import type { Project } from "../../engine/hooks.js";
import { copyJobReference, rerunJob } from "../actions.js";
import type { Binding } from "../bindings.js";
import { editText } from "../components/Form.js";
import { cancellable, copyAndEdit, deletable, markedJobs, rerunnable } from "../many-actions.js";
import { type Nav, runAction } from "../nav.js";
import { DEFAULT_QUERY, type JobListQuery, type JobListRow, SORT_COLUMNS } from "../queries.js";

export interface JobsState {
  query: JobListQuery;
  /** Index of the cursor in the whole (filtered, sorted) list. */
  cursor: number;
  /** Index of the first row on screen. */
  top: number;
  searching: boolean;
  /**
   * The job the cursor is on: when jobs are added or removed above it (by an engine, the CLI, a
   * workflow), the cursor follows the job, not the row. Null: take the job under the cursor.
   */
  jobId: number | null;
  /** The jobs marked with space (by id, so a mark stays on its job when the list moves). */
  marked: number[];
}

export const INITIAL_JOBS_STATE: JobsState = {
  query: DEFAULT_QUERY,
  cursor: 0,
  top: 0,
  searching: false,
  jobId: null,
  marked: [],
};

export type Pending =
  | {
      kind: "cancel" | "delete" | "cancel-instead" | "restart" | "rerun";
      id: number;
      name: string;
      children?: number;
    }
  // several marked jobs: those the action takes, and how many of the marked it leaves (and why)
  | {
      kind: "cancel-many" | "delete-many" | "restart-many" | "rerun-many";
      jobs: Job[];
      kept: number;
      children?: number;
    }
  | null;

// the groups a chemist asks for first (what is going on, what finished, what ended without its
// goal), then each status on its own
const FILTERS: JobListQuery["status"][] = [null, ...STATUS_GROUP_NAMES, ...JOB_STATUSES];

/** What the list's keys act on (rebuilt on every render, so a key sees the state it was pressed on). */
export interface JobsCtx {
  nav: Nav;
  project: Project;
  state: JobsState;
  set: (s: JobsState) => void;
  selected: JobListRow | null;
  cursor: number;
  total: number;
  page: number;
  moveTo: (target: number) => void;
  requery: (query: JobListQuery) => void;
  ask: (p: Pending) => void;
  compare: (ids: number[]) => void;
  /** The sort chooser's highlighted column (null: closed). */
  sortChoice: number | null;
  chooseSort: (choice: number | null) => void;
}

const filtered = (c: JobsCtx) => c.state.query.search !== "" || c.state.query.status !== null;
const withJob = (c: JobsCtx) => c.selected !== null;
const withMarks = (c: JobsCtx) => c.state.marked.length > 0;
const singleJob = (c: JobsCtx) => withJob(c) && !withMarks(c);

/** Reads the marked jobs, then asks about those `pick` takes (or says why there are none). */
function askMany(
  c: JobsCtx,
  kind: "cancel-many" | "delete-many" | "restart-many" | "rerun-many",
  pick: (jobs: Job[]) => Job[],
  none: (n: number) => string,
) {
  void Promise.resolve()
    .then(() => markedJobs(c.project.store, c.state.marked))
    .then(
      (all) => {
        const jobs = pick(all);
        if (jobs.length === 0) c.nav.flash(none(all.length), "error");
        else c.ask({ kind, jobs, kept: all.length - jobs.length });
      },
      () => undefined, // the store closed under the screen (quit)
    );
}

/** Re-runs job `id` as a new job and puts the cursor on it. */
export function rerun(c: JobsCtx, id: number) {
  const { store } = c.project;
  void runAction(
    c.nav,
    async () => rerunJob(c.project, await store.jobs.require(id)),
    (j) => `job ${id} re-run as job ${j.id}`,
  ).then(async (made) => {
    if (!made) return;
    const at = await store.views.positionOf(c.state.query, made.id);
    if (at !== null) c.moveTo(at);
  });
}

/** The keys for the marked jobs: first in the table, so with marks c/d/R act on all of them. */
const MARK_BINDINGS: readonly Binding<JobsCtx>[] = [
  {
    on: ["space"],
    does: "mark / unmark the job (c, d, R, r, = then act on the marked ones)",
    footer: "mark",
    when: withJob,
    run: (c) => {
      const id = c.selected!.id;
      const marked = c.state.marked.includes(id)
        ? c.state.marked.filter((m) => m !== id)
        : [...c.state.marked, id];
      c.set({ ...c.state, marked });
    },
  },
  {
    on: ["="],
    does: "compare the marked jobs' energies (2 or more)",
    footer: "compare",
    when: (c) => c.state.marked.length >= 2,
    run: (c) => c.compare(c.state.marked),
  },
  {
    on: ["c"],
    does: "cancel the marked jobs that are not finished (asks once)",
    footer: "cancel marked",
    when: withMarks,
    run: (c) =>
      askMany(
        c,
        "cancel-many",
        cancellable,
        (n) => `none of the ${n} marked jobs is active — nothing to cancel`,
      ),
  },
  {
    on: ["d"],
    does: "delete the marked jobs' records (asks once; running ones are kept)",
    footer: "delete marked",
    when: withMarks,
    run: (c) =>
      askMany(
        c,
        "delete-many",
        deletable,
        (n) => `all ${n} marked jobs are pending or running — cancel them first (c), then delete`,
      ),
  },
  {
    on: ["R"],
    does: "restart the marked jobs from where they stopped (asks once)",
    footer: "restart marked",
    when: withMarks,
    run: (c) =>
      askMany(
        c,
        "restart-many",
        (jobs) => jobs,
        () => "the marked jobs are gone",
      ),
  },
  {
    on: ["r"],
    does: "re-run the marked finished jobs from the start, each as a new job (asks once)",
    footer: "re-run marked",
    when: withMarks,
    run: (c) =>
      askMany(
        c,
        "rerun-many",
        rerunnable,
        (n) => `none of the ${n} marked jobs has finished — only a finished job can be re-run`,
      ),
  },
  {
    on: ["esc"],
    does: "clear the marks",
    footer: "unmark",
    when: withMarks,
    run: (c) => c.set({ ...c.state, marked: [] }),
  },
];

export const JOBS_BINDINGS: readonly Binding<JobsCtx>[] = [
  ...MARK_BINDINGS,
  {
    on: ["up", "down", "j", "k"],
    does: "move",
    footer: "move",
    run: (c, input, key) => c.moveTo(c.cursor + (key.downArrow || input === "j" ? 1 : -1)),
  },
  {
    on: ["pgup", "pgdn"],
    does: "page up / down",
    run: (c, _i, key) => c.moveTo(c.cursor + (key.pageDown ? c.page : -c.page)),
  },
  {
    on: ["g", "G", "home", "end"],
    does: "first / last job",
    run: (c, input, key) => c.moveTo(input === "G" || key.end ? c.total - 1 : 0),
  },
  {
    on: ["enter"],
    does: "open the job (log, input, results, files, history)",
    footer: "open",
    when: withJob,
    run: (c) => c.nav.showJob(c.selected!.id),
  },
  { on: ["n"], does: "new job", footer: "new", run: (c) => c.nav.newJob() },
  {
    on: ["c"],
    does: "cancel the job (asks)",
    footer: "cancel",
    when: singleJob,
    run: (c) => {
      const j = c.selected!;
      if (!isTerminal(j.status)) c.ask({ kind: "cancel", id: j.id, name: j.name });
      else c.nav.flash(`job ${j.id} is ${j.status} — nothing to cancel`, "error");
    },
  },
  {
    on: ["r"],
    does: "re-run a finished job as a new job",
    footer: "re-run",
    when: withJob,
    run: (c) => {
      const j = c.selected!;
      // a finished job: asked once (y, or e to edit the deck first); otherwise the refusal says why
      if (isTerminal(j.status)) c.ask({ kind: "rerun", id: j.id, name: j.name });
      else rerun(c, j.id);
    },
  },
  {
    on: ["e"],
    does: "copy the job and edit its deck in $VISUAL / $EDITOR (checked before the job is made)",
    footer: "copy+edit",
    when: singleJob,
    run: (c) => {
      const id = c.selected!.id;
      void runAction(c.nav, () => copyAndEdit(c.project, id));
    },
  },
  {
    on: ["R"],
    does: "restart the job: continue it from its wavefunction / last geometry (asks)",
    footer: "restart",
    when: singleJob,
    run: (c) => c.ask({ kind: "restart", id: c.selected!.id, name: c.selected!.name }),
  },
  {
    on: ["d"],
    does: "delete the job's record (asks)",
    footer: "delete",
    when: singleJob,
    // a running job cannot be deleted: what the user can do is cancel it, so that is what d offers
    run: (c) => {
      const j = c.selected!;
      c.ask({ kind: isActive(j.status) ? "cancel-instead" : "delete", id: j.id, name: j.name });
    },
  },
  {
    on: ["/"],
    does: "search by name (enter keeps, esc clears)",
    footer: "search",
    run: (c) => c.set({ ...c.state, searching: true }),
  },
  {
    on: ["f", "F"],
    does: "filter: active, finished, failed, then each status (f: next, F: previous)",
    footer: "filter",
    run: (c, input) => {
      const i = FILTERS.indexOf(c.state.query.status);
      const next = FILTERS[(i + (input === "f" ? 1 : -1) + FILTERS.length) % FILTERS.length] ?? null;
      c.set({ ...c.state, query: { ...c.state.query, status: next }, cursor: 0, top: 0, jobId: null });
    },
  },
  {
    on: ["s"],
    does: "sort by a column: choose it (its number, or ←→ and enter)",
    footer: "sort",
    run: (c) => c.chooseSort(Math.max(0, SORT_COLUMNS.indexOf(c.state.query.sort))),
  },
  {
    on: ["S"],
    does: "reverse the order",
    run: (c) => c.requery({ ...c.state.query, descending: !c.state.query.descending }),
  },
  {
    on: ["y"],
    does: "copy the job's folder (local) or SLURM id (remote) to the clipboard",
    footer: "copy",
    when: singleJob,
    run: (c) => {
      const id = c.selected!.id;
      void runAction(c.nav, () => copyJobReference(c.project, id));
    },
  },
  {
    on: ["esc"],
    does: "clear the search and the filter",
    footer: "clear",
    when: filtered,
    run: (c) =>
      c.set({
        ...c.state,
        query: { ...c.state.query, search: "", status: null },
        cursor: 0,
        top: 0,
        jobId: null,
      }),
  },
];

export const SEARCH_BINDINGS: readonly Binding<JobsCtx>[] = [
  {
    on: ["enter"],
    does: "keep the search",
    footer: "keep",
    run: (c) => c.set({ ...c.state, searching: false }),
  },
  {
    on: ["esc"],
    does: "clear the search",
    footer: "clear",
    run: (c) =>
      c.set({
        ...c.state,
        searching: false,
        query: { ...c.state.query, search: "" },
        cursor: 0,
        top: 0,
        jobId: null,
      }),
  },
  {
    on: ["text"],
    does: "the name to look for (backspace deletes)",
    footer: "search",
    run: (c, input, key) => {
      const search = editText(c.state.query.search, input, key);
      if (search !== c.state.query.search)
        c.set({ ...c.state, query: { ...c.state.query, search }, cursor: 0, top: 0, jobId: null });
    },
  },
];

/** A column chosen: sorted by it (chosen again: the other way round). */
function sortBy(c: JobsCtx, index: number) {
  const sort = SORT_COLUMNS[index];
  c.chooseSort(null);
  if (!sort) return;
  if (sort === c.state.query.sort) c.requery({ ...c.state.query, descending: !c.state.query.descending });
  // names read best A→Z, everything else newest / biggest first
  else c.requery({ ...c.state.query, sort, descending: sort !== "name" });
}

const DIGITS = SORT_COLUMNS.map((_, i) => String(i + 1));

/** `s`'s chooser: the columns by number; the one sorted by now is chosen again to reverse it. */
export const SORT_CHOOSER_BINDINGS: readonly Binding<JobsCtx>[] = [
  {
    on: DIGITS,
    does: "sort by that column (the current one: reverse it)",
    footer: "column",
    run: (c, input) => sortBy(c, Number(input) - 1),
  },
  {
    on: ["left", "right", "h", "l"],
    does: "choose a column",
    footer: "choose",
    run: (c, input, key) => {
      const by = key.rightArrow || input === "l" ? 1 : -1;
      const n = SORT_COLUMNS.length;
      c.chooseSort(((((c.sortChoice ?? 0) + by) % n) + n) % n);
    },
  },
  {
    on: ["enter"],
    does: "sort by the chosen column",
    footer: "sort",
    run: (c) => sortBy(c, c.sortChoice ?? 0),
  },
  { on: ["esc"], does: "keep the order as it is", footer: "cancel", run: (c) => c.chooseSort(null) },
];
