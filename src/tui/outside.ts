// Running a program on the terminal the TUI holds ($VISUAL on a deck, `e`; $PAGER on a file, `o`):
// the screen is put away — raw mode off, the normal screen back, the cursor shown — while it runs,
// then taken back and drawn whole again (Ink only redraws what changed, and the program has written
// over all of it). The program runs synchronously, so Ink reads no key meanwhile: every key goes to
// the program.
import { spawnSync } from "node:child_process";

const ALT_SCREEN_ON = "\x1b[?1049h\x1b[H";
const ALT_SCREEN_OFF = "\x1b[?1049l\x1b[?25h";

/** What launch.tsx gives: how to make Ink draw its whole frame again. */
let redraw: (() => void) | null = null;

export function setRedraw(fn: (() => void) | null): void {
  redraw = fn;
}

export function outsideTui<T>(fn: () => T): T {
  const tty = process.stdin.isTTY && process.stdout.isTTY && redraw !== null;
  if (!tty) return fn(); // tests (ink-testing-library): no terminal to give away
  process.stdin.setRawMode(false);
  process.stdout.write(ALT_SCREEN_OFF);
  try {
    return fn();
  } finally {
    process.stdout.write(ALT_SCREEN_ON);
    process.stdin.setRawMode(true);
    redraw?.();
  }
}

/**
 * `o` on a file: the user's $PAGER (less when unset) on it, the screen put away meanwhile. The command
 * may carry words (`less -S`); it runs through the shell as git runs $PAGER, with the file as "$1",
 * so the file name is never part of the command text. Returns why it failed, or null.
 */
export function pageFile(file: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const pager = env.PAGER && env.PAGER.trim() !== "" ? env.PAGER.trim() : "less";
  const r = outsideTui(() =>
    spawnSync("/bin/sh", ["-c", `${pager} "$1"`, "sh", file], { stdio: "inherit", env }),
  );
  if (r.error) return `the pager ${pager} could not be started (${r.error.message}) — set $PAGER`;
  // 127: the shell found no such command
  if (r.status === 127) return `the pager ${pager} was not found — set $PAGER`;
  return null;
}
