// The engine: a loop that claims runnable jobs, hands them to their runner, polls what runs, writes
// every transition, and finishes jobs whose dependencies can never be met. Any number of engines
// (several `crystal-tui run`, the TUI) can serve one project: they coordinate only through guarded
// statements in the database (src/store/engine-store.ts), never through memory.
import fs from "node:fs";
import { parseOutputFile } from "../crystal/output-parser.js";
import { ProjectFiles } from "../crystal/project-files.js";
import { UserError } from "../domain/errors.js";
import { ACTIVE_STATUSES } from "../domain/status.js";
import type { Cluster, Job } from "../domain/types.js";
import { defaultCores, newToken } from "../runners/local.js";
import type { RunHandle, Runner, RunnerFactory, RunState, SubmitContext } from "../runners/types.js";
import type { ProjectStore } from "../store/port.js";
import type { EngineHooks, FollowUp, ParsedResult, Project } from "./hooks.js";
import { decideOutcome } from "./outcome.js";
import { engineServing, liveEngines, newEngineId, registerEngine } from "./registry.js";

export interface EngineOptions {
  /** Keep serving when nothing is left to do (TUI, `run --watch`); otherwise stop when idle. */
  watch?: boolean;
  /** At most this many jobs at once per cluster (and locally) for this engine. */
  maxJobs?: number;
  /** Cores of this machine that local jobs may use (default: all). */
  cores?: number;
  /** The project's job folders (default: those of the store's project folder). */
  files?: ProjectFiles;
  /** Builds the runner of a cluster (null = local). */
  runnerFactory: RunnerFactory;
  hooks?: EngineHooks[];
  /** Progress lines ("job 3 (mgo) started") for `crystal-tui run`. */
  log?: (line: string) => void;
  /** Upper bound of the wait between ticks when nothing wakes the engine. */
  maxIdleMs?: number;
  /** A launch recorded more than this long ago without a PID file is taken as never started. */
  launchGraceMs?: number;
}

export interface EngineSummary {
  started: number;
  finished: number;
  byStatus: Record<string, number>;
  /** Why the engine stopped while jobs were still pending, if it did. */
  blocked: string[];
}

interface Target {
  runner: Runner;
  cluster: Cluster | null;
  lastPoll: number;
}

const ACTIVE = ACTIVE_STATUSES;

export class Engine {
  readonly id = newEngineId();
  private readonly targets = new Map<number | null, Target>();
  private readonly cancelling = new Set<number>();
  private stopping = false;
  private wake: (() => void) | null = null;
  private woken = false;
  private loop: Promise<EngineSummary> | null = null;
  private readonly summary: EngineSummary = { started: 0, finished: 0, byStatus: {}, blocked: [] };
  private readonly warned = new Set<string>();

  private readonly files: ProjectFiles;
  private readonly project: Project;

  constructor(
    private readonly store: ProjectStore,
    private readonly options: EngineOptions,
  ) {
    this.files = options.files ?? new ProjectFiles(store.projectDir);
    this.project = { store, files: this.files };
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private warnOnce(key: string, line: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log(line);
  }

  /** Runs until idle (or until stop() in watch mode). */
  run(): Promise<EngineSummary> {
    if (!this.loop) this.loop = this.runLoop();
    return this.loop;
  }

  /** Starts the loop in the background (TUI). */
  start(): void {
    void this.run().catch((err) => this.log(`engine stopped: ${(err as Error).message}`));
  }

  /** Stops the loop; runs in progress keep running and are re-attached by the next engine. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.kick();
    if (this.loop) await this.loop.catch(() => undefined);
  }

  private kick(): void {
    this.woken = true;
    this.wake?.();
  }

  private async runLoop(): Promise<EngineSummary> {
    await registerEngine(this.store, this.id);
    try {
      let failures = 0;
      for (;;) {
        if (this.stopping) break;
        let busy = true;
        try {
          busy = await this.tick();
          failures = 0;
        } catch (err) {
          // one bad pass (a database held busy too long, a runner's surprise) must not stop the
          // engine that serves the TUI; `crystal-tui run` gives up only when it keeps happening
          failures++;
          this.log(`engine: ${oneLineMessage(err)} — retrying`);
          if (!this.options.watch && failures >= 5) throw err;
        }
        if (!busy && !this.options.watch) break;
        if (this.stopping) break;
        await this.idle(this.nextWaitMs());
      }
    } finally {
      for (const t of this.targets.values()) await t.runner.close().catch(() => undefined);
      await this.store.engine.unregister(this.id);
    }
    return this.summary;
  }

  private nextWaitMs(): number {
    let wait = this.options.maxIdleMs ?? 1000;
    const now = Date.now();
    for (const t of this.targets.values())
      wait = Math.min(wait, Math.max(0, t.lastPoll + t.runner.pollIntervalMs - now));
    return Math.max(wait, 20);
  }

  private idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        this.woken = false;
        done();
      };
    });
  }

  private async target(clusterId: number | null): Promise<Target | null> {
    const known = this.targets.get(clusterId);
    if (known) return known;
    const cluster = clusterId === null ? null : ((await this.store.clusters.get(clusterId)) ?? null);
    if (clusterId !== null && !cluster) return null;
    const runner = this.options.runnerFactory(cluster);
    runner.onWake = () => this.kick();
    const t: Target = { runner, cluster, lastPoll: 0 };
    this.targets.set(clusterId, t);
    return t;
  }

  private ctxFor(job: Job, token: string): SubmitContext {
    return { jobFolder: this.files.folderOf(job), token };
  }

  /**
   * One pass. Returns whether there is still something to wait for (own runs, or pending jobs that
   * may become runnable).
   */
  async tick(): Promise<boolean> {
    await this.store.engine.heartbeat(this.id);
    const live = await this.adoptOrphans();
    await this.store.engine.skipDoomed();
    await this.skipDoomedQueued();
    await this.handleCancelRequests();
    await this.pollHeld();
    await this.claimAndSubmit();
    const held = (await this.store.engine.held(this.id)).length;
    if (held > 0) return true;
    // a run whose launch is still settling after a crash (see adoptOrphans) is nobody's yet: wait for it
    if ((await this.store.engine.orphaned([...live, this.id])).length > 0) return true;
    const pending = await this.store.engine.countByStatus(["PENDING"]);
    if (pending === 0) return false;
    // pending jobs remain: worth waiting only if someone is running what they wait for
    const othersActive = (await this.store.engine.countByStatus(ACTIVE)) > 0;
    if (othersActive) return true;
    const blocked = `${pending} job(s) still pending: nothing runnable (see \`crystal-tui job show ID\`)`;
    if (!this.summary.blocked.includes(blocked)) this.summary.blocked.push(blocked);
    return false;
  }

  /** Takes over runs whose engine died (kill -9, reboot), and starts over claims never launched. */
  /** Returns the ids of the live engines, which the rest of the pass reuses. */
  private async adoptOrphans(): Promise<string[]> {
    const live = (await liveEngines(this.store)).map((e) => e.id);
    if (!live.includes(this.id)) await registerEngine(this.store, this.id);
    for (const job of await this.store.engine.orphaned([...live, this.id])) {
      if (!(await this.store.engine.adopt(job.id, job.claimedBy, this.id))) continue;
      const t = await this.target(job.clusterId);
      const handle = job.runHandle as RunHandle | null;
      if (!t) {
        await this.finish(job, "FAILED", "lost: its cluster was removed", null);
        continue;
      }
      if (!handle) {
        // claimed but never handed to a runner: give it back
        await this.store.engine.requeue(job.id, "engine restarted before launch", this.id);
        this.log(
          `job ${job.id} (${job.name}) was claimed by an engine that stopped before launching it; queued again`,
        );
        continue;
      }
      try {
        await this.resume(t, job, handle);
      } catch (err) {
        // the cluster cannot be reached (or refuses us) right now: leave the run as it is, unclaimed,
        // and ask again next pass — a connection problem never fails a job
        await this.store.engine.release(job.id, this.id);
        this.warnOnce(
          `adopt:${job.clusterId}`,
          `${t.cluster?.name ?? "local"}: ${oneLineMessage(err)} — will retry`,
        );
      }
    }
    return live;
  }

  /** Re-attaches to a run recorded by a dead engine, or settles a launch it never recorded. */
  private async resume(t: Target, job: Job, handle: RunHandle): Promise<void> {
    const launching = typeof handle.launching === "string" ? handle.launching : null;
    if (launching) {
      const found = await t.runner.findLaunch(job, launching, this.ctxFor(job, launching));
      if (found) {
        await this.recordSubmission(job, found);
      } else if (Date.now() - Number(handle.at ?? 0) > (this.options.launchGraceMs ?? 5000)) {
        await this.store.engine.requeue(job.id, "engine restarted before launch", this.id);
      } else {
        // the launch may still be writing its PID: leave it to the next pass
        await this.store.engine.release(job.id, this.id);
      }
      return;
    }
    await t.runner.reattach(job, handle);
    this.log(`job ${job.id} (${job.name}) re-attached after a restart`);
  }

  private async skipDoomedQueued(): Promise<void> {
    for (const { job, reason } of await this.store.engine.doomedQueued(this.id)) {
      const t = await this.target(job.clusterId);
      if (t && job.runHandle) {
        try {
          await t.runner.cancel(job, job.runHandle as RunHandle);
        } catch {
          continue; // could not reach the scheduler: try again next pass
        }
      }
      await this.store.engine.skipQueued(job.id, this.id, reason);
      this.log(`job ${job.id} (${job.name}) skipped: ${reason}`);
    }
  }

  private async handleCancelRequests(): Promise<void> {
    for (const id of await this.store.engine.cancelRequests(this.id)) {
      if (this.cancelling.has(id)) continue;
      const job = await this.store.jobs.get(id);
      if (!job) continue;
      const t = await this.target(job.clusterId);
      const handle = job.runHandle as RunHandle | null;
      if (!handle || typeof handle.launching === "string" || !t) continue;
      this.cancelling.add(id);
      this.log(`job ${id} (${job.name}) cancel requested: stopping it`);
      // not awaited: a grace period must not hold up the other jobs
      t.runner
        .cancel(job, handle)
        .catch((err) => this.log(`job ${id}: cancel failed (${(err as Error).message}); will retry`))
        .finally(() => {
          this.cancelling.delete(id);
          this.kick();
        });
    }
  }

  private async pollHeld(): Promise<void> {
    const held = await this.store.engine.held(this.id);
    const byTarget = new Map<number | null, Job[]>();
    for (const job of held) {
      if (!job.runHandle || typeof job.runHandle.launching === "string") continue;
      const list = byTarget.get(job.clusterId) ?? [];
      list.push(job);
      byTarget.set(job.clusterId, list);
    }
    const now = Date.now();
    for (const [clusterId, jobs] of byTarget) {
      const t = await this.target(clusterId);
      if (!t) continue;
      if (
        now - t.lastPoll < t.runner.pollIntervalMs &&
        !jobs.some((j) => j.cancelRequested) &&
        t.cluster !== null
      ) {
        continue;
      }
      t.lastPoll = now;
      let states: Map<number, RunState>;
      try {
        states = await t.runner.poll(jobs.map((job) => ({ job, handle: job.runHandle as RunHandle })));
      } catch (err) {
        this.warnOnce(
          `poll:${clusterId}`,
          `could not poll ${t.cluster?.name ?? "local"}: ${(err as Error).message}`,
        );
        continue;
      }
      for (const job of jobs) {
        const state = states.get(job.id);
        if (state) await this.apply(t, job, state);
      }
    }
  }

  private async apply(t: Target, job: Job, state: RunState): Promise<void> {
    switch (state.state) {
      case "queued":
      case "unknown":
        return;
      case "running":
        if (job.status === "QUEUED") {
          await this.store.engine.markRunning(job.id, this.id, state.startedAt);
          this.log(`job ${job.id} (${job.name}) running`);
        }
        if (state.nodeList) await this.store.engine.setNodeList(job.id, state.nodeList);
        return;
      case "lost":
        if (job.cancelRequested)
          await this.finish(job, "CANCELLED", "cancelled by user (its processes were killed)", null);
        else await this.finish(job, "FAILED", state.reason, null);
        return;
      case "finished": {
        const ctx = this.ctxFor(job, String(job.runHandle?.token ?? ""));
        let parsed: ParsedResult = null;
        let stderr: string | undefined;
        try {
          const fetched = await t.runner.fetchOutputs(job, job.runHandle as RunHandle, ctx);
          stderr = fetched.stderr;
          if (fs.existsSync(fetched.outputFile)) {
            parsed = await parseOutputFile(fetched.outputFile, stderr ? { stderrText: stderr } : {});
          }
        } catch (err) {
          if (isTransient(err)) return; // connection trouble: bring results back next poll
          this.log(`job ${job.id}: could not bring its outputs back: ${(err as Error).message}`);
        }
        const outcome = decideOutcome(state, parsed, {
          cancelRequested: job.cancelRequested,
        });
        await this.finish(job, outcome.status, outcome.reason, parsed, {
          ...(state.startedAt ? { startedAt: state.startedAt } : {}),
          ...(state.endedAt ? { endedAt: state.endedAt } : {}),
        });
        await t.runner
          .cleanup?.(job, job.runHandle as RunHandle, { success: outcome.status === "COMPLETED" })
          .catch(() => undefined);
        return;
      }
    }
  }

  /**
   * Records a final status and the results, with what the hooks plan to record along (a retry), in
   * one change of the store; then tells the hooks it happened.
   */
  private async finish(
    job: Job,
    status: "COMPLETED" | "FAILED" | "CANCELLED",
    reason: string | null,
    parsed: ParsedResult,
    times: { startedAt?: string; endedAt?: string } = {},
  ): Promise<void> {
    let followUp: FollowUp | null = null;
    for (const hook of this.options.hooks ?? []) {
      if (followUp || !hook.planFinish) continue;
      try {
        followUp = await hook.planFinish(this.project, job, { status, reason }, parsed);
      } catch (err) {
        // a plan that cannot be made never keeps the job's status from being recorded
        const why = err instanceof UserError ? err.message : `internal error: ${(err as Error).message}`;
        followUp = { reason: `${reason ?? status} — not retried: ${why}` };
      }
    }
    const done = await this.store.engine.finish([
      { jobId: job.id, engineId: this.id, status, reason, result: parsed, times, followUp },
    ]);
    // a retry's folder is made by its plan: it goes again when the retry was not recorded
    if (followUp?.retry && !done.retries.has(job.id)) this.files.discard([followUp.retry.job]);
    if (done.finished.length === 0) return;
    this.summary.finished++;
    this.summary.byStatus[status] = (this.summary.byStatus[status] ?? 0) + 1;
    this.log(`job ${job.id} (${job.name}) ${status}${reason ? `: ${reason}` : ""}`);
    const after = await this.store.jobs.get(job.id);
    for (const hook of this.options.hooks ?? [])
      if (after) await hook.finished?.(this.project, after, parsed);
  }

  private async capacity(): Promise<
    Map<number | null, { maxJobs: number; freeCores?: number; idle?: boolean }>
  > {
    const { perCluster, localCores } = await this.store.engine.activeLoad();
    const caps = new Map<number | null, { maxJobs: number; freeCores?: number; idle?: boolean }>();
    const cap = this.options.maxJobs ?? Number.POSITIVE_INFINITY;
    for (const clusterId of await this.store.engine.pendingTargets()) {
      const active = perCluster.get(clusterId) ?? 0;
      if (clusterId === null) {
        const cores = this.options.cores ?? defaultCores();
        const limit = Math.min(cap, cores);
        caps.set(null, {
          maxJobs: Math.max(0, limit - active),
          freeCores: Math.max(0, cores - localCores),
          idle: active === 0,
        });
      } else {
        const cluster = await this.store.clusters.get(clusterId);
        if (cluster?.status !== "active") continue;
        const limit = Math.min(cap, cluster.config.max_jobs ?? (cluster.type === "slurm" ? 100 : 4));
        caps.set(clusterId, { maxJobs: Math.max(0, limit - active) });
      }
    }
    return caps;
  }

  private async claimAndSubmit(): Promise<void> {
    for (const [clusterId, cap] of await this.capacity()) {
      if (cap.maxJobs <= 0) continue;
      const t = await this.target(clusterId);
      if (!t) continue;
      const ready = (await t.runner.available?.()) ?? { ok: true as const };
      if (!ready.ok) {
        this.warnOnce(`unavailable:${clusterId}`, `${t.cluster?.name ?? "local"}: ${ready.message}`);
        if (!this.summary.blocked.includes(ready.message)) this.summary.blocked.push(ready.message);
        continue;
      }
      const claimed = await this.store.engine.claim(this.id, {
        clusterId,
        ...cap,
        ...(t.runner.supportsNativeDependencies ? { nativeDependencies: t.runner.kind } : {}),
      });
      for (const job of claimed) await this.launch(t, job);
    }
  }

  private async launch(t: Target, claimed: Job): Promise<void> {
    let job = claimed;
    const token = newToken();
    const ctx = this.ctxFor(job, token);
    try {
      for (const hook of this.options.hooks ?? []) await hook.prepare?.(this.project, job);
      job = await this.store.jobs.require(job.id);
      await this.copyInputsFromParents(job);
      if (t.runner.supportsNativeDependencies) ctx.nativeDependencies = await this.nativeDependencies(job);
    } catch (err) {
      await this.finish(job, "FAILED", oneLineMessage(err), null);
      return;
    }
    await this.store.engine.recordHandle(job.id, this.id, {
      kind: t.runner.kind,
      launching: token,
      at: Date.now(),
    });
    try {
      const submission = await t.runner.submit(job, ctx);
      await this.recordSubmission(job, submission);
      this.summary.started++;
      this.log(
        `job ${job.id} (${job.name}) ${submission.state === "running" ? "started" : "queued"} on ${t.cluster?.name ?? "local"}`,
      );
    } catch (err) {
      if (isTransient(err)) {
        // the launch may or may not have happened: the next pass asks findLaunch() before retrying
        this.warnOnce(
          `submit:${t.cluster?.id}`,
          `${t.cluster?.name ?? "local"}: ${oneLineMessage(err)} — will retry`,
        );
        await this.store.engine.release(job.id, this.id);
        return;
      }
      await this.store.engine.clearHandle(job.id, this.id);
      await this.finish(job, "FAILED", oneLineMessage(err), null);
    }
  }

  private async recordSubmission(job: Job, submission: Awaited<ReturnType<Runner["submit"]>>): Promise<void> {
    await this.store.engine.recordSubmission(job.id, this.id, {
      handle: submission.handle,
      commandLine: submission.commandLine,
      ...(submission.remote && job.clusterId !== null
        ? { remote: { ...submission.remote, clusterId: job.clusterId } }
        : {}),
      ...(submission.state === "running"
        ? { running: submission.pid !== undefined ? { pid: submission.pid } : {} }
        : {}),
    });
  }

  /** Copies files a job takes from its parents' results (inputs_from) into its folder. */
  private async copyInputsFromParents(job: Job): Promise<void> {
    for (const input of job.inputsFrom) {
      const parent = await this.store.jobs.get(input.jobId);
      if (parent && this.files.copyFromParent(job, parent, input.ext)) continue;
      if (input.optional) continue;
      throw new UserError(
        `job ${job.id} needs ${input.ext} from job ${input.jobId}${parent ? ` (${parent.name})` : ""}, which did not produce it`,
      );
    }
  }

  private async nativeDependencies(job: Job): Promise<SubmitContext["nativeDependencies"]> {
    const out: NonNullable<SubmitContext["nativeDependencies"]> = [];
    for (const dep of await this.store.dependencies.dependenciesOf(job.id)) {
      if (dep.otherStatus !== "QUEUED" && dep.otherStatus !== "RUNNING") continue;
      const parent = await this.store.jobs.get(dep.dependsOnJobId);
      if (!parent?.runHandle || parent.clusterId !== job.clusterId) continue;
      out.push({ handle: parent.runHandle as RunHandle, type: dep.type });
    }
    return out;
  }
}

function oneLineMessage(err: unknown): string {
  return (err as Error).message.split("\n")[0] ?? String(err);
}

/** Connection trouble that must not fail a job (the transport marks it). */
export function isTransient(err: unknown): boolean {
  return (err as { transient?: boolean })?.transient === true;
}

export { engineServing };
