// The job list: every job of the project, fast with 10,000 of them (only the rows on screen are
// read), with status filter (f), name search (/), sort by column (s), and the action keys.
import { Box, Text } from "ink";
import { useEffect, useMemo, useReducer } from "react";
import { isActive, JOB_STATUSES, STATUS_MEANING, STATUS_SYMBOL } from "../../domain/status.js";
import { isStatusGroup, STATUS_GROUPS } from "../../domain/status-groups.js";
import type { Job } from "../../domain/types.js";
import { cancelJob, deleteJob, deleteQuestion } from "../actions.js";
import { useBindings } from "../bindings.js";
import { Compare } from "../components/Compare.js";
import { Confirm } from "../components/Confirm.js";
import { JobTable } from "../components/JobTable.js";
import { MARK_LEGEND } from "../components/results/list-marks.js";
import { clip } from "../format.js";
import { useClusters } from "../hooks/use-clusters.js";
import { useJobs, windowKey } from "../hooks/use-jobs.js";
import {
  cancelMany,
  childrenOutside,
  deleteMany,
  editFirst,
  rerunMany,
  rerunQuestion,
  restartMany,
  restartOne,
} from "../many-actions.js";
import { runAction, useNav, useRemembered } from "../nav.js";
import { type JobListQuery, SORT_COLUMNS } from "../queries.js";
import { useNow, useProject } from "../store-watch.js";
import { useColor } from "../theme.js";
import {
  INITIAL_JOBS_STATE,
  JOBS_BINDINGS,
  type JobsCtx,
  type JobsState,
  type Pending,
  rerun,
  SEARCH_BINDINGS,
  SORT_CHOOSER_BINDINGS,
} from "./jobs-keys.js";
import { followJob, jobsModalReducer, moveCursor, NO_MODAL, requeried } from "./jobs-state.js";

export {
  INITIAL_JOBS_STATE,
  JOBS_BINDINGS,
  type JobsState,
  SEARCH_BINDINGS,
} from "./jobs-keys.js";

export function JobsScreen({ width, height }: { width: number; height: number }) {
  const nav = useNav();
  const color = useColor();
  const project = useProject();
  const { store } = project;
  const [state, setState] = useRemembered<JobsState>("jobs", INITIAL_JOBS_STATE);
  const [modal, dispatch] = useReducer(jobsModalReducer, NO_MODAL);
  const pending = modal.kind === "ask" ? modal.pending : null;
  const sortChoice = modal.kind === "sort" ? modal.choice : null;
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
        setState((s) => followJob(s, wanted, at, listHeight));
      });
    return () => {
      live = false;
    };
  }, [underCursor, state.jobId]);

  const moveTo = (target: number) => setState(moveCursor(state, target, total, listHeight));

  /** Changes the query and keeps the cursor on the same job when it is still listed. */
  const requery = (query: JobListQuery) => {
    void Promise.resolve()
      .then(() => (selected ? store.views.positionOf(query, selected.id) : null))
      .catch(() => null) // the store closed under the screen (quit): the list starts at the top
      .then((at) => setState(requeried(state, query, at, listHeight)));
  };

  const setPending = (p: Pending) => dispatch({ type: "ask", pending: p });
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
      else if (p && "jobs" in p && p.kind === "delete-many")
        void childrenOutside(store, p.jobs).then(
          (children) => setPending({ ...p, children }),
          () => setPending(p),
        );
      else setPending(p);
    },
    compare: (ids) => dispatch({ type: "compare", ids }),
    sortChoice,
    chooseSort: (choice) => dispatch({ type: "sort", choice }),
  };
  const free = modal.kind === "none";
  useBindings("jobs", JOBS_BINDINGS, ctx, {
    active: !state.searching && free,
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
    active: state.searching && free,
  });
  useBindings("sort", SORT_CHOOSER_BINDINGS, ctx, { active: modal.kind === "sort" });

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
          : p.kind === "rerun-many"
            ? rerunMany(project, p.jobs)
            : p.kind === "cancel-many"
              ? cancelMany(store, p.jobs)
              : deleteMany(store, p.jobs),
      );
    } else if (p.kind === "rerun") rerun(ctx, p.id);
    else if (p.kind === "restart") {
      void runAction(
        nav,
        () => restartOne(project, p.id),
        (r) => r.text,
      );
    } else if (p.kind !== "delete") void runAction(nav, () => cancelJob(store, p.id));
    else void runAction(nav, () => deleteJob(store, p.id));
  };

  if (modal.kind === "compare") {
    return (
      <Compare
        ids={modal.ids}
        width={width}
        height={height}
        onClose={() => dispatch({ type: "compare", ids: null })}
      />
    );
  }

  const filter = state.query.status;
  const filterText =
    filter === null
      ? "all"
      : isStatusGroup(filter)
        ? `${filter} (${STATUS_GROUPS[filter].map((s) => s.toLowerCase()).join(", ")})`
        : `${STATUS_SYMBOL[filter]} ${filter}`;
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
              : pending.kind === "rerun"
                ? rerunQuestion(pending.id, pending.name)
                : pending.kind === "restart"
                  ? `Restart job ${pending.id} (${pending.name}) as a new job that continues it?`
                  : pending.kind === "cancel"
                    ? `Cancel job ${pending.id} (${pending.name})?`
                    : pending.kind === "cancel-instead"
                      ? `Job ${pending.id} (${pending.name}) is running and cannot be deleted — cancel it?`
                      : deleteQuestion(pending.id, pending.name, pending.children ?? 0)
          }
          onAnswer={answer}
          also={pending.kind === "rerun" ? [editFirst(nav, project, pending.id, () => setPending(null))] : []}
        />
      ) : sortChoice !== null ? (
        <SortChooser choice={sortChoice} sort={state.query.sort} descending={state.query.descending} />
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

/** The children of several deleted jobs, as the question says it. */
const plainChildren = (n: number) =>
  n === 1
    ? "1 other job came after them and keeps a note that its parent was deleted"
    : `${n} other jobs came after them and keep a note that their parent was deleted`;

/** The one question for several marked jobs: the count, and the ones left out and why. */
function manyQuestion(p: {
  kind: "cancel-many" | "delete-many" | "restart-many" | "rerun-many";
  jobs: Job[];
  kept: number;
  children?: number;
}) {
  const n = p.jobs.length;
  const jobs = `${n} job${n === 1 ? "" : "s"}`;
  if (p.kind === "cancel-many")
    return `Cancel ${jobs}?${p.kept > 0 ? ` (${p.kept} marked already finished)` : ""}`;
  if (p.kind === "restart-many") return `Restart ${jobs}, each as a new job that continues it?`;
  if (p.kind === "rerun-many")
    return `Re-run ${jobs} from the start, each as a new job?${p.kept > 0 ? ` (${p.kept} marked not finished, left out)` : ""}`;
  const note = (p.children ?? 0) > 0 ? `; ${plainChildren(p.children!)}` : "";
  return `Delete ${jobs}? Their records go; their folders stay${note}.${p.kept > 0 ? ` ${p.kept} pending or running kept — cancel them first.` : ""}`;
}

/**
 * `s`: the columns by number; the highlighted one in brackets (and inverse, where there is colour),
 * the one sorted by now with its arrow.
 */
function SortChooser({ choice, sort, descending }: { choice: number; sort: string; descending: boolean }) {
  return (
    <Box height={1}>
      <Text wrap="truncate-end">
        <Text bold>sort by:</Text>
        {SORT_COLUMNS.map((column, i) => {
          const label = `${i + 1} ${column}${column === sort ? (descending ? " ▼" : " ▲") : ""}`;
          return (
            <Text key={column}>
              {i === choice ? " [" : "  "}
              <Text inverse={i === choice}>{label}</Text>
              {i === choice ? "]" : " "}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}
