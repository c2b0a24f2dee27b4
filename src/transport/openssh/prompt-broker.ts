// One-time codes (and any other question a server asks while logging in) reach the user through a
// broker the process provides: the CLI asks on its terminal, the TUI in a modal, a process without
// either refuses — and the login fails with one line saying how to authenticate first.
//
// How ssh asks: while a master connection is being started, ssh runs our askpass helper
// (SSH_ASKPASS, SSH_ASKPASS_REQUIRE=force) for every prompt — of the login host or of any jump
// host. The helper is a few lines of JavaScript in the private connection folder; it hands the
// prompt over a unix socket (0700 folder, a random token) to the process that started ssh, and
// prints the answer for ssh. The answer passes through memory only: never stored, never logged.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { writeIfChanged } from "./control-dir.js";

export interface PromptRequest {
  /** The cluster being connected to. */
  cluster: string;
  /** The server's own prompt text, as ssh shows it (e.g. "(chem@login) Verification code: "). */
  prompt: string;
  /** What kind of question it looks like, for the wording of a dialog. */
  kind: "one-time-code" | "passphrase" | "password" | "other";
  /** The host that asks (from the ssh process's command line), when known. */
  host?: string;
  /**
   * Aborted when the login stops waiting for the answer (ssh gave up, timed out or ended): a
   * broker that shows the question (the TUI's modal) takes it away.
   */
  signal?: AbortSignal;
}

export interface PromptBroker {
  /** The answer; null when the user cancels. Throws NoPrompterError when nobody can be asked. */
  ask(request: PromptRequest): Promise<string | null>;
}

/** Nobody to ask (no terminal, no TUI): the login needs another way in first. */
export class NoPrompterError extends Error {
  override readonly name = "NoPrompterError";
}

/** The broker of a process that cannot ask anyone (cron, nohup, tests that expect no prompt). */
export const refusingBroker: PromptBroker = {
  ask: () => Promise.reject(new NoPrompterError("no terminal to ask on")),
};

export function promptKind(prompt: string): PromptRequest["kind"] {
  if (/passphrase/i.test(prompt)) return "passphrase";
  if (/verification|one[- ]time|otp|token|code|2fa|duo|authenticator/i.test(prompt)) return "one-time-code";
  if (/password/i.test(prompt)) return "password";
  return "other";
}

// The helper ssh runs: argv[2] is the prompt. Exit 1 = cancelled (ssh then fails that method).
const HELPER = `import net from "node:net";
import fs from "node:fs";
const prompt = process.argv[2] ?? "";
let host;
try {
  const argv = fs.readFileSync("/proc/" + process.ppid + "/cmdline", "utf8").split("\\0").filter(Boolean);
  host = argv.at(-1) === "-N" ? undefined : argv.at(-1);
} catch {}
const sock = net.connect(process.env.CRYSTAL_TUI_ASKPASS_SOCKET ?? "");
let buf = "";
sock.on("data", (d) => { buf += d; });
sock.on("error", () => process.exit(1));
sock.on("close", () => {
  try {
    const answer = JSON.parse(buf);
    if (typeof answer.answer !== "string") process.exit(1);
    process.stdout.write(answer.answer + "\\n");
    process.exit(0);
  } catch { process.exit(1); }
});
sock.end(JSON.stringify({ token: process.env.CRYSTAL_TUI_ASKPASS_TOKEN, prompt, host }) + "\\n");
`;

/** Writes the helper into the connection folder (once per content) and returns its path. */
export function installAskpassHelper(controlDir: string): string {
  const file = path.join(controlDir, "askpass.mjs");
  writeIfChanged(file, `#!${process.execPath}\n${HELPER}`, 0o700);
  return file;
}

export interface PromptSession {
  /** Environment for the ssh process that may prompt. */
  env: Record<string, string>;
  /** What was asked and how it went (prompts only: answers are not kept). */
  readonly asked: { prompt: string; outcome: "answered" | "cancelled" | "no-prompter" }[];
  close(): Promise<void>;
}

/**
 * Listens for the helper's questions while one ssh process logs in, and passes each to `broker`.
 * Questions are answered one at a time, in order (a code typed for one hop is not mistaken for
 * another's).
 */
export async function openPromptSession(
  controlDir: string,
  key: string,
  cluster: string,
  broker: PromptBroker,
): Promise<PromptSession> {
  const helper = installAskpassHelper(controlDir);
  const socketPath = path.join(controlDir, `a-${key}-${process.pid}.sock`);
  try {
    fs.unlinkSync(socketPath);
  } catch {}
  const token = randomBytes(16).toString("hex");
  const asked: PromptSession["asked"] = [];
  let queue: Promise<unknown> = Promise.resolve();
  // the questions not answered yet, withdrawn when the session closes (the login is over)
  const open = new Set<{ asking: AbortController; conn: net.Socket }>();
  // half-open: the helper ends its side after asking, and waits (a person may take a while) for the answer
  const server = net.createServer({ allowHalfOpen: true }, (conn) => {
    let buf = "";
    conn.on("error", () => {});
    conn.on("data", (d) => {
      buf += d.toString("utf8");
      if (!buf.includes("\n")) return;
      let req: { token?: string; prompt?: string; host?: string };
      try {
        req = JSON.parse(buf.slice(0, buf.indexOf("\n")));
      } catch {
        conn.destroy();
        return;
      }
      if (req.token !== token) {
        conn.destroy();
        return;
      }
      const prompt = String(req.prompt ?? "");
      const entry = { asking: new AbortController(), conn };
      open.add(entry);
      const request: PromptRequest = {
        cluster,
        prompt,
        kind: promptKind(prompt),
        ...(req.host ? { host: req.host } : {}),
        signal: entry.asking.signal,
      };
      queue = queue.then(async () => {
        if (entry.asking.signal.aborted) return; // the login ended before its turn came
        let answer: string | null = null;
        try {
          answer = await broker.ask(request);
          asked.push({ prompt, outcome: answer === null ? "cancelled" : "answered" });
        } catch {
          asked.push({ prompt, outcome: "no-prompter" });
        }
        open.delete(entry);
        conn.end(answer === null ? "{}" : JSON.stringify({ answer }));
        answer = null;
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    env: {
      SSH_ASKPASS: helper,
      SSH_ASKPASS_REQUIRE: "force",
      CRYSTAL_TUI_ASKPASS_SOCKET: socketPath,
      CRYSTAL_TUI_ASKPASS_TOKEN: token,
    },
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        // a question still open belongs to a login that is over: withdraw it, and let its helper
        // exit (server.close() alone leaves open connections waiting)
        for (const { asking, conn } of open) {
          asking.abort();
          conn.destroy();
        }
        open.clear();
        server.close(() => resolve());
        try {
          fs.unlinkSync(socketPath);
        } catch {}
      }),
  };
}
