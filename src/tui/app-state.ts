// The app's own state, as one reducer: the screen shown (and where esc goes back to), the help, the
// last message and the keys on the footer. Pure, so the way between screens is tested without a
// terminal; the message's timer stays with the app, which dispatches its end.
import type { KeyTable } from "./bindings.js";
import type { Flash } from "./components/StatusLine.js";
import type { TopScreen, View } from "./nav.js";

export interface AppState {
  view: View;
  help: boolean;
  flash: Flash | null;
  /** The keys of what has them now, for the footer and the help. */
  table: KeyTable | null;
}

export type AppAction =
  | { type: "go"; screen: TopScreen }
  | { type: "show job"; id: number }
  | { type: "new job" }
  | { type: "back" }
  | { type: "help"; open: boolean }
  | { type: "flash"; flash: Flash | null }
  | { type: "table"; table: KeyTable | null };

export function initialAppState(view: View = { name: "jobs" }): AppState {
  return { view, help: false, flash: null, table: null };
}

/** A job or the new-job form: a screen opened from another, which esc goes back to. */
const opened = (v: View): v is Extract<View, { from: View }> => v.name === "detail" || v.name === "new";

export function appReducer(s: AppState, a: AppAction): AppState {
  switch (a.type) {
    case "go":
      // the message was about the screen left
      return { ...s, view: { name: a.screen } as View, flash: null };
    case "show job":
      // esc from a job goes back to where the user came from: the list, not another job or the
      // form that just created it
      return { ...s, view: { name: "detail", jobId: a.id, from: opened(s.view) ? s.view.from : s.view } };
    case "new job":
      return { ...s, view: { name: "new", from: s.view } };
    case "back":
      return { ...s, view: opened(s.view) ? s.view.from : { name: "jobs" } };
    // the same value again keeps the same state, so nothing is drawn again for it
    case "help":
      return a.open === s.help ? s : { ...s, help: a.open };
    case "flash":
      return a.flash === s.flash ? s : { ...s, flash: a.flash };
    case "table":
      return a.table === s.table ? s : { ...s, table: a.table };
  }
}
