// The groups of statuses a chemist filters by (`job list --status active`, the TUI's filter `f`):
// what is still going on, what finished with its goal reached, and what ended without it. Disjoint,
// and together every status.
import { isJobStatus, type JobStatus } from "./status.js";

export const STATUS_GROUPS: Readonly<Record<"active" | "finished" | "failed", readonly JobStatus[]>> = {
  active: ["PENDING", "QUEUED", "RUNNING"],
  finished: ["COMPLETED"],
  failed: ["FAILED", "CANCELLED", "SKIPPED"],
};

export type StatusGroup = keyof typeof STATUS_GROUPS;

export const STATUS_GROUP_NAMES = Object.keys(STATUS_GROUPS) as StatusGroup[];

export function isStatusGroup(word: string): word is StatusGroup {
  return Object.hasOwn(STATUS_GROUPS, word);
}

/**
 * The statuses a user's words name: a group (active, finished, failed) or a status (failed is the
 * group; FAILED alone is the status), several joined by commas. Null when a word is neither.
 */
export function statusesNamed(text: string): JobStatus[] | null {
  const out = new Set<JobStatus>();
  for (const raw of text.split(",")) {
    const word = raw.trim();
    if (word === "") continue;
    const group = STATUS_GROUPS[word as StatusGroup];
    if (group) for (const s of group) out.add(s);
    else if (isJobStatus(word.toUpperCase())) out.add(word.toUpperCase() as JobStatus);
    else return null;
  }
  return out.size > 0 ? [...out] : null;
}
