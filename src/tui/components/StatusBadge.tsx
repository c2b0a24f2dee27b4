// A job status as its symbol and word, coloured when colour is on (the symbol carries it without).
import { Text } from "ink";
import { type JobStatus, STATUS_SYMBOL } from "../../domain/status.js";
import { STATUS_COLOR, useColor } from "../theme.js";

export function StatusBadge({ status, short = false }: { status: JobStatus; short?: boolean }) {
  const color = useColor();
  return (
    <Text color={color(STATUS_COLOR[status])} wrap="truncate-end">
      {STATUS_SYMBOL[status]}
      {short ? "" : ` ${status}`}
    </Text>
  );
}
