// Dependencies between jobs: after_ok, after_any, after_failed (semantics in src/domain).
// Adding an edge refuses self-dependencies, unknown jobs, duplicates and cycles.
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
import type { LinkedJob } from "./records.js";

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

export class DependencyRepository {
  constructor(private readonly db: DB) {}

  add(jobId: number, dependsOnJobId: number, type: DependencyType = "after_ok"): Dependency {
    if (!isDependencyType(type)) {
      throw new UserError(
        `dependency type ${JSON.stringify(type)} is unknown — use after_ok, after_any or after_failed`,
      );
    }
    if (jobId === dependsOnJobId) throw new UserError(`job ${jobId} cannot depend on itself`);
    return this.db
      .transaction(() => {
        const status = statement(this.db, "SELECT status FROM jobs WHERE id = ?").pluck();
        const own = status.get(jobId) as JobStatus | undefined;
        if (own === undefined) throw new UserError(`there is no job ${jobId} — see \`crystal-tui job list\``);
        if (status.get(dependsOnJobId) === undefined) {
          throw new UserError(
            `cannot depend on job ${dependsOnJobId}: there is no such job — see \`crystal-tui job list\``,
          );
        }
        if (own !== "PENDING") {
          throw new UserError(
            `job ${jobId} is ${own}: dependencies only hold back jobs that have not started`,
          );
        }
        const existing = statement(
          this.db,
          "SELECT dependency_type FROM job_dependencies WHERE job_id = ? AND depends_on_job_id = ?",
        )
          .pluck()
          .get(jobId, dependsOnJobId) as string | undefined;
        if (existing !== undefined) {
          throw new UserError(
            `job ${jobId} already depends on job ${dependsOnJobId} (${existing}) — remove it first to change its type`,
          );
        }
        if (this.reaches(dependsOnJobId, jobId)) {
          throw new UserError(
            `job ${jobId} cannot depend on job ${dependsOnJobId}: job ${dependsOnJobId} already waits (directly or not) for job ${jobId}, which would make a cycle`,
          );
        }
        const info = statement(
          this.db,
          "INSERT INTO job_dependencies (job_id, depends_on_job_id, dependency_type) VALUES (?, ?, ?)",
        ).run(jobId, dependsOnJobId, type);
        return toDependency(
          statement(this.db, "SELECT * FROM job_dependencies WHERE id = ?").get(
            info.lastInsertRowid,
          ) as DependencyRow,
        );
      })
      .immediate();
  }

  /** True when `from` waits, directly or through other jobs, for `target`. */
  private reaches(from: number, target: number): boolean {
    return (
      statement(
        this.db,
        `WITH RECURSIVE up(id) AS (
             SELECT depends_on_job_id FROM job_dependencies WHERE job_id = ?
             UNION
             SELECT d.depends_on_job_id FROM job_dependencies d JOIN up ON d.job_id = up.id
           ) SELECT 1 FROM up WHERE id = ? LIMIT 1`,
      ).get(from, target) !== undefined
    );
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
