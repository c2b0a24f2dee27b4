// Idle CPU of the TUI (issue 13, defect 11): `crystal-tui` open in a real terminal (node-pty) on a
// project of 97 finished jobs and nothing running — its own engine hosted, as a user starts it —
// left alone for WINDOW_S seconds. The figure is the CPU time the process used (utime + stime from
// /proc/PID/stat) over that window, as a share of one core; goal ≤ 2 %. Baseline, measured in the same
// run: a bare Ink program showing the same rows, equally idle (Ink's own cost of being open).
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Store } from "../src/store/store.js";
import { sql } from "../test/store/raw-sql.js";

const require = createRequire(import.meta.url);
const pty = require("node-pty") as typeof import("node-pty");
const ROOT = path.resolve(import.meta.dirname, "..");
const N = 97;
const WINDOW_S = Number(process.env.IDLE_WINDOW_S ?? 30);
const CLK_TCK = 100; // Linux's USER_HZ: /proc/PID/stat counts CPU time in 1/100 s
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-bench-idle-"));
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

const projectDir = path.join(tmp, "project");
fs.mkdirSync(projectDir);
{
  const store = Store.open(projectDir);
  store.clusters.create({ name: "hpc", type: "slurm", hostname: "127.0.0.1", username: "chem" });
  const insert = sql(store).prepare(
    `INSERT INTO jobs (name, work_dir, status, runner_type, cluster_id, created_at, started_at, completed_at, final_energy)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const iso = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
  sql(store).transaction(() => {
    for (let i = 1; i <= N; i++) {
      const status = i % 7 === 0 ? "FAILED" : i % 11 === 0 ? "CANCELLED" : "COMPLETED";
      const t = Date.UTC(2026, 0, 1) + i * 60_000;
      insert.run(
        `mgo_${i}`,
        `calculations/${String(i).padStart(5, "0")}_mgo_${i}`,
        status,
        i % 2 ? "local" : "slurm",
        i % 2 ? null : 1,
        iso(t),
        iso(t + 5_000),
        iso(t + 65_000),
        status === "COMPLETED" ? -271.2 - i * 1e-6 : null,
      );
    }
  })();
  store.close();
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK; // fields 14 and 15 overall
}

/** Starts a program in a pty, waits for `ready`, lets it settle, then measures its idle CPU share. */
async function idleShare(args: string[], ready: string): Promise<number> {
  const child = pty.spawn(process.execPath, args, {
    name: "xterm-256color",
    cols: 120,
    rows: 40,
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", CRY23_EXEDIR: tmp } as Record<string, string>,
  });
  let seen = "";
  child.onData((d) => {
    seen += d;
  });
  const until = Date.now() + 30_000;
  while (!seen.includes(ready)) {
    if (Date.now() > until) {
      child.kill();
      throw new Error(`${args.join(" ")} never showed ${ready}:\n${seen.slice(-2000)}`);
    }
    await sleep(100);
  }
  await sleep(3_000); // the first look-ups and the engine's start are not idle
  const c0 = cpuSeconds(child.pid);
  const t0 = performance.now();
  await sleep(WINDOW_S * 1000);
  const share = (cpuSeconds(child.pid) - c0) / ((performance.now() - t0) / 1000);
  child.kill();
  return share;
}

const app = await idleShare([path.join(ROOT, "bin/crystal-tui.js"), "--project", projectDir], `of ${N}`);
const bareScript = `
process.env.NODE_ENV = "production";
const { default: Database } = await import("better-sqlite3");
const { default: React } = await import("react");
const { render, Text, useInput } = await import("ink");
const db = new Database(${JSON.stringify(path.join(projectDir, ".crystal_tui.db"))}, { readonly: true });
const rows = db.prepare("SELECT id, name, status, final_energy FROM jobs ORDER BY id DESC LIMIT 34").all();
const Bare = () => {
  useInput(() => {});
  return React.createElement(Text, null, rows.map((r) => [r.id, r.name, r.status, r.final_energy ?? ""].join(" ")).join("\\n") + "\\n1– of ${N}");
};
render(React.createElement(Bare));
`;
const bare = await idleShare(["--input-type=module", "-e", bareScript], `of ${N}`);

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
console.log(`idle TUI, ${N} finished jobs, its engine hosted, ${WINDOW_S} s window`);
console.log(`  crystal-tui        ${pct(app)} of a core   (goal ≤ 2 %: ${app <= 0.02 ? "meets" : "MISSES"})`);
console.log(`  bare Ink program   ${pct(bare)} of a core   (baseline)`);
console.log(
  `  difference         ${pct(app - bare)}; ratio ${(app / Math.max(bare, 1 / CLK_TCK / WINDOW_S)).toFixed(1)}×`,
);
if (!process.env.IDLE_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
else console.log(`kept ${projectDir}`);
