// Clusters with how many of each one's jobs are active, kept current.
import { useMemo } from "react";
import type { Cluster } from "../../domain/types.js";
import { useProject, useStoreVersion } from "../store-watch.js";

export interface ClusterRow extends Cluster {
  activeJobs: number;
}

export function useClusters(): ClusterRow[] {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(() => {
    const active = store.views.activeJobsByCluster();
    return store.clusters.list().map((c) => ({ ...c, activeJobs: active.get(c.id) ?? 0 }));
  }, [store, version]);
}
