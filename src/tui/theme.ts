// Colours of the TUI, and the switch that turns them off (NO_COLOR, https://no-color.org). Colour
// only decorates: every status also carries its symbol (STATUS_SYMBOL), so nothing is lost without it.
import { createContext, useContext } from "react";
import type { JobStatus } from "../domain/status.js";

export interface Theme {
  color: boolean;
}

/** NO_COLOR set to anything but the empty string turns colour off. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === "";
}

export const ThemeContext = createContext<Theme>({ color: colorWanted() });

export const STATUS_COLOR: Readonly<Record<JobStatus, string>> = {
  PENDING: "gray",
  QUEUED: "cyan",
  RUNNING: "yellow",
  COMPLETED: "green",
  FAILED: "red",
  CANCELLED: "magenta",
  SKIPPED: "gray",
};

/** Returns a function that gives a colour name, or undefined when colour is off. */
export function useColor(): (name: string | undefined) => string | undefined {
  const theme = useContext(ThemeContext);
  return (name) => (theme.color ? name : undefined);
}
