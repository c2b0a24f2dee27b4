// Whole numbers a user types (`--priority`, `--limit`, `--ranks`): digits only, and within a range
// the database and the scheduler can hold. `1e23` or twenty-four digits are refused in words —
// Number() would read them as 1e+23, stored as a REAL that sorts and compares as nothing intended,
// or bound by SQLite as a datatype mismatch.
import { UserError } from "./errors.js";

export interface Range {
  min: number;
  max: number;
}

/** A job's priority: higher starts first. A million steps each way is more than any queue needs. */
export const PRIORITY_RANGE: Range = { min: -1_000_000, max: 1_000_000 };

/** `job list --limit`: at most this many rows. */
export const LIST_LIMIT_RANGE: Range = { min: 1, max: 1_000_000_000 };

function rangeText(r: Range): string {
  return `from ${r.min} to ${r.max}`;
}

/** The whole number a user typed for `what`, or a UserError saying what is allowed. */
export function wholeNumberIn(what: string, text: string, range: Range): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^[+-]?\d{1,16}$/.test(trimmed) || value < range.min || value > range.max) {
    throw new UserError(`${what} must be a whole number ${rangeText(range)}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/** A priority as a number already (a workflow file, the TUI, the store's own check). */
export function checkPriority(value: unknown, what = "priority"): number {
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < PRIORITY_RANGE.min ||
    value > PRIORITY_RANGE.max
  ) {
    throw new UserError(`${what} must be a whole number ${rangeText(PRIORITY_RANGE)}, not ${String(value)}`);
  }
  return value;
}
