// Opening a project: the one place that chooses the store's implementation (SQLite, in the project
// folder) and pairs it with the project's job folders. The CLI, the TUI and the engine hosts open
// projects here, so another store (a research group's PostgreSQL) is chosen by changing this file.
import { ProjectFiles } from "../crystal/project-files.js";
import type { Project } from "../engine/hooks.js";
import { RUNNER_KINDS } from "../runners/schedulers.js";
import type { OpenOptions } from "../store/database.js";
import type { ProjectStore } from "../store/port.js";
import { Store } from "../store/store.js";

export type { Project };

/** A project opened for use; close() releases its store. */
export interface OpenProject extends Project {
  readonly dir: string;
  close(): Promise<void>;
}

/** The cluster and runner types this program knows, as the store records them. */
const RUNNER_KIND_ROWS = RUNNER_KINDS.map((kind) => ({ kind, remote: kind !== "local" }));

export async function openProject(dir: string, options?: OpenOptions): Promise<OpenProject> {
  const store: ProjectStore = Store.open(dir, options);
  if (!options?.readonly) await store.registerRunnerKinds(RUNNER_KIND_ROWS);
  return {
    dir,
    store,
    files: new ProjectFiles(dir),
    close: async () => {
      await store.close();
    },
  };
}

/** New jobs with their folders: the folders first, then the records (src/crystal/project-files.ts). */
export function createJobs(project: Project, specs: Parameters<ProjectFiles["create"]>[0]) {
  return project.files.create(specs, (records) => project.store.jobs.createMany(records));
}
