// `?`: every key offered on the screen underneath (from the table it published), what its symbols
// mean, then the keys that work everywhere. Any key closes it.
import { Box, Text } from "ink";
import type { KeyTable, ShownKey } from "../bindings.js";
import { useKeys } from "../key-bus.js";
import { useColor } from "../theme.js";

export function Help({
  table,
  width,
  height,
  onClose,
}: {
  table: KeyTable | null;
  width: number;
  height: number;
  onClose: () => void;
}) {
  const color = useColor();
  useKeys(() => onClose());
  const row = (id: string, label: string, text: string, bold = false) => (
    <Box key={id}>
      <Box width={18} flexShrink={0}>
        <Text bold color={bold ? undefined : color("cyan")}>
          {label}
        </Text>
      </Box>
      <Text wrap="truncate-end">{text}</Text>
    </Box>
  );
  const section = (title: string, keys: ShownKey[]) => [
    <Text key={`t-${title}`} bold>
      {title}
    </Text>,
    ...keys.map((k, i) => row(`${title}-${i}`, k.keys, k.does)),
  ];
  const lines = [
    ...section(`Keys — ${table?.title ?? "this"} screen`, table?.screen ?? []),
    ...(table?.legend ?? []).map((l) => row(`legend-${l.label}`, l.label, l.text, true)),
    ...(table && table.global.length > 0
      ? [<Text key="gap"> </Text>, ...section("Everywhere", table.global)]
      : []),
  ];
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {lines.slice(0, height)}
    </Box>
  );
}
