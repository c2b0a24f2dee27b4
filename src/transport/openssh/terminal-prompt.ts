// The CLI's prompt broker: asks on the terminal, without echo, naming the cluster and showing the
// server's own prompt. Without a terminal (cron, nohup, a pipe) it refuses, and the login fails with
// the line saying how to authenticate first. What is typed is handed to ssh and forgotten.
import { NoPrompterError, type PromptBroker, type PromptRequest } from "./prompt-broker.js";

function question(req: PromptRequest): string {
  const server = req.prompt.replace(/^\([^)]*\)\s*/, "").trim() || "Answer:";
  const via = req.host ? ` (${req.host})` : "";
  return `cluster '${req.cluster}'${via} — ${server} `;
}

/** Reads one line from a raw-mode terminal without showing it; null on Ctrl-C / Ctrl-D. */
function readHidden(
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  prompt: string,
): Promise<string | null> {
  return new Promise((resolve) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    let typed = "";
    const done = (answer: string | null) => {
      input.removeListener("data", onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write("\n");
      resolve(answer);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done(typed);
        if (ch === "\u0003" || ch === "\u0004") return done(null);
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else if (ch >= " ") typed += ch;
      }
    };
    input.on("data", onData);
  });
}

export function terminalBroker(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): PromptBroker {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    ask(req) {
      if (!input.isTTY || !output.isTTY) return Promise.reject(new NoPrompterError("no terminal"));
      // one question at a time on one terminal
      const next = queue.then(() => readHidden(input, output, question(req)));
      queue = next.catch(() => {});
      return next;
    },
  };
}
