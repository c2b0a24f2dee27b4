// One job's full record with its history and its links to other jobs, kept current by the view cache.
import type { Job, JobEvent, RemoteJob } from "../../domain/types.js";
import type { DeletedParent, LinkedJob } from "../../store/records.js";
import { useProject } from "../store-watch.js";
import { useCached } from "./cache.js";

export interface JobDetail {
  job: Job;
  events: JobEvent[];
  dependencies: LinkedJob[];
  dependents: LinkedJob[];
  /** Parents it depended on that were deleted since. */
  deletedParents: DeletedParent[];
  folder: string;
  /** Its latest remote run (where a cluster runs it, and what its scheduler says), if any. */
  remote: RemoteJob | null;
}

/**
 * The job, or null once it is gone (deleted by somebody else); undefined until it was first read.
 */
export function useJob(id: number): JobDetail | null | undefined {
  const { store, files, cache } = useProject();
  return useCached<JobDetail | null | undefined>(
    cache,
    `job:${id}`,
    async () => {
      const job = await store.jobs.get(id);
      if (!job) return null;
      return {
        job,
        events: await store.events.forJob(id),
        dependencies: await store.dependencies.dependenciesOf(id),
        dependents: await store.dependencies.dependentsOf(id),
        deletedParents: await store.dependencies.deletedParentsOf(id),
        folder: files.folderOf(job),
        remote: job.clusterId === null ? null : ((await store.remoteJobs.getByJobId(id)) ?? null),
      };
    },
    undefined,
  );
}
