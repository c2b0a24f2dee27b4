// The job list's data: the window of rows on screen, the total, and the counts per status, re-read
// only when the project changed (or the window / query moved).
import { useMemo } from "react";
import type { JobStatus } from "../../domain/status.js";
import type { JobListQuery, JobListRow } from "../queries.js";
import { useProject, useStoreVersion } from "../store-watch.js";

export interface JobsWindow {
  rows: JobListRow[];
  total: number;
  counts: Record<JobStatus, number>;
}

export function useJobs(query: JobListQuery, offset: number, limit: number): JobsWindow {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(
    () => ({
      rows: store.views.jobWindow(query, offset, limit),
      total: store.views.countJobs(query),
      counts: store.views.statusCounts(),
    }),
    [store, version, query.status, query.search, query.sort, query.descending, offset, limit],
  );
}

/** Only the counts per status (for the status line of screens other than the job list). */
export function useStatusCounts(): Record<JobStatus, number> {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(() => store.views.statusCounts(), [store, version]);
}
