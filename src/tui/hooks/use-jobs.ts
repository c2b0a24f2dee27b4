// The job list's data: the window of rows on screen, the total, and the counts per status — kept by
// the view cache, which reads them again only when the project changed (or the window / query moved).
import { JOB_STATUSES, type JobStatus } from "../../domain/status.js";
import type { JobListQuery, JobListRow } from "../queries.js";
import { useProject } from "../store-watch.js";
import { useCached } from "./cache.js";

export interface JobsWindow {
  rows: JobListRow[];
  total: number;
  counts: Record<JobStatus, number>;
  /** Which query and window these rows are (while a new window loads, the last one is shown). */
  window: string;
}

const NO_COUNTS = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
const EMPTY: JobsWindow = { rows: [], total: 0, counts: NO_COUNTS, window: "" };

export const windowKey = (query: JobListQuery, offset: number, limit: number) =>
  `jobs:${JSON.stringify([query.status, query.search, query.sort, query.descending, offset, limit])}`;

export function useJobs(query: JobListQuery, offset: number, limit: number): JobsWindow {
  const { store, cache } = useProject();
  const key = windowKey(query, offset, limit);
  return useCached(
    cache,
    key,
    async () => ({
      rows: await store.views.jobWindow(query, offset, limit),
      total: await store.views.countJobs(query),
      counts: await store.views.statusCounts(),
      window: key,
    }),
    EMPTY,
  );
}

/** Only the counts per status (for the status line of screens other than the job list). */
export function useStatusCounts(): Record<JobStatus, number> {
  const { store, cache } = useProject();
  return useCached(cache, "status-counts", () => store.views.statusCounts(), NO_COUNTS);
}
