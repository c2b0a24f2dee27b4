// `?`: every key of the current screen, then the keys that work everywhere. Any key closes it.
import { Box, Text } from "ink";
import { useKeys } from "../key-bus.js";
import { GLOBAL_KEYS, type KeyHelp, SCREEN_KEYS, type ScreenName } from "../keys.js";
import { useColor } from "../theme.js";
import { MARK_LEGEND } from "./results/list-marks.js";

export function Help({
  screen,
  width,
  height,
  onClose,
}: {
  screen: ScreenName;
  width: number;
  height: number;
  onClose: () => void;
}) {
  const color = useColor();
  useKeys(() => onClose());
  const section = (title: string, keys: KeyHelp[]) => [
    <Text key={`t-${title}`} bold>
      {title}
    </Text>,
    ...keys.map((k) => (
      <Box key={`${title}-${k.keys}`}>
        <Box width={18} flexShrink={0}>
          <Text bold color={color("cyan")}>
            {k.keys}
          </Text>
        </Box>
        <Text wrap="truncate-end">{k.does}</Text>
      </Box>
    )),
  ];
  // the job list's marks say why a row is flagged (the detail says it in words); one line, so the
  // whole help still fits 80×24
  const marks =
    screen === "jobs"
      ? [
          <Box key="marks">
            <Box width={18} flexShrink={0}>
              <Text bold>Marks</Text>
            </Box>
            <Text wrap="truncate-end">
              {`${MARK_LEGEND.map((m) => `${m.mark} ${m.short}`).join("  ")}  (the job says why)`}
            </Text>
          </Box>,
        ]
      : [];
  const lines = [
    ...section(`Keys — ${screen.replace("-", " ")} screen`, SCREEN_KEYS[screen]),
    ...marks,
    <Text key="gap"> </Text>,
    ...section("Everywhere", GLOBAL_KEYS),
  ];
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {lines.slice(0, height)}
    </Box>
  );
}
