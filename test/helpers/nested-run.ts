// A test run started from inside a test (the temp-folder and concurrent-run checks run real ones).
import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "./project.js";

/** This process's environment without this run's vitest variables, and without colours. */
export function nestedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("VITEST") && k !== "TEST" && k !== "FORCE_COLOR") env[k] = v;
  }
  // dist/ was built by this run's global setup
  return { ...env, NO_COLOR: "1", CRYSTAL_TUI_TEST_NO_BUILD: "1", ...extra };
}

export const VITEST = path.join(ROOT, "node_modules/vitest/vitest.mjs");

/** `vitest run ARGS` with one worker, waited for. */
export function vitestRun(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [VITEST, "run", "--maxWorkers=1", ...args], {
    cwd: ROOT,
    env: nestedEnv(env),
    encoding: "utf8",
    timeout: timeoutMs,
  });
}

export interface Finished {
  code: number | null;
  output: string;
}

/** `bash scripts/test.sh ARGS` (what `npm test` runs), in the background; resolves when it ends. */
export function testShRun(
  args: string[],
  env: Record<string, string>,
): { pid: number; done: Promise<Finished> } {
  const child = spawn("bash", [path.join(ROOT, "scripts/test.sh"), "--maxWorkers=1", ...args], {
    cwd: ROOT,
    env: nestedEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const done = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code, output })));
  return { pid: child.pid!, done };
}
