// Styled lines drawn by Ink: each tone gets its colour (none under NO_COLOR: every mark the panels
// use — ⚠, ~, ┄, α/β titles — reads without it), a line is one truncated Text.
import { Text } from "ink";
import type { ReactNode } from "react";
import type { Line, Tone } from "./styled.js";

export type ColorFn = (name: string | undefined) => string | undefined;

const TONE_STYLE: Readonly<Record<Tone, { color?: string; bold?: boolean; dim?: boolean }>> = {
  bad: { color: "red", bold: true },
  warn: { color: "yellow" },
  good: { color: "green" },
  heading: { bold: true },
  label: { bold: true },
  dim: { dim: true },
  data: { color: "cyan" },
  alpha: { color: "cyan" },
  beta: { color: "magenta" },
  fermi: { color: "yellow" },
  other: { color: "green" },
};

export function renderLines(lines: readonly Line[], color: ColorFn, keyPrefix = "r"): ReactNode[] {
  return lines.map((l, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
    <Text key={`${keyPrefix}${i}`} wrap="truncate-end">
      {l.length === 0
        ? " "
        : l.map((s, j) => {
            const style = s.tone ? TONE_STYLE[s.tone] : {};
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: spans are positional
              <Text key={j} color={color(style.color)} bold={style.bold} dimColor={style.dim}>
                {s.text}
              </Text>
            );
          })}
    </Text>
  ));
}
