// Environment errors in words, not "internal error … please report it" (issue 14, item 12): a
// read-only filesystem (a read-only project can still be listed and shown), a full disk, YAML alias
// bombs, NaN in a sweep range. The filesystems are real: tmpfs mounts (root only), removed after.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { environmentProblem } from "../../src/domain/errors.js";
import { cli, cliJson, tempProject, writeDeck } from "../helpers/project.js";

/** Whether this process may mount a tmpfs (root, with the capability: not in every container). */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-probe-"));
  try {
    const ok = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]).status === 0;
    if (ok) spawnSync("umount", [probe]);
    return ok;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const root = canMount();
if (!root)
  process.stderr.write("*** SKIPPED: read-only and full filesystem tests need to mount a tmpfs (root)\n");

function expectInWords(r: { code: number; stderr: string }, what: RegExp): void {
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(/internal error|please report/);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.code).toBe(1);
}

/** A small tmpfs of its own for `fn`, unmounted and removed whatever happens. */
async function withTmpfs(sizeKb: number, fn: (mount: string) => void | Promise<void>): Promise<void> {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-fs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", mount]);
  try {
    await fn(mount);
  } finally {
    spawnSync("umount", [mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  }
}

function readCopiesLeft(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("crystal-tui-read-"));
}

describe.skipIf(!root)("on real filesystems (tmpfs)", () => {
  it("a project on a read-only filesystem is listed and shown; a write is refused in words", async () => {
    await withTmpfs(4096, (mount) => {
      const dir = path.join(mount, "project");
      fs.mkdirSync(dir);
      const id = cliJson<{ id: number }>(dir, ["job", "add", "mgo", "--input", writeDeck(dir)]).id;
      execFileSync("mount", ["-o", "remount,ro", mount]);
      const before = readCopiesLeft();
      const list = cliJson<{ name: string }[]>(dir, ["job", "list"]);
      expect(list.map((j) => j.name)).toEqual(["mgo"]);
      expect(cliJson<{ name: string }>(dir, ["job", "show", String(id)]).name).toBe("mgo");
      expect(cli(dir, ["db", "status"]).code).toBe(0);
      expectInWords(cli(dir, ["job", "cancel", String(id)]), /the project cannot be written: .*read-only/);
      expectInWords(
        cli(dir, ["cluster", "add", "c", "--type", "ssh", "--host", "h", "--user", "u"]),
        /the project cannot be written/,
      );
      expect(readCopiesLeft()).toEqual(before); // the private copies read are gone again
    });
  });

  it("a full disk is said to be full, and the database keeps what it had", async () => {
    await withTmpfs(1024, (mount) => {
      const dir = path.join(mount, "project");
      fs.mkdirSync(dir);
      expect(cli(dir, ["db", "status"]).code).toBe(0);
      const filler = path.join(mount, "filler");
      try {
        fs.writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
      } catch {
        // ENOSPC: the disk is full now, as intended
      }
      expectInWords(
        cli(dir, ["cluster", "add", "c", "--type", "ssh", "--host", "h", "--user", "u"]),
        /the disk .*full.*free some space/,
      );
      fs.rmSync(filler);
      expect(cliJson<unknown[]>(dir, ["cluster", "list"])).toEqual([]);
    });
  });
});

describe("workflow files that explode or hold no numbers", () => {
  it("a YAML alias bomb is refused in words", () => {
    const dir = tempProject();
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [i, n] of ["b", "c", "d", "e", "f", "g"].entries()) {
      const prev = "abcdefg"[i];
      levels.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const wf = path.join(dir, "bomb.yaml");
    fs.writeFileSync(
      wf,
      `${levels.join("\n")}\nsteps:\n  s: {template: single-point, params: {title: *g}}\n`,
    );
    const r = cli(dir, ["workflow", "run", wf]);
    expectInWords(r, /its YAML aliases \(\*name\) expand to far more than the file holds/);
  });

  it("a sweep range with .nan or .inf is refused in words, naming the step", () => {
    const dir = tempProject();
    for (const range of [
      "{from: 4.0, to: .nan, count: 7}",
      "{from: .inf, to: 4.3, count: 3}",
      "{from: -.inf, to: 4.3, step: 0.1}",
    ]) {
      const wf = path.join(dir, "nan.yaml");
      fs.writeFileSync(
        wf,
        `steps:\n  s:\n    template: single-point\n    foreach:\n      a: ${range}\n    params: {title: "x {{ a }}"}\n`,
      );
      expectInWords(cli(dir, ["workflow", "run", wf]), /step s: foreach a: a range needs finite numbers/);
    }
    expect(cliJson<unknown[]>(dir, ["job", "list"])).toEqual([]);
  });
});

describe("environmentProblem", () => {
  it("has words for what the machine refuses, and none for a bug", () => {
    for (const code of [
      "ENOSPC",
      "EDQUOT",
      "SQLITE_FULL",
      "EROFS",
      "SQLITE_READONLY",
      "SQLITE_READONLY_DBMOVED",
      "EACCES",
      "EPERM",
      "SQLITE_CANTOPEN",
      "SQLITE_IOERR_WRITE",
      "EIO",
      "EMFILE",
      "ENOMEM",
    ]) {
      const words = environmentProblem(Object.assign(new Error("x"), { code }));
      expect(words, code).toMatch(/ — /);
      expect(words, code).not.toMatch(/\n/);
    }
    expect(environmentProblem(new TypeError("x is undefined"))).toBeNull();
    expect(environmentProblem(Object.assign(new Error("x"), { code: "SQLITE_CONSTRAINT" }))).toBeNull();
    expect(environmentProblem(null)).toBeNull();
  });
});
