// crystal-tui job list — filters (--status a status or a group, --cluster, --workflow, --name GLOB)
// and the export formats (--format text|csv|tsv|json, --columns), over src/app/job-list.ts.
import type { Command } from "commander";
import { columnsNamed, JOB_COLUMNS, listJobs } from "../../app/job-list.js";
import { pendingReasons } from "../../app/pending-reason.js";
import { STANDIN_MARK } from "../../crystal/standin-signature.js";
import { connectionMark } from "../../domain/connection.js";
import { UsageError, UserError } from "../../domain/errors.js";
import { energyStanding, NOT_FINAL_MARK } from "../../domain/final-energy.js";
import { JOB_STATUSES } from "../../domain/status.js";
import { STATUS_GROUPS, statusesNamed } from "../../domain/status-groups.js";
import { LIST_LIMIT_RANGE, wholeNumberIn } from "../../domain/whole-numbers.js";
import { withStore } from "../context.js";
import { delimited } from "../delimited.js";
import { formatEnergy, jobToJson, printJson, statusLabel, table } from "../output.js";

interface ListFlags {
  status?: string;
  cluster?: string;
  workflow?: string;
  name?: string;
  limit?: string;
  format?: string;
  columns?: string;
  json?: boolean;
}

const FORMATS = ["text", "csv", "tsv", "json"] as const;

/** A count given on the command line: the one whole-number rule, a bad one being bad usage (exit 2). */
function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return wholeNumberIn(flag, value, LIST_LIMIT_RANGE);
  } catch (err) {
    throw err instanceof UserError ? new UsageError(err.message) : err;
  }
}

/** --limit by the one rule for typed whole numbers (domain/whole-numbers.ts); a bad one is bad usage. */
function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return wholeNumberIn("--limit", value, LIST_LIMIT_RANGE);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function registerJobList(job: Command): void {
  const groups = Object.keys(STATUS_GROUPS).join(", ");
  job
    .command("list")
    .description("jobs, newest first; filters combine")
    .option(
      "--status <status>",
      `only jobs in this status or group (${groups}; or ${JOB_STATUSES.join(", ")}); several with commas`,
    )
    .option("--cluster <name>", "only jobs of this cluster ('local' for this machine)")
    .option("--workflow <id>", "only jobs of this workflow")
    .option("--name <glob>", "only jobs whose name matches, e.g. 'scan-*'")
    .option("--limit <n>", "at most N jobs")
    .option("--format <format>", `${FORMATS.join(", ")} (default text)`)
    .option("--columns <list>", `columns, comma-separated: ${JOB_COLUMNS.map((c) => c.name).join(", ")}`)
    .option("--json", "print JSON (every field; --format json with --columns for chosen ones)")
    .action(async (opts: ListFlags, cmd: Command) => {
      const statuses = opts.status === undefined ? undefined : statusesNamed(opts.status);
      if (statuses === null) {
        throw new UsageError(
          `status ${JSON.stringify(opts.status)} is unknown — use a group (${groups}) or one of ${JOB_STATUSES.join(", ")}`,
        );
      }
      const format = opts.json ? "json" : (opts.format ?? "text").toLowerCase();
      if (!(FORMATS as readonly string[]).includes(format))
        throw new UsageError(`format ${JSON.stringify(opts.format)} is unknown — use ${FORMATS.join(", ")}`);
      if (opts.json && opts.format !== undefined && opts.format.toLowerCase() !== "json")
        throw new UsageError("--json and --format do not go together — choose one");
      const columns =
        opts.columns !== undefined || format === "csv" || format === "tsv"
          ? columnsNamed(opts.columns)
          : null;
      const workflowId = whole("--workflow", opts.workflow);
      const limit = limitOf(opts.limit);
      if (opts.name !== undefined && opts.name.trim() === "")
        throw new UsageError("--name needs a pattern, e.g. 'scan-*'");
      await withStore(cmd, async (store) => {
        const jobs = await listJobs(store, {
          ...(statuses ? { statuses } : {}),
          ...(opts.cluster !== undefined ? { cluster: opts.cluster } : {}),
          ...(workflowId !== undefined ? { workflowId } : {}),
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(limit !== undefined ? { limit } : {}),
        });
        // a job on a cluster that cannot be reached now is marked, not shown as silently RUNNING
        const connections = new Map((await store.clusters.list()).map((c) => [c.id, c.connection]));
        const markOf = (j: (typeof jobs)[number]) =>
          j.clusterId === null ? null : connectionMark(j.status, connections.get(j.clusterId));
        if (format === "json") {
          if (!columns) {
            const why = await pendingReasons(store, jobs);
            return printJson(
              jobs.map((j) => ({
                ...jobToJson(j),
                pending_reason: why.get(j.id)?.text ?? null,
                cluster_connection: markOf(j),
              })),
            );
          }
          return printJson(jobs.map((j) => Object.fromEntries(columns.map((c) => [c.name, c.value(j)]))));
        }
        if (format === "csv" || format === "tsv") {
          const cols = columns!;
          return void process.stdout.write(
            delimited(format, [cols.map((c) => c.name), ...jobs.map((j) => cols.map((c) => c.value(j)))]),
          );
        }
        if (jobs.length === 0)
          return void process.stdout.write("no jobs — add one with `crystal-tui job add`\n");
        if (columns) {
          const rows = [columns.map((c) => c.name.toUpperCase())];
          for (const j of jobs) rows.push(columns.map((c) => String(c.value(j) ?? "")));
          return void process.stdout.write(`${table(rows)}\n`);
        }
        const why = await pendingReasons(store, jobs);
        const rows = [
          ["ID", "NAME", "STATUS", "WHERE", "ENERGY (Ha)", "CREATED", ...(why.size ? ["WHY PENDING"] : [])],
        ];
        for (const j of jobs) {
          rows.push([
            String(j.id),
            j.name,
            statusLabel(j.status),
            `${j.clusterName ?? "local"}${markOf(j) ? ` (${markOf(j)})` : ""}`,
            `${formatEnergy(j.finalEnergy)}${j.finalEnergy !== null && !energyStanding(j.status, j.keyResults).final ? NOT_FINAL_MARK : ""}${j.keyResults?.standin ? STANDIN_MARK : ""}`,
            j.createdAt,
            ...(why.size ? [why.get(j.id)?.text ?? ""] : []),
          ]);
        }
        process.stdout.write(`${table(rows)}\n`);
      });
    });
}
