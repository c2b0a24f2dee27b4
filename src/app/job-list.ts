// Which jobs a chemist asks for (`job list --workflow 3 --name 'scan-*' --status failed`, the TUI's
// filter) and the columns a list of them can show or export (`--columns id,name,energy`): one
// table of columns, each with the value a program reading the export gets (numbers as numbers).
import { UsageError, UserError } from "../domain/errors.js";
import { energyStanding } from "../domain/final-energy.js";
import { runtimeSeconds } from "../domain/job-times.js";
import type { JobStatus } from "../domain/status.js";
import type { Job } from "../domain/types.js";
import type { ProjectStore } from "../store/port.js";

export interface JobFilter {
  statuses?: readonly JobStatus[];
  /** A cluster's name, or "local" for this machine. */
  cluster?: string;
  workflowId?: number;
  /** A shell-style pattern on the job's name: `*`, `?`, `[abc]`. */
  name?: string;
  limit?: number;
}

/** A shell glob as a whole-name regular expression (`scan-*` → /^scan-.*$/). */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        const body = glob.slice(i + 1, end);
        const negated = body.startsWith("!") || body.startsWith("^");
        const set = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&");
        out += `[${negated ? "^" : ""}${set}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}

/** The jobs that pass every filter given, newest first. */
export async function listJobs(store: ProjectStore, f: JobFilter = {}): Promise<Job[]> {
  let clusterId: number | null | undefined;
  if (f.cluster === "local") clusterId = null;
  else if (f.cluster !== undefined) clusterId = (await store.clusters.requireByName(f.cluster)).id;
  if (f.workflowId !== undefined && !(await store.workflows.get(f.workflowId))) {
    throw new UserError(`there is no workflow ${f.workflowId} — see \`crystal-tui workflow list\``);
  }
  const pattern = f.name !== undefined ? globToRegExp(f.name) : null;
  const jobs = await store.jobs.list({
    ...(f.statuses ? { status: [...f.statuses] } : {}),
    ...(clusterId !== undefined ? { clusterId } : {}),
    ...(f.workflowId !== undefined ? { workflowId: f.workflowId } : {}),
    // the name is matched here, so the limit is applied after it
    ...(f.limit !== undefined && !pattern ? { limit: f.limit } : {}),
  });
  const named = pattern ? jobs.filter((j) => pattern.test(j.name)) : jobs;
  return f.limit !== undefined ? named.slice(0, f.limit) : named;
}

export type ColumnValue = string | number | boolean | null;

export interface JobColumn {
  /** Its name in `--columns` and in CSV/JSON headers. */
  name: string;
  /** What it says. */
  what: string;
  value(job: Job): ColumnValue;
}

export const JOB_COLUMNS: readonly JobColumn[] = [
  { name: "id", what: "job id", value: (j) => j.id },
  { name: "name", what: "job name", value: (j) => j.name },
  { name: "status", what: "status", value: (j) => j.status },
  { name: "reason", what: "why it is in its status", value: (j) => j.statusReason },
  { name: "cluster", what: "where it runs (local: this machine)", value: (j) => j.clusterName ?? "local" },
  { name: "energy_hartree", what: "final energy, Ha", value: (j) => j.finalEnergy },
  {
    name: "energy_final",
    what: "whether the energy is final",
    value: (j) => (j.finalEnergy === null ? null : energyStanding(j.status, j.keyResults).final),
  },
  {
    name: "standin",
    what: "replayed by crystal-tui's CRYSTAL stand-in (not computed by CRYSTAL)",
    value: (j) => Boolean(j.keyResults?.standin),
  },
  { name: "gap_ev", what: "band gap, eV", value: (j) => j.keyResults?.band_gap_ev ?? null },
  { name: "volume", what: "cell volume, Å³", value: (j) => j.keyResults?.geometry?.volume ?? null },
  { name: "atoms", what: "atoms in the cell", value: (j) => j.keyResults?.n_atoms ?? null },
  { name: "scf_cycles", what: "SCF cycles of the last SCF", value: (j) => j.keyResults?.scf?.cycles ?? null },
  { name: "runtime_s", what: "run time, seconds", value: (j) => runtimeSeconds(j) },
  { name: "workflow", what: "workflow id", value: (j) => j.workflowId },
  { name: "step", what: "workflow step", value: (j) => j.workflowStep },
  { name: "attempt", what: "attempt (retries count up)", value: (j) => j.attempt },
  { name: "created_at", what: "when it was added", value: (j) => j.createdAt },
  { name: "started_at", what: "when it started", value: (j) => j.startedAt },
  { name: "completed_at", what: "when it ended", value: (j) => j.completedAt },
];

export const DEFAULT_COLUMNS = ["id", "name", "status", "cluster", "energy_hartree", "created_at"];

/** The columns a user named (comma-separated), in their order; a name not known is refused. */
export function columnsNamed(text: string | undefined): JobColumn[] {
  const names =
    text === undefined
      ? DEFAULT_COLUMNS
      : text
          .split(",")
          .map((n) => n.trim())
          .filter(Boolean);
  return names.map((n) => {
    const col = JOB_COLUMNS.find((c) => c.name === n.toLowerCase());
    if (!col) {
      throw new UsageError(
        `column ${JSON.stringify(n)} is unknown — use ${JOB_COLUMNS.map((c) => c.name).join(", ")}`,
      );
    }
    return col;
  });
}
