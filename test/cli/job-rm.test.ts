// `job rm` of a job others wait for (issue 14, item 6): removing a pending parent let its after_ok
// child run without it. Now it is refused with one line saying what to do; `--force` removes it and
// skips the jobs that needed it, saying which.
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
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

describe("job rm of a parent keeps its children's provenance (issue 13, defect 8)", () => {
  it("each child keeps a note of the deleted parent: job show says 'parent job N (name), deleted'", () => {
    const dir = tempProject();
    const deck = writeDeck(dir);
    const add = (name: string, ...more: string[]) =>
      cliJson<{ id: number }>(dir, ["job", "add", name, "--input", deck, ...more]).id;
    const parent = add("mgo_opt");
    const child = add("mgo_freq", "--after-ok", String(parent));
    const other = add("mgo_bands", "--after-any", String(parent));
    const unrelated = add("unrelated");
    const store = Store.open(dir);
    try {
      for (const id of [parent, child, other]) {
        store.jobs.transition(id, "RUNNING");
        store.jobs.transition(id, "COMPLETED");
      }
    } finally {
      store.close();
    }
    const removed = cli(dir, ["job", "rm", String(parent)]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/2 child jobs keep a note that the parent was deleted/);

    const text = cli(dir, ["job", "show", String(child)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`after\\s+parent job ${parent} \\(mgo_opt\\), deleted — after_ok`),
    );
    const shown = cliJson<{ deleted_parents: unknown[]; dependencies: unknown[] }>(dir, [
      "job",
      "show",
      String(other),
    ]);
    expect(shown.dependencies).toEqual([]);
    expect(shown.deleted_parents).toEqual([
      { job_id: parent, name: "mgo_opt", type: "after_any", deleted_at: expect.stringMatching(/^\d{4}-/) },
    ]);
    expect(
      cliJson<{ deleted_parents: unknown[] }>(dir, ["job", "show", String(unrelated)]).deleted_parents,
    ).toEqual([]);
    // a job with no children says nothing about children
    expect(cli(dir, ["job", "rm", String(unrelated)]).stdout).not.toMatch(/child/);
  });

  it("a child skipped by --force keeps the note too", () => {
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
    const forced = cli(dir, ["job", "rm", String(parent), "--force"]);
    expect(forced.stdout).toMatch(/1 child job keeps a note that the parent was deleted/);
    expect(cli(dir, ["job", "show", String(child)]).stdout).toContain(
      `parent job ${parent} (parent), deleted`,
    );
  });
});
