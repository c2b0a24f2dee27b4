// How a finished run becomes a final job status, in one place: the runner's view (exit code, signal,
// scheduler state) and the CRYSTAL output's own verdict together. A zero exit code alone never means
// success (CRYSTAL can print its normal banner after "TOO MANY CYCLES"); a parsed "completed" output
// never hides a non-zero exit.
import os from "node:os";
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

/** The name of a signal number ("SIGSEGV" for 11), as this system numbers them. */
export function signalName(n: number): string {
  const hit = Object.entries(os.constants.signals).find(([, num]) => num === n);
  return hit ? hit[0] : `signal ${n}`;
}

/** Exit codes above 128 are a shell's way of saying "killed by signal code − 128". */
export function signalOfExitCode(code: number | null): string | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  return signalName(code - 128);
}

const ERROR_KIND_WORDS: Record<string, string> = {
  scf_not_converged: "SCF did not converge",
  geometry_not_converged: "geometry optimisation did not converge",
  input_error: "CRYSTAL rejected the input",
  memory: "out of memory",
  mpi_abort: "MPI aborted",
  walltime: "walltime exceeded",
  killed: "killed",
  crashed: "crashed",
};

function parsedReason(parsed: ParsedOutcome): string {
  const kind = parsed.error_kind ? (ERROR_KIND_WORDS[parsed.error_kind] ?? parsed.error_kind) : null;
  const first = parsed.errors[0]?.trim();
  if (kind && first) return `${kind}: ${first}`;
  if (kind) return kind;
  if (first) return first;
  return parsed.status === "incomplete"
    ? "output incomplete: the run stopped before CRYSTAL finished"
    : "CRYSTAL reported a failure";
}

export function decideOutcome(
  run: Extract<RunState, { state: "finished" }>,
  parsed: ParsedOutcome | null,
  options: { cancelRequested?: boolean } = {},
): Outcome {
  const completedAnyway = run.exitCode === 0 && !run.signal && parsed?.status === "completed";
  if (run.cancelled || (options.cancelRequested && !completedAnyway)) {
    return { status: "CANCELLED", reason: run.reason ?? "cancelled by user" };
  }
  // scheduler verdicts that say more than the output can (the output just stops)
  if (run.schedulerState && !["COMPLETED", "FAILED"].includes(run.schedulerState)) {
    const detail = parsed && parsed.status !== "completed" ? ` (${parsedReason(parsed)})` : "";
    return { status: "FAILED", reason: `${run.reason ?? run.schedulerState.toLowerCase()}${detail}` };
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
  return { status: "FAILED", reason: parsedReason(parsed) };
}
