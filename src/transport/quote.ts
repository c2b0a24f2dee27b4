// The one shell-quoting function. Every command line that crystal-tui hands to a shell — a local
// wrapper, a remote command over SSH, a line of an sbatch script — is built from argument lists by
// these functions, never by pasting user text into a string.

/**
 * Quotes one argument for a POSIX shell: the result always reaches the program as exactly this
 * string, whatever it contains (quotes, $(), backticks, newlines, ;, unicode). Single quotes stop
 * every expansion; a single quote itself is closed, escaped, and reopened.
 */
export function shellQuote(arg: string): string {
  if (arg.includes("\0")) throw new Error("a shell argument cannot contain a NUL byte");
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from an argument vector, each argument quoted. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/** `NAME=value` for an export line; the name must be a shell variable name. */
export function shellAssignment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`${JSON.stringify(name)} is not a shell variable name`);
  return `${name}=${shellQuote(value)}`;
}
