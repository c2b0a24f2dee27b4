// What a job or cluster may be called. Names end up in folder names, SLURM job names and remote
// paths, so they are restricted to characters that mean nothing to a shell, a path or sbatch —
// and a hostile name is refused with a message that says what is allowed, rather than mangled.
import { UsageError, UserError } from "./errors.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

export function checkJobName(name: string): string {
  if (!NAME.test(name) || name.includes("..")) {
    throw new UserError(
      `job name ${JSON.stringify(name)} is not allowed — use 1–64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit`,
    );
  }
  return name;
}

export function checkClusterName(name: string): string {
  if (!NAME.test(name) || name.includes("..")) {
    throw new UserError(
      `cluster name ${JSON.stringify(name)} is not allowed — use 1–64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit`,
    );
  }
  return name;
}

/** Parses a job id given on the command line or in a file; a non-number is a clear error. */
export function parseJobId(text: string | number): number {
  const s = String(text).trim();
  if (!/^[0-9]{1,15}$/.test(s) || Number(s) < 1) {
    throw new UsageError(
      `${JSON.stringify(String(text))} is not a job id — job ids are positive whole numbers (see \`crystal-tui job list\`)`,
    );
  }
  return Number(s);
}
