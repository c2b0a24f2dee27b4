// The job list: every job of the project, fast with 10,000 of them (only the rows on screen are
// read), with status filter (f), name search (/), sort by column (s), and the action keys.

import { Box, Text } from "ink";
import { useMemo } from "react";
import { isTerminal, JOB_STATUSES, type JobStatus, STATUS_SYMBOL } from "../../domain/status.js";
import { cancelJob, deleteJob, rerunJob } from "../actions.js";
import { Confirm } from "../components/Confirm.js";
import { editText } from "../components/Form.js";
import { JobTable } from "../components/JobTable.js";
import { clip } from "../format.js";
import { useClusters } from "../hooks/use-clusters.js";
import { useJobs } from "../hooks/use-jobs.js";
import { useKeys } from "../key-bus.js";
import { runAction, useGlobalKeys, useNav } from "../nav.js";
import { type JobListQuery, SORT_COLUMNS } from "../queries.js";
import { useNow, useProject } from "../store-watch.js";
import { useColor } from "../theme.js";

export interface JobsState {
  query: JobListQuery;
  /** Index of the cursor in the whole (filtered, sorted) list. */
  cursor: number;
  /** Index of the first row on screen. */
  top: number;
  searching: boolean;
}

type Pending = { kind: "cancel" | "delete"; id: number; name: string } | null;

const FILTERS: (JobStatus | null)[] = [null, ...JOB_STATUSES];

export function JobsScreen({
  state,
  setState,
  width,
  height,
  pending,
  setPending,
}: {
  state: JobsState;
  setState: (s: JobsState) => void;
  width: number;
  /** Lines for the whole screen body. */
  height: number;
  pending: Pending;
  setPending: (p: Pending) => void;
}) {
  const nav = useNav();
  const color = useColor();
  const { store, files } = useProject();
  const listHeight = Math.max(1, height - 2);
  const { rows, total } = useJobs(state.query, state.top, listHeight);
  const clusters = useClusters();
  const connections = useMemo(() => new Map(clusters.map((c) => [c.name, c.connection])), [clusters]);
  const now = useNow(1000);
  const cursor = Math.min(state.cursor, Math.max(0, total - 1));
  const selected = rows[cursor - state.top] ?? null;

  useGlobalKeys(!state.searching && pending === null);

  const moveTo = (target: number, s: JobsState = state) => {
    const c = Math.max(0, Math.min(target, total - 1));
    let top = s.top;
    if (c < top) top = c;
    if (c >= top + listHeight) top = c - listHeight + 1;
    setState({ ...s, cursor: Math.max(0, c), top: Math.max(0, top) });
  };

  /** Changes the query and keeps the cursor on the same job when it is still listed. */
  const requery = (query: JobListQuery) => {
    void Promise.resolve(selected ? store.views.positionOf(query, selected.id) : null).then((at) => {
      const c = at ?? 0;
      const top = Math.max(0, c - Math.floor(listHeight / 2));
      setState({ ...state, query, cursor: c, top });
    });
  };

  useKeys(
    (input, key) => {
      if (key.escape) {
        setState({ ...state, searching: false, query: { ...state.query, search: "" }, cursor: 0, top: 0 });
        return;
      }
      if (key.return) {
        setState({ ...state, searching: false });
        return;
      }
      const search = editText(state.query.search, input, key);
      if (search === state.query.search) return;
      setState({ ...state, query: { ...state.query, search }, cursor: 0, top: 0 });
    },
    state.searching && pending === null,
  );

  useKeys(
    (input, key) => {
      if (key.downArrow || input === "j") moveTo(cursor + 1);
      else if (key.upArrow || input === "k") moveTo(cursor - 1);
      else if (key.pageDown) moveTo(cursor + listHeight);
      else if (key.pageUp) moveTo(cursor - listHeight);
      else if (input === "g" || key.home) moveTo(0);
      else if (input === "G" || key.end) moveTo(total - 1);
      else if (key.return && selected) nav.showJob(selected.id);
      else if (input === "n") nav.newJob();
      else if (input === "/") setState({ ...state, searching: true });
      else if (input === "f" || input === "F") {
        const i = FILTERS.indexOf(state.query.status);
        const next = FILTERS[(i + (input === "f" ? 1 : -1) + FILTERS.length) % FILTERS.length] ?? null;
        setState({ ...state, query: { ...state.query, status: next }, cursor: 0, top: 0 });
      } else if (input === "s") {
        const i = SORT_COLUMNS.indexOf(state.query.sort);
        const sort = SORT_COLUMNS[(i + 1) % SORT_COLUMNS.length]!;
        // names read best A→Z, everything else newest / biggest first
        requery({ ...state.query, sort, descending: sort !== "name" });
      } else if (input === "S") requery({ ...state.query, descending: !state.query.descending });
      else if (key.escape) {
        setState({ ...state, query: { ...state.query, search: "", status: null }, cursor: 0, top: 0 });
      } else if (!selected) {
        if ("crd".includes(input) && input !== "") nav.flash("no job selected", "error");
      } else if (input === "c") {
        if (!isTerminal(selected.status)) {
          setPending({ kind: "cancel", id: selected.id, name: selected.name });
        } else nav.flash(`job ${selected.id} is ${selected.status} — nothing to cancel`, "error");
      } else if (input === "d") setPending({ kind: "delete", id: selected.id, name: selected.name });
      else if (input === "r") {
        const id = selected.id;
        void runAction(
          nav,
          async () => rerunJob({ store, files }, await store.jobs.require(id)),
          (j) => `job ${id} re-run as job ${j.id}`,
        ).then(async (made) => {
          if (!made) return;
          const at = await store.views.positionOf(state.query, made.id);
          if (at !== null) moveTo(at);
        });
      }
    },
    !state.searching && pending === null,
  );

  const answer = (yes: boolean) => {
    const p = pending;
    setPending(null);
    if (!yes || !p) return;
    if (p.kind === "cancel") void runAction(nav, () => cancelJob(store, p.id));
    else void runAction(nav, () => deleteJob(store, p.id));
  };

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
            pending.kind === "cancel"
              ? `Cancel job ${pending.id} (${pending.name})?`
              : `Delete job ${pending.id} (${pending.name})? Its record goes; its folder stays.`
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
            <Text dimColor>
              {`filter: ${filterText}   sort: ${state.query.sort} ${state.query.descending ? "▼" : "▲"}   ${range}`}
            </Text>
          </Text>
        </Box>
      )}
    </Box>
  );
}
