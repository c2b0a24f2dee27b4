// What the SSH and SLURM runners share: the cluster's remote shell, the remote folder of each run
// (<remote_dir>/<job id>-<job name>-<launch token>, so a launch can be found again from its token),
// staging the deck and auxiliary files under CRYSTAL's names, bringing outputs back, removing the
// folder after success, and the poll interval with its minimum.
//
// A submission costs one remote command: the folder, its files and the launch travel in one session
// (RemoteShell.writeFilesAndExec: a tar stream into the new folder, then the command), so
// submitting a job costs about what a bare `sbatch` over the same connection does. Large files
// (wavefunctions) are streamed. The runners speak only RemoteShell (src/transport/remote-shell.ts):
// which transport carries it is the composition root's choice (src/app/runners.ts).
import fs from "node:fs";
import path from "node:path";
import {
  GEOMETRY_OUTPUT,
  KEPT_OUTPUTS,
  keptNameFor,
  lastGeometryFile,
  newestOptimisationPoint,
  outputFileName,
  RUN_RECORDS_DIR,
} from "../crystal/files.js";
import { UserError } from "../domain/errors.js";
import { isLoopbackHost, pollIntervalMsFor } from "../domain/poll-interval.js";
import type { RemoteHandle } from "../domain/run-handle.js";
import type { SelfTest, SelfTestFindings } from "../domain/self-test.js";
import type { Cluster, Job } from "../domain/types.js";
import { ConnectionError, RemoteFileError } from "../transport/errors.js";
import type { ExecResult, RemoteFileContent, RemoteShell } from "../transport/remote-shell.js";
import { remoteBaseDir, type TargetEnvironment, targetForCluster } from "../transport/target.js";
import { checkRemoteConfig } from "./remote-script.js";
import { selfTestFor } from "./self-test.js";
import { stagedGeometry, stagingPlan } from "./staging.js";
import type { FetchedOutputs, RunHandle, SubmitContext } from "./types.js";

export interface RemoteRunnerOptions {
  /** The cluster's remote shell; the runner closes it with itself. */
  shell: RemoteShell;
  /** Where ~/.ssh/config is read (for the address the poll-interval minimum depends on). */
  targetEnv?: TargetEnvironment;
  /** Overrides the cluster's poll_interval (milliseconds); the minimum still applies. */
  pollIntervalMs?: number;
  /** SSH runner: time between SIGTERM and SIGKILL when cancelling (default 10 s). */
  cancelGraceMs?: number;
}

export type { RemoteHandle };

export { isLoopbackHost, pollIntervalMsFor };

/** How long a failed readiness check is remembered before asking the cluster again. */
const READINESS_RETRY_MS = 10_000;

/** Inputs up to this size are written with the folder in one flight; bigger ones are streamed. */
const WRITE_MAX_BYTES = 1024 * 1024;

export abstract class RemoteRunnerBase {
  readonly shell: RemoteShell;
  readonly pollIntervalMs: number;
  private base: Promise<string> | null = null;
  private readiness: { at: number; result: { ok: true } | { ok: false; message: string } } | null = null;

  constructor(
    readonly cluster: Cluster,
    protected readonly options: RemoteRunnerOptions,
  ) {
    checkRemoteConfig(cluster);
    const target = targetForCluster(cluster, options.targetEnv);
    this.shell = options.shell;
    this.pollIntervalMs = pollIntervalMsFor(cluster, target.host, options.pollIntervalMs);
  }

  protected get label(): string {
    return `cluster '${this.cluster.name}'`;
  }

  /** The absolute base folder for job folders (remote_dir, `~/` resolved once per runner). */
  async baseDir(): Promise<string> {
    if (!this.base) {
      this.base = (async () => {
        const configured = remoteBaseDir(this.cluster).replace(/\/+$/, "") || "/";
        if (configured.startsWith("/")) return configured;
        const home = (await this.shell.home()).replace(/\/+$/, "");
        if (configured === "~") return home;
        return `${home}/${configured.replace(/^~\//, "")}`;
      })();
      this.base.catch(() => {
        this.base = null; // try again next time (connection trouble)
      });
    }
    return this.base;
  }

  /** The run folder of one launch: unique per launch attempt, derivable from the token alone. */
  async runDirFor(job: Pick<Job, "id" | "name">, token: string): Promise<string> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(token))
      throw new UserError(`launch token ${JSON.stringify(token)} is not valid`);
    return `${await this.baseDir()}/${job.id}-${job.name}-${token}`;
  }

  /**
   * Creates the run folder (its name carries the launch token) with the job's inputs under CRYSTAL's
   * names, plus `files` (wrapper, batch script), in as few round trips as the shell allows; large
   * inputs are streamed after.
   */
  protected async stage(
    job: Job,
    ctx: SubmitContext,
    dir: string,
    files: Record<string, string | Buffer>,
  ): Promise<void> {
    const { small, large } = this.plan(job, ctx, files);
    await this.shell.writeFiles(dir, small);
    for (const [crystalName, local] of large) await this.shell.upload(local, `${dir}/${crystalName}`);
  }

  /** The inputs under CRYSTAL's names and `files`: small ones go with the folder, large ones are streamed. */
  private plan(
    job: Job,
    ctx: SubmitContext,
    files: Record<string, string | Buffer>,
  ): { small: RemoteFileContent[]; large: [string, string][] } {
    const small: RemoteFileContent[] = [];
    const large: [string, string][] = [];
    for (const [crystalName, local] of stagingPlan(job, ctx.jobFolder)) {
      if (fs.statSync(local).size > WRITE_MAX_BYTES) large.push([crystalName, local]);
      else small.push({ name: crystalName, data: fs.readFileSync(local) });
    }
    for (const [name, content] of Object.entries(files)) small.push({ name, data: Buffer.from(content) });
    return { small, large };
  }

  /** Stages the run folder (see stage) and then runs `argv` there: one round trip when no input is large. */
  protected async stageAndExec(
    job: Job,
    ctx: SubmitContext,
    dir: string,
    files: Record<string, string | Buffer>,
    argv: readonly string[],
  ): Promise<ExecResult> {
    const { small, large } = this.plan(job, ctx, files);
    if (large.length === 0) return this.shell.writeFilesAndExec(dir, small, argv);
    await this.shell.writeFiles(dir, small);
    for (const [crystalName, local] of large) await this.shell.upload(local, `${dir}/${crystalName}`);
    return this.shell.exec(argv, { cwd: dir });
  }

  /** The run folder of a launch that never started (an upload dropped halfway), removed. */
  async discardLaunch(job: Job, token: string): Promise<void> {
    await this.shell.remove(await this.runDirFor(job, token), { recursive: true });
  }

  /** Files of the run's folder with scheduler / wrapper messages, brought back into `.run/`. */
  protected abstract stderrFiles(handle: RunHandle): string[];

  async fetchOutputs(job: Job, handle: RunHandle, ctx: SubmitContext): Promise<FetchedOutputs> {
    const h = handle as RunHandle & RemoteHandle;
    let entries: { name: string; stat: { size: number; isFile: boolean } }[];
    try {
      entries = await this.shell.list(h.dir);
    } catch (err) {
      if (err instanceof RemoteFileError && err.sftpCode === 2) {
        throw new UserError(`${this.label}: the run folder ${h.dir} is gone — nothing to bring back`);
      }
      throw err;
    }
    const there = new Set(entries.filter((e) => e.stat.isFile).map((e) => e.name));
    const wanted: [string, string][] = [];
    const output = outputFileName(job.name);
    if (there.has(output)) wanted.push([output, path.join(ctx.jobFolder, output)]);
    const kept: string[] = [];
    const runDir = path.join(ctx.jobFolder, RUN_RECORDS_DIR);
    fs.mkdirSync(runDir, { recursive: true });
    const geometry = lastGeometryFile(there, await this.fort34IsStagedInput(job, h.dir, entries, ctx));
    for (const crystalName of Object.keys(KEPT_OUTPUTS)) {
      const from = crystalName === GEOMETRY_OUTPUT ? geometry : crystalName;
      const target = keptNameFor(crystalName, job.name);
      if (!target || from === null || !there.has(from)) continue;
      wanted.push([from, path.join(ctx.jobFolder, target)]);
      kept.push(target);
    }
    const stderrNames = this.stderrFiles(h).filter((n) => there.has(n));
    for (const n of stderrNames) wanted.push([n, path.join(runDir, n)]);
    await Promise.all(wanted.map(([remote, local]) => this.shell.download(`${h.dir}/${remote}`, local)));
    const stderr = stderrNames
      .map((n) => {
        try {
          return fs.readFileSync(path.join(runDir, n), "utf8").slice(-64 * 1024);
        } catch {
          return "";
        }
      })
      .filter(Boolean)
      .join("\n");
    return {
      outputFile: path.join(ctx.jobFolder, output),
      files: kept,
      ...(stderr ? { stderr } : {}),
    };
  }

  /**
   * Whether the run folder's fort.34 is still the EXTERNAL input staged for it (then a killed
   * optimisation's newest optcNNN is its last geometry). Read only when an optcNNN is there; a size
   * that differs settles it without a download.
   */
  private async fort34IsStagedInput(
    job: Job,
    dir: string,
    entries: { name: string; stat: { size: number; isFile: boolean } }[],
    ctx: SubmitContext,
  ): Promise<boolean> {
    const fort34 = entries.find((e) => e.name === GEOMETRY_OUTPUT && e.stat.isFile);
    if (!fort34 || newestOptimisationPoint(entries.map((e) => e.name)) === null) return false;
    const staged = stagedGeometry(job, ctx.jobFolder);
    if (staged === null || staged.length !== fort34.stat.size) return false;
    const copy = path.join(ctx.jobFolder, RUN_RECORDS_DIR, GEOMETRY_OUTPUT);
    await this.shell.download(`${dir}/${GEOMETRY_OUTPUT}`, copy);
    try {
      return staged.equals(fs.readFileSync(copy));
    } finally {
      fs.rmSync(copy, { force: true });
    }
  }

  /** Removes the run folder after a success, unless the cluster keeps remote folders. */
  async cleanup(_job: Job, handle: RunHandle, outcome: { success: boolean }): Promise<void> {
    if (!outcome.success || this.cluster.config.keep_remote) return;
    const h = handle as RunHandle & RemoteHandle;
    const base = await this.baseDir();
    // never anything but a run folder under the cluster's base
    if (!h.dir.startsWith(`${base}/`) || h.dir.includes("/../") || !h.dir.endsWith(`-${h.token}`)) return;
    await this.shell.execOk(["rm", "-rf", "--", h.dir]);
  }

  /** Runs `fn`, turning connection trouble into `fallback` (the engine then changes nothing). */
  protected async orUnknown<T>(fn: () => Promise<T>, fallback: (reason: string) => T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConnectionError) return fallback(err.message);
      throw err;
    }
  }

  /** Shell lines a scheduler adds to the self-test (its commands, its partitions). */
  protected selfTestLines(): string[] {
    return [];
  }

  /** What the self-test's findings say the runner lacks, or null. */
  protected readinessProblem(_found: SelfTestFindings): string | null {
    return null;
  }

  /** The cluster's self-test (shared with `crystal-tui cluster test`). */
  selfTest(): SelfTest {
    return selfTestFor(this.cluster, this.selfTestLines());
  }

  /**
   * Whether jobs can be started on the cluster: it answers, its host key is trusted, the login works,
   * and CRYSTAL is there with the cluster's modules and CRY23_EXEDIR. A success is remembered for
   * the runner's life; a problem is asked again after a while (the user may have fixed it).
   */
  async available(): Promise<{ ok: true } | { ok: false; message: string }> {
    const known = this.readiness;
    if (known && (known.result.ok || Date.now() - known.at < READINESS_RETRY_MS)) return known.result;
    const test = this.selfTest();
    let result: { ok: true } | { ok: false; message: string };
    try {
      const found = test.read((await this.shell.script(test.script)).stdout);
      const crystal = found.programs.has("crystalOMP") || found.programs.has("PcrystalOMP");
      const problem =
        this.readinessProblem(found) ??
        (crystal
          ? null
          : `${this.label}: crystalOMP was not found there — set --crystal-exedir or a --module that provides CRYSTAL (see \`crystal-tui cluster test ${this.cluster.name}\`)`);
      result = problem ? { ok: false, message: problem } : { ok: true };
    } catch (err) {
      // host key refused, login refused, unreachable: the jobs wait, the message says what to do
      if (!(err instanceof UserError)) throw err;
      result = { ok: false, message: err.message };
    }
    this.readiness = { at: Date.now(), result };
    return result;
  }

  async reattach(): Promise<void> {
    // nothing to restore: the run's state lives on the remote side, found again through its handle
  }

  async close(): Promise<void> {
    await this.shell.close();
  }
}

/** The last line of a remote command's stderr (or stdout) — where tools put their error — for a one-line message. */
export function gist(r: Pick<ExecResult, "stderr" | "stdout">): string {
  const line = (r.stderr.trim() || r.stdout.trim()).split("\n").filter(Boolean).pop() ?? "";
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Errors that mean "try the submission again later" without failing the job. */
export class SubmitLaterError extends UserError {
  override readonly name = "SubmitLaterError";
  readonly transient = true;
}
