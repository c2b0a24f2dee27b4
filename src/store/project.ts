// A project is a folder: its database at <project>/.crystal_tui.db, its job folders under
// <project>/calculations/. Chosen by --project DIR, else $CRYSTAL_TUI_PROJECT, else the current folder.
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../domain/errors.js";

export function resolveProjectDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = option ?? env.CRYSTAL_TUI_PROJECT ?? process.cwd();
  const dir = path.resolve(chosen);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UserError(
      `project folder ${dir} does not exist — create it (mkdir -p) or pass another --project`,
    );
  }
  if (!stat.isDirectory()) throw new UserError(`project ${dir} is not a folder — pass a folder to --project`);
  return dir;
}
