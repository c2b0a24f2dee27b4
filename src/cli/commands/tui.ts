// crystal-tui (no arguments) opens the TUI on the project; crystal-tui demo opens the demo project
// (MgO jobs and a small workflow run by the CRYSTAL stand-in), made the first time it is asked for.
// The TUI (Ink, React) is loaded only when asked for, so other commands start fast.
import type { Command } from "commander";
import { UserError } from "../../domain/errors.js";
import { projectDirOf } from "../context.js";
import { releaseTerminalGuard } from "../output.js";

/** Loads the TUI: React's production build (its development checks cost every key press). */
async function loadTui() {
  process.env.NODE_ENV ??= "production";
  // the TUI draws with terminal escapes of its own, and cleans what it shows (tui/format.ts)
  releaseTerminalGuard();
  // Ink draws only the last frame when it believes it runs in CI (CI=true, as many containers and
  // CI shells export): a person at a terminal must see the live screen, so the TUI, which only ever
  // runs on a terminal (requireTerminal), does not pass that belief on to Ink
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  return import("../../tui/launch.js");
}

function requireTerminal(): void {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(
      "the TUI needs a terminal (stdin and stdout are not one) — run it in a terminal, or use the commands: crystal-tui --help",
    );
  }
}

export function registerTuiCommands(program: Command): void {
  program
    .command("demo")
    .description(
      "open the demo project (CRYSTAL stand-in, MgO jobs, a workflow), made in $XDG_STATE_HOME/crystal-tui/demo the first time",
    )
    .option("--dir <dir>", "make a demo project in this (new or empty) folder instead")
    .option("--fresh", "start the demo project over (it is removed and made anew)")
    .option("--no-open", "only make or find the project and print its folder")
    .option("--no-engine", "do not run the jobs (open the TUI without an engine)")
    .allowExcessArguments(false)
    .action(async (opts: { dir?: string; fresh?: boolean; open: boolean; engine: boolean }) => {
      if (opts.open) requireTerminal();
      const { openDemoProject } = await import("../../tui/demo.js");
      const demo = await openDemoProject({ dir: opts.dir, fresh: opts.fresh });
      if (!opts.open) {
        process.stdout.write(`${demo.projectDir}\n`);
        return;
      }
      const { openTui } = await loadTui();
      await openTui(demo.projectDir, { hostEngine: opts.engine });
      process.stdout.write(
        opts.dir
          ? `demo project kept in ${demo.projectDir} — open it again with: crystal-tui --project ${demo.projectDir}\n`
          : `demo project kept in ${demo.projectDir} — crystal-tui demo opens it again, crystal-tui demo --fresh starts it over\n`,
      );
    });

  // the default action: no command opens the TUI. Excess words are still refused as an unknown
  // command (exit 2), so a typo never opens the TUI by surprise.
  program.addHelpText(
    "after",
    "\nWithout a command, crystal-tui opens the terminal UI on the project (press ? in it for the keys).\nTry it on a demo project first: crystal-tui demo",
  );
  program.allowExcessArguments(true).action(async (_opts: unknown, cmd: Command) => {
    const extra = cmd.args[0];
    if (extra !== undefined) {
      // commander's own message, with its "did you mean …?" suggestion
      const unknown = (cmd as unknown as { unknownCommand?: () => never }).unknownCommand;
      if (unknown) unknown.call(cmd);
      cmd.error(`unknown command '${extra}'`, { code: "commander.unknownCommand", exitCode: 2 });
    }
    const projectDir = projectDirOf(cmd);
    requireTerminal();
    const { openTui } = await loadTui();
    await openTui(projectDir);
  });
}
