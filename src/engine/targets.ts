// Where an engine runs jobs: this machine (target null) and each cluster, each with its runner,
// built when first needed. A cluster edited while the engine runs (its settings stamp changed) gets
// a new runner built from its new settings; a removed one goes. A runner that cannot be built (bad
// settings, an unknown scheduler) makes only its cluster unavailable, with the reason — the other
// targets go on.
import type { Cluster } from "../domain/types.js";
import type { Runner, RunnerFactory } from "../runners/types.js";
import type { ProjectStore } from "../store/port.js";

export interface Target {
  runner: Runner;
  cluster: Cluster | null;
  lastPoll: number;
}

/** A cluster whose runner could not be built: the reason says what to fix. */
export interface Unavailable {
  unavailable: string;
  cluster: Cluster;
}

export type TargetLookup = Target | Unavailable | null;

export function isUnavailable(t: TargetLookup): t is Unavailable {
  return t !== null && "unavailable" in t;
}

export class Targets {
  private readonly known = new Map<number | null, Target | Unavailable>();
  private stamp: string | null = null;

  constructor(
    private readonly store: ProjectStore,
    private readonly factory: RunnerFactory,
    private readonly onWake: () => void,
  ) {}

  /** The built targets (for the wait until the next poll, and for closing). */
  built(): Target[] {
    return [...this.known.values()].filter((t): t is Target => !isUnavailable(t));
  }

  /**
   * Follows edits of clusters: when their stamp (store.engine.load) changed, every cluster target
   * whose settings changed is dropped (its runner closed once its work is done), so the next use
   * builds it again from the new settings. Costs a query only when something changed.
   */
  async follow(clustersStamp: string): Promise<void> {
    if (this.stamp === clustersStamp) return;
    const first = this.stamp === null;
    this.stamp = clustersStamp;
    if (first) return;
    const now = new Map((await this.store.clusters.list()).map((c) => [c.id, c]));
    for (const [id, t] of this.known) {
      if (id === null) continue;
      const fresh = now.get(id);
      if (fresh && fresh.updatedAt === t.cluster?.updatedAt) continue;
      this.known.delete(id);
      if (!isUnavailable(t)) void t.runner.close().catch(() => undefined);
    }
  }

  /** The target of a cluster (null = this machine); null when the cluster no longer exists. */
  async get(clusterId: number | null): Promise<TargetLookup> {
    const known = this.known.get(clusterId);
    if (known) return known;
    const cluster = clusterId === null ? null : ((await this.store.clusters.get(clusterId)) ?? null);
    if (clusterId !== null && !cluster) return null;
    // another call may have built it while the store answered
    const raced = this.known.get(clusterId);
    if (raced) return raced;
    let t: Target | Unavailable;
    try {
      const runner = this.factory(cluster);
      runner.onWake = this.onWake;
      t = { runner, cluster, lastPoll: 0 };
    } catch (err) {
      t = { unavailable: oneLine(err), cluster: cluster! };
    }
    this.known.set(clusterId, t);
    return t;
  }

  async closeAll(): Promise<void> {
    for (const t of this.built()) await t.runner.close().catch(() => undefined);
    this.known.clear();
  }
}

function oneLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0] ?? String(err);
}
