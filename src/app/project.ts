// Opening a project: the one place that chooses the store's implementation (SQLite, in the project
// folder) and pairs it with the project's job folders. The CLI, the TUI and the engine hosts open
// projects here, so another store (a research group's PostgreSQL) is chosen by changing this file.
import { ProjectFiles } from "../crystal/project-files.js";
import type { Project } from "../engine/hooks.js";
import type { OpenOptions } from "../store/database.js";
import type { ProjectStore } from "../store/port.js";
import { Store } from "../store/store.js";

export type { Project };

/** A project opened for use; close() releases its store. */
export interface OpenProject extends Project {
  readonly dir: string;
  close(): Promise<void>;
}

export function openProject(dir: string, options?: OpenOptions): OpenProject {
  const store: ProjectStore = Store.open(dir, options);
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
