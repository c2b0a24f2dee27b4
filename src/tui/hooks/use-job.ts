// One job's full record with its history and its links to other jobs, kept current.
import { useMemo } from "react";
import type { Job, JobEvent } from "../../domain/types.js";
import type { LinkedJob } from "../../store/dependencies.js";
import { useProject, useStoreVersion } from "../store-watch.js";

export interface JobDetail {
  job: Job;
  events: JobEvent[];
  dependencies: LinkedJob[];
  dependents: LinkedJob[];
  folder: string;
}

/** The job, or null once it is gone (deleted by somebody else). */
export function useJob(id: number): JobDetail | null {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(() => {
    const job = store.jobs.get(id);
    if (!job) return null;
    return {
      job,
      events: store.events.forJob(id),
      dependencies: store.dependencies.dependenciesOf(id),
      dependents: store.dependencies.dependentsOf(id),
      folder: store.jobs.folderOf(job),
    };
  }, [store, id, version]);
}
