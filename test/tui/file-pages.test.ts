// Reading any page of a big file through its line index (file-pages.ts) gives the same lines as
// reading the whole file and splitting it — for any text, any page, and a file that grew in steps
// while it was followed (the index extended, never rebuilt) — and a search finds what a scan finds.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, test, vi } from "vitest";
import {
  findLine,
  indexLines,
  type LineIndex,
  lineCount,
  NO_LINES,
  readLines,
  screenText,
  searchFile,
} from "../../src/tui/file-pages.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "file-pages-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** What the whole file's lines are, read the simple way. */
function naiveLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map(screenText);
}

const piece = fc.oneof(
  fc.constantFrom("\n", "\r\n", "\t", "x", "SCF", "é", "→", "\f", "TOTAL ENERGY", " "),
  fc.string({ maxLength: 6 }),
);
const text = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(""));

describe("a file's pages through its line index", () => {
  test("every page equals the same lines of the whole file, also after the file grew in steps", () => {
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 4 }),
        fc.nat(80),
        fc.nat(20),
        (steps, from, count) => {
          const file = path.join(dir, `f${n++}`);
          fs.writeFileSync(file, "");
          let index: LineIndex = NO_LINES;
          let whole = "";
          for (const step of steps) {
            fs.appendFileSync(file, step);
            whole += step;
            index = indexLines(file, index)!;
          }
          const fresh = indexLines(file)!;
          expect(index.starts).toEqual(fresh.starts);
          const lines = naiveLines(whole);
          expect(lineCount(index)).toBe(lines.length);
          expect(readLines(file, index, from, count)).toEqual(lines.slice(from, from + count));
          fs.rmSync(file);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a file replaced by a shorter one is indexed anew", () => {
    const file = path.join(dir, "replaced");
    fs.writeFileSync(file, "a\nb\nc\n");
    const first = indexLines(file)!;
    fs.rmSync(file);
    fs.writeFileSync(file, "z\n");
    const second = indexLines(file, first)!;
    expect(readLines(file, second, 0, 10)).toEqual(["z"]);
  });

  test("findLine finds the first line after the start (going round once) that a scan finds", () => {
    fc.assert(
      fc.property(
        text,
        fc.constantFrom("x", "scf", "total energy", "é"),
        fc.integer({ min: -1, max: 40 }),
        fc.boolean(),
        // blocks of a few bytes: a search that crosses many block edges finds what one block does
        fc.integer({ min: 1, max: 64 }),
        (body, needle, from, forward, blockBytes) => {
          const file = path.join(dir, `s${n++}`);
          fs.writeFileSync(file, body);
          const index = indexLines(file)!;
          const lines = naiveLines(body);
          const got = findLine(file, index, needle, from, forward, blockBytes);
          // the reference: walk line by line from the start, round the end once
          let want: number | null = null;
          for (let k = 1; k <= lines.length; k++) {
            const at = (((from + (forward ? k : -k)) % lines.length) + lines.length) % lines.length;
            if (lines[at]!.toLowerCase().includes(needle)) {
              want = at;
              break;
            }
          }
          expect(got?.line ?? null).toBe(want);
          fs.rmSync(file);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a page from the end of a 100 MB file is read without reading the file again; a search does not hold the screen", async () => {
    const file = path.join(dir, "big");
    const line = `${"x".repeat(79)}\n`;
    const fd = fs.openSync(file, "w");
    const block = Buffer.from(line.repeat(13_000)); // ~1 MB
    for (let i = 0; i < 100; i++) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const index = indexLines(file)!;
    expect(lineCount(index)).toBe(1_300_000);
    fs.appendFileSync(file, "the last line\n");
    const read = vi.spyOn(fs, "readSync");
    const grown = indexLines(file, index)!; // reads only the bytes added
    expect(readLines(file, grown, lineCount(grown) - 2, 5)).toEqual(["x".repeat(79), "the last line"]);
    const bytes = read.mock.results.reduce((sum, r) => sum + (r.value as number), 0);
    read.mockRestore();
    // the 14 bytes added, then the page's 80 + 14
    expect(bytes).toBe(14 + 80 + 14);

    // a search of the whole file gives the event loop back between its blocks (the screen is not
    // held), finds what findLine finds, and stops when asked to
    let ranDuring = false;
    const searching = searchFile(file, grown, "THE LAST", 0);
    setImmediate(() => {
      ranDuring = true;
    });
    const found = await searching;
    expect(ranDuring).toBe(true);
    expect(found).toEqual({ line: lineCount(grown) - 1, wrapped: false });
    expect(findLine(file, grown, "the last", 0)).toEqual(found);
    expect(await searchFile(file, grown, "x", lineCount(grown) - 1, false)).toEqual({
      line: lineCount(grown) - 2,
      wrapped: false,
    });
    const stop = new AbortController();
    const stopped = searchFile(file, grown, "not there", 0, true, stop.signal);
    stop.abort();
    expect(await stopped).toBe("aborted");
    fs.rmSync(file);
  });
});
