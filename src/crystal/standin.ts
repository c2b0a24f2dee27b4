// The CRYSTAL stand-in (bin/crystal-standin) as tests and the demo install it: a folder holding
// `crystalOMP`, `PcrystalOMP` and `properties` wrappers that run the stand-in, usable as
// CRY23_EXEDIR. Everything is absolute and world-readable, so another Unix user (the SSH / SLURM
// test user) can run it too.
import fs from "node:fs";
import path from "node:path";
import { shellQuote } from "../transport/quote.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Absolute path of the stand-in executable. */
export const STANDIN_PATH = path.join(ROOT, "bin", "crystal-standin");

/** The real CRYSTAL outputs the stand-in replays. */
export const RECORDINGS_DIR = path.join(ROOT, "fixtures", "crystal-outputs");

/** The names the stand-in is installed under. */
export const STANDIN_NAMES = ["crystalOMP", "PcrystalOMP", "properties"] as const;

export interface InstallOptions {
  /** Recordings folder baked into the wrappers (default RECORDINGS_DIR). */
  recordingsDir?: string;
}

/** The wrapper script installed as `name`: sh execs node on the stand-in. */
export function wrapperScript(name: string, opts: InstallOptions = {}): string {
  const recordings = path.resolve(opts.recordingsDir ?? RECORDINGS_DIR);
  return [
    "#!/bin/sh",
    `# crystal-tui's CRYSTAL stand-in installed as ${name} — not CRYSTAL (see ${STANDIN_PATH})`,
    `exec /usr/bin/env node ${shellQuote(STANDIN_PATH)} ${shellQuote(`--recordings=${recordings}`)} ${shellQuote(`--as=${name}`)} "$@"`,
    "",
  ].join("\n");
}

/**
 * Makes `dir/crystalOMP`, `dir/PcrystalOMP` and `dir/properties` run the stand-in, so `dir` can be
 * CRY23_EXEDIR. Creates `dir` if needed; leaves everything readable and executable by all users.
 */
export function installStandin(dir: string, opts: InstallOptions = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of STANDIN_NAMES) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, wrapperScript(name, opts));
    fs.chmodSync(file, 0o755);
  }
  // the stand-in itself must be runnable by others (git may have checked it out 0644)
  try {
    fs.chmodSync(STANDIN_PATH, 0o755);
  } catch {
    // not ours to change (a read-only checkout): the wrappers run it through node anyway
  }
}
