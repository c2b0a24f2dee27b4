// Asks once before a destructive action: y does it, anything else does not.
import { Box, Text } from "ink";
import { type Binding, useBindings } from "../bindings.js";
import { useColor } from "../theme.js";

type Answer = (yes: boolean) => void;

export const CONFIRM_BINDINGS: readonly Binding<Answer>[] = [
  { on: ["y", "Y"], does: "yes, do it", footer: "yes", run: (answer) => answer(true) },
  { on: ["any"], does: "no, leave it as it is", footer: "no", run: (answer) => answer(false) },
];

export function Confirm({ question, onAnswer }: { question: string; onAnswer: Answer }) {
  const color = useColor();
  useBindings("question", CONFIRM_BINDINGS, onAnswer);
  return (
    <Box height={1}>
      <Text bold color={color("yellow")} wrap="truncate-end">
        [y/N] {question}
      </Text>
    </Box>
  );
}
