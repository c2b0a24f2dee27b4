// `crystal-tui job log ID [--follow] [--stderr] [--lines N]`: a job's CRYSTAL output (or its stderr)
// so far — local, SSH or SLURM alike (remote ones fetched incrementally, src/app/job-output.ts) —
// and with --follow, what it adds until the job ends: exit 0 when it completed, 1 otherwise.
import type { Command } from "commander";
import { lastLines, type OutputStream, outputSoFar } from "../../app/job-output.js";
import { shellFor } from "../../app/runners.js";
import { UsageError, UserError } from "../../domain/errors.js";
import { parseJobId } from "../../domain/names.js";
import type { Cluster } from "../../domain/types.js";
import type { RemoteShell } from "../../transport/remote-shell.js";
import { withProject } from "../context.js";

/** How often a follower looks again (a remote look is one small command on the shared connection). */
const FOLLOW_EVERY_MS = 1000;
const MAX_LINES = 10_000_000;

export function registerJobLog(job: Command): void {
  job
    .command("log")
    .description("the job's CRYSTAL output so far (remote jobs fetched as they run); --follow until it ends")
    .argument("<id>", "job id")
    .option(
      "-f, --follow",
      "keep printing what the job writes until it ends (exit 0 if it completed, else 1)",
    )
    .option("--stderr", "the run's stderr (the scheduler's --error file on SLURM) instead of its output")
    .option("-n, --lines <n>", "only the last N lines of what is there now")
    .action(
      async (idText: string, opts: { follow?: boolean; stderr?: boolean; lines?: string }, cmd: Command) => {
        const id = parseJobId(idText);
        let lines: number | null = null;
        if (opts.lines !== undefined) {
          if (!/^\d+$/.test(opts.lines) || Number(opts.lines) > MAX_LINES)
            throw new UsageError(
              `--lines ${JSON.stringify(opts.lines)}: give a whole number of lines up to ${MAX_LINES}`,
            );
          lines = Number(opts.lines);
        }
        const stream: OutputStream = opts.stderr ? "stderr" : "output";
        const shells = new Map<number, RemoteShell>();
        const lookup = {
          shellFor: (c: Cluster) => {
            const known = shells.get(c.id);
            if (known) return known;
            const s = shellFor(c);
            shells.set(c.id, s);
            return s;
          },
        };
        try {
          await withProject(cmd, async (project) => {
            let job = await project.store.jobs.require(id);
            let got = await outputSoFar(project, job, stream, lookup);
            const first =
              lines === null
                ? got.data
                : Buffer.from(lastLines(got.data.toString("latin1"), lines), "latin1");
            process.stdout.write(first);
            if (!opts.follow) return;
            let printed = got.size;
            let dropped = false;
            for (;;) {
              if (!got.live) break;
              await new Promise((r) => setTimeout(r, FOLLOW_EVERY_MS));
              job = await project.store.jobs.require(id);
              try {
                got = await outputSoFar(project, job, stream, lookup);
              } catch (err) {
                // a dropped connection is not the end of the job: say so once, look again
                if ((err as { transient?: boolean }).transient !== true) throw err;
                if (!dropped)
                  process.stderr.write(`crystal-tui: ${(err as Error).message} — still following\n`);
                dropped = true;
                continue;
              }
              dropped = false;
              // the file started over (the job was run again): print it from its start
              if (got.size < printed) printed = 0;
              if (got.size > printed) {
                process.stdout.write(got.data.subarray(printed - (got.size - got.data.length)));
                printed = got.size;
              }
            }
            // the output is all there; a job that did not complete is the command's failure
            if (job.status !== "COMPLETED")
              throw new UserError(
                `job ${id} ended ${job.status}${job.statusReason ? `: ${job.statusReason}` : ""}`,
              );
          });
        } finally {
          for (const s of shells.values()) await s.close().catch(() => undefined);
        }
      },
    );
}
