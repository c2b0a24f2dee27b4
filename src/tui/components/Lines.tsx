// A scrolled view of many lines: only the `height` lines from `offset` are rendered.
import { Box, Text } from "ink";
import type { ReactNode } from "react";

export function Lines({
  lines,
  offset,
  height,
  width,
}: {
  lines: ReactNode[];
  offset: number;
  height: number;
  width: number;
}) {
  const start = Math.max(0, Math.min(offset, Math.max(0, lines.length - height)));
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {lines.slice(start, start + height).map((line, i) =>
        typeof line === "string" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
          <Text key={start + i} wrap="truncate-end">
            {line === "" ? " " : line}
          </Text>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
          <Box key={start + i} height={1} overflowY="hidden">
            {line}
          </Box>
        ),
      )}
    </Box>
  );
}

/** The largest sensible offset for `count` lines in a view of `height`. */
export function maxOffset(count: number, height: number): number {
  return Math.max(0, count - height);
}
