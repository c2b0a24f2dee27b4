// The status line: who runs the jobs (this TUI's engine, another process, or nobody), the counts
// per status, and the last message (what an action did, or why it was refused).
import { Box, Text } from "ink";
import { JOB_STATUSES, type JobStatus, STATUS_SYMBOL } from "../../domain/status.js";
import { clip } from "../format.js";
import { STATUS_COLOR, useColor } from "../theme.js";

export interface Flash {
  text: string;
  kind: "info" | "error";
}

export function StatusLine({
  engine,
  counts,
  flash,
  width,
}: {
  engine: string;
  counts: Record<JobStatus, number>;
  flash: Flash | null;
  width: number;
}) {
  const color = useColor();
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
