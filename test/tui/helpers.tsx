// Helpers of the TUI tests: the App on a real project store, with a fixed size, and waiting for a
// frame that shows what a user would look for.
import { render } from "ink-testing-library";
import type { ProjectStore } from "../../src/store/port.js";
import { App, type View } from "../../src/tui/app.js";
import { fixedEngineSource } from "../../src/tui/engine-host.js";
import type { FetchOutput } from "../../src/tui/job-output-source.js";
import type { KeyBus } from "../../src/tui/key-bus.js";
import type { LoginQuestions } from "../../src/tui/login-prompts.js";
import { StoreWatcher } from "../../src/tui/store-watch.js";
import { Tasks } from "../../src/tui/tasks.js";

export const KEY = {
  up: "\u001b[A",
  down: "\u001b[B",
  right: "\u001b[C",
  left: "\u001b[D",
  enter: "\r",
  escape: "\u001b",
  tab: "\t",
  shiftTab: "\u001b[Z",
  backspace: "\u007f",
  pageDown: "\u001b[6~",
  pageUp: "\u001b[5~",
  ctrlS: "\u0013",
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { addJobs, makeStore } from "./helpers-store.js";

export interface Mounted {
  store: ProjectStore;
  watcher: StoreWatcher;
  lastFrame: () => string;
  frames: string[];
  press: (...keys: string[]) => Promise<void>;
  /** Writes one key without waiting for anything (for bursts). */
  write: (key: string) => Promise<void>;
  type: (text: string) => Promise<void>;
  waitFor: (test: string | RegExp | ((frame: string) => boolean), timeoutMs?: number) => Promise<string>;
  unmount: () => void;
  quit: { called: boolean };
}

export function mount(
  store: ProjectStore,
  opts: {
    columns?: number;
    rows?: number;
    color?: boolean;
    view?: View;
    engineText?: string;
    demo?: boolean;
    logins?: LoginQuestions;
    /** How job outputs are fetched from clusters (default: the real transport). */
    fetchOutput?: FetchOutput;
  } = {},
): Mounted {
  const watcher = new StoreWatcher(store, 50).start();
  const quit = { called: false };
  const ready: { done: boolean; bus: KeyBus | null } = { done: false, bus: null };
  const app = render(
    <App
      store={store}
      watcher={watcher}
      engine={fixedEngineSource(opts.engineText ?? "no engine (test)")}
      tasks={new Tasks(store.projectDir)}
      size={{ columns: opts.columns ?? 100, rows: opts.rows ?? 24 }}
      color={opts.color ?? false}
      demo={opts.demo}
      logins={opts.logins}
      fetchOutput={opts.fetchOutput}
      initialView={opts.view}
      onQuit={() => {
        quit.called = true;
      }}
      onReady={(bus) => {
        ready.done = true;
        ready.bus = bus;
      }}
    />,
  );
  const lastFrame = () => app.lastFrame() ?? "";
  const waitFor: Mounted["waitFor"] = async (test, timeoutMs = 3000) => {
    const ok = (f: string) =>
      typeof test === "string" ? f.includes(test) : test instanceof RegExp ? test.test(f) : test(f);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const f = lastFrame();
      if (ok(f)) return f;
      if (Date.now() > until) throw new Error(`frame never showed ${String(test)}; last frame:\n${f}`);
      await sleep(20);
    }
  };
  const listening = async () => {
    while (!ready.done) await sleep(5);
  };
  /** Until every key written so far has been handed out and its render is on screen. */
  const settled = async () => {
    while (ready.bus && !ready.bus.idle()) await sleep(2);
    await sleep(15);
  };
  const press = async (...keys: string[]) => {
    await listening();
    for (const k of keys) {
      app.stdin.write(k);
      // a lone ESC is told from the start of a sequence by a short wait in Ink's input parser
      if (k === KEY.escape) await sleep(40);
      await settled();
    }
  };
  const type = async (text: string) => {
    await listening();
    for (const ch of text) app.stdin.write(ch);
    await settled();
  };
  return {
    store,
    watcher,
    lastFrame,
    frames: app.frames,
    press,
    write: async (key: string) => {
      app.stdin.write(key);
      await Promise.resolve();
    },
    type,
    waitFor,
    unmount: () => {
      app.unmount();
      watcher.stop();
    },
    quit,
  };
}
