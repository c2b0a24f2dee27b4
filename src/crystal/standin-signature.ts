// How a run of crystal-tui's CRYSTAL stand-in is recognised afterwards: by the line it writes first
// on its stderr (bin/crystal-standin says it before anything else, and the runners bring stderr back
// for local, SSH and SLURM jobs alike). The stand-in is plain JavaScript run on other machines and
// cannot import this module: test/crystal/standin.test.ts runs it and checks this reader against
// what it really prints.

/** The words the stand-in says of itself, on every run. */
const SIGNATURE = "crystal-standin: this is crystal-tui's CRYSTAL stand-in, not CRYSTAL";

/** The mark of a result the stand-in replayed, next to its energy in job lists (CLI and TUI). */
export const STANDIN_MARK = "↺";

import type { StandinRun } from "./result.js";

export type { StandinRun };

/** The stand-in's run, when `stderrText` is the stderr of one; null for anything else (real CRYSTAL). */
export function standinRunIn(stderrText: string | undefined): StandinRun | null {
  if (!stderrText) return null;
  // its first line; a scheduler may put its own lines first, so look a little further
  for (const line of stderrText.split("\n", 20)) {
    if (!line.startsWith(SIGNATURE)) continue;
    const recording = /replaying the real output ([^\s,—]+)/.exec(line)?.[1] ?? null;
    return { recording };
  }
  return null;
}

/** The words shown wherever such a result is shown (CLI and TUI alike). */
export function standinWords(run: StandinRun): string {
  return `crystal-tui's CRYSTAL stand-in${run.recording ? ` replaying the recording ${run.recording}` : ""} — not computed by CRYSTAL`;
}
