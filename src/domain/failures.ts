// The failure vocabulary, typed once: every way a CRYSTAL run can fail (the parser's ErrorKind,
// src/crystal/result.ts), the words a chemist reads for it, and whether a workflow's recovery policy
// can get past it. A new kind that is not given its words here does not compile; the recovery
// triggers a workflow file accepts, and their words, are derived from this table.
import type { ErrorKind } from "../crystal/result.js";

export const FAILURES = {
  scf_not_converged: { words: "SCF did not converge", recoverable: true },
  walltime: { words: "walltime exceeded", recoverable: true },
  geometry_not_converged: { words: "geometry optimisation did not converge", recoverable: true },
  input_error: { words: "CRYSTAL rejected the input", recoverable: false },
  memory: { words: "out of memory", recoverable: false },
  mpi_abort: { words: "MPI aborted", recoverable: false },
  killed: { words: "killed", recoverable: false },
  crashed: { words: "crashed", recoverable: false },
} as const satisfies Record<ErrorKind, { words: string; recoverable: boolean }>;

/** The failures a recovery policy can retry (a workflow file's `recovery: {on: [...]}`). */
export type RecoveryTrigger = {
  [K in ErrorKind]: (typeof FAILURES)[K]["recoverable"] extends true ? K : never;
}[ErrorKind];

export const RECOVERY_TRIGGERS = (Object.keys(FAILURES) as ErrorKind[]).filter(
  (k): k is RecoveryTrigger => FAILURES[k].recoverable,
);

export function isRecoveryTrigger(value: unknown): value is RecoveryTrigger {
  return typeof value === "string" && (RECOVERY_TRIGGERS as readonly string[]).includes(value);
}

/** A failure in a chemist's words ("SCF did not converge"); an unknown kind as it is. */
export function failureWords(kind: string): string {
  return (FAILURES as Record<string, { words: string }>)[kind]?.words ?? kind;
}
