// The problems found while checking a workflow file or planning its jobs: all of them are collected
// and reported together, in one line naming the workflow (the first problem, and how many more).
import { UserError } from "../domain/errors.js";

/** Problems found while checking a workflow, reported together in one line. */
export class Problems {
  readonly list: string[] = [];
  constructor(private readonly label: string) {}
  add(message: string): void {
    this.list.push(message);
  }
  /** Runs `fn`; a UserError it throws becomes a problem prefixed with `where`. */
  guard<T>(where: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      this.add(`${where}: ${err.message}`);
      return undefined;
    }
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const more =
      this.list.length > 1
        ? ` (and ${this.list.length - 1} more problem${this.list.length > 2 ? "s" : ""})`
        : "";
    throw new UserError(`workflow ${this.label}: ${this.list[0]}${more}`);
  }
}
