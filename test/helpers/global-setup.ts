// Runs once per test run, before the suites: builds dist/ (tests that run the real `crystal-tui`
// binary, as a user or another process would, exercise the current sources), and gives the run one
// temporary folder of its own.
//
// The temporary folder: every suite makes its projects, stand-ins and scratch folders with
// os.tmpdir() (tempProject and friends), and so do the programs they start — the CLI, the stand-in,
// the SSH/SLURM test user's remote folders. TMPDIR is pointed at one folder made here, which the
// workers and every process they start inherit, and the teardown removes it whole: a run leaves
// TMPDIR as it found it (process.on("exit") never fires in vitest's workers; issue 15 left 437
// folders, 213 MB, per run). KEEP_TEST_PROJECTS=1 keeps it and says where.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// vitest calls a global setup for the run and again for each project (vitest.config.ts has two),
// each time in a fresh copy of this module but in the same process: the first call builds and makes
// the folder (and says so in the environment), the others find it there and leave it to the first's
// teardown, which vitest runs once every project is done.
export default function setup(): () => void {
  const made = process.env.CRYSTAL_TUI_TEST_RUN_ROOT;
  if (made && process.env.TMPDIR === made && fs.existsSync(made)) return () => {};
  return prepareRun();
}

function prepareRun(): () => void {
  const root = path.resolve(import.meta.dirname, "../..");
  if (process.env.CRYSTAL_TUI_TEST_NO_BUILD !== "1") {
    // type errors are `npm run typecheck`'s business; tsc still emits, and the suites say what breaks
    const r = spawnSync(
      process.execPath,
      [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      { cwd: root, encoding: "utf8" },
    );
    if (r.status !== 0)
      process.stderr.write(`warning: tsc reported errors while building dist/:\n${r.stdout}\n`);
  }

  const found = os.tmpdir();
  const runRoot = fs.mkdtempSync(path.join(found, "ctui-test-run-"));
  // like /tmp itself: the SSH/SLURM test user (another Unix user) makes its remote folders here too
  fs.chmodSync(runRoot, 0o1777);
  process.env.TMPDIR = runRoot;
  process.env.CRYSTAL_TUI_TEST_RUN_ROOT = runRoot;
  // the OpenSSH masters every suite's clusters use live in the run's folder (not the user's own
  // connection folder), and no suite reads the user's ~/.ssh/config or /etc/ssh/ssh_config unless
  // it names a config file of its own
  const controlDir = path.join(runRoot, "c");
  process.env.CRYSTAL_TUI_CONTROL_DIR ??= controlDir;
  const noConfig = path.join(runRoot, "ssh_config");
  fs.writeFileSync(noConfig, "# the test run's ssh config: says nothing\n");
  process.env.CRYSTAL_TUI_SSH_CONFIG ??= noConfig;
  return () => {
    process.env.TMPDIR = found;
    stopMasters(controlDir);
    if (process.env.KEEP_TEST_PROJECTS) {
      process.stderr.write(`KEEP_TEST_PROJECTS: this run's temporary files are in ${runRoot}\n`);
      return;
    }
    fs.rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 });
  };
}

/** Ends the OpenSSH masters the suites left (ControlPersist would keep them for minutes). */
function stopMasters(dir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!/^m-[0-9a-f]+$/.test(name)) continue;
    spawnSync("ssh", ["-F", "/dev/null", "-o", `ControlPath=${path.join(dir, name)}`, "-O", "exit", "x"], {
      timeout: 10_000,
    });
  }
}
