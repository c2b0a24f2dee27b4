// One page of a whole file (the Log, a file opened in Files): the lines the view shows, read from the
// file by their byte range, and — when the file is longer than the view — a last line saying which
// part this is ("lines A–B of N"), so a view is never cut without saying so. The search line typed
// after `/` is here too.
import { Box, Text } from "ink";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { type Binding, useBindings } from "../bindings.js";
import { readLines, searchFile } from "../file-pages.js";
import type { PagedFile } from "../hooks/use-log.js";
import type { useColor } from "../theme.js";
import { maxOffset } from "./Lines.js";
import { cursorView, editLine, LINE_EDIT_KEYS, type LineState } from "./line-editor.js";

export interface Page {
  /** The lines to draw, from the top of the view. */
  lines: ReactNode[];
  /** How many file lines fit under the heading (and above the "lines A–B of N" line). */
  height: number;
  /** The largest first line. */
  last: number;
}

const grouped = (n: number) => n.toLocaleString("en-US");

/** How many file lines a view of `height` rows shows under `headLines` lines of heading. */
export function pageHeight(count: number, headLines: number, height: number): number {
  const room = Math.max(1, height - headLines);
  return Math.max(1, room - (count > room ? 1 : 0));
}

/** The view of `paged` from line `offset` (0-based), under `head`, in `height` rows. */
export function filePage(
  paged: PagedFile,
  head: ReactNode[],
  offset: number,
  height: number,
  hit: Hit | null,
  color: ReturnType<typeof useColor>,
): Page {
  const cut = paged.count > Math.max(1, height - head.length);
  const rows = pageHeight(paged.count, head.length, height);
  const last = maxOffset(paged.count, rows);
  const first = Math.max(0, Math.min(offset, last));
  const text = paged.file ? readLines(paged.file, paged.index, first, rows) : [];
  if (hit && hit.file !== paged.file) hit = null;
  const lines: ReactNode[] = [...head];
  for (const [i, line] of text.entries()) {
    lines.push(
      first + i === hit?.line ? (
        <Text key={`hit${first + i}`} inverse wrap="truncate-end">
          {line === "" ? " " : line}
        </Text>
      ) : (
        line
      ),
    );
  }
  if (cut) {
    while (lines.length < head.length + rows) lines.push("");
    const shown = `showing lines ${grouped(first + 1)}–${grouped(first + text.length)} of ${grouped(paged.count)}`;
    lines.push(
      <Text key="cut" dimColor wrap="truncate-end">
        {shown}
        {hit?.note ? <Text color={color("yellow")}>{` — ${hit.note}`}</Text> : null}
        {"  (g/G top/bottom, / search, o pager)"}
      </Text>,
    );
  } else if (hit?.note) {
    lines.push(
      <Text key="note" color={color("yellow")} wrap="truncate-end">
        {hit.note}
      </Text>,
    );
  }
  return { lines, height: rows, last };
}

interface SearchCtx {
  line: LineState;
  edit: (change: (line: LineState) => LineState) => void;
  /** enter (true) or esc (false); the screen reads the line as it is then. */
  done: (search: boolean) => void;
}

export const SEARCH_BINDINGS: readonly Binding<SearchCtx>[] = [
  { on: ["enter"], does: "search", footer: "search", run: (c) => c.done(true) },
  { on: ["esc"], does: "leave the search", footer: "cancel", run: (c) => c.done(false) },
  {
    on: ["text", ...LINE_EDIT_KEYS],
    does: "type the text to look for",
    run: (c, input, key) => c.edit((line) => editLine(line, input, key)),
  },
];

/** The `/` line: what is typed, with its cursor; enter searches, esc leaves. */
export function SearchLine({
  line,
  width,
  onEdit,
  onDone,
}: {
  line: LineState;
  width: number;
  onEdit: SearchCtx["edit"];
  onDone: SearchCtx["done"];
}) {
  useBindings("search", SEARCH_BINDINGS, { line, edit: onEdit, done: onDone });
  const view = cursorView(line, Math.max(1, width - 2));
  return (
    <Box height={1}>
      <Text wrap="truncate-end">
        /{view.before}
        <Text inverse>{view.at}</Text>
        {view.after}
      </Text>
    </Box>
  );
}

export interface Hit {
  /** The file searched (a hit shows only on its own file). */
  file: string;
  /** The line found (-1: none). */
  line: number;
  note: string | null;
}

/** The `/` search of a paged view: the line being typed, the last text searched and where it was found. */
export function useFileSearch() {
  const [typing, setTyping] = useState<LineState | null>(null);
  // what is typed as the keys arrive, so enter right after a burst of text searches all of it
  const typed = useRef<LineState | null>(null);
  const [searched, setSearched] = useState("");
  const [hit, setHit] = useState<Hit | null>(null);
  const running = useRef<AbortController | null>(null);
  useEffect(() => () => running.current?.abort(), []);
  const set = (line: LineState | null) => {
    typed.current = line;
    setTyping(line);
  };
  return {
    typing,
    searched,
    hit,
    start: () => set({ value: "", cursor: 0 }),
    edit: (change: (line: LineState) => LineState) => set(change(typed.current ?? { value: "", cursor: 0 })),
    /** Leaves the search line; returns what was typed. */
    stop: (): string => {
      const text = typed.current?.value ?? "";
      set(null);
      return text;
    },
    /**
     * The next line (from the hit on screen, else from the top of the view) holding `text`, brought
     * to the top of the view.
     */
    find: (
      paged: PagedFile,
      text: string,
      view: { offset: number; height: number },
      forward: boolean,
      scrollTo: (line: number) => void,
    ) => {
      setSearched(text);
      const file = paged.file;
      if (!file) return;
      const onScreen = hit?.file === file && hit.line >= view.offset && hit.line < view.offset + view.height;
      const from = onScreen ? hit.line : forward ? view.offset - 1 : view.offset;
      // a new search (or leaving the view) stops the one still reading; keys go on meanwhile
      running.current?.abort();
      const stop = new AbortController();
      running.current = stop;
      const slow = setTimeout(() => {
        if (!stop.signal.aborted) setHit({ file, line: hit?.line ?? -1, note: `searching for "${text}"…` });
      }, 150);
      void searchFile(file, paged.index, text, from, forward, stop.signal).then((found) => {
        clearTimeout(slow);
        if (found === "aborted" || stop.signal.aborted) return;
        running.current = null;
        if (!found) {
          setHit({ file, line: -1, note: `"${text}" is not in the file` });
          return;
        }
        setHit({
          file,
          line: found.line,
          note: found.wrapped ? `"${text}": went round the ${forward ? "end" : "start"} of the file` : null,
        });
        scrollTo(found.line);
      });
    },
  };
}
