// Every file a user names is a regular file, and what is read whole is bounded (issue 14, item 9):
// `job add --input /dev/zero` grew to 12 GB, `cluster test` with a key /dev/zero to 9.6 GB,
// `parse --stderr /dev/zero` aborted with bad_alloc, `parse /dev/zero` ran for ever, and a named
// pipe as deck, workflow or output blocked for ever in open(). Each is refused at once, with one
// line naming the file and what it is, exit 1, and nothing made.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/domain/errors.js";
import { firstInvalidUtf8Line, readInputFile, readInputText } from "../../src/files/input-file.js";
import { readKnownHosts } from "../../src/transport/known-hosts.js";
import { cli, FIXTURES, MGO_DECK, tempProject, writeDeck } from "../helpers/project.js";

const OUTPUT = path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out");

function fifo(dir: string, name = "pipe"): string {
  const file = path.join(dir, name);
  execFileSync("mkfifo", [file]);
  return file;
}

/** The refusal contract: exit 1, one line on stderr, matching `what`. */
function expectRefused(r: { code: number; stdout: string; stderr: string }, what: RegExp): void {
  expect(r.stderr).toMatch(what);
  expect(r.code).toBe(1);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error/);
}

function jobCount(dir: string): number {
  const r = cli(dir, ["job", "list", "--json"]);
  return r.code === 0 ? JSON.parse(r.stdout).length : 0;
}

describe("file inputs that are not regular files", () => {
  it("job add refuses a device, a named pipe and a folder as its deck, and makes nothing", () => {
    const dir = tempProject();
    const pipe = fifo(dir);
    const folder = fs.mkdtempSync(path.join(dir, "deck-"));
    expectRefused(cli(dir, ["job", "add", "a", "--input", "/dev/zero"]), /\/dev\/zero is a device/);
    expectRefused(cli(dir, ["job", "add", "b", "--input", pipe]), /is a named pipe, not a regular file/);
    expectRefused(cli(dir, ["job", "add", "c", "--input", folder]), /is a folder, not a regular file/);
    expect(jobCount(dir)).toBe(0);
    expect(fs.existsSync(path.join(dir, "calculations"))).toBe(false);
  });

  it("job add refuses a deck far larger than any deck, saying how large it is", () => {
    const dir = tempProject();
    const big = writeDeck(dir, "big.d12", `${MGO_DECK}${"0.0 0.0 0.0\n".repeat(800_000)}`);
    expectRefused(
      cli(dir, ["job", "add", "big", "--input", big]),
      /is 9\.2 MB; a deck file is at most 8\.0 MB/,
    );
    expect(jobCount(dir)).toBe(0);
  });

  it("workflow run refuses a named pipe as the workflow file and as a step's deck", () => {
    const dir = tempProject();
    const pipe = fifo(dir);
    expectRefused(cli(dir, ["workflow", "run", pipe]), /workflow file .*pipe is a named pipe/);
    const wf = path.join(dir, "wf.yaml");
    fs.writeFileSync(wf, `steps:\n  scf:\n    deck: pipe\n`);
    expectRefused(cli(dir, ["workflow", "run", wf]), /step scf: deck file .*pipe is a named pipe/);
    expect(jobCount(dir)).toBe(0);
  });

  it("parse refuses a device and a named pipe, as the output and as --stderr", () => {
    const dir = tempProject();
    const pipe = fifo(dir);
    expectRefused(cli(dir, ["parse", "/dev/zero"]), /\/dev\/zero is a device/);
    expectRefused(cli(dir, ["parse", pipe]), /is a named pipe/);
    expectRefused(
      cli(dir, ["parse", OUTPUT, "--stderr", "/dev/zero"]),
      /stderr file \/dev\/zero is a device/,
    );
    expectRefused(cli(dir, ["parse", OUTPUT, "--stderr", pipe]), /stderr file .* is a named pipe/);
  });

  it("parse --stderr reads the end of a log of any size: the reason a run stopped is found there", () => {
    const dir = tempProject();
    const log = path.join(dir, "slurm.err");
    fs.writeFileSync(log, `${"x".repeat(100)}\n`.repeat(50_000)); // 5 MB of noise, then the reason
    fs.appendFileSync(
      log,
      "slurmstepd: error: *** JOB 7 ON n1 CANCELLED AT 2026-01-01 DUE TO TIME LIMIT ***\n",
    );
    const cut = path.join(dir, "cut.out"); // a run stopped halfway: the output alone says nothing why
    const text = fs.readFileSync(OUTPUT, "utf8");
    fs.writeFileSync(cut, text.slice(0, text.length / 2));
    const r = cli(dir, ["parse", cut, "--stderr", log, "--json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).error_kind).toBe("walltime");
  });

  it("cluster test names a key file that is a device instead of reading it", () => {
    const dir = tempProject();
    const home = tempProject("ctui-home-");
    const env = { HOME: home, SSH_AUTH_SOCK: "", CRYSTAL_TUI_TRANSPORT: "ssh2" };
    const key = path.join(dir, "id_test");
    fs.symlinkSync("/dev/zero", key);
    const add = ["cluster", "add", "box", "--type", "ssh", "--host", "127.0.0.1", "--user", "me"];
    expect(cli(dir, [...add, "--port", "1", "--key", key], env).code).toBe(0);
    const r = cli(dir, ["cluster", "test", "box"], env);
    expect(r.stdout + r.stderr).toMatch(/key file .*id_test is a device, not a regular file/);
    expect(r.code).toBe(1);
  });
});

describe("the one reading function", () => {
  it("reads a regular file whole up to its bound and refuses one byte more", () => {
    const dir = tempProject();
    const file = path.join(dir, "f");
    fs.writeFileSync(file, Buffer.alloc(1000, 7));
    expect(readInputFile(file, { what: "file", maxBytes: 1000 })).toEqual(Buffer.alloc(1000, 7));
    expect(() => readInputFile(file, { what: "file", maxBytes: 999 })).toThrow(UserError);
    expect(() => readInputFile(path.join(dir, "none"), { what: "key file", maxBytes: 10 })).toThrow(
      /key file .*none does not exist/,
    );
  });

  it("a known_hosts file that is a named pipe is refused, not waited on", () => {
    const dir = tempProject();
    expect(() => readKnownHosts(fifo(dir))).toThrow(/known_hosts file .* is a named pipe/);
    expect(readKnownHosts(path.join(dir, "missing"))).toEqual([]);
  });

  it("names the line of the first bytes that are not UTF-8 (oracle: the lines built)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: "grapheme" }).map((s) => s.replace(/\n/g, "")),
          { minLength: 1, maxLength: 20 },
        ),
        fc.nat(),
        fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x80]),
        (lines, at, bad) => {
          const k = at % lines.length;
          const parts = lines.map((l, i) =>
            i === k ? Buffer.concat([Buffer.from(l), Buffer.from(bad)]) : Buffer.from(l),
          );
          const bytes = Buffer.concat(parts.flatMap((p, i) => (i ? [Buffer.from("\n"), p] : [p])));
          expect(firstInvalidUtf8Line(bytes)).toBe(k + 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a deck with bytes that are not UTF-8 is refused with their line, not stored changed", () => {
    const dir = tempProject();
    const deck = path.join(dir, "latin1.d12");
    fs.writeFileSync(
      deck,
      Buffer.concat([Buffer.from("MgO\nCRYSTAL\n"), Buffer.from("0 0 0 \xe9\n", "latin1")]),
    );
    expectRefused(cli(dir, ["job", "add", "x", "--input", deck]), /line 3 is not valid UTF-8/);
    expect(jobCount(dir)).toBe(0);
    const ok = writeDeck(dir, "utf8.d12", MGO_DECK.replace("MgO bulk test", "MgO — périclase"));
    expect(readInputText(ok, { what: "deck file", maxBytes: 1e6, strict: true })).toContain("périclase");
  });
});
