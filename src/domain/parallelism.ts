// Validation of a job's resources (parallelism_config). Done once, when the job is created and
// again before a scheduler script is rendered, with errors that name the field.
import { UserError } from "./errors.js";
import type { Parallelism } from "./types.js";

const TIME = /^(?:(\d{1,3})-)?(\d{1,3}):([0-5]\d):([0-5]\d)$/;
// SLURM partition / QOS / account names: no spaces, quotes, or shell/scheduler punctuation
const SLURM_WORD = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
const MEM = /^\d{1,9}[KMGT]?$/;
// SLURM constraint expressions: features joined by & | , with optional [] * and counts
const CONSTRAINT = /^[A-Za-z0-9_.&|,[\]*()-]{1,128}$/;

function positiveInt(field: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new UserError(`${field} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

function word(field: string, value: unknown, pattern: RegExp, hint: string): string {
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new UserError(`${field} ${JSON.stringify(value)} is not valid — ${hint}`);
  }
  return value;
}

/** Seconds in a SLURM time limit (HH:MM:SS or D-HH:MM:SS). */
export function timeLimitSeconds(time: string): number {
  const m = TIME.exec(time);
  if (!m) throw new UserError(`time ${JSON.stringify(time)} is not valid — use HH:MM:SS or D-HH:MM:SS`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4]);
}

export function checkParallelism(p: Parallelism): Parallelism {
  const out: Parallelism = {};
  if (p.mpi_ranks !== undefined) out.mpi_ranks = positiveInt("ranks (mpi_ranks)", p.mpi_ranks, 100_000);
  if (p.threads_per_rank !== undefined)
    out.threads_per_rank = positiveInt("threads (threads_per_rank)", p.threads_per_rank, 1024);
  if (p.nodes !== undefined) out.nodes = positiveInt("nodes", p.nodes, 10_000);
  if (p.time !== undefined) {
    timeLimitSeconds(String(p.time));
    out.time = p.time;
  }
  if (p.partition !== undefined)
    out.partition = word("partition", p.partition, SLURM_WORD, "letters, digits, '.', '_', '+', '-'");
  if (p.qos !== undefined) out.qos = word("qos", p.qos, SLURM_WORD, "letters, digits, '.', '_', '+', '-'");
  if (p.account !== undefined)
    out.account = word("account", p.account, SLURM_WORD, "letters, digits, '.', '_', '+', '-'");
  if (p.mem !== undefined)
    out.mem = word("mem", p.mem, MEM, "a number with an optional K, M, G or T suffix (e.g. 4G)");
  if (p.constraint !== undefined)
    out.constraint = word("constraint", p.constraint, CONSTRAINT, "SLURM feature names joined by & | ,");
  return out;
}

/** Cores a job occupies on one machine: ranks × threads (at least 1). */
export function coresOf(p: Parallelism): number {
  return Math.max(1, p.mpi_ranks ?? 1) * Math.max(1, p.threads_per_rank ?? 1);
}

export { SLURM_WORD };
