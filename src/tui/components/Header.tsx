// The top line: the screens reached with a key (1 Jobs, 2 Workflows, 3 Clusters) and the project.
import { Box, Text } from "ink";
import { clip } from "../format.js";
import { useColor } from "../theme.js";

export function Header({
  tabs,
  current,
  project,
  width,
}: {
  tabs: readonly { name: string; key: string; title: string }[];
  current: string;
  project: string;
  width: number;
}) {
  const color = useColor();
  const labels = tabs.map((t) => ({ name: t.name, label: `${t.key} ${t.title}` }));
  const left = 12 + labels.reduce((a, t) => a + t.label.length + 2, 0);
  return (
    <Box width={width} height={1}>
      <Text bold color={color("cyan")}>
        crystal-tui{" "}
      </Text>
      {labels.map(({ name, label }) => (
        <Text key={name} inverse={name === current} bold={name === current}>
          {` ${label} `}
        </Text>
      ))}
      <Text dimColor> {clip(project, Math.max(0, width - left - 2))}</Text>
    </Box>
  );
}
