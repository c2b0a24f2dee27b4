// A server asks something while a cluster is being logged in to (a one-time code, mostly): the
// modal names the cluster and shows the server's own words; what is typed is never shown (one dot
// per character, so the user sees the keys arrive) and is handed to the login on enter, then
// forgotten. Esc cancels: the login fails and the cluster waits for a login. While it is open every
// key comes here (the app pauses the screen's keys).
import { Box, Text } from "ink";
import { useRef, useState } from "react";
import type { PromptRequest } from "../../transport/openssh/prompt-broker.js";
import type { ShownKey } from "../bindings.js";
import { clip } from "../format.js";
import { useKeys } from "../key-bus.js";
import { useColor } from "../theme.js";

/** The modal's keys, for the footer and `?` (the modal reads them itself, below). */
export const LOGIN_PROMPT_KEYS: ShownKey[] = [
  { keys: "type", does: "the answer (not shown)" },
  { keys: "enter", does: "send the answer to the server", footer: "send" },
  { keys: "esc", does: "cancel the login (the cluster then waits for a login)", footer: "cancel" },
];

const TITLE: Record<PromptRequest["kind"], string> = {
  "one-time-code": "one-time code",
  passphrase: "key passphrase",
  password: "password",
  other: "question",
};

const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/u;

export function LoginPrompt({
  request,
  lastTry = null,
  width,
  onAnswer,
}: {
  request: PromptRequest;
  /** Why the cluster's last login failed (a code refused): asked again, the user sees why. */
  lastTry?: string | null;
  width: number;
  /** The typed text, or null when cancelled. Called once. */
  onAnswer: (text: string | null) => void;
}) {
  const color = useColor();
  // the answer lives in a ref, not in React state: only its length is rendered
  const typed = useRef("");
  const [length, setLength] = useState(0);
  const done = useRef(false);
  const finish = (text: string | null) => {
    if (done.current) return;
    done.current = true;
    typed.current = "";
    setLength(0);
    onAnswer(text);
  };
  useKeys((input, key) => {
    if (done.current) return;
    if (key.return) return finish(typed.current);
    if (key.escape) return finish(null);
    if (key.backspace || key.delete) typed.current = [...typed.current].slice(0, -1).join("");
    else if (!key.ctrl && !key.meta && PRINTABLE.test(input)) typed.current += input;
    else return;
    setLength([...typed.current].length);
  });
  const inner = Math.max(10, width - 4);
  const via = request.host && request.host !== request.cluster ? ` (asked by ${request.host})` : "";
  const server = request.prompt.trim() || "(the server sent no text)";
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color("yellow")} paddingX={1} width={width}>
      <Text bold color={color("yellow")} wrap="truncate-end">
        {clip(`Login to cluster ${request.cluster}${via} — ${TITLE[request.kind]}`, inner)}
      </Text>
      {lastTry ? (
        <Text color={color("red")} wrap="truncate-end">
          {clip(`last try: ${lastTry}`, inner)}
        </Text>
      ) : null}
      <Text wrap="wrap">{clip(server, inner * 3)}</Text>
      <Text>
        {"› "}
        {"•".repeat(Math.min(length, inner - 3))}
        <Text inverse> </Text>
      </Text>
      <Text dimColor wrap="truncate-end">
        {clip("enter sends it · esc cancels the login · what you type is not shown nor kept", inner)}
      </Text>
    </Box>
  );
}
