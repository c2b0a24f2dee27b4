// Actions on several jobs at once: `job cancel ID…`, `job restart ID…`, `job rerun ID…`, `job rm ID…` (or a filter:
// --status, --name, --workflow, --cluster) and `workflow cancel N`, over src/app/job-selection.ts. Acting on
// more than one job asks once, naming the count (`--yes` for scripts; without a terminal to ask
// on, --yes is required).
import type { Command } from "commander";
import type { JobFilter } from "../../app/job-list.js";
import {
  type CancelResult,
  cancelJobs,
  cancelWorkflow,
  deleteJobs,
  rerunJobs,
  restartJobs,
  type Selection,
  selectJobs,
} from "../../app/job-selection.js";
import { ProjectFiles } from "../../crystal/project-files.js";
import { UsageError, UserError } from "../../domain/errors.js";
import { parseJobId } from "../../domain/names.js";
import { isActive, isTerminal } from "../../domain/status.js";
import { statusesNamed } from "../../domain/status-groups.js";
import type { Job } from "../../domain/types.js";
import type { Project } from "../../engine/hooks.js";
import type { ProjectStore } from "../../store/port.js";
import type { RemovedJob } from "../../store/records.js";
import { withProject, withStore } from "../context.js";
import { askYesNo, printJson } from "../output.js";

const BY = "user (job cancel)";

interface ManyFlags {
  status?: string;
  name?: string;
  workflow?: string;
  cluster?: string;
  yes?: boolean;
  json?: boolean;
}

function withSelectionFlags(cmd: Command): Command {
  return cmd
    .option("--status <status>", "the jobs in this status or group (active, finished, failed)")
    .option("--name <glob>", "the jobs whose name matches, e.g. 'scan-*'")
    .option("--workflow <id>", "the jobs of this workflow")
    .option("--cluster <name>", "the jobs of this cluster ('local' for this machine)")
    .option("-y, --yes", "do not ask before acting on several jobs (scripts)")
    .option("--json", "print JSON");
}

/** The selection the command line names; `only` keeps, of a filter's jobs, those the action fits. */
function selectionOf(idTexts: readonly string[], f: ManyFlags): Selection {
  const ids = idTexts.flatMap((t) => t.split(",").filter((p) => p.trim() !== "")).map(parseJobId);
  const statuses = f.status === undefined ? undefined : statusesNamed(f.status);
  if (statuses === null)
    throw new UsageError(
      `status ${JSON.stringify(f.status)} is unknown — use a status or active, finished, failed`,
    );
  if (f.workflow !== undefined && !/^\d{1,9}$/.test(f.workflow.trim()))
    throw new UsageError(`--workflow must be a workflow id, not ${JSON.stringify(f.workflow)}`);
  const filter: JobFilter = {
    ...(statuses ? { statuses } : {}),
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(f.workflow !== undefined ? { workflowId: Number(f.workflow) } : {}),
    ...(f.cluster !== undefined ? { cluster: f.cluster } : {}),
  };
  return { ids, filter };
}

/** Asks once before acting on more than one job; true to go on. */
async function confirmed(verb: string, jobs: readonly Job[], yes: boolean | undefined): Promise<boolean> {
  if (jobs.length <= 1 || yes) return true;
  const list = jobs.length <= 10 ? ` (${jobs.map((j) => j.id).join(", ")})` : "";
  if (!process.stdin.isTTY) {
    throw new UsageError(`${verb} ${jobs.length} jobs${list} needs a yes: pass --yes`);
  }
  return askYesNo(`${verb} ${jobs.length} jobs${list}? [y/N] `);
}

function cancelText(r: CancelResult): string {
  if (r.outcome === "cancelled") return `job ${r.id} cancelled`;
  if (r.outcome === "requested")
    return `job ${r.id}: cancel requested — its engine stops it within one poll interval`;
  return `job ${r.id} has already finished (${r.status}); nothing to cancel`;
}

function report(results: readonly CancelResult[], json: boolean | undefined, single: boolean): void {
  const finished = results.filter((r) => r.outcome === "finished");
  if (single && finished.length === 1) throw new UserError(cancelText(finished[0]!));
  if (json)
    printJson(
      single
        ? { id: results[0]!.id, outcome: results[0]!.outcome }
        : results.map(({ id, outcome }) => ({ id, outcome })),
    );
  else for (const r of results) process.stdout.write(`${cancelText(r)}\n`);
  if (finished.length > 0) {
    throw new UserError(
      `${finished.length} of ${results.length} jobs had already finished (${finished.map((r) => r.id).join(", ")}): not cancelled`,
    );
  }
}

/**
 * Says what an action that makes new jobs did (restart, re-run): one line per job (or JSON), a job
 * named alone and refused is the error itself, and any refusal makes the command exit 1.
 */
function reportNewJobs<T extends { id: number }>(
  results: readonly (T | { id: number; refused: string })[],
  o: {
    single: boolean;
    json: boolean | undefined;
    verb: string;
    newId: (r: T) => number;
    jsonKey: string;
    line: (r: T) => string;
  },
): void {
  const refused = results.flatMap((r) => ("refused" in r ? [r] : []));
  const made = (r: T | { id: number; refused: string }): r is T => !("refused" in r);
  if (o.single && refused.length === 1) throw new UserError(refused[0]!.refused);
  if (o.json) {
    if (o.single && made(results[0]!)) printJson({ id: o.newId(results[0]) });
    else
      printJson(
        results.map((r) =>
          made(r) ? { id: r.id, [o.jsonKey]: o.newId(r) } : { id: r.id, refused: r.refused },
        ),
      );
  } else {
    for (const r of results)
      process.stdout.write(made(r) ? `${o.line(r)}\n` : `job ${r.id} not ${o.verb}: ${r.refused}\n`);
  }
  if (refused.length > 0)
    throw new UserError(
      `${refused.length} of ${results.length} jobs could not be ${o.verb} (${refused.map((r) => r.id).join(", ")})`,
    );
}

export function registerJobMany(job: Command): void {
  withSelectionFlags(
    job
      .command("cancel")
      .description("stop jobs: a pending one at once, a running one by its engine within one poll")
      .argument("[ids...]", "job ids (or a filter)"),
  ).action(async (idTexts: string[], opts: ManyFlags, cmd: Command) => {
    const sel = selectionOf(idTexts, opts);
    await withStore(cmd, async (store) => {
      let jobs = await selectJobs(store, sel);
      // a filter picks what can still be cancelled; ids named are each answered
      if (sel.ids?.length === 0) jobs = jobs.filter((j) => !isTerminal(j.status));
      if (jobs.length === 0)
        return void process.stdout.write("no unfinished jobs match — nothing to cancel\n");
      if (!(await confirmed("cancel", jobs, opts.yes)))
        return void process.stdout.write("nothing cancelled\n");
      report(await cancelJobs(store, jobs, BY), opts.json, sel.ids?.length === 1);
    });
  });

  newJobsCommand(job, {
    name: "restart",
    description:
      "continue finished runs as new jobs: SCF from its fort.9 (GUESSP), optimisation from its last geometry (EXTERNAL, OPTGEOM RESTART, HESSOPT), frequencies from FREQINFO.DAT (FREQCALC RESTART)",
    verb: "restart",
    done: "restarted",
    act: restartJobs,
    newId: (r) => r.restartedAs,
    jsonKey: "restarted_as",
    line: (r) =>
      `job ${r.restartedAs} added: continues job ${r.id} with ${r.what.join(", ")} — start it with \`crystal-tui run\``,
  });
}

export function registerJobRerun(job: Command): void {
  newJobsCommand(job, {
    name: "rerun",
    description:
      "run finished jobs again from the start, each as a new job (same deck, files and links; e.g. --status failed)",
    verb: "re-run",
    done: "re-run",
    act: rerunJobs,
    newId: (r) => r.rerunAs,
    jsonKey: "rerun_as",
    line: (r) => `job ${r.rerunAs} added: runs job ${r.id} again — start it with \`crystal-tui run\``,
  });
}

/**
 * A command that makes a new job of each finished job named or filtered (restart, rerun): a filter
 * picks the finished ones, ids named are each answered (one not finished: why not), one question
 * for several, then each outcome in a line or JSON.
 */
function newJobsCommand<T extends { id: number }>(
  job: Command,
  c: {
    name: string;
    description: string;
    verb: string;
    done: string;
    act: (project: Project, jobs: readonly Job[]) => Promise<(T | { id: number; refused: string })[]>;
    newId: (r: T) => number;
    jsonKey: string;
    line: (r: T) => string;
  },
): void {
  withSelectionFlags(
    job.command(c.name).description(c.description).argument("[ids...]", "job ids (or a filter)"),
  ).action(async (idTexts: string[], opts: ManyFlags, cmd: Command) => {
    const sel = selectionOf(idTexts, opts);
    await withProject(cmd, async (project) => {
      let jobs = await selectJobs(project.store, sel);
      if (sel.ids?.length === 0) jobs = jobs.filter((j) => isTerminal(j.status));
      if (jobs.length === 0)
        return void process.stdout.write(`no finished jobs match — nothing to ${c.verb}\n`);
      if (!(await confirmed(c.verb, jobs, opts.yes))) return void process.stdout.write(`nothing ${c.done}\n`);
      reportNewJobs(await c.act(project, jobs), {
        single: sel.ids?.length === 1,
        json: opts.json,
        verb: c.done,
        newId: c.newId,
        jsonKey: c.jsonKey,
        line: c.line,
      });
    });
  });
}

/** What a removal did: the folder kept, the dependents skipped (--force), the children's note. */
function removedText(store: ProjectStore, r: RemovedJob): string {
  const skipped = r.skippedDependents.map((d) => `${d.id} (${d.name})`).join(", ");
  const children =
    r.notedChildren > 0
      ? `; ${r.notedChildren} child job${r.notedChildren > 1 ? "s keep" : " keeps"} a note that the parent was deleted`
      : "";
  return `job ${r.id} (${r.name}) removed; its folder ${new ProjectFiles(store.projectDir).folderOf(r)} was kept${skipped ? `; skipped, as they needed it: ${skipped}` : ""}${children}`;
}

export function registerJobRm(job: Command): void {
  withSelectionFlags(
    job
      .command("rm")
      .description("delete jobs' records (their folders stay on disk); a queued or running job is refused")
      .argument("[ids...]", "job ids (or a filter)")
      .option(
        "--force",
        "remove them even if pending jobs wait for them; those that needed them are skipped",
      ),
  ).action(async (idTexts: string[], opts: ManyFlags & { force?: boolean }, cmd: Command) => {
    const sel = selectionOf(idTexts, opts);
    const single = sel.ids?.length === 1;
    await withStore(cmd, async (store) => {
      let jobs = await selectJobs(store, sel);
      // a filter picks what can be deleted and says what it left; ids named are each answered
      const kept = sel.ids?.length === 0 ? jobs.filter((j) => isActive(j.status)) : [];
      jobs = jobs.filter((j) => !kept.includes(j));
      const note = kept.length
        ? `${kept.length} queued or running job${kept.length > 1 ? "s" : ""} kept (${kept.map((j) => j.id).join(", ")}) — cancel them first`
        : "";
      if (jobs.length === 0)
        return void process.stdout.write(
          `no jobs to delete match${note ? `; ${note}` : ""} — nothing deleted\n`,
        );
      // the question names what will go: a running job named is refused by the store, with why
      if (
        !(await confirmed(
          "delete",
          jobs.filter((j) => !isActive(j.status)),
          opts.yes,
        ))
      )
        return void process.stdout.write("nothing deleted\n");
      const results = await deleteJobs(store, jobs, { force: opts.force === true });
      const refused = results.flatMap((r) => ("refused" in r ? [r] : []));
      if (single && refused.length === 1) throw new UserError(refused[0]!.refused);
      if (opts.json) {
        const rows = results.map((r) =>
          "refused" in r
            ? { id: r.id, refused: r.refused }
            : { id: r.id, removed: true, skipped_dependents: r.removed.skippedDependents.map((d) => d.id) },
        );
        printJson(single ? rows[0] : rows);
      } else {
        for (const r of results)
          process.stdout.write(
            "refused" in r ? `job ${r.id} not removed: ${r.refused}\n` : `${removedText(store, r.removed)}\n`,
          );
        if (note) process.stdout.write(`${note}\n`);
      }
      if (refused.length > 0)
        throw new UserError(
          `${refused.length} of ${results.length} jobs were not removed (${refused.map((r) => r.id).join(", ")})`,
        );
    });
  });
}

export function registerWorkflowCancel(workflow: Command): void {
  workflow
    .command("cancel")
    .description("cancel every unfinished job of a workflow")
    .argument("<id>", "workflow id")
    .option("-y, --yes", "do not ask first (scripts)")
    .option("--json", "print JSON")
    .action(async (idText: string, opts: { yes?: boolean; json?: boolean }, cmd: Command) => {
      if (!/^\d{1,9}$/.test(idText.trim()) || Number(idText) < 1)
        throw new UsageError(
          `${JSON.stringify(idText)} is not a workflow id — see \`crystal-tui workflow list\``,
        );
      const id = Number(idText);
      await withStore(cmd, async (store) => {
        await store.workflows.require(id);
        const active = (await store.jobs.list({ workflowId: id })).filter((j) => !isTerminal(j.status));
        if (active.length === 0)
          return void process.stdout.write(`workflow ${id} has no unfinished jobs — nothing to cancel\n`);
        if (!(await confirmed(`cancel workflow ${id}:`, active, opts.yes)))
          return void process.stdout.write("nothing cancelled\n");
        const results = await cancelWorkflow(store, id, `user (workflow cancel ${id})`);
        if (opts.json) return printJson(results.map(({ id: jobId, outcome }) => ({ id: jobId, outcome })));
        for (const r of results) process.stdout.write(`${cancelText(r)}\n`);
      });
    });
}
