// Starting jobs: how many each target may take now (local: the cores ranks × threads need; a
// cluster: its max_jobs), one guarded claim per target that has jobs waiting, then for each claimed
// job the hooks' preparation (a deck rendered from its parents' results), the files it takes from
// its parents, a launch mark recorded before the runner starts anything (so a crash in between is
// found again, never run twice), the launch, and its record. A cluster's claimed jobs are launched a
// few at once (launches-at-once.ts), the local machine's one after the other.
import { NotRunnableHere, UserError } from "../domain/errors.js";
import { coresOf } from "../domain/parallelism.js";
import { isRunHandle } from "../domain/run-handle.js";
import { isActive } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import { defaultCores, newToken } from "../runners/local.js";
import type { Submission, SubmitContext } from "../runners/types.js";
import type { Load } from "../store/records.js";
import { CLUSTER_LAUNCHES_AT_ONCE, eachAtMost } from "./launches-at-once.js";
import { type EngineParts, isTransient, oneLineMessage } from "./parts.js";
import { persist } from "./persist.js";
import { isUnavailable, type Target } from "./targets.js";

interface Capacity {
  maxJobs: number;
  freeCores?: number;
  idle?: boolean;
}

/**
 * Records a launch (its handle, command line, remote record, RUNNING when it already runs); false
 * when the job was no longer this engine's to launch (cancelled, its cluster removed, meanwhile).
 */
export async function recordSubmission(e: EngineParts, job: Job, submission: Submission): Promise<boolean> {
  return e.store.engine.recordSubmission(job.id, e.id, {
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

/**
 * How long a job found not runnable here (no mpirun, no CRYSTAL binary) is left alone before it is
 * tried again — a watching engine (the TUI's) sees an MPI installed or a module loaded meanwhile.
 */
export const NOT_RUNNABLE_RETRY_MS = 60_000;

export class Dispatcher {
  /** Jobs that cannot start on this machine as it is: when they were found so, and why. */
  private readonly notHere = new Map<number, { at: number; line: string }>();

  constructor(private readonly e: EngineParts) {}

  private excluded(): number[] {
    const now = Date.now();
    const out: number[] = [];
    for (const [id, { at, line }] of this.notHere) {
      if (now - at >= NOT_RUNNABLE_RETRY_MS) this.notHere.delete(id);
      else {
        out.push(id);
        this.blocked(`not-here:${id}`, line);
      }
    }
    return out;
  }

  /**
   * Claims and launches what each target can take now; returns how many jobs it claimed. `ended`
   * are runs known to have ended whose records still say they run: their places are free.
   */
  async dispatch(load: Load, ended: readonly Job[] = []): Promise<number> {
    const { e } = this;
    let claimedCount = 0;
    const cap = e.options.maxJobs ?? Number.POSITIVE_INFINITY;
    for (const [clusterId, counts] of load.targets) {
      const gone = ended.filter((j) => j.clusterId === clusterId);
      const pending = counts.pending;
      const active = Math.max(0, counts.active - gone.length);
      const usedCores = Math.max(0, counts.cores - gone.reduce((n, j) => n + coresOf(j.parallelism), 0));
      if (pending === 0) continue;
      const t = await e.targets.get(clusterId);
      if (!t) continue;
      if (isUnavailable(t)) {
        // a cluster that cannot be used as configured waits with its reason; the others go on
        this.blocked(`unavailable:${clusterId}`, `${t.cluster.name}: ${t.unavailable}`);
        continue;
      }
      const capacity = this.capacityOf(t, active, usedCores, cap);
      if (!capacity || capacity.maxJobs <= 0) continue;
      const ready = (await t.runner.available?.()) ?? { ok: true as const };
      if (!ready.ok) {
        this.blocked(
          `unavailable:${clusterId}`,
          `${t.cluster?.name ?? "local"}: ${ready.message}`,
          ready.message,
        );
        continue;
      }
      const exclude = clusterId === null ? this.excluded() : [];
      const claimed = await e.store.engine.claim(e.id, {
        clusterId,
        ...capacity,
        ...(exclude.length > 0 ? { exclude } : {}),
        ...(t.runner.supportsNativeDependencies ? { nativeDependencies: t.runner.kind } : {}),
      });
      claimedCount += claimed.length;
      const atOnce = clusterId === null ? 1 : CLUSTER_LAUNCHES_AT_ONCE;
      await eachAtMost(claimed, atOnce, (job) => this.launch(t, job));
    }
    return claimedCount;
  }

  private blocked(key: string, line: string, reason = line): void {
    this.e.warnOnce(key, line);
    if (!this.e.summary.blocked.includes(reason)) this.e.summary.blocked.push(reason);
  }

  private capacityOf(t: Target, active: number, usedCores: number, cap: number): Capacity | null {
    if (t.cluster === null) {
      const cores = this.e.options.cores ?? defaultCores();
      const limit = Math.min(cap, cores);
      return {
        maxJobs: Math.max(0, limit - active),
        freeCores: Math.max(0, cores - usedCores),
        idle: active === 0,
      };
    }
    if (t.cluster.status !== "active") return null;
    const limit = Math.min(cap, t.cluster.config.max_jobs ?? (t.cluster.type === "ssh" ? 4 : 100));
    return { maxJobs: Math.max(0, limit - active) };
  }

  private async launch(t: Target, claimed: Job): Promise<void> {
    const { e } = this;
    let job = claimed;
    const token = newToken();
    const ctx = e.ctxFor(job, token);
    try {
      for (const hook of e.options.hooks ?? []) job = (await hook.prepare?.(e.project, job)) ?? job;
      await this.copyInputsFromParents(job);
      if (t.runner.supportsNativeDependencies) ctx.nativeDependencies = await this.nativeDependencies(job);
    } catch (err) {
      await e.finish(job, "FAILED", oneLineMessage(err), null);
      return;
    }
    await e.store.engine.recordHandle(job.id, e.id, {
      kind: t.runner.kind,
      launching: token,
      at: Date.now(),
    });
    let submission: Submission;
    try {
      submission = await t.runner.submit(job, ctx);
    } catch (err) {
      if (isTransient(err)) {
        // the launch may or may not have happened: the next pass asks findLaunch() before retrying
        e.warnOnce(
          `submit:${t.cluster?.id}`,
          `${t.cluster?.name ?? "local"}: ${oneLineMessage(err)} — will retry`,
        );
        await e.store.engine.release(job.id, e.id);
        return;
      }
      await e.store.engine.clearHandle(job.id, e.id);
      if (err instanceof NotRunnableHere) {
        // nothing was started: the job waits, saying why, instead of failing for want of mpirun
        const reason = oneLineMessage(err);
        const line = `job ${job.id} (${job.name}) waits: ${reason}`;
        await e.store.engine.requeue(job.id, reason, e.id);
        this.notHere.set(job.id, { at: Date.now(), line });
        this.blocked(`not-here:${job.id}`, line);
        return;
      }
      await e.finish(job, "FAILED", oneLineMessage(err), null);
      return;
    }
    // from here CRYSTAL may run: its record is written whatever it takes, or the engine stops with
    // the launch mark in place — never cleared, never taken for a failed launch
    const recorded = await persist(e, `job ${job.id} (${job.name}): its launch could not be recorded`, () =>
      recordSubmission(e, job, submission),
    );
    if (!recorded) {
      // its job ended while it was launched: the run must not go on for nobody
      await t.runner.cancel(job, submission.handle).catch(() => undefined);
      return;
    }
    e.summary.started++;
    e.log(
      `job ${job.id} (${job.name}) ${submission.state === "running" ? "started" : "queued"} on ${t.cluster?.name ?? "local"}`,
    );
  }

  /** Copies files a job takes from its parents' results (inputs_from) into its folder. */
  private async copyInputsFromParents(job: Job): Promise<void> {
    if (job.inputsFrom.length === 0) return;
    const parents = new Map(
      (await this.e.store.jobs.byIds(job.inputsFrom.map((i) => i.jobId))).map((p) => [p.id, p]),
    );
    for (const input of job.inputsFrom) {
      const parent = parents.get(input.jobId);
      if (parent && this.e.files.copyFromParent(job, parent, input.ext)) continue;
      if (input.optional) continue;
      throw new UserError(
        `job ${job.id} needs ${input.ext} from job ${input.jobId}${parent ? ` (${parent.name})` : ""}, which did not produce it`,
      );
    }
  }

  /** Parents on the same cluster still in the scheduler's hands: handed to it as dependencies. */
  private async nativeDependencies(job: Job): Promise<SubmitContext["nativeDependencies"]> {
    const deps = (await this.e.store.dependencies.dependenciesOf(job.id)).filter((d) =>
      isActive(d.otherStatus),
    );
    if (deps.length === 0) return [];
    const parents = new Map(
      (await this.e.store.jobs.byIds(deps.map((d) => d.dependsOnJobId))).map((p) => [p.id, p]),
    );
    const out: NonNullable<SubmitContext["nativeDependencies"]> = [];
    for (const dep of deps) {
      const parent = parents.get(dep.dependsOnJobId);
      if (!isRunHandle(parent?.runHandle) || parent.clusterId !== job.clusterId) continue;
      out.push({ handle: parent.runHandle, type: dep.type });
    }
    return out;
  }
}
