// New jobs in tests, made the way crystal-tui makes them: the folders first (ProjectFiles), then the
// records (the SQLite store answers at once, so tests can use the result directly).
import { ProjectFiles } from "../../src/crystal/project-files.js";
import type { Job, NewJob } from "../../src/domain/types.js";
import type { Store } from "../../src/store/store.js";

export function newJobs(store: Store, specs: readonly NewJob[]): Job[] {
  const files = new ProjectFiles(store.projectDir);
  const records = files.prepareMany(specs);
  try {
    return store.jobs.createMany(records);
  } catch (err) {
    files.discard(records);
    throw err;
  }
}

export function newJob(store: Store, spec: NewJob): Job {
  return newJobs(store, [spec])[0]!;
}

/** A job's folder on disk. */
export function jobFolder(store: { projectDir: string }, job: Pick<Job, "workDir">): string {
  return new ProjectFiles(store.projectDir).folderOf(job);
}
