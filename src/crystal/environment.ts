// Where CRYSTAL is on this machine, found the way CRYSTAL's own scripts find it: explicit
// configuration, then $CRY23_EXEDIR, then $CRY23_ROOT/bin/$CRY23_ARCH/$VERSION (or what
// $CRY23_ROOT/utils23/cry23.bashrc sets when sourced), then PATH. The runners ask it for the
// binaries; `crystal-tui doctor` shows it. A missing CRYSTAL is a report with the fix, never a crash.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { shellAssignment, shellQuote } from "../transport/quote.js";

/** Where a folder or binary was found. */
export type DiscoverySource = "config" | "CRY23_EXEDIR" | "CRY23_ROOT" | "cry23.bashrc" | "PATH";

export interface FoundBinary {
  name: string;
  /** Absolute path of the executable, or null when not found. */
  path: string | null;
  source: DiscoverySource | null;
  /** What to do when it is missing (null when found). */
  fix: string | null;
}

export interface ScratchFolder {
  /** $CRY23_SCRDIR (from the environment or cry23.bashrc), or null when unset. */
  path: string | null;
  exists: boolean;
  writable: boolean;
  /** What to do about it (null when all is well). */
  fix: string | null;
}

export interface Discovery {
  /** The folder the CRYSTAL binaries are taken from, and how it was chosen (null: none given). */
  exedir: string | null;
  exedirSource: DiscoverySource | null;
  /** Serial / OpenMP build. */
  crystalOMP: FoundBinary;
  /** MPI + OpenMP build. */
  PcrystalOMP: FoundBinary;
  /** MPI build (older installations). */
  Pcrystal: FoundBinary;
  properties: FoundBinary;
  /** MPI build of properties (a properties job asked to run on several ranks). */
  Pproperties: FoundBinary;
  mpirun: FoundBinary;
  scratch: ScratchFolder;
  /** Cores this process may use. */
  cores: number;
  /** True when a CRYSTAL binary able to run a job (crystalOMP or PcrystalOMP) was found. */
  usable: boolean;
  /** Notes on the configuration (e.g. CRY23_EXEDIR points to a missing folder), one line each. */
  notes: string[];
}

export interface DiscoverOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit configuration: the folder holding crystalOMP / PcrystalOMP; searched first. */
  exedir?: string;
}

const CRYSTAL_BINARIES = ["crystalOMP", "PcrystalOMP", "Pcrystal", "properties", "Pproperties"] as const;

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The first PATH entry holding an executable `name`. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.resolve(dir, name);
    if (isExecutableFile(file)) return file;
  }
  return null;
}

/**
 * What CRYSTAL's cry23.bashrc sets, by sourcing it in a bash of its own (it is the user's own
 * CRYSTAL setup script; its output is discarded). Null when there is no such file or bash fails.
 */
function readBashrc(file: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | null {
  if (!fs.existsSync(file)) return null;
  const names = ["CRY23_EXEDIR", "CRY23_ROOT", "CRY23_BIN", "CRY23_ARCH", "VERSION", "CRY23_SCRDIR"];
  try {
    // the file path is passed as $1, never spliced into the script
    const out = execFileSync(
      "bash",
      [
        "-c",
        `source "$1" >/dev/null 2>&1; for v in ${names.join(" ")}; do printf '%s=%s\\0' "$v" "\${!v}"; done`,
        "cry23-bashrc",
        file,
      ],
      { env, encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] },
    );
    const vars: NodeJS.ProcessEnv = {};
    for (const pair of out.split("\0")) {
      const eq = pair.indexOf("=");
      if (eq > 0 && pair.slice(eq + 1)) vars[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return vars;
  } catch {
    return null;
  }
}

/** `$CRY23_ROOT/$CRY23_BIN/$CRY23_ARCH/$VERSION`, as CRYSTAL's scripts build it. */
function rootExedir(vars: NodeJS.ProcessEnv): string | null {
  if (!vars.CRY23_ROOT || !vars.CRY23_ARCH || !vars.VERSION) return null;
  return path.join(vars.CRY23_ROOT, vars.CRY23_BIN || "bin", vars.CRY23_ARCH, vars.VERSION);
}

/** Finds CRYSTAL's binaries, mpirun, the scratch folder and the core count. Never throws. */
export function discoverCrystal(opts: DiscoverOptions = {}): Discovery {
  const env = opts.env ?? process.env;
  const notes: string[] = [];

  // candidate folders, in CRYSTAL's own order
  const folders: { dir: string; source: DiscoverySource }[] = [];
  if (opts.exedir) folders.push({ dir: path.resolve(opts.exedir), source: "config" });
  if (env.CRY23_EXEDIR) folders.push({ dir: path.resolve(env.CRY23_EXEDIR), source: "CRY23_EXEDIR" });
  const fromRoot = rootExedir(env);
  if (fromRoot) folders.push({ dir: path.resolve(fromRoot), source: "CRY23_ROOT" });
  let bashrcVars: NodeJS.ProcessEnv | null = null;
  if (env.CRY23_ROOT && folders.length === 0) {
    const bashrc = path.join(env.CRY23_ROOT, "utils23", "cry23.bashrc");
    bashrcVars = readBashrc(bashrc, env);
    const dir = bashrcVars ? (bashrcVars.CRY23_EXEDIR ?? rootExedir(bashrcVars)) : null;
    if (dir) folders.push({ dir: path.resolve(dir), source: "cry23.bashrc" });
    else
      notes.push(
        `CRY23_ROOT is ${env.CRY23_ROOT} but ${bashrc} ${bashrcVars ? "sets no CRY23_EXEDIR" : "could not be read"} — set CRY23_EXEDIR to the folder holding crystalOMP`,
      );
  }
  for (const { dir, source } of folders) {
    if (!isDirectory(dir))
      notes.push(
        `${source === "config" ? "the configured exedir" : source} points to ${dir}, which is not a folder`,
      );
  }

  const chosen = folders.find((f) => isDirectory(f.dir)) ?? folders[0] ?? null;

  const find = (name: string): FoundBinary => {
    for (const { dir, source } of folders) {
      const file = path.join(dir, name);
      if (isExecutableFile(file)) return { name, path: file, source, fix: null };
    }
    const viaPath = onPath(name, env);
    if (viaPath) return { name, path: viaPath, source: "PATH", fix: null };
    return { name, path: null, source: null, fix: missingFix(name, chosen) };
  };

  const found = Object.fromEntries(CRYSTAL_BINARIES.map((name) => [name, find(name)])) as Record<
    (typeof CRYSTAL_BINARIES)[number],
    FoundBinary
  >;
  const mpirunPath = onPath("mpirun", env) ?? onPath("mpiexec", env);
  const mpirun: FoundBinary = mpirunPath
    ? { name: "mpirun", path: mpirunPath, source: "PATH", fix: null }
    : {
        name: "mpirun",
        path: null,
        source: null,
        fix: "mpirun not found — install an MPI (e.g. Open MPI) or load its module; needed only for PcrystalOMP runs",
      };

  return {
    exedir: chosen?.dir ?? null,
    exedirSource: chosen?.source ?? null,
    crystalOMP: found.crystalOMP,
    PcrystalOMP: found.PcrystalOMP,
    Pcrystal: found.Pcrystal,
    properties: found.properties,
    Pproperties: found.Pproperties,
    mpirun,
    scratch: scratchFolder(env.CRY23_SCRDIR || bashrcVars?.CRY23_SCRDIR || null),
    cores: os.availableParallelism(),
    usable: found.crystalOMP.path !== null || found.PcrystalOMP.path !== null,
    notes,
  };
}

function missingFix(name: string, chosen: { dir: string; source: DiscoverySource } | null): string {
  const where = chosen ? ` (not in ${chosen.dir}, from ${chosen.source}, nor on PATH)` : "";
  if (name === "properties")
    return `properties not found${where} — needed for band structures and DOS; put it next to crystalOMP`;
  if (name === "Pcrystal") return `Pcrystal not found${where} — only older MPI installations have it`;
  if (name === "Pproperties")
    return `Pproperties not found${where} — needed only for properties jobs on several MPI ranks`;
  return `${name} not found${where} — set CRY23_EXEDIR to the folder holding it, or source cry23.bashrc`;
}

function scratchFolder(dir: string | null): ScratchFolder {
  if (!dir) {
    return {
      path: null,
      exists: false,
      writable: false,
      fix: "CRY23_SCRDIR is not set — runs use a scratch/ folder inside each job folder; set it to a fast local disk to change that",
    };
  }
  const exists = isDirectory(dir);
  let writable = false;
  if (exists) {
    try {
      fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
      writable = true;
    } catch {
      writable = false;
    }
  }
  return {
    path: dir,
    exists,
    writable,
    fix: !exists
      ? `CRY23_SCRDIR is ${dir}, which does not exist — create it (mkdir -p ${dir}) or point CRY23_SCRDIR elsewhere`
      : !writable
        ? `CRY23_SCRDIR ${dir} is not writable by you — fix its permissions or point CRY23_SCRDIR elsewhere`
        : null,
  };
}

/** CRYSTAL's OpenMP stack size when neither the user nor the cluster sets one (its own scripts' value). */
export const OMP_STACKSIZE_DEFAULT = "1G";

/** What a cluster's settings say about CRYSTAL's environment there. */
export interface RemoteEnvironment {
  modules?: readonly string[];
  crystal_exedir?: string;
  env?: Readonly<Record<string, string>>;
}

/** A path for the shell: `~/x` becomes "$HOME"/'x', anything else is quoted as it is. */
export function shellPath(p: string): string {
  if (p === "~") return '"$HOME"';
  if (p.startsWith("~/")) return `"$HOME"/${shellQuote(p.slice(2))}`;
  return shellQuote(p);
}

/**
 * Shell lines that set up CRYSTAL's environment on a remote machine like its users do, in ONE
 * order for jobs, readiness checks and `cluster test`: the modules first (through the login profile
 * when `module` is not a shell function yet — non-interactive shells often lack it), then
 * CRY23_EXEDIR, then the cluster's own variables, last so that they win over what a module set.
 * A module that fails to load is said on stderr and as a `MODULE-FAILED` line on stdout. The
 * settings are checked when the cluster is added or edited; every value is quoted here anyway.
 */
export function remoteEnvironmentLines(e: RemoteEnvironment): string[] {
  const lines: string[] = [];
  if (e.modules?.length) {
    lines.push("command -v module >/dev/null 2>&1 || . /etc/profile >/dev/null 2>&1");
    for (const m of e.modules) {
      lines.push(
        `module load ${shellQuote(m)} >&2 || { echo ${shellQuote(`crystal-tui: module load ${m} failed`)} >&2; echo ${shellQuote(`MODULE-FAILED ${m}`)}; }`,
      );
    }
  }
  if (e.crystal_exedir) lines.push(`CRY23_EXEDIR=${shellPath(e.crystal_exedir)}; export CRY23_EXEDIR`);
  for (const [name, value] of Object.entries(e.env ?? {}))
    lines.push(`export ${shellAssignment(name, value)}`);
  return lines;
}

/** The CRYSTAL programs a self-test looks for. */
export const SELF_TEST_PROGRAMS = ["crystalOMP", "PcrystalOMP", "properties"] as const;

/**
 * Lines that report, after the environment lines, where each CRYSTAL program is: in $CRY23_EXEDIR
 * when set (the cluster's crystal_exedir, or a module's), else on PATH.
 */
export function crystalSelfTestLines(): string[] {
  return [
    `for p in ${SELF_TEST_PROGRAMS.join(" ")}; do`,
    '  if [ -n "$CRY23_EXEDIR" ]; then',
    '    if [ -x "$CRY23_EXEDIR/$p" ]; then echo "FOUND $p $CRY23_EXEDIR/$p"; else echo "MISSING $p $CRY23_EXEDIR"; fi',
    '  elif f=$(command -v "$p" 2>/dev/null); then echo "FOUND $p $f"; else echo "MISSING $p"; fi',
    "done",
  ];
}
