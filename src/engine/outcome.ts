// How a finished run becomes a final job status, in one place: the runner's view (exit code, signal,
// scheduler state) and the CRYSTAL output's own verdict together. A zero exit code alone never means
// success (CRYSTAL can print its normal banner after "TOO MANY CYCLES"); a parsed "completed" output
// never hides a non-zero exit.
import { failureWords } from "../domain/failures.js";
import { signalName, signalOfExitCode } from "../domain/signals.js";
import type { JobStatus } from "../domain/status.js";
import type { RunState } from "../runners/types.js";

/** The fields of the CRYSTAL parser's result that decide an outcome. */
export interface ParsedOutcome {
  status: "completed" | "failed" | "incomplete";
  error_kind: string | null;
  errors: string[];
}

export interface Outcome {
  status: Extract<JobStatus, "COMPLETED" | "FAILED" | "CANCELLED">;
  reason: string | null;
}

export { signalName, signalOfExitCode };

function parsedReason(parsed: ParsedOutcome): string {
  const kind = parsed.error_kind ? failureWords(parsed.error_kind) : null;
  const first = parsed.errors[0]?.trim();
  if (kind && first) return `${kind}: ${first}`;
  if (kind) return kind;
  if (first) return first;
  return parsed.status === "incomplete"
    ? "output incomplete: the run stopped before CRYSTAL finished"
    : "CRYSTAL reported a failure";
}

export interface OutcomeOptions {
  cancelRequested?: boolean;
  /**
   * The run's stderr when CRYSTAL wrote no output at all: the run failed before CRYSTAL started (a
   * missing library, a launcher not found), and its first line is the reason a user needs.
   */
  stderrBeforeStart?: string;
}

/** The first line of a stderr that says something. */
function firstLine(text: string | undefined): string | null {
  const line = text
    ?.split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== "");
  return line ? (line.length > 300 ? `${line.slice(0, 300)}…` : line) : null;
}

export function decideOutcome(
  run: Extract<RunState, { state: "finished" }>,
  parsed: ParsedOutcome | null,
  options: OutcomeOptions = {},
): Outcome {
  const outcome = decideRunOutcome(run, parsed, options);
  const early = firstLine(options.stderrBeforeStart);
  if (outcome.status !== "FAILED" || !early) return outcome;
  return { status: "FAILED", reason: `${outcome.reason ?? "failed"} before CRYSTAL started: ${early}` };
}

function decideRunOutcome(
  run: Extract<RunState, { state: "finished" }>,
  parsed: ParsedOutcome | null,
  options: OutcomeOptions,
): Outcome {
  const completedAnyway = run.exitCode === 0 && !run.signal && parsed?.status === "completed";
  if (run.cancelled || (options.cancelRequested && !completedAnyway)) {
    return { status: "CANCELLED", reason: run.reason ?? "cancelled by user" };
  }
  // a scheduler that stopped the run itself says more than the output can (the output just stops)
  if (run.stoppedByScheduler) {
    const detail = parsed && parsed.status !== "completed" ? ` (${parsedReason(parsed)})` : "";
    return { status: "FAILED", reason: `${run.reason ?? "stopped by the scheduler"}${detail}` };
  }
  const signal = run.signal ?? signalOfExitCode(run.exitCode);
  if (signal) {
    const detail =
      parsed && parsed.status !== "completed" && parsed.errors.length ? ` (${parsedReason(parsed)})` : "";
    return { status: "FAILED", reason: `killed by ${signal}${detail}` };
  }
  if (parsed === null) {
    return { status: "FAILED", reason: run.reason ?? "no CRYSTAL output was produced" };
  }
  if (run.exitCode !== 0 && run.exitCode !== null) {
    const detail = parsed.status !== "completed" ? `: ${parsedReason(parsed)}` : "";
    return { status: "FAILED", reason: `exit code ${run.exitCode}${detail}` };
  }
  if (parsed.status === "completed") return { status: "COMPLETED", reason: null };
  if (run.exitUnrecorded && run.reason) return { status: "FAILED", reason: run.reason };
  return { status: "FAILED", reason: parsedReason(parsed) };
}
