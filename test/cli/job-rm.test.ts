// `job rm` of several jobs at once (issue 13): one question naming the count, a running one refused
// with why, nothing deleted for an unknown id.
// `job rm` of a job others wait for (issue 14, item 6): removing a pending parent let its after_ok
// child run without it. Now it is refused with one line saying what to do; `--force` removes it and
// skips the jobs that needed it, saying which.
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { cli, cliJson, tempProject, writeDeck } from "../helpers/project.js";
import { startTui } from "../tui/pty.js";

/** A project with a job "parent" and a job "child" that waits for it (after_ok). */
function parentAndChild() {
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
  return { dir, parent, child };
}

describe("job rm", () => {
  it("refuses a job others wait for, unless --force, which skips the jobs that needed it", () => {
    const { dir, parent, child } = parentAndChild();
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
    const { dir, parent, child } = parentAndChild();
    const forced = cli(dir, ["job", "rm", String(parent), "--force"]);
    expect(forced.stdout).toMatch(/1 child job keeps a note that the parent was deleted/);
    expect(cli(dir, ["job", "show", String(child)]).stdout).toContain(
      `parent job ${parent} (parent), deleted`,
    );
  });
});

describe("job rm of several jobs at once (issue 13, many jobs at once)", () => {
  /** A project with finished jobs `done…`, a running one, and whatever else is named. */
  function project(done: string[], running: string[] = []) {
    const dir = tempProject();
    const deck = writeDeck(dir);
    const id: Record<string, number> = {};
    for (const name of [...done, ...running])
      id[name] = cliJson<{ id: number }>(dir, ["job", "add", name, "--input", deck]).id;
    const store = Store.open(dir);
    try {
      for (const name of [...done, ...running]) store.jobs.transition(id[name]!, "RUNNING");
      for (const name of done) store.jobs.transition(id[name]!, "COMPLETED");
    } finally {
      store.close();
    }
    return {
      dir,
      id,
      names: () =>
        cliJson<{ name: string }[]>(dir, ["job", "list"])
          .map((j) => j.name)
          .sort(),
    };
  }

  it("ids named: the finished ones go, a running one is refused with why (exit 1, one line on stderr)", () => {
    const p = project(["scan-1", "scan-2", "scan-3"], ["busy"]);
    const r = cli(p.dir, [
      "job",
      "rm",
      ...["scan-1", "busy", "scan-2", "scan-3"].map((n) => String(p.id[n])),
      "--yes",
    ]);
    expect(r.code).toBe(1);
    for (const n of ["scan-1", "scan-2", "scan-3"])
      expect(r.stdout).toContain(`job ${p.id[n]} (${n}) removed; its folder`);
    expect(r.stdout).toContain(`job ${p.id.busy} not removed: job ${p.id.busy} is RUNNING — cancel it first`);
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      `crystal-tui: 1 of 4 jobs were not removed (${p.id.busy})`,
    ]);
    expect(p.names()).toEqual(["busy"]);
  });

  it("an unknown id among them deletes nothing (one line, exit 1); without a terminal, several need --yes", () => {
    const p = project(["a", "b", "c"]);
    const ids = ["a", "b", "c"].map((n) => String(p.id[n]));
    const unknown = cli(p.dir, ["job", "rm", ...ids, "999", "--yes"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trimEnd().split("\n")).toEqual([
      "crystal-tui: there is no job 999 — see `crystal-tui job list`",
    ]);
    expect(p.names()).toEqual(["a", "b", "c"]);
    const asked = cli(p.dir, ["job", "rm", ...ids]);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain(`delete 3 jobs (${ids.join(", ")}) needs a yes: pass --yes`);
    expect(p.names()).toEqual(["a", "b", "c"]);
  });

  it("a filter deletes the jobs it names that can go and says which running ones it kept (exit 0)", () => {
    const p = project(["scan-1", "scan-2", "keep"], ["scan-3"]);
    const r = cli(p.dir, ["job", "rm", "--name", "scan-*", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: number; removed?: boolean }[];
    expect(rows.map((x) => x.id).sort()).toEqual([p.id["scan-1"], p.id["scan-2"]].sort());
    expect(rows.every((x) => x.removed)).toBe(true);
    expect(p.names()).toEqual(["keep", "scan-3"]);
    const text = cli(p.dir, ["job", "rm", "--name", "scan-*", "--yes"]);
    expect(text.stdout).toContain(
      `no jobs to delete match; 1 queued or running job kept (${p.id["scan-3"]}) — cancel them first`,
    );
    expect(cli(p.dir, ["job", "rm", "--status", "bogus"]).code).toBe(2);
  });

  it("on a terminal it asks once, naming the count; n deletes nothing, y deletes them all", async () => {
    const p = project(["a", "b", "c"]);
    const ids = ["a", "b", "c"].map((n) => String(p.id[n]));
    for (const [answer, left] of [
      ["n", ["a", "b", "c"]],
      ["y", []],
    ] as const) {
      const screen = startTui(["--project", p.dir, "job", "rm", ...ids]);
      try {
        await screen.waitFor(`delete 3 jobs (${ids.join(", ")})? [y/N]`, 20_000);
        screen.write(`${answer}\r`);
        expect((await screen.exited).exitCode).toBe(0);
        expect(screen.raw().match(/\[y\/N\]/g)).toHaveLength(1);
      } finally {
        screen.kill();
      }
      expect(p.names()).toEqual(left);
    }
  }, 60_000);

  it("a parent and the pending child that waits for it, named together in either order, both go", () => {
    const { dir, parent, child } = parentAndChild();
    const r = cli(dir, ["job", "rm", String(parent), String(child), "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(cliJson<unknown[]>(dir, ["job", "list"])).toEqual([]);
  });
});
