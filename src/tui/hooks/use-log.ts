// A live tail of a text file (a job's CRYSTAL output): re-read when its size or time changes, only
// its last part for big files, so following a long run costs little.
import fs from "node:fs";
import { useEffect, useState } from "react";

export interface Tail {
  lines: string[];
  exists: boolean;
  /** The file is bigger than what is shown (its beginning was left out). */
  clipped: boolean;
  size: number;
}

const EMPTY: Tail = { lines: [], exists: false, clipped: false, size: 0 };
export const TAIL_BYTES = 512 * 1024;
export const TAIL_LINES = 5000;

export function readTail(file: string, maxBytes = TAIL_BYTES, maxLines = TAIL_LINES): Tail {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return EMPTY;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    // tabs and other control characters (Fortran form feeds, stray escapes) would move the
    // terminal's cursor: a tab becomes spaces, the rest is dropped
    let lines = buf
      .toString("utf8")
      .replace(/\r/g, "")
      .replace(/\t/g, "    ")
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "")
      .split("\n");
    if (start > 0) lines = lines.slice(1); // a cut first line is not a line
    if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    const clipped = start > 0 || lines.length > maxLines;
    if (lines.length > maxLines) lines = lines.slice(lines.length - maxLines);
    return { lines, exists: true, clipped, size };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The tail of `file`, looked at every `intervalMs` while `active`; a new `version` (the file was just
 * brought up to date from a cluster) looks at once.
 */
export function useLog(file: string | null, active = true, intervalMs = 500, version = 0): Tail {
  const [tail, setTail] = useState<Tail>(() => (file && active ? readTail(file) : EMPTY));
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version (just fetched) reads at once
  useEffect(() => {
    if (!file || !active) return;
    let stamp = "";
    const check = () => {
      let next = "missing";
      try {
        const st = fs.statSync(file);
        next = `${st.size}:${st.mtimeMs}`;
      } catch {
        // not there (yet): the job has not started writing
      }
      if (next === stamp) return;
      stamp = next;
      setTail(readTail(file));
    };
    check();
    const t = setInterval(check, intervalMs);
    t.unref?.();
    return () => clearInterval(t);
  }, [file, active, intervalMs, version]);
  return tail;
}
