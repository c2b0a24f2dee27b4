// Output parser benchmark (issue 3): a ≥100 MB CRYSTAL output made by repeating the real SCF of
// aiida-crystal17__mgo_sto3g_scf.out, parsed in a child process (`parseOutputFile`, built dist/)
// next to `grep -c CYC` on the same file, in the same run. Prints both ratios to grep (goal ≤ 2.5× for the parse itself):
// the parse itself (timed inside the child, a fresh process each run, so V8's warm-up included)
// and the whole child process (Node's start-up and the module's import included, measured next to
// `node -e ""`), and the parser's peak RSS (goal < 100 MB) on that file and on one 4× smaller, to
// show that memory does not grow with the file. It never fails on timing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const RUNS = 7;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-bench-parser-"));

/** Header, one whole real SCF (from its title block to SCF ENDED), tail. */
function pieces(): { head: string; scf: string; tail: string } {
  const text = fs.readFileSync(
    path.join(ROOT, "fixtures/crystal-outputs/aiida-crystal17__mgo_sto3g_scf.out"),
    "latin1",
  );
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.includes("CRYSTAL - SCF - TYPE OF CALCULATION")) - 2;
  const end = lines.findIndex((l) => l.includes("== SCF ENDED"));
  return {
    head: `${lines.slice(0, start).join("\n")}\n`,
    scf: `${lines.slice(start, end + 1).join("\n")}\n`,
    tail: lines.slice(end + 1).join("\n"),
  };
}

function makeOutput(file: string, minBytes: number): { bytes: number; scfs: number } {
  const { head, scf, tail } = pieces();
  const fd = fs.openSync(file, "w");
  let bytes = 0;
  let scfs = 0;
  const write = (s: string) => {
    fs.writeSync(fd, s);
    bytes += Buffer.byteLength(s);
  };
  write(head);
  const batch = scf.repeat(200);
  while (bytes < minBytes) {
    write(batch);
    scfs += 200;
  }
  write(tail);
  fs.closeSync(fd);
  return { bytes, scfs };
}

const child = path.join(tmp, "parse-child.mjs");
fs.writeFileSync(
  child,
  `import { parseOutputFile } from ${JSON.stringify(path.join(ROOT, "dist/crystal/output-parser.js"))};
const t0 = performance.now();
const r = await parseOutputFile(process.argv[2]);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, status: r.status, cycles: r.scf.cycles, energy: r.final_energy_hartree }));
`,
);

const GNU_TIME = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

interface Timing {
  wallMs: number;
  /** user + system CPU of the process (null without /usr/bin/time) */
  cpuMs: number | null;
  maxRssKb: number | null;
  stdout: string;
}

/** Runs a command, timing its wall clock and (with GNU time) its CPU time and peak RSS. */
function timed(cmd: string, args: string[]): Timing {
  const argv = GNU_TIME ? ["-f", "%U %S %M", cmd, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME ?? cmd, argv, { encoding: "utf8", maxBuffer: 1 << 20 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  let cpuMs: number | null = null;
  let maxRssKb: number | null = null;
  if (GNU_TIME) {
    const [user, sys, rss] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number) as [
      number,
      number,
      number,
    ];
    cpuMs = (user + sys) * 1000;
    maxRssKb = rss;
  }
  return { wallMs, cpuMs, maxRssKb, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : median(xs as number[]));

function measure(file: string) {
  const grep: Timing[] = [];
  const node: Timing[] = [];
  const parser: Timing[] = [];
  const parseOnly: number[] = [];
  let rssKb = 0;
  let last: { status: string; cycles: number; energy: number } | null = null;
  for (let i = 0; i < RUNS; i++) {
    // interleaved, so that a busy machine slows all alike
    grep.push(timed("grep", ["-c", "CYC", file]));
    node.push(timed(process.execPath, ["-e", ""]));
    const p = timed(process.execPath, [child, file]);
    parser.push(p);
    const out = JSON.parse(p.stdout) as {
      ms: number;
      maxRssKb: number;
      status: string;
      cycles: number;
      energy: number;
    };
    parseOnly.push(out.ms);
    rssKb = Math.max(rssKb, out.maxRssKb);
    last = out;
  }
  const wall = (ts: Timing[]) => median(ts.map((t) => t.wallMs));
  const cpu = (ts: Timing[]) => medianOrNull(ts.map((t) => t.cpuMs));
  return {
    grep: { wall: wall(grep), cpu: cpu(grep), count: grep[0]!.stdout.trim() },
    node: { wall: wall(node), cpu: cpu(node) },
    parser: { wall: wall(parser), cpu: cpu(parser), parseOnly: median(parseOnly) },
    rssMb: rssKb / 1024,
    last,
  };
}

if (!fs.existsSync(path.join(ROOT, "dist/crystal/output-parser.js"))) {
  console.log("dist/ is not built: run `npm run build` (bench/run.sh does)");
  process.exit(1);
}

const big = path.join(tmp, "big.out");
const small = path.join(tmp, "small.out");
const made = makeOutput(big, 100 * 1024 * 1024);
makeOutput(small, 25 * 1024 * 1024);
console.log(
  `file: ${(made.bytes / 1e6).toFixed(1)} MB, ${made.scfs} repetitions of the real MgO SCF (aiida-crystal17__mgo_sto3g_scf.out); ${RUNS} runs each, medians`,
);

const m = measure(big);
const s = measure(small);
const f = (x: number | null) => (x === null ? "   n/a" : x.toFixed(0).padStart(6));
console.log("                                   wall ms   CPU ms (user+sys)");
console.log(
  `grep -c CYC                        ${f(m.grep.wall)}   ${f(m.grep.cpu)}   (count ${m.grep.count})`,
);
console.log(`node startup (node -e "")          ${f(m.node.wall)}   ${f(m.node.cpu)}`);
console.log(`parser, whole process              ${f(m.parser.wall)}   ${f(m.parser.cpu)}`);
console.log(
  `parser, the parse itself           ${f(m.parser.parseOnly)}            (timed inside the process)`,
);
const ratio = (a: number | null, b: number | null) =>
  a === null || b === null ? "n/a" : `${(a / b).toFixed(2)}×`;
console.log(
  `ratio to grep: parse itself ${ratio(m.parser.parseOnly, m.grep.wall)}; whole process wall ${ratio(m.parser.wall, m.grep.wall)}, CPU ${ratio(m.parser.cpu, m.grep.cpu)} (CPU counts V8's compiler threads too)   (goal ≤ 2.5× for the parse itself)`,
);
console.log(`throughput: ${(made.bytes / 1e6 / (m.parser.parseOnly / 1000)).toFixed(0)} MB/s parse only`);
console.log(
  `peak RSS: ${m.rssMb.toFixed(1)} MB on ${(made.bytes / 1e6).toFixed(0)} MB, ${s.rssMb.toFixed(1)} MB on a file 4× smaller   (goal < 100 MB, flat)`,
);
console.log(
  `result: status ${m.last?.status}, last SCF ${m.last?.cycles} cycles, final energy ${m.last?.energy} Ha`,
);
console.log(
  `load average during the run: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} on ${os.availableParallelism()} cores`,
);

fs.rmSync(tmp, { recursive: true, force: true });
