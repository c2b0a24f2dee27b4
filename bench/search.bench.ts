// `/` in the Log or Files view of a 100 MB output (issue 13, defect 4): how long until the line is
// found, and the longest time the event loop — the screen, the keys — is held meanwhile, against
// `grep -n -i -m1` of the same text in the same file, measured in the same run. The needle is on the
// last line, so the whole file is read.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { findLine, indexLines, lineCount, searchFile } from "../src/tui/file-pages.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "search-bench-"));
const file = path.join(dir, "big.out");
const line = " CYCLE   12 ETOT(AU) -2.751181234567E+02 DETOT -1.23E-06 tst  4.56E-08 PX  1.00E+00\n";
const fd = fs.openSync(file, "w");
const block = Buffer.from(line.repeat(Math.ceil((1024 * 1024) / line.length)));
for (let i = 0; i < 100; i++) fs.writeSync(fd, block);
fs.writeSync(fd, " == SCF ENDED - CONVERGENCE ON ENERGY      E(AU) -2.7511812345E+02 CYCLES  12\n");
fs.closeSync(fd);
const index = indexLines(file)!;
const size = fs.statSync(file).size;
const needle = "scf ended";
const ROUNDS = 5;

/** Longest gap between ticks of a 5 ms timer while `work` runs: how long the screen is held. */
async function held<T>(work: () => Promise<T> | T): Promise<{ ms: number; stall: number; result: T }> {
  let last = performance.now();
  let stall = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 5);
  const t = performance.now();
  const result = await work();
  const ms = performance.now() - t;
  stall = Math.max(stall, performance.now() - last);
  clearInterval(tick);
  return { ms, stall, result };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = { async: [] as number[], stall: [] as number[], sync: [] as number[], grep: [] as number[] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    const a = await held(() => searchFile(file, index, needle, 0));
    if (a.result === "aborted" || a.result?.line !== lineCount(index) - 1) throw new Error("not found");
    rows.async.push(a.ms);
    rows.stall.push(a.stall);
    const s = await held(() => findLine(file, index, needle, 0));
    rows.sync.push(s.ms);
    const g = performance.now();
    execFileSync("grep", ["-n", "-i", "-m1", "-F", needle, file]);
    rows.grep.push(performance.now() - g);
  }
  const mb = (size / 1024 / 1024).toFixed(0);
  console.log(`search of a ${mb} MB output for its last line, median of ${ROUNDS} rounds:`);
  console.log(
    `  searchFile (the TUI's /): ${median(rows.async).toFixed(0)} ms, longest hold of the screen ${median(rows.stall).toFixed(0)} ms`,
  );
  console.log(`  findLine (blocking, same blocks): ${median(rows.sync).toFixed(0)} ms`);
  console.log(`  grep -n -i -m1: ${median(rows.grep).toFixed(0)} ms`);
  console.log(`  ratio searchFile / grep: ${(median(rows.async) / median(rows.grep)).toFixed(2)}×`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
