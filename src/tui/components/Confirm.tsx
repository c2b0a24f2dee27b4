// Asks once before a destructive action: y does it, anything else does not. A question may offer
// more answers (r's "e: edit the deck first"), each a key of its own, shown in the prompt and `?`.
import { Box, Text } from "ink";
import { useMemo } from "react";
import { type Binding, useBindings } from "../bindings.js";
import { useColor } from "../theme.js";

type Answer = (yes: boolean) => void;

/** One more answer than yes and no: its key, what it does (in `?`) and its word in the footer. */
export interface OtherAnswer {
  key: string;
  does: string;
  footer: string;
  run: () => void;
}

export const CONFIRM_BINDINGS: readonly Binding<Answer>[] = [
  { on: ["y", "Y"], does: "yes, do it", footer: "yes", run: (answer) => answer(true) },
  { on: ["any"], does: "no, leave it as it is", footer: "no", run: (answer) => answer(false) },
];

export function Confirm({
  question,
  onAnswer,
  also = [],
}: {
  question: string;
  onAnswer: Answer;
  also?: readonly OtherAnswer[];
}) {
  const color = useColor();
  // the other answers go between yes and the catch-all no
  const table = useMemo<readonly Binding<Answer>[]>(
    () =>
      also.length === 0
        ? CONFIRM_BINDINGS
        : [
            CONFIRM_BINDINGS[0]!,
            ...also.map((a) => ({ on: [a.key], does: a.does, footer: a.footer, run: () => a.run() })),
            CONFIRM_BINDINGS[1]!,
          ],
    [also],
  );
  useBindings("question", table, onAnswer);
  return (
    <Box height={1}>
      <Text bold color={color("yellow")} wrap="truncate-end">
        [{["y", ...also.map((a) => a.key), "N"].join("/")}] {question}
      </Text>
    </Box>
  );
}
