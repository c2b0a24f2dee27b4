// Opening the TUI on a project in a real terminal: the store, the change probe, the engine host
// (unless another process serves the project), the alternate screen; and putting it all away again.

import { render } from "ink";
import { openProject } from "../app/project.js";
import { UserError } from "../domain/errors.js";
import { ACTIVE_STATUSES } from "../domain/status.js";
import { App } from "./app.js";
import { setClipboardTerminal } from "./clipboard.js";
import { installDemoStandin } from "./demo.js";
import { EngineHost } from "./engine-host.js";
import { isDemoProject } from "./launch-marker.js";
import { LoginPrompts } from "./login-prompts.js";
import { setRedraw } from "./outside.js";
import { StoreWatcher } from "./store-watch.js";
import { Tasks } from "./tasks.js";

export interface OpenOptions {
  /** Host an engine when no other process serves the project (default true). */
  hostEngine?: boolean;
}

const ALT_SCREEN_ON = "\x1b[?1049h\x1b[H";
const ALT_SCREEN_OFF = "\x1b[?1049l";

export async function openTui(projectDir: string, options: OpenOptions = {}): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(
      "the TUI needs a terminal (stdin and stdout are not one) — run it in a terminal, or use the commands: crystal-tui --help",
    );
  }
  const demo = isDemoProject(projectDir);
  // a demo project reopened later still runs on its stand-in, unless CRYSTAL was set up by hand
  if (demo && !process.env.CRY23_EXEDIR) installDemoStandin(projectDir);
  const project = await openProject(projectDir);
  const store = project.store;
  const watcher = new StoreWatcher(store).start();
  // a cluster that asks a one-time code while this window's engine logs in asks it in a modal
  const logins = new LoginPrompts();
  const engine = new EngineHost(projectDir, { host: options.hostEngine ?? true, broker: logins }).start();
  const tasks = new Tasks(projectDir);
  process.stdout.write(ALT_SCREEN_ON);
  const app = (hidden = false) => (
    <App
      store={store}
      watcher={watcher}
      engine={engine}
      tasks={tasks}
      logins={logins}
      demo={demo}
      hidden={hidden}
    />
  );
  const instance = render(app(), { exitOnCtrlC: true });
  // after a program ran on the terminal (the editor of `e`, the pager of `o`), Ink draws its whole
  // frame again — now, not at the next change. Ink writes a frame only when it differs from the last
  // one it wrote (clear() keeps that one as written), and a pager quit on a view that did not change
  // would leave the screen blank: a frame of nothing, then the screen (every state kept) makes it draw.
  setRedraw(() => {
    instance.rerender(app(true));
    instance.rerender(app(false));
  });
  // y's copy goes to the terminal as an escape sequence, between Ink's frames
  setClipboardTerminal((sequence) => process.stdout.write(sequence));
  const onTerm = () => instance.unmount();
  process.once("SIGTERM", onTerm);
  process.once("SIGHUP", onTerm);
  try {
    await instance.waitUntilExit();
  } finally {
    process.removeListener("SIGTERM", onTerm);
    process.removeListener("SIGHUP", onTerm);
    setRedraw(null);
    setClipboardTerminal(null);
    process.stdout.write(ALT_SCREEN_OFF);
    tasks.stopAll();
    watcher.stop();
    logins.close(); // a login still asking is cancelled, so the engine's stop does not wait for it
    const hosted = engine.snapshot().mode === "hosting";
    await engine.stop();
    if (hosted) {
      const active = await store.engine.countByStatus(ACTIVE_STATUSES);
      if (active > 0) {
        process.stderr.write(
          `crystal-tui: ${active} job(s) still running — the next engine follows them (\`crystal-tui run\`, or open the TUI again)\n`,
        );
      }
    }
    await project.close();
  }
}
