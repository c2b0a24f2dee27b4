// How values read on screen: durations, times, energies, and text cut to fit a column.
import { parseDbTime, runtimeSeconds } from "../domain/job-times.js";
import type { Parallelism } from "../domain/types.js";

export { parseDbTime };

/** 8s, 12m05s, 3h07m, 2d04h. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, "0")}h`;
}

/** How long a job ran (or has been running, for one without an end): "" when it never started. */
export function runtimeOf(
  job: { startedAt: string | null; completedAt: string | null },
  now: number = Date.now(),
): string {
  const seconds = runtimeSeconds(job, now);
  return seconds === null ? "" : formatDuration(seconds);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Local time, short: "11-28 14:05" (the year only when it is not this one). */
export function formatWhen(text: string | null | undefined, now: Date = new Date()): string {
  const ms = parseDbTime(text);
  if (ms === null) return "";
  const d = new Date(ms);
  const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getFullYear() === now.getFullYear() ? md : `${d.getFullYear()}-${md}`;
}

/** Local time with seconds, for histories: "2025-11-28 14:05:09". */
export function formatTimestamp(text: string | null | undefined): string {
  const ms = parseDbTime(text);
  if (ms === null) return text ?? "";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Hartree with 8 decimals (µHa resolution, as CRYSTAL prints convergence). */
export function formatHartree(e: number | null | undefined): string {
  return e === null || e === undefined || !Number.isFinite(e) ? "" : e.toFixed(8);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

/** "local", or the cluster's name. */
export function whereOf(job: { clusterName: string | null; runnerType: string }): string {
  return job.clusterName ?? (job.runnerType === "local" ? "local" : `${job.runnerType} (removed)`);
}

/** "4 ranks × 2 threads, 02:00:00" — what the job asked for, in one line. */
export function formatParallelism(p: Parallelism): string {
  const parts: string[] = [];
  const ranks = p.mpi_ranks ?? 1;
  parts.push(ranks > 1 ? `${ranks} MPI ranks` : "serial (OpenMP)");
  if (p.threads_per_rank) parts.push(`${p.threads_per_rank} threads/rank`);
  if (p.nodes) parts.push(`${p.nodes} nodes`);
  if (p.time) parts.push(`time ${p.time}`);
  if (p.partition) parts.push(`partition ${p.partition}`);
  return parts.join(", ");
}

/** Text from elsewhere (outputs, reasons, messages) made safe to print: no control characters. */
export function printable(text: string): string {
  return text.replace(/\t/g, "    ").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "");
}

/** Cuts text to `width` columns, marking the cut with "…" (and drops control characters). */
export function clip(text: string, width: number): string {
  if (width <= 0) return "";
  const chars = [...printable(text)];
  if (chars.length <= width) return chars.join("");
  return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

/**
 * Text broken into lines of at most `width` columns, at spaces where it can (a word longer than the
 * line is cut): a message is shown whole, never cut off at the screen's edge.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line: string[] = [];
  for (const word of printable(text).split(/ +/).filter(Boolean)) {
    let chars = [...word];
    // the word and its space would not fit: the line so far is done
    if (line.length > 0 && line.length + 1 + chars.length > w) {
      out.push(line.join(""));
      line = [];
    }
    while (chars.length > w) {
      if (line.length > 0) {
        out.push(line.join(""));
        line = [];
      }
      out.push(chars.slice(0, w).join(""));
      chars = chars.slice(w);
    }
    if (chars.length === 0) continue;
    line = line.length > 0 ? [...line, " ", ...chars] : chars;
  }
  if (line.length > 0 || out.length === 0) out.push(line.join(""));
  return out;
}
