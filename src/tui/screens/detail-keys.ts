// The job detail's keys, as one table (bindings.ts): the footer, `?` and the dispatch read it. The
// Log and a file opened in Files are paged views of the whole file (file-pages.ts): g / G, pgup /
// pgdn, `/` to search with n / N, `o` to read it in $PAGER.
import type { OutputStream } from "../../app/job-output.js";
import { isActive, isTerminal } from "../../domain/status.js";
import type { Job } from "../../domain/types.js";
import type { Binding } from "../bindings.js";
import type { FileEntry } from "../components/detail-lines.js";
import type { Nav } from "../nav.js";

export const DETAIL_TABS = ["Log", "Input", "Results", "Files", "History"] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

export type Pending = "cancel" | "delete" | "cancel-instead" | "rerun" | null;

export interface DetailCtx {
  nav: Nav;
  tab: DetailTab;
  setTab: (t: DetailTab) => void;
  job: Job | null;
  viewing: string | null;
  setViewing: (name: string | null) => void;
  files: FileEntry[];
  fileCursor: number;
  setFileCursor: (n: number) => void;
  offset: number;
  scrollable: boolean;
  page: number;
  scrollTo: (line: number) => void;
  follow: boolean;
  setFollow: (on: boolean) => void;
  stream: OutputStream;
  setStream: (s: OutputStream) => void;
  /** First lines of the results' sections (frequencies, bands, DOS, geometry…). */
  sections: number[];
  ask: (p: Pending) => void;
  rerun: () => void;
  /** A whole file is shown page by page (the Log, a file opened in Files). */
  paged: boolean;
  /** The last search's text ("" before any). */
  searched: string;
  startSearch: () => void;
  /** The next (or previous) line with the searched text. */
  findNext: (forward: boolean) => void;
  openInPager: () => void;
  /** y: the job's folder or SLURM id to the clipboard. */
  copy: () => void;
}

const turnTab = (c: DetailCtx, by: number) => {
  const i = DETAIL_TABS.indexOf(c.tab);
  c.setTab(DETAIL_TABS[(i + by + DETAIL_TABS.length) % DETAIL_TABS.length]!);
};
const fileList = (c: DetailCtx) => c.tab === "Files" && c.viewing === null;
const scrolls = (c: DetailCtx) => !fileList(c) && c.scrollable;
const nextSection = (c: DetailCtx, down: boolean) =>
  down ? c.sections.find((l) => l > c.offset) : [...c.sections].reverse().find((l) => l < c.offset);

export const DETAIL_BINDINGS: readonly Binding<DetailCtx>[] = [
  // l / h as in lazygit and k9s
  { on: ["tab", "right", "l"], does: "next tab", footer: "tab", run: (c) => turnTab(c, 1) },
  { on: ["shift+tab", "left", "h"], does: "previous tab", run: (c) => turnTab(c, -1) },
  {
    on: ["esc"],
    does: "back to the list of files",
    footer: "back",
    when: (c) => c.tab === "Files" && c.viewing !== null,
    run: (c) => c.setViewing(null),
  },
  {
    on: ["esc"],
    does: "back to the list",
    footer: "back",
    when: (c) => !(c.tab === "Files" && c.viewing !== null),
    run: (c) => c.nav.back(),
  },
  {
    on: ["up", "down", "j", "k"],
    does: "choose a file",
    footer: "choose",
    when: (c) => fileList(c) && c.files.length > 1,
    run: (c, input, key) => {
      const down = key.downArrow || input === "j";
      c.setFileCursor(Math.max(0, Math.min(c.fileCursor + (down ? 1 : -1), c.files.length - 1)));
    },
  },
  {
    on: ["enter"],
    does: "open the selected file",
    footer: "open",
    when: (c) => fileList(c) && c.files[c.fileCursor] !== undefined && !c.files[c.fileCursor]!.isDir,
    run: (c) => c.setViewing(c.files[c.fileCursor]!.name),
  },
  {
    on: ["up", "down", "j", "k"],
    does: "scroll",
    footer: "scroll",
    when: scrolls,
    run: (c, input, key) => c.scrollTo(c.offset + (key.downArrow || input === "j" ? 1 : -1)),
  },
  {
    on: ["pgup", "pgdn", "space"],
    does: "page up / down",
    when: scrolls,
    run: (c, _i, key) => c.scrollTo(c.offset + (key.pageUp ? -(c.page - 1) : c.page - 1)),
  },
  { on: ["g", "home"], does: "top", when: scrolls, run: (c) => c.scrollTo(0) },
  {
    on: ["G", "end"],
    does: "bottom (in the log: follow it again)",
    when: scrolls,
    run: (c) => {
      c.scrollTo(Number.MAX_SAFE_INTEGER);
      if (c.tab === "Log") c.setFollow(true);
    },
  },
  {
    on: ["F"],
    does: "follow the log on / off",
    footer: "follow",
    when: (c) => c.tab === "Log" && c.scrollable,
    run: (c) => c.setFollow(!c.follow),
  },
  {
    on: ["t"],
    does: "the log: CRYSTAL's output / the run's stderr (SLURM's --error file)",
    footer: "stderr",
    when: (c) => c.tab === "Log",
    run: (c) => c.setStream(c.stream === "output" ? "stderr" : "output"),
  },
  {
    on: ["/"],
    does: "search the file (ignoring case)",
    footer: "search",
    when: (c) => c.paged,
    run: (c) => c.startSearch(),
  },
  {
    on: ["n", "N"],
    does: "next / previous line with the searched text",
    when: (c) => c.paged && c.searched !== "",
    run: (c, input) => c.findNext(input === "n"),
  },
  {
    on: ["o"],
    does: "open the file in $PAGER (less)",
    footer: "pager",
    when: (c) => c.paged,
    run: (c) => c.openInPager(),
  },
  {
    on: ["]", "["],
    does: "next / previous section of the results (frequencies, bands, DOS, geometry…)",
    when: (c) => c.tab === "Results" && c.sections.length > 0,
    run: (c, input) => {
      const line = nextSection(c, input === "]");
      if (line !== undefined) c.scrollTo(line);
    },
  },
  {
    on: ["y"],
    does: "copy the job's folder (local) or SLURM id (remote) to the clipboard",
    when: (c) => c.job !== null,
    run: (c) => c.copy(),
  },
  {
    on: ["c"],
    does: "cancel the job (asks)",
    footer: "cancel",
    when: (c) => c.job !== null,
    run: (c) => {
      const job = c.job!;
      if (isTerminal(job.status)) c.nav.flash(`job ${job.id} is ${job.status} — nothing to cancel`, "error");
      else c.ask("cancel");
    },
  },
  {
    on: ["r"],
    does: "re-run as a new job (asks; e: edit its deck first)",
    footer: "re-run",
    when: (c) => c.job !== null,
    // a finished job: asked once, as in the list; otherwise the refusal says why
    run: (c) => (isTerminal(c.job!.status) ? c.ask("rerun") : c.rerun()),
  },
  {
    on: ["d"],
    does: "delete the job's record (asks; a running job: cancel it)",
    when: (c) => c.job !== null,
    run: (c) => c.ask(isActive(c.job!.status) ? "cancel-instead" : "delete"),
  },
];
