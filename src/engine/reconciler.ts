// Bringing the records in line with what really runs: runs whose engine died (kill -9, a reboot)
// are taken over — re-attached, or a launch that was never recorded is found by its token or given
// back —, jobs handed to a scheduler with a dependency that can no longer be met are taken out of
// its queue and skipped, and cancels that users asked for are carried out.

import { isLaunchMark, isRunHandle, type LaunchMark } from "../domain/run-handle.js";
import type { Job } from "../domain/types.js";
import { recordSubmission } from "./dispatcher.js";
import { type EngineParts, oneLineMessage } from "./parts.js";
import { persist } from "./persist.js";
import { isUnavailable, type Target } from "./targets.js";

export class Reconciler {
  private readonly cancelling = new Set<number>();

  constructor(private readonly e: EngineParts) {}

  /** Takes over the active jobs no live engine holds; returns how many it could not settle yet. */
  async adoptOrphans(liveEngineIds: readonly string[]): Promise<void> {
    const { e } = this;
    for (const job of await e.store.engine.orphaned(liveEngineIds)) {
      if (!(await e.store.engine.adopt(job.id, job.claimedBy, e.id))) continue;
      const t = await e.targets.get(job.clusterId);
      const record = job.runHandle;
      if (!t) {
        await e.finish(job, "FAILED", "lost: its cluster was removed", null);
        continue;
      }
      if (record?.kind === "unreadable") {
        // never started again on a guess: a run may exist that this record would have found
        await e.finish(job, "FAILED", "lost: its run record cannot be read", null);
        continue;
      }
      if (!record) {
        if (job.status === "RUNNING") {
          // running, says its record, but nothing tells where or how: no engine can ever follow it
          if (job.cancelRequested) await e.finish(job, "CANCELLED", "cancelled by user", null);
          else await e.finish(job, "FAILED", "lost: no record of its process to follow", null);
          continue;
        }
        // claimed but never handed to a runner: give it back
        await e.store.engine.requeue(job.id, "engine restarted before launch", e.id);
        e.log(
          `job ${job.id} (${job.name}) was claimed by an engine that stopped before launching it; queued again`,
        );
        continue;
      }
      if (isUnavailable(t)) {
        // its cluster cannot be used as configured: the run is left alone until it can
        await e.store.engine.release(job.id, e.id);
        e.warnOnce(`unavailable:${job.clusterId}`, `${t.cluster.name}: ${t.unavailable}`);
        continue;
      }
      try {
        if (isLaunchMark(record)) await this.settleLaunch(t, job, record);
        else if (isRunHandle(record)) {
          await t.runner.reattach(job, record);
          e.log(`job ${job.id} (${job.name}) re-attached after a restart`);
        }
      } catch (err) {
        // the cluster cannot be reached (or refuses us) right now: leave the run as it is, unclaimed,
        // and ask again next pass — a connection problem never fails a job
        await e.store.engine.release(job.id, e.id);
        e.warnOnce(
          `adopt:${job.clusterId}`,
          `${t.cluster?.name ?? "local"}: ${oneLineMessage(err)} — will retry`,
        );
      }
    }
  }

  /**
   * Jobs this engine holds whose launch a failed write left unfinished (the pass stopped between the
   * claim and the record): one never handed to a runner is given back, a marked launch is settled
   * like a dead engine's. No launch of this engine is in flight between passes.
   */
  async settleOwn(held: readonly Job[]): Promise<void> {
    const { e } = this;
    for (const job of held) {
      const record = job.runHandle;
      if (record === null) {
        await e.store.engine.requeue(job.id, "its launch could not be recorded; queued again", e.id);
        continue;
      }
      if (!isLaunchMark(record)) continue;
      const t = await e.targets.get(job.clusterId);
      if (!t || isUnavailable(t)) {
        await e.store.engine.release(job.id, e.id); // adopted, and judged, like any orphan
        continue;
      }
      try {
        await this.settleLaunch(t, job, record);
      } catch (err) {
        await e.store.engine.release(job.id, e.id);
        e.warnOnce(
          `adopt:${job.clusterId}`,
          `${t.cluster?.name ?? "local"}: ${oneLineMessage(err)} — will retry`,
        );
      }
    }
  }

  /** A launch a dead engine marked but never recorded: found by its token, or given back. */
  private async settleLaunch(t: Target, job: Job, mark: LaunchMark): Promise<void> {
    const { e } = this;
    const found = await t.runner.findLaunch(job, mark.launching, e.ctxFor(job, mark.launching));
    if (found) {
      await persist(e, `job ${job.id} (${job.name}): its launch could not be recorded`, () =>
        recordSubmission(e, job, found),
      );
    } else if (Date.now() - mark.at > (e.options.launchGraceMs ?? 5000)) {
      await e.store.engine.requeue(job.id, "engine restarted before launch", e.id);
    } else {
      // the launch may still be writing its PID: leave it to the next pass
      await e.store.engine.release(job.id, e.id);
    }
  }

  /**
   * Jobs this engine handed to a scheduler with a native dependency that can no longer be met: out
   * of the scheduler's queue, and SKIPPED. Asked only when some held job waits in a queue.
   */
  async skipDoomedQueued(held: readonly Job[]): Promise<void> {
    const { e } = this;
    if (!held.some((j) => j.status === "QUEUED" && isRunHandle(j.runHandle))) return;
    for (const { job, reason } of await e.store.engine.doomedQueued(e.id)) {
      const t = await e.targets.get(job.clusterId);
      if (t && !isUnavailable(t) && isRunHandle(job.runHandle)) {
        try {
          await t.runner.cancel(job, job.runHandle);
        } catch {
          continue; // could not reach the scheduler: try again next pass
        }
      }
      await e.store.engine.skipQueued(job.id, e.id, reason);
      e.log(`job ${job.id} (${job.name}) skipped: ${reason}`);
    }
  }

  /** Stops the held runs whose cancel was asked for (not awaited: a grace period holds nothing up). */
  async carryOutCancels(held: readonly Job[]): Promise<void> {
    const { e } = this;
    for (const job of held) {
      if (!job.cancelRequested || this.cancelling.has(job.id)) continue;
      const handle = job.runHandle;
      if (!isRunHandle(handle)) continue;
      const t = await e.targets.get(job.clusterId);
      if (!t || isUnavailable(t)) continue;
      this.cancelling.add(job.id);
      e.log(`job ${job.id} (${job.name}) cancel requested: stopping it`);
      t.runner
        .cancel(job, handle)
        .catch((err) => e.log(`job ${job.id}: cancel failed (${(err as Error).message}); will retry`))
        .finally(() => {
          this.cancelling.delete(job.id);
          e.kick();
        });
    }
  }
}
