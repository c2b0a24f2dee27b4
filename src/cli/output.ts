// How commands speak: JSON for scripts (--json), short aligned text for people.

import { runtimeSeconds } from "../domain/job-times.js";
import type { JobStatus } from "../domain/status.js";
import { STATUS_SYMBOL } from "../domain/status.js";
import { table } from "../domain/text-table.js";
import type { Cluster, Job } from "../domain/types.js";

export { table };

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Characters that act on a terminal instead of showing: C0 controls but tab and newline (a carriage
 * return only when it does not end a line), DEL, C1 controls (U+009B is a one-byte CSI), the line
 * and paragraph separators, and the bidirectional controls that reorder what a line seems to say.
 */
const UNSAFE =
  /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * The one sanitiser for what the CLI prints from files and remote hosts (a CRYSTAL error line,
 * a remote stderr, a job name): each unsafe character is shown as its `\uXXXX` escape, so
 * `\e]0;…\a\e[2J` prints as `\u001b]0;…\u0007\u001b[2J` and changes neither title nor screen. The
 * escape is JSON's own, and JSON.stringify leaves only characters that are legal raw inside JSON
 * strings for it to escape, so --json output stays exact: it parses back to the same values.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

type Write = typeof process.stdout.write;
let guarded: { stdout: Write; stderr: Write } | null = null;

function safeWrite(original: Write, stream: NodeJS.WriteStream): Write {
  return function write(this: unknown, chunk: unknown, ...rest: unknown[]) {
    let safe = chunk;
    if (typeof chunk === "string") safe = terminalSafe(chunk);
    else if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk).toString("utf8");
      const cleaned = terminalSafe(text);
      if (cleaned !== text) safe = cleaned; // unchanged bytes are written as they came
    }
    return (original as (...a: unknown[]) => boolean).call(stream, safe, ...rest);
  } as Write;
}

/**
 * Routes everything the CLI writes to stdout and stderr through terminalSafe, so no command can
 * forget it. Returns the release (also releaseTerminalGuard): the TUI draws with escapes of its own.
 */
export function guardTerminalOutput(): () => void {
  if (!guarded) {
    guarded = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = safeWrite(guarded.stdout, process.stdout);
    process.stderr.write = safeWrite(guarded.stderr, process.stderr);
  }
  return releaseTerminalGuard;
}

/**
 * A yes/no question on the terminal (readline draws the prompt with cursor escapes of its own, so
 * the guard steps aside while it asks; the question itself is made safe first).
 */
export async function askYesNo(question: string): Promise<boolean> {
  const wasGuarded = guarded !== null;
  releaseTerminalGuard();
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(terminalSafe(question))).trim());
  } finally {
    rl.close();
    if (wasGuarded) guardTerminalOutput();
  }
}

export function releaseTerminalGuard(): void {
  if (!guarded) return;
  process.stdout.write = guarded.stdout;
  process.stderr.write = guarded.stderr;
  guarded = null;
}

export function jobToJson(job: Job) {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    status_reason: job.statusReason,
    runner_type: job.runnerType,
    cluster: job.clusterName,
    cluster_id: job.clusterId,
    final_energy: job.finalEnergy,
    created_at: job.createdAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    queue_time: job.queueTime,
    // the same start and end under the v2 names (one value each: src/domain/job-times.ts)
    start_time: job.startedAt,
    end_time: job.completedAt,
    runtime_s: runtimeSeconds(job),
    work_dir: job.workDir,
    pid: job.pid,
    priority: job.priority,
    parallelism: job.parallelism,
    command_line: job.commandLine,
    aux_files: job.auxFiles,
    cancel_requested: job.cancelRequested,
    workflow_id: job.workflowId,
    workflow_step: job.workflowStep,
    retry_of: job.retryOf,
    attempt: job.attempt,
    // the stored results as they are: the parser's, or the Phase-1 tool's own
    key_results: job.keyResults ?? job.legacyResults,
    // results replayed by crystal-tui's CRYSTAL stand-in, not computed by CRYSTAL
    standin: Boolean(job.keyResults?.standin),
  };
}

export function clusterToJson(c: Cluster) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    hostname: c.hostname,
    port: c.port,
    username: c.username,
    status: c.status,
    config: c.config,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    // as the process holding the connection last recorded it; null until one has tried
    connection: c.connection?.status ?? null,
    connection_error: c.connection?.lastError ?? null,
    connection_since: c.connection ? new Date(c.connection.since).toISOString() : null,
  };
}

/** A plain aligned table; the first row is the header. */

export function statusLabel(status: JobStatus): string {
  return `${STATUS_SYMBOL[status]} ${status}`;
}

export function formatEnergy(e: number | null): string {
  return e === null ? "" : e.toFixed(8);
}
