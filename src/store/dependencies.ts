// Dependencies between jobs: after_ok, after_any, after_failed (semantics in src/domain).
// Every edge is written by insertDependency, which refuses self-dependencies, unknown jobs,
// duplicates and cycles.
import {
  type DependencyType,
  type DependencyVerdict,
  evaluateDependencies,
  isDependencyType,
  type ParentEdge,
} from "../domain/dependencies.js";
import { UserError } from "../domain/errors.js";
import type { JobStatus } from "../domain/status.js";
import type { Dependency } from "../domain/types.js";
import { type DB, statement } from "./database.js";
import type { DeletedParent, LinkedJob } from "./records.js";

interface DependencyRow {
  id: number;
  job_id: number;
  depends_on_job_id: number;
  dependency_type: DependencyType;
}

const toDependency = (r: DependencyRow): Dependency => ({
  id: r.id,
  jobId: r.job_id,
  dependsOnJobId: r.depends_on_job_id,
  type: r.dependency_type,
});

/** True when `from` waits, directly or through other jobs, for `target`. */
function reaches(db: DB, from: number, target: number): boolean {
  return (
    statement(
      db,
      `WITH RECURSIVE up(id) AS (
           SELECT depends_on_job_id FROM job_dependencies WHERE job_id = ?
           UNION
           SELECT d.depends_on_job_id FROM job_dependencies d JOIN up ON d.job_id = up.id
         ) SELECT 1 FROM up WHERE id = ? LIMIT 1`,
    ).get(from, target) !== undefined
  );
}

/**
 * The one way a dependency is written, inside the caller's transaction, and the one check before
 * it — the single-edge add and every creation (job add, workflows, retries) come here: a known
 * type, a job other than itself, a parent that exists, no second edge to the same parent, no
 * cycle. A job being created has no dependents yet, so no edge from it can close a cycle: the walk
 * up its parents is skipped for it (creating n jobs stays linear in n). Returns the edge's id.
 */
export function insertDependency(
  db: DB,
  edge: { jobId: number; parentId: number; type: DependencyType; jobLabel?: string },
  opts: { newJob: boolean },
): number {
  const { jobId, parentId, type } = edge;
  const job = `job ${edge.jobLabel ?? jobId}`;
  if (!isDependencyType(type)) {
    throw new UserError(
      `dependency type ${JSON.stringify(type)} is unknown — use after_ok, after_any or after_failed`,
    );
  }
  if (jobId === parentId) throw new UserError(`${job} cannot depend on itself`);
  if (statement(db, "SELECT 1 FROM jobs WHERE id = ?").get(parentId) === undefined) {
    throw new UserError(
      `cannot depend on job ${parentId}: there is no such job — see \`crystal-tui job list\``,
    );
  }
  const existing = statement(
    db,
    "SELECT dependency_type FROM job_dependencies WHERE job_id = ? AND depends_on_job_id = ?",
  )
    .pluck()
    .get(jobId, parentId) as string | undefined;
  if (existing !== undefined) {
    throw new UserError(
      `${job} already depends on job ${parentId} (${existing}) — keep one (remove it first to change its type)`,
    );
  }
  if (!opts.newJob && reaches(db, parentId, jobId)) {
    throw new UserError(
      `${job} cannot depend on job ${parentId}: job ${parentId} already waits (directly or not) for ${job}, which would make a cycle`,
    );
  }
  const info = statement(
    db,
    "INSERT INTO job_dependencies (job_id, depends_on_job_id, dependency_type) VALUES (?, ?, ?)",
  ).run(jobId, parentId, type);
  return Number(info.lastInsertRowid);
}

export class DependencyRepository {
  constructor(private readonly db: DB) {}

  add(jobId: number, dependsOnJobId: number, type: DependencyType = "after_ok"): Dependency {
    return this.db
      .transaction(() => {
        const own = statement(this.db, "SELECT status FROM jobs WHERE id = ?").pluck().get(jobId) as
          | JobStatus
          | undefined;
        if (own === undefined) throw new UserError(`there is no job ${jobId} — see \`crystal-tui job list\``);
        if (own !== "PENDING") {
          throw new UserError(
            `job ${jobId} is ${own}: dependencies only hold back jobs that have not started`,
          );
        }
        const id = insertDependency(this.db, { jobId, parentId: dependsOnJobId, type }, { newJob: false });
        return toDependency(
          statement(this.db, "SELECT * FROM job_dependencies WHERE id = ?").get(id) as DependencyRow,
        );
      })
      .immediate();
  }

  remove(jobId: number, dependsOnJobId: number): boolean {
    return (
      statement(this.db, "DELETE FROM job_dependencies WHERE job_id = ? AND depends_on_job_id = ?").run(
        jobId,
        dependsOnJobId,
      ).changes === 1
    );
  }

  /** What a job waits for, with the parents' names and statuses. */
  dependenciesOf(jobId: number): LinkedJob[] {
    const rows = statement(
      this.db,
      `SELECT d.*, p.name AS other_name, p.status AS other_status FROM job_dependencies d
         JOIN jobs p ON p.id = d.depends_on_job_id WHERE d.job_id = ? ORDER BY d.depends_on_job_id`,
    ).all(jobId) as (DependencyRow & { other_name: string; other_status: JobStatus })[];
    return rows.map((r) => ({ ...toDependency(r), otherName: r.other_name, otherStatus: r.other_status }));
  }

  /** The jobs that wait for this one. */
  dependentsOf(jobId: number): LinkedJob[] {
    const rows = statement(
      this.db,
      `SELECT d.*, c.name AS other_name, c.status AS other_status FROM job_dependencies d
         JOIN jobs c ON c.id = d.job_id WHERE d.depends_on_job_id = ? ORDER BY d.job_id`,
    ).all(jobId) as (DependencyRow & { other_name: string; other_status: JobStatus })[];
    return rows.map((r) => ({ ...toDependency(r), otherName: r.other_name, otherStatus: r.other_status }));
  }

  deletedParentsOf(jobId: number): DeletedParent[] {
    const rows = statement(this.db, "SELECT * FROM deleted_parents WHERE job_id = ? ORDER BY parent_id").all(
      jobId,
    ) as {
      parent_id: number;
      parent_name: string;
      dependency_type: Dependency["type"];
      deleted_at: string;
    }[];
    return rows.map((r) => ({
      parentId: r.parent_id,
      parentName: r.parent_name,
      type: r.dependency_type,
      deletedAt: r.deleted_at,
    }));
  }

  /**
   * Whether a job's dependencies let it start now: `ok` when every one is met, `never` when one can
   * no longer be met (the job must be finished with those reasons rather than wait forever).
   */
  canJobRun(jobId: number): DependencyVerdict {
    const edges: ParentEdge[] = this.dependenciesOf(jobId).map((d) => ({
      parentId: d.dependsOnJobId,
      parentName: d.otherName,
      parentStatus: d.otherStatus,
      type: d.type,
    }));
    return evaluateDependencies(edges);
  }
}
