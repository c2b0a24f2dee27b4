// The footer: the keys offered now (k9s / lazygit style), read from the key table the screen
// published; the global ones (? help, q quit) are kept when the line is short. `?` lists them all.
import { Box, Text } from "ink";
import type { KeyTable, ShownKey } from "../bindings.js";
import { useColor } from "../theme.js";

export function Footer({ table, width }: { table: KeyTable | null; width: number }) {
  const color = useColor();
  const own = (table?.screen ?? []).filter((k) => k.footer);
  const tail = (table?.global ?? []).filter((k) => k.footer);
  const cost = (k: ShownKey) => k.keys.length + 1 + (k.footer ?? "").length + 2;
  const tailCost = tail.reduce((a, k) => a + cost(k), 0);
  const parts: ShownKey[] = [];
  let used = 0;
  for (const k of own) {
    if (used + cost(k) + tailCost > width) break;
    parts.push(k);
    used += cost(k);
  }
  parts.push(...tail);
  return (
    <Box width={width} height={1} overflowY="hidden">
      <Text wrap="truncate-end">
        {parts.map((k, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the footer is redrawn whole
          <Text key={i}>
            <Text bold color={color("cyan")}>
              {k.keys}
            </Text>
            <Text>{` ${k.footer}  `}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
