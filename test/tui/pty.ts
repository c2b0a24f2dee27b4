// A real terminal for end-to-end tests: `crystal-tui` runs under a pseudo-terminal (node-pty) and its
// output is interpreted by a headless xterm, so the test reads the screen a user would see.
import { createRequire } from "node:module";
import type { IPty } from "node-pty";
import { CLI } from "../helpers/project.js";

const require = createRequire(import.meta.url);
const pty = require("node-pty") as typeof import("node-pty");
const { Terminal } = require("@xterm/headless") as typeof import("@xterm/headless");

export interface Screen {
  /** The visible screen, one string per row (trailing blanks trimmed). */
  text(): string;
  /** Waits until the screen matches; throws with the screen when it does not in time. */
  waitFor(test: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  write(keys: string): void;
  /** Types keys one by one, as a person would. */
  type(keys: string, delayMs?: number): Promise<void>;
  exited: Promise<{ exitCode: number; signal?: number }>;
  /** Everything written to the terminal (for the failure message). */
  raw(): string;
  kill(): void;
  pid: number;
}

export function startTui(
  args: string[],
  opts: { cols?: number; rows?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Screen {
  const cols = opts.cols ?? 100;
  const rows = opts.rows ?? 30;
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  let raw = "";
  const child: IPty = pty.spawn(process.execPath, [CLI, ...args], {
    name: "xterm-256color",
    cols,
    rows,
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, ...opts.env } as Record<string, string>,
  });
  child.onData((d) => {
    raw += d;
    term.write(d);
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => child.onExit(resolve));
  const text = () => {
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? "");
    return lines.join("\n");
  };
  const waitFor = async (test: string | RegExp | ((screen: string) => boolean), timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      // let xterm digest what arrived
      await new Promise<void>((r) => term.write("", () => r()));
      const t = text();
      if (typeof test === "string" ? t.includes(test) : typeof test === "function" ? test(t) : test.test(t))
        return t;
      if (Date.now() > until) throw new Error(`the screen never showed ${String(test)}; it shows:\n${t}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    text,
    waitFor,
    write: (keys) => child.write(keys),
    type: async (keys, delayMs = 30) => {
      for (const k of keys) {
        child.write(k);
        await new Promise((r) => setTimeout(r, delayMs));
      }
    },
    exited,
    raw: () => raw,
    kill: () => {
      try {
        child.kill();
      } catch {
        // already gone
      }
    },
    pid: child.pid,
  };
}
