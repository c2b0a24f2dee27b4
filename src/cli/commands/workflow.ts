// crystal-tui workflow run | list | show — workflow files become jobs and dependencies.
import type { Command } from "commander";
import { ProjectFiles } from "../../crystal/project-files.js";
import { UsageError } from "../../domain/errors.js";
import { NOT_FINAL_MARK } from "../../domain/final-energy.js";
import { type JobStatus, STATUS_SYMBOL } from "../../domain/status.js";
import { INPUT_LIMITS, readInputText } from "../../files/input-file.js";
import { aggregateLines } from "../../workflows/aggregate-text.js";
import { formatCrystalNumber } from "../../workflows/numbers.js";
import { summaryText } from "../../workflows/summary.js";
import { collect, projectDirOf, withStore } from "../context.js";
import { delimited } from "../delimited.js";
import { formatEnergy, printJson, statusLabel, table } from "../output.js";
import { registerWorkflowCancel } from "./job-many.js";
import { parseSets } from "./template.js";
import { workflowTable } from "./workflow-table.js";

function parseWorkflowId(text: string): number {
  if (!/^\d{1,15}$/.test(text.trim()) || Number(text) < 1) {
    throw new UsageError(`${JSON.stringify(text)} is not a workflow id — see \`crystal-tui workflow list\``);
  }
  return Number(text);
}

function readWorkflowFile(file: string): string {
  return readInputText(file, { what: "workflow file", maxBytes: INPUT_LIMITS.workflow, strict: true });
}

function countsText(counts: Partial<Record<JobStatus, number>>): string {
  return (Object.entries(counts) as [JobStatus, number][])
    .map(([status, n]) => `${n} ${STATUS_SYMBOL[status] ?? ""}${status.toLowerCase()}`)
    .join(", ");
}

function sweepText(sweep: Record<string, unknown>): string {
  return Object.entries(sweep)
    .map(([k, v]) => `${k}=${typeof v === "number" ? formatCrystalNumber(v) : String(v)}`)
    .join(" ");
}

export function registerWorkflowCommands(program: Command): void {
  const workflow = program
    .command("workflow")
    .description("workflows: chains and sweeps of calculations from a YAML file");

  registerWorkflowCancel(workflow);

  workflow
    .command("run")
    .description(
      "check a workflow file and create all its jobs and dependencies (then `crystal-tui run` runs them)",
    )
    .argument("<file>", "the workflow file (YAML)")
    .option("--set <name=value>", "a workflow parameter; repeatable", collect)
    .option("--dry-run", "check everything and show the jobs, but create nothing")
    .option("--json", "print JSON")
    .action(
      async (file: string, opts: { set?: string[]; dryRun?: boolean; json?: boolean }, cmd: Command) => {
        // the template engine is loaded only by the commands that render decks
        const { parseWorkflowFile } = await import("../../workflows/workflow-file.js");
        const { planWorkflow } = await import("../../workflows/plan.js");
        const { createWorkflow } = await import("../../workflows/create.js");
        const parsed = parseWorkflowFile(readWorkflowFile(file), file);
        const overrides = parseSets(opts.set);
        await withStore(cmd, async (store) => {
          const plan = planWorkflow(parsed, {
            clusters: await store.clusters.list(),
            projectDir: projectDirOf(cmd),
            overrides,
          });
          if (opts.dryRun) {
            const jobs = Object.fromEntries(
              plan.steps
                .filter((s) => s.jobs.length > 0)
                .map((s) => [s.decl.name, s.jobs.map((j) => j.name)]),
            );
            if (opts.json) return printJson({ workflow: parsed.name, valid: true, jobs });
            const lines = [`workflow ${parsed.name} is valid; it would create:`];
            for (const s of plan.steps) {
              if (s.decl.kind === "aggregate")
                lines.push(`  ${s.decl.name}: ${s.decl.aggregate?.type} over ${s.decl.aggregate?.over}`);
              else lines.push(`  ${s.decl.name}: ${s.jobs.map((j) => j.name).join(", ")}`);
            }
            return void process.stdout.write(`${lines.join("\n")}\n`);
          }
          const created = await createWorkflow({ store, files: new ProjectFiles(store.projectDir) }, plan);
          if (opts.json) return printJson({ workflow_id: created.workflow.id, jobs: created.jobs });
          const total = Object.values(created.jobs).reduce((n, ids) => n + ids.length, 0);
          const lines = [
            `workflow ${created.workflow.id} (${created.workflow.name}) created: ${total} job${total === 1 ? "" : "s"} — start them with \`crystal-tui run\``,
            ...Object.entries(created.jobs).map(
              ([step, ids]) => `  ${step}: job${ids.length === 1 ? "" : "s"} ${ids.join(", ")}`,
            ),
          ];
          process.stdout.write(`${lines.join("\n")}\n`);
        });
      },
    );

  workflow
    .command("list")
    .description("workflows of the project, newest first")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const list = await store.workflows.list();
        if (opts.json) {
          return printJson(
            list.map((w) => ({
              id: w.id,
              name: w.name,
              source_path: w.sourcePath,
              params: w.params,
              created_at: w.createdAt,
              jobs: w.jobCounts,
            })),
          );
        }
        if (list.length === 0) {
          return void process.stdout.write("no workflows — start one with `crystal-tui workflow run FILE`\n");
        }
        const rows = [["ID", "NAME", "CREATED", "JOBS"]];
        for (const w of list) rows.push([String(w.id), w.name, w.createdAt, countsText(w.jobCounts)]);
        process.stdout.write(`${table(rows)}\n`);
      });
    });

  workflow
    .command("show")
    .description("a workflow's steps, their jobs and statuses, and its aggregate results")
    .argument("<id>", "workflow id")
    .option("--json", "print JSON")
    .option("--format <format>", "text, json, csv or tsv (csv/tsv: one table, see --step)")
    .option(
      "--step <name>",
      "with csv/tsv: this step's table (default: the first aggregate's, else every job)",
    )
    .action(
      async (idText: string, opts: { json?: boolean; format?: string; step?: string }, cmd: Command) => {
        const id = parseWorkflowId(idText);
        const format = (opts.format ?? (opts.json ? "json" : "text")).toLowerCase();
        if (!["text", "json", "csv", "tsv"].includes(format))
          throw new UsageError(
            `format ${JSON.stringify(opts.format)} is unknown — use text, json, csv or tsv`,
          );
        const { workflowView } = await import("../../workflows/progress.js");
        await withStore(cmd, async (store) => {
          const view = await workflowView(store, id);
          const w = view.workflow;
          if (format === "csv" || format === "tsv")
            return void process.stdout.write(delimited(format, workflowTable(view, opts.step)));
          if (format === "json") {
            return printJson({
              id: w.id,
              name: w.name,
              description: view.description,
              source_path: w.sourcePath,
              params: w.params,
              created_at: w.createdAt,
              steps: view.steps,
              summary: view.summary,
              results: Object.fromEntries(view.steps.filter((s) => s.result).map((s) => [s.name, s.result])),
            });
          }
          const lines = [`workflow ${w.id}  ${w.name}${w.sourcePath ? `  (${w.sourcePath})` : ""}`];
          if (view.description) lines.push(view.description);
          if (Object.keys(w.params).length) {
            lines.push(
              `params    ${Object.entries(w.params)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(" ")}`,
            );
          }
          for (const s of view.steps) {
            const status = ["PENDING", "RUNNING", "COMPLETED", "FAILED"].includes(s.status)
              ? statusLabel(s.status as JobStatus)
              : s.status;
            lines.push("", `${s.name}  ${status}  (${s.source})`);
            if (s.jobs.length) {
              const rows = [["", "JOB", "NAME", "STATUS", "ATTEMPT", "POINT", "ENERGY (Ha)", "WHY"]];
              for (const j of s.jobs) {
                rows.push([
                  j.latest ? " " : "·",
                  String(j.id),
                  j.name,
                  statusLabel(j.status),
                  String(j.attempt),
                  sweepText(j.sweep),
                  `${formatEnergy(j.final_energy)}${j.energy_is_final === false ? NOT_FINAL_MARK : ""}`,
                  j.status_reason ?? "",
                ]);
              }
              lines.push(
                ...table(rows)
                  .split("\n")
                  .map((l) => `  ${l}`),
              );
            }
            if (s.result) lines.push(...aggregateLines(s.name, s.result));
          }
          lines.push("", ...summaryText(view.summary, formatEnergy));
          process.stdout.write(`${lines.join("\n")}\n`);
        });
      },
    );
}
