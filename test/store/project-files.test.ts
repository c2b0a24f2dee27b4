// Job folders are made before their records, outside any transaction, under names no later job
// takes: a crash at any point leaves no job without its folder, and no leftover folder a later job
// could collide with. Ids come from the database alone.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ProjectFiles } from "../../src/crystal/project-files.js";
import { Store } from "../../src/store/store.js";
import { cli, MGO_DECK, ROOT, tempProject, writeDeck } from "../helpers/project.js";

const folders = (dir: string) =>
  fs.existsSync(path.join(dir, "calculations")) ? fs.readdirSync(path.join(dir, "calculations")).sort() : [];

describe("job folders", () => {
  it("a record the store refuses takes its folder with it", async () => {
    const dir = tempProject();
    const store = Store.open(dir);
    const files = new ProjectFiles(dir);
    await expect(
      files.create(
        [{ name: "orphan", input: MGO_DECK, dependencies: [{ dependsOn: 99, type: "after_ok" }] }],
        (r) => store.jobs.createMany(r),
      ),
    ).rejects.toThrow(/no such job/);
    expect(folders(dir)).toEqual([]);
    expect(store.jobs.count()).toBe(0);
    store.close();
  });

  it("a folder left without a record (a crash between the two) is never taken by a later job", async () => {
    const dir = tempProject();
    const store = Store.open(dir);
    const clock = () => new Date("2026-03-01T12:00:00Z");
    const files = new ProjectFiles(dir, clock);
    // the crash: the folder is made, the record never is
    const left = files.prepare({ name: "mgo", input: MGO_DECK });
    // the same name in the same second: another folder, and the leftover stays as it was
    const [job] = await files.create([{ name: "mgo", input: MGO_DECK }], (r) => store.jobs.createMany(r));
    expect(job!.workDir).not.toBe(left.workDir);
    expect(folders(dir)).toEqual(["20260301-120000_mgo", "20260301-120000_mgo_2"]);
    expect(fs.readFileSync(path.join(files.folderOf(job!), "mgo.d12"), "utf8")).toBe(MGO_DECK);
    expect(job!.id).toBe(1);
    store.close();
  });

  it("killed at random moments while adding jobs: every job has its folder and deck; creation goes on", async () => {
    const dir = tempProject();
    Store.open(dir).close();
    const script = `
      const { Store } = await import(${JSON.stringify(path.join(ROOT, "dist/store/store.js"))});
      const { ProjectFiles } = await import(${JSON.stringify(path.join(ROOT, "dist/crystal/project-files.js"))});
      const store = Store.open(${JSON.stringify(dir)});
      const files = new ProjectFiles(${JSON.stringify(dir)});
      process.stdout.write("ready\\n");
      for (let i = 0; ; i++) {
        await files.create([{ name: "j" + i, input: "deck " + i + "\\nEND\\n" }, { name: "k" + i, input: "deck k\\nEND\\n" }],
          (r) => store.jobs.createMany(r));
      }`;
    let leftovers = 0;
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 150)));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const store = Store.open(dir);
      const files = new ProjectFiles(dir);
      const jobs = store.jobs.list();
      for (const j of jobs) {
        const deck = path.join(files.folderOf(j), `${j.name}.d12`);
        expect(fs.existsSync(deck), `job ${j.id} (${j.name}) has its deck`).toBe(true);
      }
      expect(new Set(jobs.map((j) => j.workDir)).size).toBe(jobs.length);
      // ids from the database only: dense, whatever was killed when
      expect(jobs.map((j) => j.id).sort((a, b) => a - b)).toEqual(jobs.map((_, i) => i + 1));
      // a folder no job points at is only ever a leftover of the creation just killed (two jobs)
      const used = new Set(jobs.map((j) => path.basename(j.workDir)));
      const now = folders(dir).filter((f) => !used.has(f)).length;
      expect(now - leftovers).toBeLessThanOrEqual(2);
      leftovers = now;
      store.close();
    }
    const store = Store.open(dir);
    const before = store.jobs.count();
    const [made] = await new ProjectFiles(dir).create([{ name: "after", input: MGO_DECK }], (r) =>
      store.jobs.createMany(r),
    );
    expect(made!.id).toBe(before + 1);
    store.close();
  }, 120_000);

  it("two auxiliary files with one name, and a job that would wait for itself, are refused", () => {
    const dir = tempProject();
    const deck = writeDeck(dir);
    for (const sub of ["a", "b"]) {
      fs.mkdirSync(path.join(dir, sub));
      fs.writeFileSync(path.join(dir, sub, "start.gui"), `geometry ${sub}\n`);
    }
    const twice = cli(dir, [
      "job",
      "add",
      "mgo",
      "--input",
      deck,
      "--aux",
      path.join(dir, "a/start.gui"),
      "--aux",
      path.join(dir, "b/start.gui"),
    ]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/two auxiliary files are named start\.gui/);
    expect(folders(dir)).toEqual([]);
    expect(cli(dir, ["job", "add", "first", "--input", deck]).code).toBe(0);
    const self = cli(dir, ["job", "add", "second", "--input", deck, "--after-ok", "2"]);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/cannot depend on itself/);
    expect(folders(dir)).toHaveLength(1);
  });
});
