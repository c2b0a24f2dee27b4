// Every key of every screen, in one place: the footer shows the short list of the current screen,
// `?` shows them all. A key not listed here does not exist.

export type ScreenName = "jobs" | "detail" | "new" | "clusters" | "cluster-form" | "workflows";

export interface KeyHelp {
  keys: string;
  does: string;
  /** Shown in the footer (the rest only in `?`). */
  footer?: boolean;
}

export const GLOBAL_KEYS: KeyHelp[] = [
  { keys: "1 2 3", does: "jobs, workflows, clusters screen" },
  { keys: "?", does: "this help (any key closes it)" },
  { keys: "q", does: "quit (the hosted engine stops; running local jobs are picked up by the next engine)" },
  { keys: "ctrl+c", does: "quit" },
];

export const SCREEN_KEYS: Readonly<Record<ScreenName, KeyHelp[]>> = {
  jobs: [
    { keys: "↑↓ j k", does: "move", footer: true },
    { keys: "pgup pgdn g G", does: "page up / down, first / last" },
    { keys: "enter", does: "open the job (log, input, results, files, history)", footer: true },
    { keys: "n", does: "new job", footer: true },
    { keys: "c", does: "cancel the job (asks)", footer: true },
    { keys: "r", does: "re-run a finished job as a new job", footer: true },
    { keys: "d", does: "delete the job's record (asks)", footer: true },
    { keys: "/", does: "search by name (enter keeps, esc clears)", footer: true },
    { keys: "f", does: "filter by status (cycles; F backwards)", footer: true },
    { keys: "s", does: "sort by the next column (S: reverse the order)", footer: true },
    { keys: "esc", does: "clear search and filter" },
  ],
  detail: [
    { keys: "tab ← →", does: "next / previous tab", footer: true },
    { keys: "↑↓ j k pgup pgdn", does: "scroll", footer: true },
    { keys: "g G", does: "top / bottom (G follows the log again)" },
    { keys: "F", does: "follow the log on / off", footer: true },
    { keys: "] [", does: "next / previous section of the results (frequencies, bands, DOS, geometry…)" },
    { keys: "enter", does: "open the selected file (Files tab)" },
    { keys: "c", does: "cancel the job (asks)", footer: true },
    { keys: "r", does: "re-run as a new job", footer: true },
    { keys: "d", does: "delete the job's record (asks)" },
    { keys: "esc", does: "back to the list", footer: true },
  ],
  new: [
    { keys: "↑↓ tab", does: "move between fields", footer: true },
    { keys: "← →", does: "change a choice (template, where, yes/no)", footer: true },
    {
      keys: "ctrl+s",
      does: "create the job (enter on Create does too; elsewhere enter = next field)",
      footer: true,
    },
    { keys: "esc", does: "back without creating", footer: true },
    { keys: "pgup pgdn", does: "scroll the rendered deck", footer: true },
    { keys: "type", does: "edit the field (backspace deletes)" },
  ],
  clusters: [
    { keys: "↑↓ j k", does: "move", footer: true },
    { keys: "a", does: "add a cluster", footer: true },
    { keys: "e / enter", does: "edit the cluster", footer: true },
    { keys: "t", does: "test the connection (runs in the background)", footer: true },
    { keys: "T", does: "trust the cluster's host key (asks)", footer: true },
    { keys: "d", does: "remove the cluster (asks; its jobs stay)", footer: true },
  ],
  "cluster-form": [
    { keys: "↑↓ tab", does: "move between fields", footer: true },
    { keys: "← →", does: "change a choice", footer: true },
    { keys: "ctrl+s", does: "save (enter on Save does too; elsewhere enter = next field)", footer: true },
    { keys: "esc", does: "back without saving", footer: true },
  ],
  workflows: [
    { keys: "↑↓ j k", does: "choose a workflow", footer: true },
    { keys: "tab", does: "move between the list and the steps", footer: true },
    { keys: "enter", does: "open the selected step's job", footer: true },
  ],
};
