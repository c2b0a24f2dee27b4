// Builds dist/ once before the suites, so tests that run the real `crystal-tui` binary (as a user
// or another process would) exercise the current sources.
import { spawnSync } from "node:child_process";
import path from "node:path";

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "../..");
  // type errors are `npm run typecheck`'s business; tsc still emits, and the suites say what breaks
  const r = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (r.status !== 0)
    process.stderr.write(`warning: tsc reported errors while building dist/:\n${r.stdout}\n`);
}
