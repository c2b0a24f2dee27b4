// A text file on screen, however big (a job's CRYSTAL output, its stderr, a file of its folder): its
// line index (file-pages.ts) is kept up to date while the view is open — looked at when its size or
// time changes, extended by what was added when it only grew — and the view reads only the lines it
// shows, so following a long run or paging a 100 MB output costs little.
import fs from "node:fs";
import { useEffect, useState } from "react";
import { indexLines, type LineIndex, lineCount, NO_LINES } from "../file-pages.js";

export interface PagedFile {
  /** The file the index belongs to (null: none asked for). */
  file: string | null;
  index: LineIndex;
  exists: boolean;
  /** Lines in the file now. */
  count: number;
}

const NONE: PagedFile = { file: null, index: NO_LINES, exists: false, count: 0 };

function look(file: string, previous: PagedFile): PagedFile {
  const index = indexLines(file, previous.file === file ? previous.index : NO_LINES);
  if (!index) return { file, index: NO_LINES, exists: false, count: 0 };
  if (previous.file === file && previous.exists && index === previous.index) return previous;
  return { file, index, exists: true, count: lineCount(index) };
}

/**
 * `file`, looked at every `intervalMs` while `active`; a new `version` (the file was just brought up
 * to date from a cluster) looks at once.
 */
export function usePagedFile(file: string | null, active = true, intervalMs = 500, version = 0): PagedFile {
  const [paged, setPaged] = useState<PagedFile>(() => (file && active ? look(file, NONE) : NONE));
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version (just fetched) reads at once
  useEffect(() => {
    if (!file || !active) return;
    let stamp = "";
    const check = () => {
      let next = "missing";
      try {
        const st = fs.statSync(file);
        next = `${st.ino}:${st.size}:${st.mtimeMs}`;
      } catch {
        // not there (yet): the job has not started writing
      }
      if (next === stamp) return;
      stamp = next;
      setPaged((previous) => look(file, previous));
    };
    check();
    const t = setInterval(check, intervalMs);
    t.unref?.();
    return () => clearInterval(t);
  }, [file, active, intervalMs, version]);
  if (paged.file === file) return paged;
  // just asked for (a file opened): read now rather than show "missing" for one frame
  return file && active ? look(file, NONE) : NONE;
}
