// Background commands the TUI starts and follows without waiting for them: `crystal-tui cluster
// test NAME` and `cluster trust NAME` run as child processes (a remote call must never block the
// screen); their progress lines and outcome are kept here, so a screen can be left and come back.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { printable } from "./format.js";

/** bin/crystal-tui.js, from src/tui or dist/tui alike. */
export const CLI_BIN = fileURLToPath(new URL("../../bin/crystal-tui.js", import.meta.url));

export interface Task {
  key: string;
  label: string;
  state: "running" | "ok" | "failed";
  /** Output lines so far (stdout and stderr, in order of arrival). */
  lines: string[];
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
}

export class Tasks {
  private tasks = new Map<string, Task>();
  private listeners = new Set<() => void>();
  private version = 0;
  private children = new Set<ReturnType<typeof spawn>>();

  constructor(
    private readonly projectDir: string,
    private readonly bin: string = CLI_BIN,
  ) {}

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.version;

  get(key: string): Task | undefined {
    return this.tasks.get(key);
  }

  private changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  /** Runs `crystal-tui ARGS` on the project in the background; a task with the same key must finish first. */
  run(key: string, label: string, args: string[]): boolean {
    if (this.tasks.get(key)?.state === "running") return false;
    const task: Task = {
      key,
      label,
      state: "running",
      lines: [],
      startedAt: Date.now(),
      endedAt: null,
      exitCode: null,
    };
    this.tasks.set(key, task);
    this.changed();
    const child = spawn(process.execPath, [this.bin, "--project", this.projectDir, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.children.add(child);
    const onData = (buf: Buffer) => {
      for (const line of buf.toString("utf8").split(/\r?\n/)) {
        if (line.trim() !== "") task.lines.push(printable(line.replace(/^crystal-tui: /, "")));
      }
      if (task.lines.length > 200) task.lines.splice(0, task.lines.length - 200);
      this.changed();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const finish = (code: number | null, error?: string) => {
      if (task.endedAt !== null) return;
      this.children.delete(child);
      if (error) task.lines.push(error);
      task.exitCode = code;
      task.state = code === 0 ? "ok" : "failed";
      task.endedAt = Date.now();
      this.changed();
    };
    child.on("error", (err) => finish(null, `could not start: ${err.message}`));
    child.on("close", (code) => finish(code));
    return true;
  }

  /** Stops what still runs (when the TUI quits). */
  stopAll(): void {
    for (const c of this.children) c.kill("SIGTERM");
    this.children.clear();
  }
}
