// Clusters with how many of each one's jobs are active, kept current by the view cache.
import type { Cluster } from "../../domain/types.js";
import { useProject } from "../store-watch.js";
import { useCached } from "./cache.js";

export interface ClusterRow extends Cluster {
  activeJobs: number;
}

const NONE: ClusterRow[] = [];

export function useClusters(): ClusterRow[] {
  const { store, cache } = useProject();
  return useCached(
    cache,
    "clusters",
    async () => {
      const active = await store.views.activeJobsByCluster();
      return (await store.clusters.list()).map((c) => ({ ...c, activeJobs: active.get(c.id) ?? 0 }));
    },
    NONE,
  );
}
