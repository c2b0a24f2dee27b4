// Following what runs: one poll per target for all of its runs (local runs also wake the engine when
// they end), each answer applied — QUEUED → RUNNING with the scheduler's start, a vanished run
// FAILED as lost, a finished one brought back, parsed, and recorded with its outcome — and the
// recording of final statuses itself, with what the engine's hooks plan to record along.
import fs from "node:fs";
import { parseOutputFile } from "../crystal/output-parser.js";
import type { SchedulerAccounting } from "../domain/accounting.js";
import { UserError } from "../domain/errors.js";
import { isRunHandle, type RunHandle } from "../domain/run-handle.js";
import type { Job } from "../domain/types.js";
import type { RunState } from "../runners/types.js";
import type { FollowUp, ParsedResult } from "./hooks.js";
import { decideOutcome } from "./outcome.js";
import { type EngineParts, type FinalStatus, isTransient } from "./parts.js";
import { isUnavailable, type Target } from "./targets.js";

/** A run that ended (finished or vanished), found by a poll, to be recorded by collect(). */
export interface Ended {
  target: Target;
  job: Job;
  state: Extract<RunState, { state: "finished" | "lost" }>;
}

export class Collector {
  constructor(private readonly e: EngineParts) {}

  /**
   * Polls the held runs whose target is due (a cancel asked makes it due at once), records what
   * changed while they run, and returns the runs that ended — so that the engine can start the
   * next jobs in their place before it brings their results back (collect()).
   */
  async poll(held: readonly Job[]): Promise<Ended[]> {
    const ended: Ended[] = [];
    const { e } = this;
    const byTarget = new Map<number | null, Job[]>();
    for (const job of held) {
      if (!isRunHandle(job.runHandle)) continue;
      const list = byTarget.get(job.clusterId) ?? [];
      list.push(job);
      byTarget.set(job.clusterId, list);
    }
    const now = Date.now();
    for (const [clusterId, jobs] of byTarget) {
      const t = await e.targets.get(clusterId);
      if (!t || isUnavailable(t)) continue;
      const due = now - t.lastPoll >= t.runner.pollIntervalMs || jobs.some((j) => j.cancelRequested);
      if (!due && t.cluster !== null) continue;
      t.lastPoll = now;
      // a cluster is polled at most once per interval by all the processes serving this project
      // (TUI, `run --watch`, …): the poll is claimed in the store first; a cancel asked is not held up
      if (t.cluster !== null && clusterId !== null && !jobs.some((j) => j.cancelRequested)) {
        // the clock read now, not at the pass's start: a pass slowed down (a busy machine) must not
        // claim with a time older than another process's claim of a moment ago
        const claim = await e.store.clusters.claimPoll(clusterId, t.runner.pollIntervalMs, Date.now());
        if (!claim.claimed) {
          t.lastPoll = Math.min(now, claim.lastPolledAt); // try again when that poll's interval ends
          continue;
        }
      }
      let states: Map<number, RunState>;
      try {
        states = await t.runner.poll(jobs.map((job) => ({ job, handle: job.runHandle as RunHandle })));
      } catch (err) {
        e.warnOnce(
          `poll:${clusterId}`,
          `could not poll ${t.cluster?.name ?? "local"}: ${(err as Error).message}`,
        );
        continue;
      }
      for (const job of jobs) {
        const state = states.get(job.id);
        if (!state || state.state === "unknown") continue;
        if (
          (state.state === "queued" || state.state === "running") &&
          state.scheduler &&
          job.clusterId !== null
        ) {
          await e.store.engine.setSchedulerDetails(job.id, state.scheduler);
        }
        if (state.state === "queued") {
          if (job.clusterId !== null) await e.store.engine.setPendingReason(job.id, state.detail ?? null);
          continue;
        }
        if (state.state === "running") {
          if (job.clusterId !== null) await e.store.engine.setPendingReason(job.id, null);
          if (job.status === "QUEUED") {
            await e.store.engine.markRunning(job.id, e.id, state.startedAt);
            e.log(`job ${job.id} (${job.name}) running`);
          }
          if (state.nodeList) await e.store.engine.setNodeList(job.id, state.nodeList);
        } else ended.push({ target: t, job, state });
      }
    }
    return ended;
  }

  /** Brings back, parses and records the runs that ended; returns how many were recorded. */
  async collect(ended: readonly Ended[]): Promise<void> {
    for (const { target, job, state } of ended) await this.recordEnd(target, job, state);
  }

  private async recordEnd(t: Target, job: Job, state: Ended["state"]): Promise<void> {
    const { e } = this;
    switch (state.state) {
      case "lost":
        if (job.cancelRequested)
          await e.finish(job, "CANCELLED", "cancelled by user (its processes were killed)", null);
        else await e.finish(job, "FAILED", state.reason, null);
        return;
      case "finished": {
        const handle = job.runHandle as RunHandle;
        const ctx = e.ctxFor(job, String(handle.token ?? ""));
        let parsed: ParsedResult = null;
        let stderrBeforeStart: string | undefined;
        try {
          const fetched = await t.runner.fetchOutputs(job, handle, ctx);
          // no output at all: the run stopped before CRYSTAL started; its stderr says why
          const empty = !fs.existsSync(fetched.outputFile) || fs.statSync(fetched.outputFile).size === 0;
          if (empty && fetched.stderr) stderrBeforeStart = fetched.stderr;
          if (fs.existsSync(fetched.outputFile)) {
            parsed = await parseOutputFile(
              fetched.outputFile,
              fetched.stderr ? { stderrText: fetched.stderr } : {},
            );
          }
        } catch (err) {
          if (isTransient(err)) return; // connection trouble: bring results back next poll
          e.log(`job ${job.id}: could not bring its outputs back: ${(err as Error).message}`);
        }
        const outcome = decideOutcome(state, parsed, {
          cancelRequested: job.cancelRequested,
          ...(stderrBeforeStart !== undefined ? { stderrBeforeStart } : {}),
        });
        await e.finish(
          job,
          outcome.status,
          outcome.reason,
          parsed,
          {
            ...(state.startedAt ? { startedAt: state.startedAt } : {}),
            ...(state.endedAt ? { endedAt: state.endedAt } : {}),
          },
          state.accounting,
        );
        await t.runner
          .cleanup?.(job, handle, { success: outcome.status === "COMPLETED" })
          .catch(() => undefined);
        return;
      }
    }
  }

  /**
   * Records a final status and the results, with what the hooks plan to record along (a retry), in
   * one change of the store; then tells the hooks it happened.
   */
  async finish(
    job: Job,
    status: FinalStatus,
    reason: string | null,
    parsed: ParsedResult,
    times: { startedAt?: string; endedAt?: string } = {},
    accounting?: SchedulerAccounting,
  ): Promise<void> {
    const { e } = this;
    let followUp: FollowUp | null = null;
    for (const hook of e.options.hooks ?? []) {
      if (followUp || !hook.planFinish) continue;
      try {
        followUp = await hook.planFinish(e.project, job, { status, reason }, parsed);
      } catch (err) {
        // a plan that cannot be made never keeps the job's status from being recorded
        const why = err instanceof UserError ? err.message : `internal error: ${(err as Error).message}`;
        followUp = { reason: `${reason ?? status} — not retried: ${why}` };
      }
    }
    const done = await e.store.engine.finish([
      {
        jobId: job.id,
        engineId: e.id,
        status,
        reason,
        result: parsed,
        times,
        followUp,
        ...(accounting ? { accounting } : {}),
      },
    ]);
    // a retry's folder is made by its plan: it goes again when the retry was not recorded
    if (followUp?.retry && !done.retries.has(job.id)) e.files.discard([followUp.retry.job]);
    if (done.finished.length === 0) return;
    e.summary.finished++;
    e.summary.byStatus[status] = (e.summary.byStatus[status] ?? 0) + 1;
    e.log(`job ${job.id} (${job.name}) ${status}${reason ? `: ${reason}` : ""}`);
    // the job as it now is (no second read: only its status and results changed)
    const after: Job = { ...job, status, statusReason: reason, keyResults: parsed };
    for (const hook of e.options.hooks ?? []) await hook.finished?.(e.project, after, parsed);
  }
}
