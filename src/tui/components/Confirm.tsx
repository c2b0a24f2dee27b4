// Asks once before a destructive action: y does it, anything else does not.
import { Box, Text } from "ink";
import { useKeys } from "../key-bus.js";
import { useColor } from "../theme.js";

export function Confirm({ question, onAnswer }: { question: string; onAnswer: (yes: boolean) => void }) {
  const color = useColor();
  useKeys((input) => onAnswer(input === "y" || input === "Y"));
  return (
    <Box height={1}>
      <Text bold color={color("yellow")} wrap="truncate-end">
        [y/N] {question}
      </Text>
    </Box>
  );
}
