// Signals as a chemist reads them: "killed by SIGKILL", not "exit 137".
import os from "node:os";

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
