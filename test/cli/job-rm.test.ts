// `job rm` of a job others wait for (issue 14, item 6): removing a pending parent let its after_ok
// child run without it. Now it is refused with one line saying what to do; `--force` removes it and
// skips the jobs that needed it, saying which.
import { describe, expect, it } from "vitest";
import { cli, cliJson, tempProject, writeDeck } from "../helpers/project.js";

describe("job rm", () => {
  it("refuses a job others wait for, unless --force, which skips the jobs that needed it", () => {
    const dir = tempProject();
    const deck = writeDeck(dir);
    const parent = cliJson<{ id: number }>(dir, ["job", "add", "parent", "--input", deck]).id;
    const child = cliJson<{ id: number }>(dir, [
      "job",
      "add",
      "child",
      "--input",
      deck,
      "--after-ok",
      String(parent),
    ]).id;
    const refused = cli(dir, ["job", "rm", String(parent)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/is waited for by job \d+ \(child, after_ok\) .* pass --force/);
    expect(cliJson<unknown[]>(dir, ["job", "list"])).toHaveLength(2);

    const forced = cli(dir, ["job", "rm", String(parent), "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(new RegExp(`skipped, as they needed it: ${child} \\(child\\)`));
    const shown = cliJson<{ status: string; status_reason: string }>(dir, ["job", "show", String(child)]);
    expect(shown.status).toBe("SKIPPED");
    expect(shown.status_reason).toMatch(/after_ok job \d+ \(parent\) can never be met: it was removed/);
  });
});
