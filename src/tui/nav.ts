// What every screen may ask of the app: go somewhere, say something in the status line, quit. The
// keys that work on every screen (?, q, 1 2 3) are wired here, active only while no field is typed in.
import { createContext, useContext } from "react";
import { oneLine, UserError } from "../domain/errors.js";
import type { TopScreen } from "./components/Header.js";
import { useKeys } from "./key-bus.js";
import type { ScreenName } from "./keys.js";

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
  /** A screen part that takes over the keys (a form inside a screen) names its key list (null: the screen's). */
  keysOf(screen: ScreenName | null): void;
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
  keysOf: noop,
});

export function useNav(): Nav {
  return useContext(NavContext);
}

const TOP: Record<string, TopScreen> = { "1": "jobs", "2": "workflows", "3": "clusters" };

export function useGlobalKeys(active: boolean): void {
  const nav = useNav();
  useKeys((input) => {
    if (input === "?") nav.help();
    else if (input === "q") nav.quit();
    else if (TOP[input]) nav.go(TOP[input]);
  }, active);
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
