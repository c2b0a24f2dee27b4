// The job list: a header and only the rows on screen (the window comes from the store already cut),
// with the sorted column marked and the cursor row in inverse video (readable without colour).

import { Box, Text } from "ink";
import { connectionMark } from "../../domain/connection.js";
import { STATUS_SYMBOL } from "../../domain/status.js";
import type { ClusterConnection } from "../../domain/types.js";
import { clip, formatWhen, runtimeOf, whereOf } from "../format.js";
import type { JobListRow, SortColumn } from "../queries.js";
import { STATUS_COLOR, useColor } from "../theme.js";
import { jobMarks } from "./results/list-marks.js";

type ColumnKey = SortColumn | "id" | "scheduler";

interface Column {
  key: ColumnKey;
  title: string;
  width: number;
  align?: "right";
}

/**
 * Fixed widths; the name takes what is left (at least 12 columns at 80). With batch jobs on screen a
 * SLURM column (its job id, then the pending reason or the node list) is made room for: below 110
 * columns the creation time gives its place; 15 columns at 80 ("48213 Priority"), 24 from 99 on
 * ("48213 QOSMaxJobsPerUserLimit" nearly whole).
 */
export function columnsFor(
  width: number,
  opts: { scheduler?: boolean } = {},
): { columns: Column[]; nameWidth: number } {
  const wide = width >= 110;
  const scheduler = opts.scheduler === true;
  const columns: Column[] = [
    { key: "id", title: "ID", width: 6, align: "right" },
    { key: "name", title: "NAME", width: 0 },
    { key: "status", title: "STATUS", width: 11 },
    { key: "where", title: "WHERE", width: wide ? 14 : 9 },
    ...(scheduler
      ? [
          {
            key: "scheduler" as const,
            title: "SLURM",
            width: wide ? 24 : Math.min(24, 15 + Math.max(0, width - 90)),
          },
        ]
      : []),
    { key: "runtime", title: "RUNTIME", width: 7, align: "right" },
    { key: "energy", title: "ENERGY (Ha)", width: 15, align: "right" },
    ...(scheduler && !wide ? [] : [{ key: "created" as const, title: "CREATED", width: wide ? 16 : 11 }]),
  ];
  const fixed = columns.reduce((a, c) => a + c.width, 0) + columns.length /* gaps */ + 1; /* cursor */
  const nameWidth = Math.max(8, width - fixed);
  return { columns: columns.map((c) => (c.key === "name" ? { ...c, width: nameWidth } : c)), nameWidth };
}

/** Before the cluster of a running job: ✖ unreachable, ? waiting for a login (a code, a host key). */
const WHERE_MARK = { unreachable: "✖ ", "needs-auth": "? ", none: "" } as const;

/** "1234 Resources" while it waits, "1234 node[01-04]" once it runs, "1234" else. */
export function schedulerCell(r: Pick<JobListRow, "status" | "schedulerJob">): string {
  const s = r.schedulerJob;
  if (!s) return "";
  const detail = r.status === "QUEUED" ? s.pendingReason : r.status === "RUNNING" ? s.nodeList : null;
  return detail ? `${s.id} ${detail}` : s.id;
}

function cell(text: string, c: Column): string {
  const t = clip(text, c.width);
  return c.align === "right" ? t.padStart(c.width) : t.padEnd(c.width);
}

export function JobTable({
  rows,
  cursor,
  width,
  height,
  sort,
  descending,
  now,
  connections,
  marked,
}: {
  /** The jobs marked with space: ● in the first column. */
  marked?: ReadonlySet<number>;
  rows: JobListRow[];
  /** Each cluster's connection by name: a job on one that cannot be reached now is marked. */
  connections?: ReadonlyMap<string, ClusterConnection | undefined>;
  /** Index in `rows` of the cursor, or -1. */
  cursor: number;
  width: number;
  /** Lines for the rows (the header is extra). */
  height: number;
  sort: SortColumn;
  descending: boolean;
  now: number;
}) {
  const color = useColor();
  const { columns } = columnsFor(width, {
    scheduler: rows.slice(0, height).some((r) => r.schedulerJob !== null),
  });
  const nowDate = new Date(now);
  const header = columns
    .map((c) => {
      // the arrow is kept when the title is cut to fit its column (RUNTI▼, not RUNTIM…)
      if (c.key !== sort) return cell(c.title, c);
      const mark = descending ? "▼" : "▲";
      const title = [...c.title].length + 1 > c.width ? [...c.title].slice(0, c.width - 1).join("") : c.title;
      return cell(title + mark, c);
    })
    .join(" ");
  return (
    <Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
      <Text bold wrap="truncate-end">
        {" "}
        {header}
      </Text>
      {rows.slice(0, height).map((r, i) => {
        const values: Record<ColumnKey, string> = {
          id: String(r.id),
          name: r.name,
          status: `${STATUS_SYMBOL[r.status]} ${r.status}${r.cancelRequested && !isDone(r.status) ? "!" : ""}`,
          where: `${WHERE_MARK[(r.clusterName && connectionMark(r.status, connections?.get(r.clusterName))) || "none"]}${whereOf(r)}`,
          scheduler: schedulerCell(r),
          runtime: runtimeOf(r, now),
          // 14 columns of value and one for its mark (~ not final, ⚠ imaginary modes)
          energy: "",
          created: formatWhen(r.createdAt, nowDate),
        };
        const selected = i === cursor;
        // three text runs per row (before, the status, after) rather than one per cell: Ink measures
        // every run on every frame, and a list of 40 rows redraws on each key press
        const marks = jobMarks({
          status: r.status,
          finalEnergy: r.finalEnergy,
          verdict: r.resultStatus === null ? null : { status: r.resultStatus, error_kind: r.errorKind },
          imaginaryModes: r.imaginaryModes,
          standin: r.standin,
        });
        const cells = columns.map((c) => cell(values[c.key], c));
        const at = columns.findIndex((c) => c.key === "status");
        const en = columns.findIndex((c) => c.key === "energy");
        const energyWidth = columns[en]!.width;
        return (
          <Text key={r.id} inverse={selected}>
            {`${marked?.has(r.id) ? "●" : selected ? "›" : " "}${cells.slice(0, at).join(" ")} `}
            <Text color={color(STATUS_COLOR[r.status])}>{cells[at]}</Text>
            {` ${cells.slice(at + 1, en).join(" ")} ${clip(marks.energy, energyWidth - 1).padStart(energyWidth - 1)}`}
            <Text color={color(marks.bad ? "red" : undefined)} bold={marks.bad}>
              {marks.mark}
            </Text>
            {en + 1 < cells.length ? ` ${cells.slice(en + 1).join(" ")}` : ""}
          </Text>
        );
      })}
    </Box>
  );
}

function isDone(s: string): boolean {
  return s === "COMPLETED" || s === "FAILED" || s === "CANCELLED" || s === "SKIPPED";
}
