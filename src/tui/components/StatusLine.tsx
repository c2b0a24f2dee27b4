// The status line: who runs the jobs (this TUI's engine, another process, or nobody), the counts
// per status, and the last message (what an action did, or why it was refused).
import { Box, Text } from "ink";
import { JOB_STATUSES, type JobStatus, STATUS_SYMBOL } from "../../domain/status.js";
import type { ClusterConnection } from "../../domain/types.js";
import { clip } from "../format.js";
import { STATUS_COLOR, useColor } from "../theme.js";

export interface Flash {
  text: string;
  kind: "info" | "error";
}

/**
 * The first cluster that cannot be reached or waits for a login, said so a user knows their jobs'
 * states are the last ones known and where to act; null when every cluster is fine.
 */
export function connectionNotice(
  clusters: readonly { name: string; connection?: ClusterConnection | undefined }[],
): string | null {
  const bad = clusters.filter(
    (c) => c.connection?.status === "unreachable" || c.connection?.status === "needs-auth",
  );
  const c = bad[0];
  if (!c?.connection) return null;
  const since = new Date(c.connection.since).toTimeString().slice(0, 5);
  const what = c.connection.status === "unreachable" ? "unreachable" : "waits for a login";
  const why = c.connection.lastError ? `: ${c.connection.lastError}` : "";
  const more = bad.length > 1 ? ` (+${bad.length - 1} more)` : "";
  return `${c.name} ${what} since ${since}${why}${more} — press 3 for clusters`;
}

export function StatusLine({
  engine,
  counts,
  flash,
  width,
  notice = null,
}: {
  engine: string;
  counts: Record<JobStatus, number>;
  flash: Flash | null;
  width: number;
  /** A cluster connection problem (connectionNotice); shown instead of the counts while it lasts. */
  notice?: string | null;
}) {
  const color = useColor();
  if (!flash && notice) {
    return (
      <Box width={width} height={1}>
        <Text color={color("yellow")} wrap="truncate-end">
          {"⚠ "}
          {notice}
        </Text>
      </Box>
    );
  }
  if (flash) {
    return (
      <Box width={width} height={1}>
        <Text color={color(flash.kind === "error" ? "red" : "green")} wrap="truncate-end">
          {flash.kind === "error" ? "✖ " : "› "}
          {flash.text}
        </Text>
      </Box>
    );
  }
  const shown = JOB_STATUSES.filter((s) => counts[s] > 0);
  const countsText = shown.map((s) => `${STATUS_SYMBOL[s]}${counts[s]}`).join(" ");
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        {shown.map((s) => (
          <Text key={s} color={color(STATUS_COLOR[s])}>
            {STATUS_SYMBOL[s]}
            {counts[s]}{" "}
          </Text>
        ))}
        <Text dimColor>{clip(`│ ${engine}`, Math.max(0, width - countsText.length - 2))}</Text>
      </Text>
    </Box>
  );
}
