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
  let store: ProjectStore;
  let readOnly = options?.readonly ?? false;
  try {
    store = Store.open(dir, options);
  } catch (err) {
    // a project that cannot be written can still be listed and shown (its writes are refused)
    const copy = cannotOpenInPlace(err) ? Store.openReadOnlyCopy(dir) : null;
    if (!copy) throw err;
    store = copy;
    readOnly = true;
  }
  if (!readOnly) await store.registerRunnerKinds(RUNNER_KIND_ROWS);
  return {
    dir,
    store,
    files: new ProjectFiles(dir),
    close: async () => {
      await store.close();
    },
  };
}

/** SQLite's and the filesystem's words for "this file cannot be opened for writing here". */
function cannotOpenInPlace(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    (code === "SQLITE_CANTOPEN" ||
      code.startsWith("SQLITE_READONLY") ||
      code === "EROFS" ||
      code === "EACCES")
  );
}

/** New jobs with their folders: the folders first, then the records (src/crystal/project-files.ts). */
export function createJobs(project: Project, specs: Parameters<ProjectFiles["create"]>[0]) {
  return project.files.create(specs, (records) => project.store.jobs.createMany(records));
}
