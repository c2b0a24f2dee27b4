// The mark of a demo project: a file in its folder. Its presence makes the screen say that results
// are replayed by the CRYSTAL stand-in, however the project is opened later.
import fs from "node:fs";
import path from "node:path";

export const DEMO_MARKER = ".crystal_tui_demo";

export function isDemoProject(projectDir: string): boolean {
  return fs.existsSync(path.join(projectDir, DEMO_MARKER));
}
