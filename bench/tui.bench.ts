// TUI benchmarks (issue 7) on a project of 10,000 jobs, each against a baseline measured in the same
// run:
//  1. time to the first full frame of the job list — in-process (the App rendered by Ink, against a
//     bare Ink <Text> of the same rows read with a plain SELECT) and in a real terminal (node-pty:
//     `crystal-tui` from process start to the list on screen, against a bare Ink program that
//     selects and prints the same rows) — goal ≤ 1 s;
//  2. key press → redrawn frame (j, k, page down, G, s, f, /) — goal ≤ 50 ms — against the bare
//     Ink program moving a cursor over the same window;
//  3. resident memory of the `crystal-tui` process after the first frame and after paging through
//     the list — goal ≤ 200 MB — against the bare program's.
// Configuration: 10,000 jobs (70% COMPLETED, 20% FAILED, 5% CANCELLED, 5% SKIPPED, energies set,
// 3 clusters), terminal 120×40, colour off, Ink's default 30 fps throttle (not debug mode), React's
// production build (as `crystal-tui` runs it) for the App and the baselines alike.
import { EventEmitter } from "node:events";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Store } from "../src/store/store.js";
import { sql } from "../test/store/raw-sql.js";

process.env.NODE_ENV ??= "production";
const React = (await import("react")).default;
const { useState } = React;
const { Text, render, useInput } = await import("ink");
const { App } = await import("../src/tui/app.js");
const { fixedEngineSource } = await import("../src/tui/engine-host.js");
const { StoreWatcher } = await import("../src/tui/store-watch.js");

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, "..");
const COLS = 120;
const ROWS = 40;
const N = 10_000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-bench-tui-"));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const verdict = (value: number, goal: number) => (value <= goal ? "meets" : "MISSES");

// ---------------------------------------------------------------------------------- the project
const projectDir = path.join(tmp, "project");
fs.mkdirSync(projectDir);
{
  const store = Store.open(projectDir);
  for (const name of ["hpc", "lab", "big"]) {
    store.clusters.create({ name, type: "slurm", hostname: "127.0.0.1", username: "chem" });
  }
  const statuses = [
    "COMPLETED",
    "COMPLETED",
    "COMPLETED",
    "COMPLETED",
    "COMPLETED",
    "COMPLETED",
    "COMPLETED",
    "FAILED",
    "FAILED",
    "CANCELLED",
  ];
  const insert = sql(store).prepare(
    `INSERT INTO jobs (name, work_dir, status, runner_type, cluster_id, created_at, started_at, completed_at, final_energy)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sql(store).transaction(() => {
    for (let i = 1; i <= N; i++) {
      let status = statuses[i % statuses.length]!;
      if (i % 20 === 0) status = "SKIPPED";
      const cluster = i % 4 === 0 ? null : (i % 3) + 1;
      const t = Date.UTC(2025, 0, 1) + i * 60_000;
      const iso = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
      insert.run(
        `mgo_${i}`,
        `calculations/${String(i).padStart(5, "0")}_mgo_${i}`,
        status,
        cluster === null ? "local" : "slurm",
        cluster,
        iso(t),
        status === "SKIPPED" ? null : iso(t + 5_000),
        iso(t + 65_000),
        status === "COMPLETED" ? -271.2 - i * 1e-6 : null,
      );
    }
  })();
  store.close();
}

// ---------------------------------------------------------------- in-process: fake terminal streams
class FakeStdout extends EventEmitter {
  columns = COLS;
  rows = ROWS;
  isTTY = true;
  private waiters: ((t: bigint, s: string) => void)[] = [];
  write = (s: string) => {
    const t = process.hrtime.bigint();
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn(t, s);
    return true;
  };
  /** The time of the next write whose text passes `test`. */
  next(test: (s: string) => boolean): Promise<bigint> {
    return new Promise((resolve) => {
      const wait = (t: bigint, s: string) => (test(s) ? resolve(t) : this.waiters.push(wait));
      this.waiters.push(wait);
    });
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  send(s: string) {
    this.data = s;
    this.emit("readable");
  }
}

const frameOf = (s: string) => s.length > 200;

const KEY_NAMES: Record<string, string> = { "\u001b[6~": "pgdn", "\u001b[5~": "pgup" };
const byKey = new Map<string, number[]>();

async function keyLatencies(
  stdin: FakeStdin,
  stdout: FakeStdout,
  keys: string[],
  label = "",
): Promise<number[]> {
  const out: number[] = [];
  for (const k of keys) {
    await sleep(45); // slower than Ink's 30 fps throttle, as a person types: every key gets its frame
    const next = stdout.next(frameOf);
    const t0 = process.hrtime.bigint();
    stdin.send(k);
    const t1 = await Promise.race([next, sleep(1000).then(() => null)]);
    if (t1 !== null) {
      const dt = Number(t1 - t0) / 1e6;
      out.push(dt);
      if (label) {
        const name = `${label} ${KEY_NAMES[k] ?? k}`;
        byKey.set(name, [...(byKey.get(name) ?? []), dt]);
      }
    }
  }
  return out;
}

const KEYS = [
  ...Array(40).fill("j"),
  ...Array(10).fill("\u001b[6~"), // page down
  "G",
  ...Array(20).fill("k"),
  "g",
  "s",
  "s",
  "S",
  "f",
  "f",
  "F",
  "F",
  ...Array(20).fill("j"),
];

// Ink's first render in a process pays for its layout engine; both contestants get a warm one
{
  const stdout = new FakeStdout();
  const warm = render(React.createElement(Text, null, "warm-up"), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  warm.unmount();
}

// the App
let appFirst = 0;
let appKeys: number[] = [];
{
  const store = Store.open(projectDir);
  const watcher = new StoreWatcher(store).start();
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  let ready = false;
  const first = stdout.next((s) => s.includes(`of ${N}`));
  const t0 = process.hrtime.bigint();
  const app = render(
    React.createElement(App, {
      store,
      watcher,
      engine: fixedEngineSource("bench"),
      color: false,
      onReady: () => {
        ready = true;
      },
    }),
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  appFirst = Number((await first) - t0) / 1e6;
  while (!ready) await sleep(5);
  appKeys = await keyLatencies(stdin, stdout, KEYS, "App");
  app.unmount();
  watcher.stop();
  store.close();
}

// the baseline: a bare Ink <Text> of the same window, read with a plain SELECT
const BARE_SQL = `SELECT j.id, j.name, j.status, COALESCE(c.name, 'local') AS place, j.final_energy, j.created_at
  FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id ORDER BY j.id DESC LIMIT ? OFFSET ?`;
let bareFirst = 0;
let bareKeys: number[] = [];
{
  const Database = require("better-sqlite3") as typeof import("better-sqlite3");
  const db = new Database(path.join(projectDir, ".crystal_tui.db"), { readonly: true });
  const select = db.prepare(BARE_SQL);
  const Bare = () => {
    const [cursor, setCursor] = useState(0);
    useInput((input, key) => {
      if (input === "j") setCursor((c) => c + 1);
      else if (input === "k") setCursor((c) => Math.max(0, c - 1));
      else if (key.pageDown) setCursor((c) => c + ROWS - 6);
      else setCursor((c) => (c + 7) % N);
    });
    const top = Math.max(0, cursor - (ROWS - 7));
    const rows = select.all(ROWS - 6, top) as Record<string, unknown>[];
    const text = rows
      .map(
        (r, i) =>
          `${top + i === cursor ? ">" : " "} ${r.id} ${r.name} ${r.status} ${r.place} ${r.final_energy ?? ""} ${r.created_at}`,
      )
      .join("\n");
    return React.createElement(Text, null, `${text}\n${top + 1}–${top + rows.length} of ${N}`);
  };
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const first = stdout.next((s) => s.includes(`of ${N}`));
  const t0 = process.hrtime.bigint();
  const app = render(React.createElement(Bare), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  bareFirst = Number((await first) - t0) / 1e6;
  await sleep(100);
  bareKeys = await keyLatencies(stdin, stdout, KEYS);
  app.unmount();
  db.close();
}

console.log(
  `first full frame, in process (${N.toLocaleString()} jobs, ${COLS}×${ROWS}): App ${appFirst.toFixed(1)} ms, ` +
    `bare Ink <Text> of the same rows ${bareFirst.toFixed(1)} ms; ratio ${(appFirst / bareFirst).toFixed(2)}× — goal ≤ 1000 ms: ${verdict(appFirst, 1000)}`,
);
console.log(
  `key press → redrawn frame, in process (${appKeys.length} keys: j k pgdn G g s S f F): App median ${median(appKeys).toFixed(1)} ms, ` +
    `p95 ${p95(appKeys).toFixed(1)} ms, max ${Math.max(...appKeys).toFixed(1)} ms; bare median ${median(bareKeys).toFixed(1)} ms, ` +
    `p95 ${p95(bareKeys).toFixed(1)} ms; ratio (median) ${(median(appKeys) / median(bareKeys)).toFixed(2)}× — goal ≤ 50 ms: ${verdict(p95(appKeys), 50)} (p95)`,
);
console.log(
  `  by key (App median ms): ${[...byKey.entries()].map(([k, v]) => `${k.replace("App ", "")} ${median(v).toFixed(0)}`).join(", ")}`,
);

// ------------------------------------------------------------------ a real terminal (node-pty)
const pty = require("node-pty") as typeof import("node-pty");

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Runs a program in a pty; returns when `ready` shows (time from spawn), then drives keys, then kills it. */
async function inPty(
  args: string[],
  ready: string,
  keys: string[],
): Promise<{ firstMs: number; rssFirst: number; rssAfter: number }> {
  const child = pty.spawn(process.execPath, args, {
    name: "xterm-256color",
    cols: COLS,
    rows: ROWS,
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", CRY23_EXEDIR: tmp } as Record<string, string>,
  });
  let seen = "";
  const t0 = process.hrtime.bigint();
  const shown = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args.join(" ")} never showed ${ready}:\n${seen.slice(-2000)}`)),
      30_000,
    );
    child.onData((d) => {
      seen += d;
      if (seen.includes(ready)) {
        clearTimeout(timer);
        resolve(ms(t0));
      }
    });
  });
  const firstMs = await shown;
  await sleep(300);
  const rssFirst = rssMb(child.pid);
  for (const k of keys) {
    child.write(k);
    await sleep(20);
  }
  await sleep(500);
  const rssAfter = rssMb(child.pid);
  child.kill();
  return { firstMs, rssFirst, rssAfter };
}

const PAGING = [...Array(100).fill("\u001b[6~"), "G", ...Array(100).fill("\u001b[5~"), "s", "s", "f", "f"];
const app = await inPty([path.join(ROOT, "bin/crystal-tui.js"), "--project", projectDir], `of ${N}`, PAGING);
const bareScript = `
process.env.NODE_ENV = "production";
const { default: Database } = await import("better-sqlite3");
const { default: React, useState } = await import("react");
const { render, Text, useInput } = await import("ink");
const db = new Database(${JSON.stringify(path.join(projectDir, ".crystal_tui.db"))}, { readonly: true });
const select = db.prepare(${JSON.stringify(BARE_SQL)});
const Bare = () => {
  const [top, setTop] = useState(0);
  useInput(() => setTop((t) => (t + 34) % ${N}));
  const rows = select.all(${ROWS - 6}, top);
  return React.createElement(Text, null, rows.map((r) => [r.id, r.name, r.status, r.place, r.final_energy ?? "", r.created_at].join(" ")).join("\\n") + "\\n" + (top + 1) + "– of ${N}");
};
render(React.createElement(Bare));
`;
const bare = await inPty(["--input-type=module", "-e", bareScript], `of ${N}`, PAGING);
// where the time of a start goes: the CLI's own start (every command module is loaded), and node
const { spawnSync } = await import("node:child_process");
const timed = (args: string[]) => {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, args, { cwd: ROOT, stdio: "ignore" });
  return ms(t0);
};
const cliStart = median([1, 2, 3].map(() => timed([path.join(ROOT, "bin/crystal-tui.js"), "--version"])));
const nodeStart = median([1, 2, 3].map(() => timed(["-e", ""])));
console.log(
  `first full frame, real terminal (process start → list on screen): crystal-tui ${app.firstMs.toFixed(0)} ms ` +
    `(of which \`crystal-tui --version\` alone takes ${cliStart.toFixed(0)} ms, node itself ${nodeStart.toFixed(0)} ms), ` +
    `bare Ink program ${bare.firstMs.toFixed(0)} ms; ratio ${(app.firstMs / bare.firstMs).toFixed(2)}× — goal ≤ 1000 ms: ${verdict(app.firstMs, 1000)}`,
);
console.log(
  `resident memory (RSS) of the process: crystal-tui ${app.rssFirst.toFixed(0)} MB after the first frame, ${app.rssAfter.toFixed(0)} MB after paging ` +
    `through ${N.toLocaleString()} jobs; bare Ink program ${bare.rssFirst.toFixed(0)} / ${bare.rssAfter.toFixed(0)} MB; ratio ${(app.rssAfter / bare.rssAfter).toFixed(2)}× — goal ≤ 200 MB: ${verdict(Math.max(app.rssFirst, app.rssAfter), 200)}`,
);

fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
