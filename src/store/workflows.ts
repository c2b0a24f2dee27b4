// Workflows: the YAML as it was run, the parameters it was run with, the plan that was made of it
// (steps → jobs, sweep values, recovery policies) and the aggregate results (convergence tables,
// equation-of-state fits). A workflow's jobs point back at it (jobs.workflow_id, workflow_step).
import { UserError } from "../domain/errors.js";
import type { JobStatus } from "../domain/status.js";
import type { InputFromParent, Job, NewJobRecord } from "../domain/types.js";
import { type DB, statement } from "./database.js";
import { JOB_SELECT, type JobRepository, type JobRow, rowToJob } from "./jobs.js";
import { parseJsonArray, parseJsonObject } from "./json.js";
import type { WorkflowStore } from "./port.js";
import type { NewWorkflow, StepJobEntry, Workflow, WorkflowSummary } from "./records.js";

interface WorkflowRow {
  id: number;
  name: string;
  source: string;
  source_path: string | null;
  params: string;
  spec: string;
  results: string | null;
  created_at: string;
}

function rowToWorkflow(r: WorkflowRow): Workflow {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    sourcePath: r.source_path,
    params: parseJsonObject(r.params) ?? {},
    spec: parseJsonObject(r.spec) ?? {},
    results: parseJsonObject(r.results),
    createdAt: r.created_at,
  };
}

export class WorkflowRepository implements WorkflowStore {
  constructor(
    private readonly db: DB,
    private readonly jobRepository: JobRepository,
  ) {}

  /**
   * A workflow with all its jobs and their dependencies, in one IMMEDIATE transaction: all of it
   * exists afterwards, or none of it. The stored plan is made from the new jobs' ids by `planOf`.
   */
  create(
    w: NewWorkflow,
    jobs: readonly NewJobRecord[],
    planOf: (jobIds: number[]) => Record<string, unknown>,
  ): { workflow: Workflow; jobs: Job[] } {
    return this.db
      .transaction(() => {
        const workflow = this.insert(w);
        const made = this.jobRepository.createMany(
          jobs.map((j) => ({
            ...j,
            workflowId: workflow.id,
            // a deck rendered when its job starts names the workflow whose results it uses
            ...(j.renderSpec ? { renderSpec: { ...j.renderSpec, workflow_id: workflow.id } } : {}),
          })),
        );
        this.setSpec(workflow.id, planOf(made.map((j) => j.id)));
        return { workflow: this.require(workflow.id), jobs: made };
      })
      .immediate();
  }

  private insert(w: NewWorkflow): Workflow {
    const info = statement(
      this.db,
      "INSERT INTO workflows (name, source, source_path, params, spec) VALUES (?, ?, ?, ?, ?)",
    ).run(
      w.name,
      w.source,
      w.sourcePath ?? null,
      JSON.stringify(w.params ?? {}),
      JSON.stringify(w.spec ?? {}),
    );
    return this.require(Number(info.lastInsertRowid));
  }

  get(id: number): Workflow | undefined {
    const row = statement(this.db, "SELECT * FROM workflows WHERE id = ?").get(id) as WorkflowRow | undefined;
    return row ? rowToWorkflow(row) : undefined;
  }

  require(id: number): Workflow {
    const w = this.get(id);
    if (!w) throw new UserError(`there is no workflow ${id} — see \`crystal-tui workflow list\``);
    return w;
  }

  /** Newest first, each with its jobs counted by status. */
  list(): WorkflowSummary[] {
    const rows = statement(
      this.db,
      `SELECT w.*, (SELECT json_group_object(status, n) FROM
            (SELECT status, COUNT(*) AS n FROM jobs WHERE workflow_id = w.id GROUP BY status)) AS counts
         FROM workflows w ORDER BY w.id DESC`,
    ).all() as (WorkflowRow & { counts: string | null })[];
    return rows.map((r) => ({
      ...rowToWorkflow(r),
      jobCounts: (parseJsonObject(r.counts) ?? {}) as Partial<Record<JobStatus, number>>,
    }));
  }

  count(): number {
    return (statement(this.db, "SELECT COUNT(*) AS n FROM workflows").get() as { n: number }).n;
  }

  /** Adds a job (a retry) to a step of the stored plan: the entry, with the job's id. */
  addStepJob(workflowId: number, e: StepJobEntry, jobId: number): void {
    if (!Number.isInteger(e.stepIndex) || e.stepIndex < 0) throw new Error(`step index ${e.stepIndex}`);
    const step = `$.steps[${e.stepIndex}]`;
    statement(
      this.db,
      `UPDATE workflows SET spec = json_insert(spec, @jobs, json_set(json(@entry), '$.id', @jobId))
         WHERE id = @workflowId AND json_extract(spec, @name) = @stepName`,
    ).run({
      jobs: `${step}.jobs[#]`,
      name: `${step}.name`,
      entry: JSON.stringify(e.entry),
      jobId,
      workflowId,
      stepName: e.stepName,
    });
  }

  setSpec(id: number, spec: Record<string, unknown>): void {
    statement(this.db, "UPDATE workflows SET spec = ? WHERE id = ?").run(JSON.stringify(spec), id);
  }

  setResults(id: number, results: Record<string, unknown> | null): void {
    statement(this.db, "UPDATE workflows SET results = ? WHERE id = ?").run(
      results === null ? null : JSON.stringify(results),
      id,
    );
  }

  /** The workflow's jobs, oldest first (creation order: steps in order, retries after). */
  jobs(id: number): Job[] {
    return (
      statement(this.db, `${JOB_SELECT} WHERE j.workflow_id = ? ORDER BY j.id`).all(id) as JobRow[]
    ).map(rowToJob);
  }

  /** Writes the deck of a job whose deck was rendered late (it used its parents' results). */
  setJobDeck(jobId: number, deck: string): void {
    const info = statement(this.db, "UPDATE jobs SET input_file = ? WHERE id = ?").run(deck, jobId);
    if (info.changes === 0) throw new UserError(`there is no job ${jobId} — see \`crystal-tui job list\``);
  }

  /** Rewrites why a finished job is in its status (a recovery policy says what it did about it). */
  setJobReason(jobId: number, reason: string): void {
    statement(this.db, "UPDATE jobs SET status_reason = ? WHERE id = ?").run(reason, jobId);
  }

  /**
   * Points every pending job that takes files from `fromJobId` (inputs_from) at `toJobId` instead —
   * except `toJobId` itself: a retry replaces the job it retries as the source of its dependents'
   * geometry or wavefunction, while itself still reading that job's files.
   */
  retargetInputs(fromJobId: number, toJobId: number): number {
    const rows = statement(
      this.db,
      `SELECT id, inputs_from FROM jobs WHERE status = 'PENDING' AND inputs_from IS NOT NULL AND id <> ?
           AND EXISTS (SELECT 1 FROM json_each(jobs.inputs_from) WHERE json_extract(value, '$.jobId') = ?)`,
    ).all(toJobId, fromJobId) as { id: number; inputs_from: string }[];
    const update = statement(this.db, "UPDATE jobs SET inputs_from = ? WHERE id = ?");
    for (const row of rows) {
      const inputs = (parseJsonArray(row.inputs_from) as InputFromParent[]).map((i) =>
        i.jobId === fromJobId ? { ...i, jobId: toJobId } : i,
      );
      update.run(JSON.stringify(inputs), row.id);
    }
    return rows.length;
  }
}
