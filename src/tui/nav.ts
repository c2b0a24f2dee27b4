// What every screen may ask of the app: go somewhere, say something in the status line, quit; and
// the state a screen keeps while another is shown (the list's place when a job is opened).
import { createContext, useCallback, useContext, useState } from "react";
import { oneLine, UserError } from "../domain/errors.js";

/** The screens reached with a key (1 2 3 4). */
export type TopScreen = "jobs" | "workflows" | "clusters" | "queue";

export type View =
  | { name: "jobs" }
  | { name: "workflows" }
  | { name: "clusters" }
  | { name: "queue" }
  | { name: "detail"; jobId: number; from: View }
  | { name: "new"; from: View };

export interface Nav {
  go(screen: TopScreen): void;
  showJob(id: number): void;
  newJob(): void;
  back(): void;
  help(): void;
  quit(): void;
  flash(text: string, kind?: "info" | "error"): void;
  /** Says our own connection changed the store (other processes are noticed by data_version). */
  changed(): void;
}

const noop = () => {};
export const NavContext = createContext<Nav>({
  go: noop,
  showJob: noop,
  newJob: noop,
  back: noop,
  help: noop,
  quit: noop,
  flash: noop,
  changed: noop,
});

export function useNav(): Nav {
  return useContext(NavContext);
}

/** What screens remember while they are not shown (the app holds it for the whole session). */
export const MemoryContext = createContext<Map<string, unknown>>(new Map());

/**
 * A screen's state that outlives the screen: going to a job and back finds the list (or the
 * workflow and its step) where it was.
 */
export function useRemembered<T>(key: string, initial: T): [T, (next: T | ((prev: T) => T)) => void] {
  const memory = useContext(MemoryContext);
  const [value, setValue] = useState<T>(() => (memory.has(key) ? (memory.get(key) as T) : initial));
  const set = useCallback(
    (next: T | ((prev: T) => T)) =>
      setValue((prev) => {
        const v = typeof next === "function" ? (next as (p: T) => T)(prev) : next;
        memory.set(key, v);
        return v;
      }),
    [memory, key],
  );
  return [value, set];
}

/**
 * Runs an action of the user's (a change of the store, answered now or later): its sentence goes to
 * the status line, a UserError's message too (in red), and the views re-read the store. Resolves to
 * the action's value, or undefined when it failed.
 */
export async function runAction<T>(
  nav: Nav,
  fn: () => T | Promise<T>,
  say?: (value: T) => string,
): Promise<T | undefined> {
  try {
    const value = await fn();
    nav.changed();
    const text = say ? say(value) : typeof value === "string" ? value : "";
    if (text) nav.flash(text);
    return value;
  } catch (err) {
    nav.changed();
    if (err instanceof UserError) nav.flash(oneLine(err.message), "error");
    else nav.flash(`internal error: ${oneLine((err as Error).message)} — please report it`, "error");
    return undefined;
  }
}
