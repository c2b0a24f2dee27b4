// Where the TUI gets a job's output so far: the same function as `job log` (src/app/job-output.ts),
// over the composition root's transport (src/app/runners.ts: one OpenSSH master per cluster, shared
// with the engine this window hosts and with every other crystal-tui process). Loaded after the
// first frame, like the engine, so the screen never waits for the transport's modules.
import type { OutputSoFar, OutputStream } from "../app/job-output.js";
import type { Project } from "../app/project.js";
import type { Job } from "../domain/types.js";

/**
 * Brings a job's output (or stderr) up to date on this machine and says which local file holds it;
 * for a running remote job that is one incremental fetch into its mirror.
 */
export type FetchOutput = (project: Project, job: Job, stream: OutputStream) => Promise<OutputSoFar>;

type Modules = [
  typeof import("../app/job-output.js"),
  typeof import("../app/runners.js"),
  typeof import("../app/engine.js"),
];

/** The real one: `outputSoFar` on the clusters' shared connections (nothing is read into memory). */
export function clusterOutputFetcher(): FetchOutput {
  let loaded: Promise<Modules> | null = null;
  let report: ReturnType<Modules[2]["recordConnectionState"]> | null = null;
  return async (project, job, stream) => {
    loaded ??= Promise.all([
      import("../app/job-output.js"),
      import("../app/runners.js"),
      import("../app/engine.js"),
    ]);
    const [output, runners, engine] = await loaded;
    // the connection's state is written to the project by whoever holds it, this window too (one
    // listener per master: the same function each time)
    report ??= engine.recordConnectionState(project.store);
    const onConnectionState = report;
    return output.outputSoFar(
      project,
      job,
      stream,
      { shellFor: (cluster) => runners.shellFor(cluster, { onConnectionState }) },
      // the views read the file themselves (a tail, the parser's offset): fetch, read nothing
      { maxBytes: 0 },
    );
  };
}
