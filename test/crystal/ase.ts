// ASE (the Atomic Simulation Environment) for the structure round-trip tests: the system's python3
// when it has ase, else a virtual environment of our own under the user's cache folder, made once
// with `pip install ase` from the Python package registry (as pip is configured on the machine).
// Returns the python to run, or why there is none.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CACHE = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
  "crystal-tui",
  "ase-venv",
);

function hasAse(python: string): boolean {
  return spawnSync(python, ["-c", "import ase.io"], { encoding: "utf8", timeout: 60_000 }).status === 0;
}

export function pythonWithAse(): { python: string } | { missing: string } {
  if (hasAse("python3")) return { python: "python3" };
  const venvPython = path.join(CACHE, "bin", "python");
  if (fs.existsSync(venvPython) && hasAse(venvPython)) return { python: venvPython };
  fs.mkdirSync(path.dirname(CACHE), { recursive: true });
  const venv = spawnSync("python3", ["-m", "venv", CACHE], { encoding: "utf8", timeout: 120_000 });
  if (venv.status !== 0) return { missing: `python3 -m venv failed: ${venv.stderr || venv.error?.message}` };
  const pip = spawnSync(venvPython, ["-m", "pip", "install", "--quiet", "ase"], {
    encoding: "utf8",
    timeout: 9 * 60_000,
  });
  if (pip.status !== 0 || !hasAse(venvPython))
    return {
      missing: `pip install ase failed (is the Python package registry reachable?): ${(pip.stderr || pip.error?.message || "").slice(-400)}`,
    };
  return { python: venvPython };
}
