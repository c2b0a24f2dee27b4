// A SLURM cluster's queue (`squeue --me`) while the queue screen shows it: asked at once, then again
// at the cluster's poll interval (the limit a site sets holds for this screen too), and not at all
// once the screen is left. The remote call never blocks the screen: the last answer stays shown.
import { useEffect, useState } from "react";
import { clusterQueue, type QueueEntry } from "../../app/cluster-queue.js";
import { shellFor } from "../../app/runners.js";
import { oneLine } from "../../domain/errors.js";
import { pollIntervalMsFor } from "../../domain/poll-interval.js";
import type { Cluster } from "../../domain/types.js";
import { useProject } from "../store-watch.js";

export interface QueueView {
  entries: QueueEntry[] | null;
  error: string | null;
  /** When the shown answer came (ms since the epoch), or null before the first. */
  fetchedAt: number | null;
  loading: boolean;
  everyMs: number | null;
}

const NOTHING: QueueView = { entries: null, error: null, fetchedAt: null, loading: false, everyMs: null };

/** `refresh` changing asks again at once (the screen's `r`). */
export function useClusterQueue(cluster: Cluster | null, refresh: number): QueueView {
  const { store } = useProject();
  const [view, setView] = useState<QueueView>(NOTHING);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a refresh asks again
  useEffect(() => {
    setView(NOTHING);
    if (!cluster) return;
    const everyMs = pollIntervalMsFor(cluster, cluster.hostname);
    let shell: ReturnType<typeof shellFor> | null = null;
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    const ask = async () => {
      setView((v) => ({ ...v, loading: true, everyMs }));
      try {
        shell ??= shellFor(cluster);
        const entries = await clusterQueue(store, cluster, shell);
        if (!stopped) setView({ entries, error: null, fetchedAt: Date.now(), loading: false, everyMs });
      } catch (err) {
        if (!stopped)
          setView((v) => ({ ...v, error: oneLine((err as Error).message), loading: false, everyMs }));
      }
      if (!stopped) timer = setTimeout(() => void ask(), everyMs);
    };
    void ask();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      void shell?.close().catch(() => undefined);
    };
  }, [cluster?.id, cluster?.updatedAt, store, refresh]);
  return view;
}
