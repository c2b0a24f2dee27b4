// The footer: the keys of the current screen (k9s / lazygit style); `?` lists every key.
import { Box, Text } from "ink";
import type { KeyHelp } from "../keys.js";
import { useColor } from "../theme.js";

export function Footer({ keys, width }: { keys: KeyHelp[]; width: number }) {
  const color = useColor();
  const shown = [...keys.filter((k) => k.footer), { keys: "?", does: "help" }, { keys: "q", does: "quit" }];
  // fit as many as the line holds, always keeping ? and q
  const parts: KeyHelp[] = [];
  let used = 0;
  const cost = (k: KeyHelp) => k.keys.length + 1 + k.does.split(/[ (,/]/)[0]!.length + 2;
  const tail = shown.slice(-2).reduce((a, k) => a + cost(k), 0);
  for (const k of shown.slice(0, -2)) {
    if (used + cost(k) + tail > width) break;
    parts.push(k);
    used += cost(k);
  }
  parts.push(...shown.slice(-2));
  return (
    <Box width={width} height={1} overflowY="hidden">
      <Text wrap="truncate-end">
        {parts.map((k) => (
          <Text key={k.keys}>
            <Text bold color={color("cyan")}>
              {k.keys}
            </Text>
            <Text>{` ${k.does.split(/[ (,/]/)[0]}  `}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
