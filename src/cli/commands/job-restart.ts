// crystal-tui job restart ID: the continuation of a finished run as a new job (src/app/job-restart.ts).
import type { Command } from "commander";
import { restartJob } from "../../app/job-restart.js";
import { parseJobId } from "../../domain/names.js";
import { withProject } from "../context.js";
import { printJson } from "../output.js";

export function registerJobRestart(job: Command): void {
  job
    .command("restart")
    .description(
      "continue a finished run as a new job: SCF from its fort.9 (GUESSP), optimisation from its last geometry (EXTERNAL, OPTGEOM RESTART, HESSOPT), frequencies from FREQINFO.DAT (FREQCALC RESTART)",
    )
    .argument("<id>", "job id")
    .option("--json", "print JSON")
    .action(async (idText: string, opts: { json?: boolean }, cmd: Command) => {
      const id = parseJobId(idText);
      await withProject(cmd, async (project) => {
        const { job: made, continuation } = await restartJob(project, id);
        if (opts.json) return printJson({ id: made.id });
        process.stdout.write(
          `job ${made.id} added (${made.name}): continues job ${id} with ${continuation.what.join(", ")} — start it with \`crystal-tui run\`\n`,
        );
      });
    });
}
