// What every command needs: the project it works on, opened once.
import type { Command } from "commander";
import { ProjectFiles } from "../crystal/project-files.js";
import type { Project } from "../engine/hooks.js";
import type { ProjectStore } from "../store/port.js";
import { resolveProjectDir } from "../store/project.js";
import { Store } from "../store/store.js";

export interface GlobalOptions {
  project?: string;
}

export function projectDirOf(cmd: Command): string {
  return resolveProjectDir((cmd.optsWithGlobals() as GlobalOptions).project);
}

/** Opens the project's store for the duration of `fn` and closes it afterwards. */
export async function withStore<T>(cmd: Command, fn: (store: ProjectStore) => T | Promise<T>): Promise<T> {
  const store: ProjectStore = Store.open(projectDirOf(cmd));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The project's store and its job folders for the duration of `fn`. */
export function withProject<T>(cmd: Command, fn: (project: Project) => T | Promise<T>): Promise<T> {
  return withStore(cmd, (store) => fn({ store, files: new ProjectFiles(store.projectDir) }));
}

/** Commander collector for repeatable options (--aux a --aux b, or --aux a b). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
