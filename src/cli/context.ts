// What every command needs: the project it works on, opened once.
import type { Command } from "commander";
import { openProject, type Project } from "../app/project.js";
import type { ProjectStore } from "../store/port.js";
import { resolveProjectDir } from "../store/project.js";
import { storeErrorInWords } from "../store/store-errors.js";

export interface GlobalOptions {
  project?: string;
}

export function projectDirOf(cmd: Command): string {
  return resolveProjectDir((cmd.optsWithGlobals() as GlobalOptions).project);
}

/** Opens the project's store for the duration of `fn` and closes it afterwards. */
export function withStore<T>(cmd: Command, fn: (store: ProjectStore) => T | Promise<T>): Promise<T> {
  return withProject(cmd, (project) => fn(project.store));
}

/** The project's store and its job folders for the duration of `fn`. */
export async function withProject<T>(cmd: Command, fn: (project: Project) => T | Promise<T>): Promise<T> {
  const project = await openProject(projectDirOf(cmd));
  try {
    return await fn(project);
  } catch (err) {
    // a database that is damaged, full or held busy is the user's to fix, not a bug to report
    throw storeErrorInWords(err, project.store.path) ?? err;
  } finally {
    await project.close();
  }
}

/** Commander collector for repeatable options (--aux a --aux b, or --aux a b). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
