// crystal-tui run [--watch] [--max-jobs N]: the engine in the foreground.
import type { Command } from "commander";
import { UserError } from "../../domain/errors.js";
import { withProject } from "../context.js";
import { printJson } from "../output.js";

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description(
      "run the project's jobs in dependency order; stops when nothing is left (or keeps serving with --watch)",
    )
    .option("--watch", "keep serving the project: start jobs as they are added")
    .option("--max-jobs <n>", "at most N jobs at once per cluster and on this machine")
    .option("--cores <n>", "cores of this machine local jobs may use (default: all)")
    .option("--quiet", "no progress lines")
    .option("--json", "print a JSON summary at the end")
    .action(
      async (
        opts: { watch?: boolean; maxJobs?: string; cores?: string; quiet?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const positive = (flag: string, v: string | undefined) => {
          if (v === undefined) return undefined;
          if (!/^\d+$/.test(v) || Number(v) < 1)
            throw new UserError(`${flag} must be a positive whole number`);
          return Number(v);
        };
        const maxJobs = positive("--max-jobs", opts.maxJobs);
        const cores = positive("--cores", opts.cores);
        // loaded on demand: the engine pulls in the runners and the parser, which other commands do not need
        const { buildEngine } = await import("../../app/engine.js");
        await withProject(cmd, async (project) => {
          // what the engine said already is not repeated in the summary
          const logged: string[] = [];
          const said = (reason: string) => logged.some((l) => l === reason || l.endsWith(`: ${reason}`));
          const engine = buildEngine(project, {
            watch: opts.watch ?? false,
            ...(maxJobs !== undefined ? { maxJobs } : {}),
            ...(cores !== undefined ? { cores } : {}),
            log:
              opts.quiet || opts.json
                ? undefined
                : (line) => {
                    logged.push(line);
                    process.stdout.write(`${line}\n`);
                  },
          });
          const stop = () => {
            process.stderr.write(
              "stopping: running jobs keep running; `crystal-tui run` again follows them\n",
            );
            void engine.stop();
          };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
          const summary = await engine.run();
          process.removeListener("SIGINT", stop);
          process.removeListener("SIGTERM", stop);
          if (opts.json) printJson(summary);
          else if (!opts.quiet) {
            const parts = Object.entries(summary.byStatus).map(([s, n]) => `${n} ${s}`);
            process.stdout.write(
              `done: ${summary.finished} finished${parts.length ? ` (${parts.join(", ")})` : ""}\n`,
            );
            for (const b of summary.blocked) if (!said(b)) process.stdout.write(`${b}\n`);
          }
          if (summary.blocked.length > 0 && summary.finished === 0 && summary.started === 0) {
            const first = summary.blocked[0] ?? "nothing could run";
            // the reason is the error line (scripts read stderr), even when the engine said it as it happened
            throw new UserError(first);
          }
        });
      },
    );
}
