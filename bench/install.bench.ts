// The newcomer's install (issue 15, item 6), measured on a fresh clone of this checkout: `npm install`
// with an empty npm cache (downloads, better-sqlite3 compiled from source where its prebuilt binary
// cannot be fetched, dist/ built by `prepare`), then again on a second clone with the cache now warm.
// Baselines in the same run, on the warm cache: the same install without any install script
// (--ignore-scripts: download + unpack only), the better-sqlite3 compile alone (npm rebuild), and
// the TypeScript build alone. Takes a few minutes; it needs the npm registry.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-bench-install-"));
const cache = path.join(tmp, "npm-cache");

function timed(what: string, cmd: string, args: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_cache: cache } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr.slice(-2000)}`);
  return s;
}

function clone(name: string): string {
  const dir = path.join(tmp, name);
  const r = spawnSync("git", ["clone", "--quiet", ROOT, dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git clone failed: ${r.stderr}`);
  return dir;
}

function packages(dir: string): { all: number; production: number; mb: number } {
  const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"));
  const entries = Object.entries(lock.packages as Record<string, { dev?: boolean }>).filter(([k]) => k);
  const du = spawnSync("du", ["-sm", path.join(dir, "node_modules")], { encoding: "utf8" }).stdout;
  return {
    all: entries.length,
    production: entries.filter(([, v]) => !v.dev).length,
    mb: Number(du.split("\t")[0]),
  };
}

try {
  const npm = ["install", "--no-audit", "--no-fund"];
  const first = clone("cold");
  const cold = timed("npm install (cold cache)", "npm", npm, first);
  const second = clone("warm");
  const warm = timed("npm install (warm cache)", "npm", npm, second);
  const bare = clone("bare");
  const noScripts = timed("npm install --ignore-scripts", "npm", [...npm, "--ignore-scripts"], bare);
  const sqlite = timed("npm rebuild better-sqlite3", "npm", ["rebuild", "better-sqlite3"], bare);
  const build = timed(
    "tsc build",
    process.execPath,
    ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"],
    bare,
  );
  const p = packages(first);
  console.log(
    `npm install of a fresh clone (${p.all} packages, ${p.production} for production, node_modules ${p.mb} MB):`,
  );
  console.log(`  empty npm cache                        ${cold.toFixed(1)} s`);
  console.log(`  warm npm cache                         ${warm.toFixed(1)} s`);
  console.log(`  baseline: warm, --ignore-scripts       ${noScripts.toFixed(1)} s  (download + unpack only)`);
  console.log(`  of which: better-sqlite3 compile       ${sqlite.toFixed(1)} s`);
  console.log(`            dist/ build (tsc)            ${build.toFixed(1)} s`);
  console.log(`  ratio (warm install / --ignore-scripts) ${(warm / noScripts).toFixed(2)}×`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
