// The top line: which screen is shown (1 Jobs, 2 Workflows, 3 Clusters) and the project.
import { Box, Text } from "ink";
import { clip } from "../format.js";
import { useColor } from "../theme.js";

export type TopScreen = "jobs" | "workflows" | "clusters";
const TABS: [TopScreen, string][] = [
  ["jobs", "1 Jobs"],
  ["workflows", "2 Workflows"],
  ["clusters", "3 Clusters"],
];

export function Header({ current, project, width }: { current: TopScreen; project: string; width: number }) {
  const color = useColor();
  const left = 12 + TABS.reduce((a, [, l]) => a + l.length + 3, 0);
  return (
    <Box width={width} height={1}>
      <Text bold color={color("cyan")}>
        crystal-tui{" "}
      </Text>
      {TABS.map(([name, label]) => (
        <Text key={name} inverse={name === current} bold={name === current}>
          {` ${label} `}
        </Text>
      ))}
      <Text dimColor> {clip(project, Math.max(0, width - left - 2))}</Text>
    </Box>
  );
}
