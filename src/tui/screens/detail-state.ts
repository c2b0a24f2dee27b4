// The job detail's own state, as one reducer: which tab, where each tab is scrolled, whether the
// Log follows the file, which stream it shows, the file chosen and opened in Files, and the question
// asked. Pure, so the rules a user sees (scrolling back stops following, G or another stream follows
// again, each tab keeps its place, an opened file starts at its top) are tested without a terminal.
import type { OutputStream } from "../../app/job-output.js";
import { DETAIL_TABS, type DetailTab, type Pending } from "./detail-keys.js";

export interface DetailState {
  tab: DetailTab;
  /** Where each tab was left (the Log's counts only while it does not follow). */
  offsets: Record<DetailTab, number>;
  follow: boolean;
  stream: OutputStream;
  /** The file chosen in the Files tab's list. */
  fileCursor: number;
  /** The file opened from that list, shown page by page. */
  viewing: string | null;
  viewOffset: number;
  pending: Pending;
}

export type DetailAction =
  | { type: "tab"; tab: DetailTab }
  /** Scroll the view on screen to a line; `last` is the last line a page can start at. */
  | { type: "scroll"; to: number; last: number }
  | { type: "follow"; on: boolean }
  | { type: "stream"; stream: OutputStream }
  | { type: "choose"; index: number; count: number }
  | { type: "view"; name: string | null }
  | { type: "ask"; pending: Pending };

export function initialDetailState(tab: DetailTab = "Log"): DetailState {
  const offsets = Object.fromEntries(DETAIL_TABS.map((t) => [t, 0])) as Record<DetailTab, number>;
  return {
    tab,
    offsets,
    follow: true,
    stream: "output",
    fileCursor: 0,
    viewing: null,
    viewOffset: 0,
    pending: null,
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, hi));

export function detailReducer(s: DetailState, a: DetailAction): DetailState {
  switch (a.type) {
    case "tab":
      return { ...s, tab: a.tab };
    case "scroll": {
      const to = clamp(a.to, 0, Math.max(0, a.last));
      if (s.tab === "Files" && s.viewing !== null) return { ...s, viewOffset: to };
      const offsets = { ...s.offsets, [s.tab]: to };
      // the Log follows the file while its last page is shown, and stops when scrolled back
      return s.tab === "Log" ? { ...s, offsets, follow: to >= a.last } : { ...s, offsets };
    }
    case "follow":
      return { ...s, follow: a.on };
    case "stream":
      // the other stream is read from its end, as the Log was opened
      return { ...s, stream: a.stream, follow: true };
    case "choose":
      return { ...s, fileCursor: clamp(a.index, 0, Math.max(0, a.count - 1)) };
    case "view":
      return { ...s, viewing: a.name, viewOffset: 0 };
    case "ask":
      return { ...s, pending: a.pending };
  }
}

/** The first line shown: the Log's last page while it follows, else where the tab was left. */
export function shownOffset(s: DetailState, last: number): number {
  if (s.tab === "Log" && s.follow) return Math.max(0, last);
  const stored = s.tab === "Files" && s.viewing !== null ? s.viewOffset : s.offsets[s.tab];
  return clamp(stored, 0, Math.max(0, last));
}
