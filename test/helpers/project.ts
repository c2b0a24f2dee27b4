// Test helpers: throw-away projects and the real CLI run as a separate process.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Store } from "../../src/store/store.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const CLI = path.join(ROOT, "bin/crystal-tui.js");
export const FIXTURES = path.join(ROOT, "fixtures/crystal-outputs");

/**
 * A fresh, empty project folder in the temp folder — the test run's own (global-setup.ts), which
 * the run removes whole at its end.
 */
export function tempProject(prefix = "ctui-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function openTempStore(): Store {
  return Store.open(tempProject());
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `crystal-tui ARGS` in another process, as a user would. */
export function cli(project: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, "--project", project, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cliJson<T = unknown>(project: string, args: string[], env: NodeJS.ProcessEnv = {}): T {
  const r = cli(project, [...args, "--json"], env);
  if (r.code !== 0) throw new Error(`crystal-tui ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The body of a minimal valid CRYSTAL deck (MgO, STO-3G), after its title line. */
export const MGO_BODY = `CRYSTAL
0 0 0
225
4.21
2
12 0. 0. 0.
8 0.5 0.5 0.5
END
BASISSET
STO-3G
SHRINK
8 8
TOLDEE
8
END
`;

/** A minimal valid CRYSTAL deck used where the content does not matter. */
export const MGO_DECK = `MgO bulk test\n${MGO_BODY}`;

export function writeDeck(dir: string, name = "mgo.d12", content = MGO_DECK): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
