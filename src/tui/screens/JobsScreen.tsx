// The job list: every job of the project, fast with 10,000 of them (only the rows on screen are
// read), with status filter (f), name search (/), sort by column (s), and the action keys.
import { Box, Text } from "ink";
import { useEffect, useMemo, useState } from "react";
import {
  isActive,
  isTerminal,
  JOB_STATUSES,
  type JobStatus,
  STATUS_MEANING,
  STATUS_SYMBOL,
} from "../../domain/status.js";
import type { Job } from "../../domain/types.js";
import type { Project } from "../../engine/hooks.js";
import { cancelJob, deleteJob, deleteQuestion, rerunJob } from "../actions.js";
import { type Binding, useBindings } from "../bindings.js";
import { Compare } from "../components/Compare.js";
import { Confirm } from "../components/Confirm.js";
import { editText } from "../components/Form.js";
import { JobTable } from "../components/JobTable.js";
import { MARK_LEGEND } from "../components/results/list-marks.js";
import { clip } from "../format.js";
import { useClusters } from "../hooks/use-clusters.js";
import { useJobs, windowKey } from "../hooks/use-jobs.js";
import {
  cancellable,
  cancelMany,
  copyAndEdit,
  deletable,
  deleteMany,
  markedJobs,
  restartMany,
  restartOne,
} from "../many-actions.js";
import { type Nav, runAction, useNav, useRemembered } from "../nav.js";
import { DEFAULT_QUERY, type JobListQuery, type JobListRow, SORT_COLUMNS } from "../queries.js";
import { useNow, useProject } from "../store-watch.js";
import { useColor } from "../theme.js";

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

type Pending =
  | { kind: "cancel" | "delete" | "cancel-instead" | "restart"; id: number; name: string; children?: number }
  // several marked jobs: those the action takes, and how many of the marked it leaves (and why)
  | { kind: "cancel-many" | "delete-many" | "restart-many"; jobs: Job[]; kept: number }
  | null;

const FILTERS: (JobStatus | null)[] = [null, ...JOB_STATUSES];

/** What the list's keys act on (rebuilt on every render, so a key sees the state it was pressed on). */
interface JobsCtx {
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
}

const filtered = (c: JobsCtx) => c.state.query.search !== "" || c.state.query.status !== null;
const withJob = (c: JobsCtx) => c.selected !== null;
const withMarks = (c: JobsCtx) => c.state.marked.length > 0;
const singleJob = (c: JobsCtx) => withJob(c) && !withMarks(c);

/** Reads the marked jobs, then asks about those `pick` takes (or says why there are none). */
function askMany(
  c: JobsCtx,
  kind: "cancel-many" | "delete-many" | "restart-many",
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

/** The keys for the marked jobs: first in the table, so with marks c/d/R act on all of them. */
const MARK_BINDINGS: readonly Binding<JobsCtx>[] = [
  {
    on: ["space"],
    does: "mark / unmark the job (c, d, R, = then act on the marked ones)",
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
      const id = c.selected!.id;
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
    does: "filter by status (f: next, F: previous)",
    footer: "filter",
    run: (c, input) => {
      const i = FILTERS.indexOf(c.state.query.status);
      const next = FILTERS[(i + (input === "f" ? 1 : -1) + FILTERS.length) % FILTERS.length] ?? null;
      c.set({ ...c.state, query: { ...c.state.query, status: next }, cursor: 0, top: 0, jobId: null });
    },
  },
  {
    on: ["s", "S"],
    does: "sort by the next column (S: reverse the order)",
    footer: "sort",
    run: (c, input) => {
      if (input === "S") {
        c.requery({ ...c.state.query, descending: !c.state.query.descending });
        return;
      }
      const i = SORT_COLUMNS.indexOf(c.state.query.sort);
      const sort = SORT_COLUMNS[(i + 1) % SORT_COLUMNS.length]!;
      // names read best A→Z, everything else newest / biggest first
      c.requery({ ...c.state.query, sort, descending: sort !== "name" });
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

export function JobsScreen({ width, height }: { width: number; height: number }) {
  const nav = useNav();
  const color = useColor();
  const project = useProject();
  const { store } = project;
  const [state, setState] = useRemembered<JobsState>("jobs", INITIAL_JOBS_STATE);
  const [pending, setPending] = useState<Pending>(null);
  const [comparing, setComparing] = useState<number[] | null>(null);
  const listHeight = Math.max(1, height - 2);
  const { rows, total, window } = useJobs(state.query, state.top, listHeight);
  // each cluster's connection: a job on one that cannot be reached now is marked in the list
  const clusters = useClusters();
  const connections = useMemo(() => new Map(clusters.map((c) => [c.name, c.connection])), [clusters]);
  const fresh = window === windowKey(state.query, state.top, listHeight);
  // the clock ticks only while a shown job runs (its runtime grows); an idle list draws nothing
  const now = useNow(
    1000,
    rows.some((r) => isActive(r.status)),
  );
  const cursor = Math.min(state.cursor, Math.max(0, total - 1));
  const selected = rows[cursor - state.top] ?? null;

  // the cursor follows its job when the list moves under it (rows added or removed above)
  const underCursor = fresh ? (selected?.id ?? null) : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the job under the cursor changes
  useEffect(() => {
    if (underCursor === null || underCursor === state.jobId) return;
    if (state.jobId === null) {
      setState((s) => ({ ...s, jobId: underCursor }));
      return;
    }
    const wanted = state.jobId;
    let live = true;
    // the store may answer after the screen is gone (quit closes it): then nothing is left to move
    void Promise.resolve()
      .then(() => store.views.positionOf(state.query, wanted))
      .catch(() => undefined)
      .then((at) => {
        if (!live || at === undefined) return;
        setState((s) => {
          if (s.jobId !== wanted) return s;
          // gone (deleted, or no longer matching): the cursor stays on its row, with the job there now
          if (at === null) return { ...s, jobId: null };
          // scrolled only as far as needed to keep it in view
          let top = s.top;
          if (at < top) top = at;
          if (at >= top + listHeight) top = at - listHeight + 1;
          return { ...s, cursor: at, top };
        });
      });
    return () => {
      live = false;
    };
  }, [underCursor, state.jobId]);

  const moveTo = (target: number) => {
    const c = Math.max(0, Math.min(target, total - 1));
    let top = state.top;
    if (c < top) top = c;
    if (c >= top + listHeight) top = c - listHeight + 1;
    setState({ ...state, cursor: Math.max(0, c), top: Math.max(0, top), jobId: null });
  };

  /** Changes the query and keeps the cursor on the same job when it is still listed. */
  const requery = (query: JobListQuery) => {
    void Promise.resolve()
      .then(() => (selected ? store.views.positionOf(query, selected.id) : null))
      .catch(() => null) // the store closed under the screen (quit): the list starts at the top
      .then((at) => {
        const c = at ?? 0;
        const top = Math.max(0, c - Math.floor(listHeight / 2));
        setState({ ...state, query, cursor: c, top });
      });
  };

  const ctx: JobsCtx = {
    nav,
    project,
    state,
    set: setState,
    selected,
    cursor,
    total,
    page: listHeight,
    moveTo,
    requery,
    // a delete names how many child jobs keep a note of their parent: counted before asking
    ask: (p) => {
      if (p && "id" in p && p.kind === "delete")
        void Promise.resolve(store.dependencies.dependentsOf(p.id)).then(
          (d) => setPending({ ...p, children: d.length }),
          () => setPending(p),
        );
      else setPending(p);
    },
    compare: setComparing,
  };
  useBindings("jobs", JOBS_BINDINGS, ctx, {
    active: !state.searching && pending === null && comparing === null,
    global: true,
    legend: [
      {
        label: "Statuses",
        text: JOB_STATUSES.map((st) => `${STATUS_SYMBOL[st]} ${STATUS_MEANING[st]}`).join("  "),
      },
      {
        label: "Marks",
        text: `${MARK_LEGEND.map((m) => `${m.mark} ${m.short}`).join("  ")}  (the job says why)`,
      },
    ],
  });
  useBindings("search", SEARCH_BINDINGS, ctx, {
    active: state.searching && pending === null && comparing === null,
  });

  const marked = useMemo(() => new Set(state.marked), [state.marked]);
  const answer = (yes: boolean) => {
    const p = pending;
    setPending(null);
    if (!yes || !p) return;
    if ("jobs" in p) {
      // the marks have done their work: cleared, so the next key acts on the cursor's job again
      setState((s) => ({ ...s, marked: [] }));
      void runAction(nav, () =>
        p.kind === "restart-many"
          ? restartMany(project, p.jobs)
          : p.kind === "cancel-many"
            ? cancelMany(store, p.jobs)
            : deleteMany(store, p.jobs),
      );
    } else if (p.kind === "restart") {
      void runAction(
        nav,
        () => restartOne(project, p.id),
        (r) => r.text,
      );
    } else if (p.kind !== "delete") void runAction(nav, () => cancelJob(store, p.id));
    else void runAction(nav, () => deleteJob(store, p.id));
  };

  if (comparing) {
    return <Compare ids={comparing} width={width} height={height} onClose={() => setComparing(null)} />;
  }

  const filterText = state.query.status
    ? `${STATUS_SYMBOL[state.query.status]} ${state.query.status}`
    : "all";
  const range = total === 0 ? "0" : `${state.top + 1}–${Math.min(total, state.top + listHeight)} of ${total}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <JobTable
        rows={rows}
        cursor={cursor - state.top}
        width={width}
        height={listHeight}
        sort={state.query.sort}
        descending={state.query.descending}
        now={now}
        connections={connections}
        marked={marked}
      />
      {total === 0 ? (
        <Box position="absolute" marginTop={2} marginLeft={2}>
          <Text dimColor>
            {state.query.status || state.query.search
              ? "No job matches — esc clears the search and filter."
              : "No jobs yet — press n to create one, or add them with `crystal-tui job add`."}
          </Text>
        </Box>
      ) : null}
      {pending ? (
        <Confirm
          question={
            "jobs" in pending
              ? manyQuestion(pending)
              : pending.kind === "restart"
                ? `Restart job ${pending.id} (${pending.name}) as a new job that continues it?`
                : pending.kind === "cancel"
                  ? `Cancel job ${pending.id} (${pending.name})?`
                  : pending.kind === "cancel-instead"
                    ? `Job ${pending.id} (${pending.name}) is running and cannot be deleted — cancel it?`
                    : deleteQuestion(pending.id, pending.name, pending.children ?? 0)
          }
          onAnswer={answer}
        />
      ) : (
        <Box height={1} width={width}>
          <Text wrap="truncate-end">
            {state.searching ? (
              <Text color={color("cyan")}>
                /{state.query.search}
                <Text inverse> </Text>
                {"  "}
              </Text>
            ) : state.query.search ? (
              <Text>search: {clip(state.query.search, 20)} </Text>
            ) : null}
            {state.marked.length > 0 ? <Text bold>{`● ${state.marked.length} selected   `}</Text> : null}
            <Text dimColor>
              {`filter: ${filterText}   sort: ${state.query.sort} ${state.query.descending ? "▼" : "▲"}   ${range}`}
            </Text>
          </Text>
        </Box>
      )}
    </Box>
  );
}

/** The one question for several marked jobs: the count, and the ones left out and why. */
function manyQuestion(p: {
  kind: "cancel-many" | "delete-many" | "restart-many";
  jobs: Job[];
  kept: number;
}) {
  const n = p.jobs.length;
  const jobs = `${n} job${n === 1 ? "" : "s"}`;
  if (p.kind === "cancel-many")
    return `Cancel ${jobs}?${p.kept > 0 ? ` (${p.kept} marked already finished)` : ""}`;
  if (p.kind === "restart-many") return `Restart ${jobs}, each as a new job that continues it?`;
  return `Delete ${jobs}? Their records go; their folders stay.${p.kept > 0 ? ` ${p.kept} pending or running kept — cancel them first.` : ""}`;
}
