// Workflows: each one as a tree of its steps with their statuses, and its aggregate results (what
// the workflow recorded, plus counts, lowest energy and total run time of its jobs).
import { Box, Text } from "ink";
import { NOT_FINAL_MARK } from "../../domain/final-energy.js";
import { runtimeSeconds } from "../../domain/job-times.js";
import { JOB_STATUSES, STATUS_SYMBOL } from "../../domain/status.js";
import { aggregateLines } from "../../workflows/aggregate-text.js";
import type { AggregateResult } from "../../workflows/progress.js";
import { type SummaryJob, standingOf, summaryText, workflowSummary } from "../../workflows/summary.js";
import { type Binding, useBindings } from "../bindings.js";
import { clip, formatDuration, formatHartree, formatWhen } from "../format.js";
import { useWorkflowSteps, useWorkflows } from "../hooks/use-workflows.js";
import { type Nav, useNav, useRemembered } from "../nav.js";
import type { WorkflowStepRow, WorkflowSummary } from "../queries.js";
import { STATUS_COLOR, useColor } from "../theme.js";
import { buildTree } from "../tree.js";

function countsText(w: WorkflowSummary): string {
  return JOB_STATUSES.filter((s) => (w.counts[s] ?? 0) > 0)
    .map((s) => `${STATUS_SYMBOL[s]}${w.counts[s]}`)
    .join(" ");
}

/** A step row as the workflow summary counts it (its job's status says whether its energy is final). */
const summaryJob = (s: WorkflowStepRow): SummaryJob => ({
  id: s.id,
  name: s.name,
  step: s.step,
  status: s.status,
  finalEnergy: s.finalEnergy,
  verdict: null,
});

/**
 * What the steps add up to: jobs completed, the lowest final energy (a run that did not converge
 * is left out, and said to be), run time summed over the jobs that ran.
 */
export function aggregate(steps: WorkflowStepRow[], now = Date.now()): string[] {
  // a step counts once: an attempt that was retried gives way to its retry (2 steps + 2 retries = 2)
  const retried = new Set(steps.flatMap((s) => (s.retryOf === null ? [] : [s.retryOf])));
  const summary = workflowSummary(steps.filter((s) => !retried.has(s.id)).map(summaryJob));
  const out = summaryText(summary, (e) => formatHartree(e), "steps").filter(
    (l) => !l.startsWith("  left out"),
  );
  if (summary.not_final.length > 0)
    out.push(
      `${NOT_FINAL_MARK} not final, left out: ${summary.not_final.map((n) => `${n.step ?? n.name} #${n.job_id}`).join(", ")}`,
    );
  let seconds = 0;
  for (const s of steps) seconds += runtimeSeconds(s, now) ?? 0;
  if (seconds > 0) out.push(`run time ${formatDuration(seconds)}`);
  return out;
}

const isAggregate = (v: unknown): v is AggregateResult =>
  typeof v === "object" &&
  v !== null &&
  ((v as { type?: unknown }).type === "eos" || (v as { type?: unknown }).type === "convergence");

/** The aggregate steps' results (EOS fit, convergence table) as `workflow show` prints them. */
export function resultText(results: Record<string, unknown> | null): string[] {
  if (!results) return [];
  return Object.entries(results).flatMap(([k, v]) =>
    isAggregate(v)
      ? [`${k}:`, ...aggregateLines(k, v)]
      : [`${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`],
  );
}

interface WorkflowsPlace {
  cursor: number;
  focus: "list" | "steps";
  stepCursor: number;
}

interface WorkflowsCtx {
  nav: Nav;
  place: WorkflowsPlace;
  set: (p: WorkflowsPlace) => void;
  workflows: number;
  tree: ReturnType<typeof buildTree>;
}

const inList = (c: WorkflowsCtx) => c.place.focus === "list";
const inSteps = (c: WorkflowsCtx) => c.place.focus === "steps";

export const WORKFLOWS_BINDINGS: readonly Binding<WorkflowsCtx>[] = [
  {
    on: ["up", "down", "j", "k"],
    does: "choose a workflow",
    footer: "choose",
    when: (c) => inList(c) && c.workflows > 1,
    run: (c, input, key) => {
      const down = key.downArrow || input === "j";
      const cursor = Math.max(0, Math.min(c.place.cursor + (down ? 1 : -1), c.workflows - 1));
      c.set({ ...c.place, cursor, stepCursor: 0 });
    },
  },
  {
    on: ["enter", "tab"],
    does: "go to the workflow's steps",
    footer: "steps",
    when: (c) => inList(c) && c.tree.length > 0,
    run: (c) => c.set({ ...c.place, focus: "steps" }),
  },
  {
    on: ["up", "down", "j", "k"],
    does: "choose a step",
    footer: "choose",
    when: (c) => inSteps(c) && c.tree.length > 1,
    run: (c, input, key) => {
      const down = key.downArrow || input === "j";
      const stepCursor = Math.max(0, Math.min(c.place.stepCursor + (down ? 1 : -1), c.tree.length - 1));
      c.set({ ...c.place, stepCursor });
    },
  },
  {
    on: ["enter"],
    does: "open the step's job",
    footer: "open",
    when: (c) => inSteps(c) && c.tree[c.place.stepCursor] !== undefined,
    run: (c) => c.nav.showJob(c.tree[c.place.stepCursor]!.node.id),
  },
  {
    on: ["esc", "tab"],
    does: "back to the list of workflows",
    footer: "back",
    when: inSteps,
    run: (c) => c.set({ ...c.place, focus: "list" }),
  },
];

export function WorkflowsScreen({ width, height }: { width: number; height: number }) {
  const nav = useNav();
  const color = useColor();
  const workflows = useWorkflows();
  // remembered: back from a step's job, the same workflow and step are selected
  const [place, setPlace] = useRemembered<WorkflowsPlace>("workflows", {
    cursor: 0,
    focus: "list",
    stepCursor: 0,
  });
  const { cursor, focus, stepCursor } = place;
  const current = workflows[Math.min(cursor, workflows.length - 1)] ?? null;
  const steps = useWorkflowSteps(current?.id ?? null);
  const tree = buildTree(steps);
  useBindings(
    "workflows",
    WORKFLOWS_BINDINGS,
    { nav, place, set: setPlace, workflows: workflows.length, tree },
    { global: true },
  );

  if (workflows.length === 0) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text>No workflows yet.</Text>
        <Text dimColor>
          Start one with `crystal-tui workflow run FILE.yaml` — its steps show here as a tree.
        </Text>
      </Box>
    );
  }

  const listHeight = Math.min(workflows.length, Math.max(2, Math.floor(height / 4)));
  const listTop = Math.max(0, Math.min(cursor - listHeight + 1, workflows.length - listHeight));
  const extra = current ? [...aggregate(steps), ...resultText(current.results)] : [];
  // the aggregates get up to half the screen (a convergence table is a line per point); what does
  // not fit is said, with where to read it all
  const room = Math.max(4, Math.floor(height / 2) - 2);
  const shownExtra =
    extra.length > room
      ? [
          ...extra.slice(0, room - 1),
          `… ${extra.length - room + 1} more lines: crystal-tui workflow show ${current?.id}`,
        ]
      : extra;
  const treeHeight = Math.max(1, height - listHeight - 3 - shownExtra.length);
  const treeTop = Math.max(0, stepCursor - treeHeight + 1);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">
        {" "}
        {"ID".padStart(4)} {"WORKFLOW".padEnd(Math.max(8, width - 40))} {"CREATED".padEnd(12)} STEPS
      </Text>
      {workflows.slice(listTop, listTop + listHeight).map((w, i) => {
        const selected = listTop + i === cursor;
        return (
          <Text key={w.id} inverse={selected && focus === "list"} bold={selected} wrap="truncate-end">
            {selected ? "›" : " "}
            {String(w.id).padStart(4)} {clip(w.name, Math.max(8, width - 40)).padEnd(Math.max(8, width - 40))}{" "}
            {formatWhen(w.createdAt).padEnd(12)} {countsText(w)}
          </Text>
        );
      })}
      <Text bold wrap="truncate-end">
        {current ? `Steps of ${current.name}` : ""}
        {focus === "steps" ? "" : "  (tab: choose a step)"}
      </Text>
      <Box flexDirection="column" height={treeHeight} overflowY="hidden">
        {tree.slice(treeTop, treeTop + treeHeight).map((t, i) => {
          const s = t.node;
          const selected = focus === "steps" && treeTop + i === stepCursor;
          return (
            <Text key={s.id} inverse={selected} wrap="truncate-end">
              {selected ? "›" : " "}
              {t.prefix}
              <Text color={color(STATUS_COLOR[s.status])}>{STATUS_SYMBOL[s.status]} </Text>
              <Text bold>{s.step ?? s.name}</Text> <Text dimColor>#{s.id}</Text> {s.status}
              {s.finalEnergy !== null
                ? `  ${formatHartree(s.finalEnergy)} Ha${standingOf(summaryJob(s)).final ? "" : ` ${NOT_FINAL_MARK}`}`
                : ""}
              {t.alsoAfter.length > 0 ? (
                <Text dimColor>{`  (also after #${t.alsoAfter.join(", #")})`}</Text>
              ) : null}
              {s.retryOf !== null ? <Text dimColor>{`  retry of #${s.retryOf}`}</Text> : null}
              {s.status === "FAILED" || s.status === "SKIPPED" ? (
                <Text dimColor>{`  ${s.statusReason ?? ""}`}</Text>
              ) : null}
            </Text>
          );
        })}
      </Box>
      <Box flexDirection="column" height={shownExtra.length} overflowY="hidden">
        {shownExtra.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of text, in order; two may be alike
          <Text key={i} dimColor wrap="truncate-end">
            {line}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
