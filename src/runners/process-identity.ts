// Telling a live process from a dead one whose PID was reused: a PID alone is not an identity, a PID
// plus the process's start time (field 22 of /proc/PID/stat, in clock ticks since boot) is.
import fs from "node:fs";

/**
 * The fields of /proc/PID/stat after the command name (index 0 = field 3, the state), or null when
 * there is no such process or it is a zombie.
 */
function statFields(pid: number): string[] | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // the command name (field 2) may contain spaces and parentheses: split after the last ')'
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return rest[0] === "Z" || rest[0] === "X" ? null : rest;
}

/** The start time of a process, or null when there is no such process (or it is a zombie). */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null; // field 22 overall = index 19 after pid and comm
}

/** The process group of a live process (field 5 of /proc/PID/stat), or null when there is none. */
export function processGroupOf(pid: number): number | null {
  const rest = statFields(pid);
  if (!rest) return null;
  const group = Number(rest[2]);
  return Number.isInteger(group) ? group : null;
}

/** True when the process `pid` is alive and is the one that started at `startTime`. */
export function isSameProcess(pid: number, startTime: string | null | undefined): boolean {
  const now = processStartTime(pid);
  if (now === null) return false;
  return startTime === undefined || startTime === null ? true : now === startTime;
}
