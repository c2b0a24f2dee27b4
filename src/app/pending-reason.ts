// Why a pending job has not started — the one answer `job list`, `job show` (and the TUI) give:
// waiting for a parent job, waiting for cores on this machine (needs 8, 2 free), CRYSTAL or mpirun
// not found here, its cluster not usable; else it is ready and waits for an engine (`crystal-tui run`).
import { programOfJob } from "../crystal/deck-file.js";
import { type Discovery, discoverCrystal } from "../crystal/environment.js";
import { coresOf } from "../domain/parallelism.js";
import type { Job } from "../domain/types.js";
import type { ProjectStore } from "../store/port.js";

export type PendingKind = "dependency" | "cores" | "crystal" | "mpirun" | "cluster" | "ready";

export interface PendingReason {
  kind: PendingKind;
  /** In a chemist's words, one line. */
  text: string;
}

export interface PendingContext {
  /** This machine's CRYSTAL, mpirun and cores (default: discovered from the environment). */
  discovery?: Discovery;
}

/** Reasons for several pending jobs at once (the list): one look at the machine and the running jobs. */
export async function pendingReasons(
  store: ProjectStore,
  jobs: readonly Job[],
  ctx: PendingContext = {},
): Promise<Map<number, PendingReason>> {
  const out = new Map<number, PendingReason>();
  const pending = jobs.filter((j) => j.status === "PENDING");
  if (pending.length === 0) return out;
  let discovery = ctx.discovery;
  let usedCores: number | null = null;
  const clusters = new Map((await store.clusters.list()).map((c) => [c.id, c]));
  for (const job of pending) {
    const deps = await store.dependencies.canJobRun(job.id);
    if (!deps.ok) {
      out.set(job.id, { kind: "dependency", text: deps.reasons.join("; ") });
      continue;
    }
    if (job.clusterId !== null) {
      const cluster = clusters.get(job.clusterId);
      if (cluster && cluster.status !== "active") {
        out.set(job.id, {
          kind: "cluster",
          text: `its cluster ${cluster.name} is ${cluster.status} — see \`crystal-tui cluster test ${cluster.name}\``,
        });
        continue;
      }
      out.set(job.id, {
        kind: "ready",
        text: `ready: waits for an engine (\`crystal-tui run\`) to send it to ${cluster?.name ?? "its cluster"}`,
      });
      continue;
    }
    discovery ??= discoverCrystal();
    const { executable, ranks } = programOfJob(job);
    if (!discovery[executable]?.path) {
      out.set(job.id, {
        kind: "crystal",
        text: `${executable} was not found on this machine — set CRY23_EXEDIR (see \`crystal-tui doctor\`)`,
      });
      continue;
    }
    if (ranks > 1 && !discovery.mpirun.path) {
      out.set(job.id, {
        kind: "mpirun",
        text: `mpirun was not found, and its ${ranks} MPI ranks need it — install an MPI or load its module, or run it with --ranks 1`,
      });
      continue;
    }
    if (usedCores === null) {
      const active = await store.jobs.list({ status: ["QUEUED", "RUNNING"], clusterId: null });
      usedCores = active.reduce((n, j) => n + coresOf(j.parallelism), 0);
    }
    const needs = coresOf(job.parallelism);
    const free = Math.max(0, discovery.cores - usedCores);
    // a job larger than the machine runs alone, when nothing else does (src/store/scheduling.ts)
    if (needs > free && usedCores > 0) {
      out.set(job.id, { kind: "cores", text: `waiting for cores (needs ${needs}, ${free} free)` });
    } else {
      const alone =
        needs > discovery.cores
          ? ` (it needs ${needs} cores, more than the ${discovery.cores} here: it runs alone)`
          : "";
      out.set(job.id, { kind: "ready", text: `ready: waits for an engine (\`crystal-tui run\`)${alone}` });
    }
  }
  return out;
}

export async function whyPending(
  store: ProjectStore,
  job: Job,
  ctx: PendingContext = {},
): Promise<PendingReason | null> {
  return (await pendingReasons(store, [job], ctx)).get(job.id) ?? null;
}
