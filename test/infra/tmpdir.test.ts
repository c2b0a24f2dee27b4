// A test run leaves TMPDIR as it found it (issue 15, item 3: each run left ~437 folders, 213 MB,
// because cleanup ran on process.on("exit"), which vitest's workers never fire). A real vitest run of
// suites that make projects, stand-ins, CLI and engine runs, a demo project and — when the test
// daemons are up — remote folders of the SSH test user, in a TMPDIR of its own: afterwards that
// TMPDIR is empty. (scripts/test.sh checks the same for every whole `npm test` run.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { vitestRun } from "../helpers/nested-run.js";

const SUITES = [
  "test/crystal/standin.test.ts",
  "test/cli/terminal-safe.test.ts",
  "test/tui/demo-project.test.ts",
  "test/remote/ssh-runner.test.ts",
];

describe("a test run and the temp folder", () => {
  it("leaves TMPDIR as it found it", { timeout: 300_000 }, () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-tmpdir-check-"));
    fs.chmodSync(tmp, 0o1777); // like /tmp: some suites run the stand-in as other users
    const r = vitestRun(SUITES, { TMPDIR: tmp }, 280_000);
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.status, output.slice(-3000)).toBe(0);
    expect(output).toMatch(/Test Files +\d+ passed/);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
