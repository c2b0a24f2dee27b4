// Errors are values with a message a chemist can act on. A UserError is bad input or a state the
// user can fix (exit code 1, one line on stderr); a UsageError is a malformed command line (exit 2).
// Anything else reaching the CLI is a bug and is reported as such.

export class UserError extends Error {
  override readonly name: string = "UserError";
  readonly exitCode: number = 1;
}

export class UsageError extends UserError {
  override readonly exitCode: number = 2;
}

/** Collapse a message to one line: the contract is one line per error on stderr. */
export function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, " — ");
}
