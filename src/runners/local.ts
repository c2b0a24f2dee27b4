// The local runner: CRYSTAL on this machine. Each run gets a scratch folder with the inputs under
// CRYSTAL's names, runs `crystalOMP < INPUT` (or `mpirun -np N PcrystalOMP`) in its own process
// group under a tiny sh wrapper that records its PID and, at the end, the exit code in files — so a
// run is followed, and its result collected, even by an engine that started after a crash.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { programOfJob } from "../crystal/deck-file.js";
import { type Discovery, discoverCrystal, OMP_STACKSIZE_DEFAULT } from "../crystal/environment.js";
import { INPUT_NAME, outputFileName, RUN_RECORDS_DIR } from "../crystal/files.js";
import { NotRunnableHere, UserError } from "../domain/errors.js";
import { type LocalHandle, localHandle } from "../domain/run-handle.js";
import type { Job } from "../domain/types.js";
import { shellCommand, shellQuote } from "../transport/quote.js";
import { isSameProcess, processGroupOf, processStartTime } from "./process-identity.js";
import { collectOutputs, stageInputs } from "./staging.js";
import type { FetchedOutputs, RunHandle, Runner, RunState, Submission, SubmitContext } from "./types.js";

export interface LocalRunnerOptions {
  /** Folder holding crystalOMP / PcrystalOMP; default: discovered (CRY23_EXEDIR, CRY23_ROOT, PATH). */
  exedir?: string;
  /** Scratch base; default $CRY23_SCRDIR, else a `scratch/` folder inside each job folder. */
  scratchDir?: string;
  /** MPI launcher (default: discovered mpirun). */
  mpirun?: string;
  /** Keep the scratch folder of a failed run for inspection (default true). */
  keepScratchOnFailure?: boolean;
  /** Seconds between SIGTERM and SIGKILL when cancelling. */
  cancelGraceMs?: number;
  /** How often adopted runs (not children of this process) are polled. */
  pollIntervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

const RUN_DIR = RUN_RECORDS_DIR;

export class LocalRunner implements Runner {
  readonly kind = "local" as const;
  readonly pollIntervalMs: number;
  onWake?: () => void;
  private readonly env: NodeJS.ProcessEnv;
  private readonly children = new Set<number>();

  constructor(private readonly options: LocalRunnerOptions = {}) {
    this.env = options.env ?? process.env;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  private discovered: Discovery | null = null;

  /** Where CRYSTAL is; a successful discovery is kept (it may source cry23.bashrc, not free). */
  private executables(): Discovery {
    if (this.discovered) return this.discovered;
    const found = discoverCrystal({
      env: this.env,
      ...(this.options.exedir ? { exedir: this.options.exedir } : {}),
    });
    if (found.usable) this.discovered = found;
    return found;
  }

  async available(): Promise<{ ok: true } | { ok: false; message: string }> {
    const found = this.executables();
    if (found.crystalOMP?.path || found.PcrystalOMP?.path) return { ok: true };
    return {
      ok: false,
      message:
        "crystalOMP was not found — set CRY23_EXEDIR to the folder holding CRYSTAL's binaries (see `crystal-tui doctor`)",
    };
  }

  /** The scratch folder of a run: under $CRY23_SCRDIR (or the configured base), else in the job folder. */
  private scratchFor(job: Job, jobFolder: string, token: string): string {
    const base = this.options.scratchDir ?? this.env.CRY23_SCRDIR;
    if (base) return path.join(base, `crystal-tui-${job.id}-${job.name}-${token}`);
    return path.join(jobFolder, "scratch");
  }

  /** argv of the CRYSTAL process and the environment it runs with. */
  commandFor(job: Job): { argv: string[]; env: Record<string, string> } {
    const { executable: exeName, ranks } = programOfJob(job);
    const threads = job.parallelism.threads_per_rank ?? 1;
    const found = this.executables();
    const exe = found[exeName]?.path ?? null;
    if (!exe) {
      throw new NotRunnableHere(
        `${exeName} was not found — set CRY23_EXEDIR to the folder holding CRYSTAL's binaries (see \`crystal-tui doctor\`)`,
      );
    }
    const env = {
      OMP_NUM_THREADS: String(threads),
      OMP_STACKSIZE: this.env.OMP_STACKSIZE ?? OMP_STACKSIZE_DEFAULT,
    };
    if (ranks <= 1) return { argv: [exe], env };
    const mpirun = this.options.mpirun ?? found.mpirun?.path ?? null;
    // never a bare "mpirun" that the shell cannot find (exit 127, the cause only in .run/stderr)
    if (!mpirun) {
      throw new NotRunnableHere(
        `mpirun was not found, and job ${job.id}'s ${ranks} MPI ranks need it — install an MPI or load its module, or run it with --ranks 1`,
      );
    }
    return { argv: [mpirun, "-np", String(ranks), exe], env };
  }

  async submit(job: Job, ctx: SubmitContext): Promise<Submission> {
    const { argv, env } = this.commandFor(job);
    const runDir = path.join(ctx.jobFolder, RUN_DIR);
    const scratch = this.scratchFor(job, ctx.jobFolder, ctx.token);
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, "token"), ctx.token);
    fs.rmSync(scratch, { recursive: true, force: true });
    stageInputs(job, ctx.jobFolder, scratch);
    const output = path.join(ctx.jobFolder, outputFileName(job.name));
    const q = shellQuote;
    // The wrapper writes its PID first (so a crash right after spawn still finds the run), then
    // CRYSTAL's (so the run is followed even if someone kills the wrapper), then the exit code
    // through a rename (so a half-written file is never read).
    const file = (name: string) => q(path.join(runDir, name));
    const script = [
      // a trap (not an ignore: ignored signals would be inherited by CRYSTAL) keeps the wrapper alive
      // when cancel signals the process group, so it can still record CRYSTAL's exit code
      "trap : TERM INT HUP",
      // no CRYSTAL without its PID on disk (a full disk): a run nobody can find would be started again
      `{ printf '%s\\n' "$$" > ${file("pid.tmp")} && mv ${file("pid.tmp")} ${file("pid")}; } || exit 96`,
      `cd ${q(scratch)} || exit 97`,
      `${shellCommand(argv)} < ${q(INPUT_NAME)} > ${q(output)} 2> ${file("stderr")} &`,
      `cpid=$!`,
      `printf '%s\\n' "$cpid" > ${file("crystal_pid.tmp")} && mv ${file("crystal_pid.tmp")} ${file("crystal_pid")}`,
      // a trapped signal ends a wait early: wait again while CRYSTAL (even as a zombie) is there
      `while :; do wait "$cpid"; rc=$?; kill -0 "$cpid" 2>/dev/null || break; done`,
      `printf '%s\\n' "$rc" > ${file("exit_code.tmp")} && mv ${file("exit_code.tmp")} ${file("exit_code")}`,
      `exit $rc`,
    ].join("\n");
    const child = spawn("/bin/sh", ["-c", script], {
      cwd: scratch,
      detached: true, // its own session and process group: cancel signals the whole group
      stdio: "ignore",
      env: { ...this.env, ...env },
    });
    const pid = child.pid;
    if (pid === undefined) throw new UserError(`job ${job.id}: could not start /bin/sh for ${argv[0]}`);
    this.children.add(pid);
    child.on("exit", () => {
      this.children.delete(pid);
      this.onWake?.();
    });
    child.on("error", () => this.onWake?.());
    child.unref();
    const handle: LocalHandle = {
      kind: "local",
      token: ctx.token,
      runDir,
      scratch,
      pid,
      procStart: processStartTime(pid),
    };
    const commandLine = `cd ${q(scratch)} && ${Object.entries(env)
      .map(([k, v]) => `${k}=${q(v)}`)
      .join(" ")} ${shellCommand(argv)} < ${INPUT_NAME} > ${q(output)}`;
    return { handle, commandLine, state: "running", pid };
  }

  async findLaunch(job: Job, token: string, ctx: SubmitContext): Promise<Submission | null> {
    const runDir = path.join(ctx.jobFolder, RUN_DIR);
    let recorded: string;
    try {
      recorded = fs.readFileSync(path.join(runDir, "token"), "utf8");
    } catch {
      return null;
    }
    if (recorded !== token) return null;
    const pid = readInt(path.join(runDir, "pid"));
    const exited = fs.existsSync(path.join(runDir, "exit_code"));
    if (pid === null && !exited) return null; // the wrapper never ran: safe to start again
    const handle: LocalHandle = {
      kind: "local",
      token,
      runDir,
      scratch: this.scratchFor(job, ctx.jobFolder, token),
      ...(pid !== null ? { pid, procStart: processStartTime(pid) } : {}),
    };
    const { argv } = this.commandFor(job);
    return { handle, commandLine: shellCommand(argv), state: "running", ...(pid !== null ? { pid } : {}) };
  }

  async poll(runs: { job: Job; handle: RunHandle }[]): Promise<Map<number, RunState>> {
    const states = new Map<number, RunState>();
    for (const { job, handle } of runs) states.set(job.id, this.stateOf(localHandle(handle)));
    return states;
  }

  private stateOf(h: LocalHandle): RunState {
    const exitFile = path.join(h.runDir, "exit_code");
    const finished = (): RunState | null => {
      const code = readInt(exitFile);
      return code === null ? null : { state: "finished", exitCode: code };
    };
    const done = finished();
    if (done) return done;
    if (this.isAlive(h)) return { state: "running" };
    // the processes are gone: they may have written the exit code between the two looks
    const late = finished();
    if (late) return late;
    if (fs.existsSync(path.join(h.runDir, "crystal_pid"))) {
      // CRYSTAL ran, but the wrapper that records its exit code did not see it end (it was killed):
      // the output says how it went, and only a completed output counts
      return {
        state: "finished",
        exitCode: null,
        exitUnrecorded: true,
        reason:
          "lost: CRYSTAL ended with no exit code recorded (its processes were killed, or the machine rebooted), and its output shows no normal end",
      };
    }
    return {
      state: "lost",
      reason:
        "lost: the CRYSTAL process disappeared without recording an exit code (killed, or the machine rebooted)",
    };
  }

  /**
   * The run still runs: its wrapper (the PID and start time recorded), or CRYSTAL itself — the PID
   * the wrapper wrote, still a member of the wrapper's process group — when the wrapper was killed.
   */
  private isAlive(h: LocalHandle): boolean {
    const pid = h.pid ?? readInt(path.join(h.runDir, "pid"));
    if (pid === null) return false;
    if (isSameProcess(pid, h.pid === pid ? h.procStart : undefined)) return true;
    const crystal = readInt(path.join(h.runDir, "crystal_pid"));
    return crystal !== null && processGroupOf(crystal) === pid;
  }

  async cancel(_job: Job, handle: RunHandle): Promise<void> {
    const h = localHandle(handle);
    const pid = h.pid ?? readInt(path.join(h.runDir, "pid"));
    if (pid === null || !this.isAlive(h)) return;
    signalGroup(pid, "SIGTERM"); // the group is the wrapper's PID, whether or not the wrapper lives
    const grace = this.options.cancelGraceMs ?? 5000;
    const deadline = Date.now() + grace;
    while (Date.now() < deadline) {
      if (!this.isAlive(h)) return;
      await sleep(50);
    }
    signalGroup(pid, "SIGKILL");
  }

  async fetchOutputs(job: Job, handle: RunHandle, ctx: SubmitContext): Promise<FetchedOutputs> {
    const h = localHandle(handle);
    const files = fs.existsSync(h.scratch) ? collectOutputs(job, h.scratch, ctx.jobFolder) : [];
    let stderr: string | undefined;
    try {
      stderr = fs.readFileSync(path.join(h.runDir, "stderr"), "utf8").slice(-64 * 1024);
    } catch {
      stderr = undefined;
    }
    return {
      outputFile: path.join(ctx.jobFolder, outputFileName(job.name)),
      files,
      ...(stderr ? { stderr } : {}),
    };
  }

  async cleanup(_job: Job, handle: RunHandle, outcome: { success: boolean }): Promise<void> {
    const h = localHandle(handle);
    if (!outcome.success && this.options.keepScratchOnFailure !== false) return;
    // in the background (the file system's threads, not the engine's): the next job need not wait
    const removal: Promise<void> = fs.promises
      .rm(h.scratch, { recursive: true, force: true })
      .catch(() => undefined)
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  private readonly removals = new Set<Promise<void>>();

  async reattach(): Promise<void> {
    // nothing to restore: the run's state lives in its files and its process
  }

  async close(): Promise<void> {
    await Promise.all(this.removals);
  }
}

function readInt(file: string): number | null {
  try {
    const text = fs.readFileSync(file, "utf8").trim();
    return /^-?\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const newToken = (): string => crypto.randomBytes(6).toString("hex");

export const defaultCores = (): number => os.availableParallelism();
