// crystal-tui demo: a project in a temporary folder with a few MgO jobs and a small workflow, run by
// the CRYSTAL stand-in (a program that replays recorded outputs of real CRYSTAL runs). The project
// is marked as a demo, so the screen always says that its results are replayed, not computed.
import { UserError } from "../domain/errors.js";

export interface DemoProject {
  projectDir: string;
}

export async function createDemoProject(_opts: { dir?: string } = {}): Promise<DemoProject> {
  throw new UserError("the demo needs the CRYSTAL stand-in, which is not in this build yet");
}
