// One demo project, reused (issue 15, item 5): `npm start` made a new 640 KB folder in the temp
// folder each time. Now it lives in $XDG_STATE_HOME/crystal-tui/demo, is reopened as it was left,
// and `--fresh` starts it over; nothing is left in the temp folder.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { cli, tempProject } from "../helpers/project.js";

function jobCount(dir: string): number {
  const store = Store.open(dir);
  try {
    return store.jobs.count();
  } finally {
    store.close();
  }
}

describe("crystal-tui demo", () => {
  it("makes the demo project once, under $XDG_STATE_HOME, and reopens it; nothing goes to TMPDIR", () => {
    const root = tempProject("ctui-demo-home-");
    const tmp = path.join(root, "tmp");
    fs.mkdirSync(tmp);
    const env = { XDG_STATE_HOME: path.join(root, "state"), TMPDIR: tmp };
    const first = cli(root, ["demo", "--no-open"], env);
    expect(first.code, first.stderr).toBe(0);
    const home = path.join(root, "state", "crystal-tui", "demo");
    expect(first.stdout).toBe(`${home}\n`);
    expect(fs.existsSync(path.join(home, ".crystal_tui_demo"))).toBe(true);
    const jobs = jobCount(home);
    expect(jobs).toBeGreaterThan(0);
    fs.writeFileSync(path.join(home, "my-notes.txt"), "kept");

    const again = cli(root, ["demo", "--no-open"], env);
    expect(again.stdout).toBe(`${home}\n`);
    expect(jobCount(home)).toBe(jobs); // reopened, not made again beside it
    expect(fs.readFileSync(path.join(home, "my-notes.txt"), "utf8")).toBe("kept");
    expect(fs.readdirSync(path.join(root, "state", "crystal-tui"))).toEqual(["demo"]);
    expect(fs.readdirSync(tmp)).toEqual([]);

    const fresh = cli(root, ["demo", "--no-open", "--fresh"], env);
    expect(fresh.stdout).toBe(`${home}\n`);
    expect(fs.existsSync(path.join(home, "my-notes.txt"))).toBe(false);
    expect(jobCount(home)).toBe(jobs);
  });

  it("never takes over (or removes) a folder that is not a demo project", () => {
    const root = tempProject("ctui-demo-home-");
    const home = path.join(root, "state", "crystal-tui", "demo");
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, "thesis.tex"), "precious");
    for (const args of [
      ["demo", "--no-open"],
      ["demo", "--no-open", "--fresh"],
    ]) {
      const r = cli(root, args, { XDG_STATE_HOME: path.join(root, "state") });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `crystal-tui: ${home} is not a crystal-tui demo project — move it away, or give the demo another folder with --dir\n`,
      );
    }
    expect(fs.readdirSync(home)).toEqual(["thesis.tex"]);
  });
});
