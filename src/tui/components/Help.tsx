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
  const legend = (table?.legend ?? []).map((l) => row(`legend-${l.label}`, l.label, l.text, true));
  const global = table && table.global.length > 0 ? table.global : [];
  const screen = table?.screen ?? [];
  // a screen with many keys gets them in two columns when one does not fit: the legend and the
  // keys that work everywhere must stay on screen too
  const fixed = 1 + legend.length + (global.length > 0 ? 2 + global.length : 0);
  const twoColumns = fixed + screen.length > height && width >= 80;
  const half = Math.floor(width / 2);
  const pair = (id: string, a: ShownKey, b: ShownKey | undefined) => (
    <Box key={id}>
      <Box width={half} flexShrink={0}>
        {row(`${id}-a`, a.keys, a.does)}
      </Box>
      {b ? row(`${id}-b`, b.keys, b.does) : null}
    </Box>
  );
  const section = (title: string, keys: ShownKey[], columns = 1) => [
    <Text key={`t-${title}`} bold>
      {title}
    </Text>,
    ...(columns === 1
      ? keys.map((k, i) => row(`${title}-${i}`, k.keys, k.does))
      : columnRows(keys).map(([a, b], i) => pair(`${title}-${i}`, a, b))),
  ];
  const lines = [
    ...section(`Keys — ${table?.title ?? "this"} screen`, screen, twoColumns ? 2 : 1),
    ...legend,
    ...(global.length > 0 ? [<Text key="gap"> </Text>, ...section("Everywhere", global)] : []),
  ];
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {lines.slice(0, height)}
    </Box>
  );
}

/** Keys in two columns read down: the first half on the left, the rest beside them. */
function columnRows(keys: ShownKey[]): [ShownKey, ShownKey | undefined][] {
  const down = Math.ceil(keys.length / 2);
  return keys.slice(0, down).map((k, i) => [k, keys[i + down]]);
}
