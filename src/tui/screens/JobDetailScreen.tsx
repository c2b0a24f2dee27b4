// One job in tabs: Log (live tail of the CRYSTAL output, following while it runs), Input (the deck,
// keywords highlighted), Results (parsed values and plots), Files (the job folder), History (every
// transition with its time and reason, and the jobs it waits for).
import fs from "node:fs";
import path from "node:path";
import { Box, Text } from "ink";
import { type ReactNode, useEffect, useMemo, useReducer, useState } from "react";
import { deletedParentText } from "../../app/deleted-parents.js";
import type { OutputStream } from "../../app/job-output.js";
import { outputFileName } from "../../crystal/files.js";
import { isTerminal, STATUS_SYMBOL } from "../../domain/status.js";
import type { Job } from "../../domain/types.js";
import { cancelJob, copyJobReference, deleteJob, deleteQuestion, rerunJob } from "../actions.js";
import { useBindings } from "../bindings.js";
import { Confirm } from "../components/Confirm.js";
import { deckLines, type FileEntry, fileLines, historyLines } from "../components/detail-lines.js";
import { filePage, pageHeight, SearchLine, useFileSearch } from "../components/FilePage.js";
import { Lines, maxOffset } from "../components/Lines.js";
import { jobMarks } from "../components/results/list-marks.js";
import { renderLines } from "../components/results/render.js";
import { resultsView } from "../components/results/results-lines.js";
import { frequenciesOf } from "../components/results/sections.js";
import { schedulerLines } from "../components/scheduler-lines.js";
import { Tabs } from "../components/Tabs.js";
import { checkDeck, DECK_KEYWORDS } from "../crystal.js";
import { clip, formatParallelism, runtimeOf, whereOf } from "../format.js";
import { useJob } from "../hooks/use-job.js";
import { useJobOutput } from "../hooks/use-job-output.js";
import { useLiveResults } from "../hooks/use-live-results.js";
import { usePagedFile } from "../hooks/use-log.js";
import { useResultFiles } from "../hooks/use-result-files.js";
import { editFirst, rerunQuestion } from "../many-actions.js";
import { runAction, useNav } from "../nav.js";
import { pageFile } from "../outside.js";
import { useNow, useProject } from "../store-watch.js";
import { STATUS_COLOR, useColor } from "../theme.js";

import { DETAIL_BINDINGS, DETAIL_TABS, type DetailCtx, type DetailTab } from "./detail-keys.js";
import { detailReducer, initialDetailState, shownOffset } from "./detail-state.js";

export { DETAIL_BINDINGS, DETAIL_TABS, type DetailTab } from "./detail-keys.js";

function listFolder(folder: string): FileEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const out: FileEntry[] = [];
  for (const name of names.sort()) {
    try {
      const st = fs.statSync(path.join(folder, name));
      out.push({ name, size: st.size, modified: st.mtimeMs, isDir: st.isDirectory() });
    } catch {
      // gone between readdir and stat
    }
  }
  return out;
}

/** The folder's files, re-listed every second while the Files tab is shown. */
function useFolder(folder: string | null, active: boolean): FileEntry[] {
  const [files, setFiles] = useState<FileEntry[]>(() => (folder && active ? listFolder(folder) : []));
  useEffect(() => {
    if (!folder || !active) return;
    setFiles(listFolder(folder));
    const t = setInterval(() => setFiles(listFolder(folder)), 1000);
    t.unref?.();
    return () => clearInterval(t);
  }, [folder, active]);
  return files;
}

export function JobDetailScreen({
  jobId,
  width,
  height,
  initialTab = "Log",
}: {
  jobId: number;
  width: number;
  height: number;
  initialTab?: DetailTab;
}) {
  const nav = useNav();
  const color = useColor();
  const project = useProject();
  const { store, files: projectFiles } = project;
  const loaded = useJob(jobId);
  const detail = loaded ?? null;
  const now = useNow(1000, detail !== null && !isTerminal(detail.job.status));
  const [state, dispatch] = useReducer(detailReducer, initialTab, initialDetailState);
  const { tab, follow, stream, fileCursor, viewing, pending } = state;
  const search = useFileSearch();

  const job = detail?.job ?? null;
  // the Log's stream and the Results' output, fetched from the cluster only while their tab is open
  const logged = useJobOutput(detail, stream, tab === "Log");
  const log = usePagedFile(logged.file, tab === "Log", 500, logged.version);
  const output = useJobOutput(detail, "output", tab === "Results");
  const files = useFolder(detail?.folder ?? null, tab === "Files");
  const { results, legacy, live } = useLiveResults(detail, output.file, tab === "Results", output.version);
  const resultFiles = useResultFiles(detail?.folder ?? null, job?.name ?? null, tab === "Results");
  const viewed = usePagedFile(
    viewing && detail ? path.join(detail.folder, viewing) : null,
    tab === "Files" && viewing !== null,
    1000,
  );

  const headerLines = 3;
  const bodyHeight = Math.max(1, height - headerLines - (pending || search.typing ? 1 : 0));

  const deckText = useMemo(() => {
    if (!job) return "";
    if (job.inputFile) return job.inputFile;
    try {
      return fs.readFileSync(path.join(detail!.folder, `${job.name}.d12`), "utf8");
    } catch {
      return "";
    }
  }, [job, detail]);
  const deckReport = useMemo(
    () => (tab === "Input" && deckText ? checkDeck(deckText) : null),
    [tab, deckText],
  );

  const resultsShown = useMemo(
    () =>
      tab === "Results" && job
        ? resultsView(
            { results, legacy, jobStatus: job.status, live, data: resultFiles, deck: deckText || null },
            { width, height: bodyHeight },
          )
        : null,
    [tab, job, results, legacy, live, resultFiles, deckText, width, bodyHeight],
  );

  // the clock moves the History tab's SLURM times only: the other tabs are not redone every second
  const historyNow = tab === "History" ? now : 0;
  const lines: ReactNode[] = useMemo(() => {
    if (!detail || !job) return [];
    switch (tab) {
      case "Log":
        return [
          ...logNotes(stream, logged.error, color),
          ...(logged.file === null && logged.error === null
            ? [`Fetching the ${stream === "stderr" ? "stderr" : "output"} of job ${job.id} from its cluster…`]
            : log.exists && log.count > 0
              ? [] // the file itself, a page at a time (below)
              : [noLogLine(job, stream, log.exists)]),
        ];
      case "Input": {
        if (!deckText) return ["This job has no deck yet (it is rendered when the job starts)."];
        const msgs: ReactNode[] = [];
        for (const [i, e] of (deckReport?.errors ?? []).entries()) {
          msgs.push(
            <Text key={`de${i}`} color={color("red")} wrap="truncate-end">
              ✖ {e}
            </Text>,
          );
        }
        for (const [i, w] of (deckReport?.warnings ?? []).entries()) {
          msgs.push(
            <Text key={`dw${i}`} color={color("yellow")} wrap="truncate-end">
              ! {w}
            </Text>,
          );
        }
        return [...msgs, ...deckLines(deckText, DECK_KEYWORDS, color, deckReport?.errorLines)];
      }
      case "Results":
        return renderLines(resultsShown?.lines ?? [], color);
      case "Files":
        if (viewing) {
          if (!viewed.exists) return [`${viewing} cannot be read.`];
          return [
            <Text key="vh" bold>
              {viewing} <Text dimColor>(esc: back to the list)</Text>
            </Text>,
          ];
        }
        return [
          <Text key="folder" dimColor wrap="truncate-end">
            {detail.folder}
          </Text>,
          ...fileLines(files, fileCursor, width),
        ];
      case "History":
        return [
          infoLine("Where", `${whereOf(job)} — ${formatParallelism(job.parallelism)}`, "w"),
          ...schedulerLines(job, detail.remote, historyNow),
          infoLine("Folder", detail.folder, "f"),
          ...(job.commandLine ? [infoLine("Command", job.commandLine, "c")] : []),
          ...(job.workflowId !== null
            ? [
                infoLine(
                  "Workflow",
                  `#${job.workflowId}${job.workflowStep ? ` step ${job.workflowStep}` : ""}`,
                  "wf",
                ),
              ]
            : []),
          ...detail.deletedParents.map((p) => infoLine("Parent", deletedParentText(p), `dp${p.parentId}`)),
          ...(job.retryOf !== null
            ? [infoLine("Retry of", `job ${job.retryOf} (attempt ${job.attempt})`, "r")]
            : []),
          " ",
          ...historyLines(detail.events, detail.dependencies, detail.dependents, color),
        ];
    }
  }, [
    tab,
    detail,
    job,
    log,
    logged,
    stream,
    deckText,
    deckReport,
    resultsShown,
    width,
    files,
    fileCursor,
    viewing,
    viewed,
    color,
    historyNow,
  ]);

  // the Log (once there is something in it) and a file opened in Files show the whole file, a page
  // at a time: only the lines on screen are read
  const paged =
    tab === "Log" && log.exists && log.count > 0 && logged.file !== null
      ? log
      : tab === "Files" && viewing && viewed.exists
        ? viewed
        : null;
  const count = paged ? paged.count : lines.length;
  const page = paged ? pageHeight(count, lines.length, bodyHeight) : bodyHeight;
  const last = maxOffset(count, page);
  const offset = shownOffset(state, last);
  const shown = paged ? filePage(paged, lines, offset, bodyHeight, search.hit, color).lines : lines;

  const scrollTo = (to: number) => dispatch({ type: "scroll", to, last });

  const ctx: DetailCtx = {
    nav,
    tab,
    setTab: (t) => dispatch({ type: "tab", tab: t }),
    job,
    viewing,
    setViewing: (name) => dispatch({ type: "view", name }),
    files,
    fileCursor,
    setFileCursor: (index) => dispatch({ type: "choose", index, count: files.length }),
    offset,
    scrollable: count > page,
    page,
    scrollTo,
    follow,
    setFollow: (on) => dispatch({ type: "follow", on }),
    stream,
    setStream: (next) => dispatch({ type: "stream", stream: next }),
    sections: resultsShown?.sections.map((x) => x.line) ?? [],
    paged: paged !== null,
    searched: search.searched,
    startSearch: search.start,
    findNext: (forward) => {
      if (paged) search.find(paged, search.searched, { offset, height: page }, forward, scrollTo);
    },
    copy: () => {
      if (job) void runAction(nav, () => copyJobReference({ store, files: projectFiles }, job.id));
    },
    openInPager: () => {
      if (!paged?.file) return;
      const failed = pageFile(paged.file);
      if (failed) nav.flash(failed, "error");
    },
    ask: (p) => dispatch({ type: "ask", pending: p }),
    rerun: () => {
      if (!job) return;
      void runAction(
        nav,
        () => rerunJob({ store, files: projectFiles }, job),
        (j) => `job ${job.id} re-run as job ${j.id}`,
      ).then((made) => {
        if (made) nav.showJob(made.id);
      });
    },
  };
  useBindings("detail", DETAIL_BINDINGS, ctx, {
    active: pending === null && search.typing === null,
    global: true,
  });

  if (!detail || !job) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text>
          {loaded === undefined
            ? `Reading job ${jobId}…`
            : `Job ${jobId} does not exist (any more) — esc goes back to the list.`}
        </Text>
      </Box>
    );
  }

  const answer = (yes: boolean) => {
    const p = pending;
    ctx.ask(null);
    if (!yes) return;
    if (p === "rerun") ctx.rerun();
    else if (p === "cancel" || p === "cancel-instead") void runAction(nav, () => cancelJob(store, job.id));
    else if (p === "delete") {
      void runAction(nav, () => deleteJob(store, job.id)).then((ok) => {
        if (ok) nav.back();
      });
    }
  };

  const runtime = runtimeOf(job, now);
  const marks = jobMarks({
    status: job.status,
    finalEnergy: job.finalEnergy,
    verdict: job.keyResults,
    imaginaryModes: frequenciesOf(job.keyResults?.frequencies)?.n_imaginary ?? null,
    standin: Boolean(job.keyResults?.standin),
  });
  const energy = marks.energy ? `E ${marks.energy} Ha${marks.mark.trim() ? ` ${marks.mark}` : ""}` : "";
  const reason = [
    ...marks.why,
    job.statusReason ?? (job.cancelRequested && !isTerminal(job.status) ? "cancel requested" : ""),
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box height={1} width={width}>
        <Text wrap="truncate-end">
          <Text bold>
            #{job.id} {job.name}
          </Text>
          {"  "}
          <Text color={color(STATUS_COLOR[job.status])}>
            {STATUS_SYMBOL[job.status]} {job.status}
          </Text>
          {"  "}
          {whereOf(job)}
          {runtime ? `  ${runtime}` : ""}
          {energy ? <Text color={color(marks.bad ? "red" : undefined)}>{`  ${energy}`}</Text> : ""}
        </Text>
      </Box>
      <Box height={1} width={width}>
        <Text dimColor wrap="truncate-end">
          {reason
            ? clip(reason, width)
            : tab === "Log"
              ? follow
                ? `following the ${stream === "stderr" ? "stderr" : "output"}`
                : "not following (G follows)"
              : " "}
        </Text>
      </Box>
      <Tabs tabs={DETAIL_TABS} current={tab} />
      <Lines lines={shown} offset={paged ? 0 : offset} height={bodyHeight} width={width} />
      {search.typing ? (
        <SearchLine
          line={search.typing}
          width={width}
          onEdit={search.edit}
          onDone={(go) => {
            const text = search.stop();
            if (go && paged && text) search.find(paged, text, { offset, height: page }, true, scrollTo);
          }}
        />
      ) : null}
      {pending ? (
        <Confirm
          question={
            pending === "rerun"
              ? rerunQuestion(job.id, job.name)
              : pending === "cancel"
                ? `Cancel job ${job.id} (${job.name})?`
                : pending === "cancel-instead"
                  ? `Job ${job.id} (${job.name}) is running and cannot be deleted — cancel it?`
                  : deleteQuestion(job.id, job.name, detail.dependents.length)
          }
          onAnswer={answer}
          also={pending === "rerun" ? [editFirst(nav, project, job.id, () => ctx.ask(null))] : []}
        />
      ) : null}
    </Box>
  );
}

function infoLine(label: string, value: string, key: string): ReactNode {
  return (
    <Text key={key} wrap="truncate-end">
      <Text bold>{label.padEnd(10)}</Text>
      {value}
    </Text>
  );
}

/** The Log's first lines: which stream it shows (when not the output) and why a fetch failed. */
function logNotes(
  stream: OutputStream,
  error: string | null,
  color: ReturnType<typeof useColor>,
): ReactNode[] {
  const notes: ReactNode[] = [];
  if (stream === "stderr")
    notes.push(
      <Text key="ls" dimColor wrap="truncate-end">
        stderr of the run (SLURM's --error file) — t: back to the CRYSTAL output
      </Text>,
    );
  if (error)
    notes.push(
      <Text key="le" color={color("red")} wrap="truncate-end">
        ✖ {error}
      </Text>,
    );
  return notes;
}

function noLogLine(job: Job, stream: OutputStream, exists: boolean): string {
  if (job.status === "PENDING" || job.status === "QUEUED")
    return `No output yet — the job is ${job.status}; its CRYSTAL output appears here when it starts.`;
  const name = outputFileName(job.name);
  if (!isTerminal(job.status))
    return stream === "stderr"
      ? "Nothing on stderr yet — it shows here as the run writes it."
      : `No output yet — CRYSTAL has written nothing to ${name} so far.`;
  if (stream === "stderr")
    return exists ? "Nothing on stderr: the run wrote none." : "The run left no stderr.";
  return exists
    ? `The output file (${name}) is empty.`
    : `There is no output file (${name}) in the job folder.`;
}
