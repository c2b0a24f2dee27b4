// The database file is not trusted blindly: a damaged file is named as damaged (with how to recover)
// and never written; a copy of the file is kept before every schema migration; another
// application's SQLite file is refused untouched (even by `db status`), and so is a symbolic link
// at the database's place, dangling or not.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { databasePath } from "../../src/store/database.js";
import { V1_DDL } from "../../src/store/migrations/v1-phase1.js";
import { Store } from "../../src/store/store.js";
import { cli, tempProject, writeDeck } from "../helpers/project.js";
import { newJob } from "./new-jobs.js";

const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** A project database with some jobs, then damaged: bytes in the middle of its b-tree pages overwritten. */
function damagedProject(): { dir: string; file: string } {
  const dir = tempProject();
  const store = Store.open(dir);
  for (let i = 0; i < 40; i++)
    newJob(store, { name: `j${i}`, input: `MgO ${"x".repeat(2000)}\nCRYSTAL\nEND\n` });
  store.close();
  const file = databasePath(dir);
  const db = new Database(file);
  db.pragma("journal_mode = DELETE"); // everything in the main file, no WAL beside it
  db.close();
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, "r+");
  const page = 4096;
  // the interior of several pages after the first (the header stays: it is still "a SQLite file")
  for (let p = 2; p * page < size; p += 3) fs.writeSync(fd, crypto.randomBytes(600), 0, 600, p * page + 8);
  fs.closeSync(fd);
  return { dir, file };
}

describe("a damaged database", () => {
  it("is named as damaged with how to recover, by `db status` and by `job add`, and is not written", () => {
    const { dir, file } = damagedProject();
    const before = sha(file);
    const status = cli(dir, ["db", "status"]);
    expect(status.code).toBe(1);
    expect(status.stderr).not.toMatch(/internal error/);
    expect(status.stderr).toContain(file);
    expect(status.stderr).toMatch(/damaged/);
    expect(status.stderr).toMatch(/\.recover/);
    const deck = writeDeck(tempProject());
    const add = cli(dir, ["job", "add", "new", "--input", deck]);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/damaged/);
    const run = cli(dir, ["run", "--quiet"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/damaged/);
    expect(sha(file)).toBe(before);
  }, 60_000);
});

describe("a backup before every schema migration", () => {
  it("a Phase-1 file is copied, as it was, before it is migrated", () => {
    const dir = tempProject();
    const file = databasePath(dir);
    const raw = new Database(file);
    raw.exec(V1_DDL);
    raw.prepare("INSERT INTO jobs (name, work_dir, status) VALUES ('old', '/data/old', 'COMPLETED')").run();
    raw.close();
    Store.open(dir).close();
    const backups = fs.readdirSync(dir).filter((f) => f.startsWith(".crystal_tui.db.") && f.endsWith(".bak"));
    expect(backups).toHaveLength(1);
    const copy = path.join(dir, backups[0]!);
    expect(fs.statSync(copy).mode & 0o777).toBe(0o600);
    const old = new Database(copy, { readonly: true });
    expect(
      old.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all(),
    ).toEqual(["jobs", "sqlite_sequence"]);
    expect(old.prepare("SELECT name, status FROM jobs").all()).toEqual([
      { name: "old", status: "COMPLETED" },
    ]);
    old.close();
    // opening again (nothing to migrate) makes no new copy; a new project makes none
    Store.open(dir).close();
    const fresh = tempProject();
    Store.open(fresh).close();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".bak"))).toHaveLength(1);
    expect(fs.readdirSync(fresh).filter((f) => f.endsWith(".bak"))).toHaveLength(0);
  });
});

describe("the database path is not trusted blindly", () => {
  it("another application's SQLite file is refused and left exactly as it was, even by `db status`", () => {
    const dir = tempProject();
    const file = databasePath(dir);
    const other = new Database(file);
    other.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine')",
    );
    other.close();
    const before = sha(file);
    for (const args of [
      ["db", "status"],
      ["job", "list"],
      ["run", "--quiet"],
    ]) {
      const r = cli(dir, args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr).toMatch(/not a crystal-tui database/);
      expect(r.stderr).toContain(file);
    }
    expect(sha(file)).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual([".crystal_tui.db"]);
  }, 60_000);

  it("a symbolic link at the database's place is refused, dangling or not; nothing is created at its target", () => {
    const dir = tempProject();
    const elsewhere = tempProject();
    const target = path.join(elsewhere, "target.db");
    fs.symlinkSync(target, databasePath(dir)); // dangling
    let r = cli(dir, ["db", "status"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/symbolic link/);
    expect(fs.existsSync(target)).toBe(false);
    Store.open(elsewhere).close(); // a real crystal-tui database behind the link
    fs.rmSync(databasePath(dir));
    fs.symlinkSync(databasePath(elsewhere), databasePath(dir));
    r = cli(dir, ["job", "list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/symbolic link/);
  }, 60_000);

  it("an empty file and a Phase-1 file are still opened", () => {
    const dir = tempProject();
    fs.writeFileSync(databasePath(dir), "");
    expect(cli(dir, ["db", "status"]).code).toBe(0);
    const v1 = tempProject();
    const raw = new Database(databasePath(v1));
    raw.exec(V1_DDL);
    raw.close();
    const r = cli(v1, ["db", "status"]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
});
