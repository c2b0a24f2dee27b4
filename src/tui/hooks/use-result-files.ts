// The Results tab's one piece of file I/O, as a hook: the job's band structure and DOS files
// (result-files.ts), checked every few seconds while the tab is shown and parsed only on change.
import { useEffect, useState } from "react";
import type { ResultData } from "../components/results/results-lines.js";
import { type Cached, readResultFiles } from "./result-files.js";

/** The job's data files, checked every `intervalMs` while the Results tab is shown. */
export function useResultFiles(
  folder: string | null,
  jobName: string | null,
  active: boolean,
  intervalMs = 2000,
): ResultData | null {
  const [data, setData] = useState<ResultData | null>(null);
  useEffect(() => {
    if (!folder || !jobName || !active) return;
    const cache = new Map<string, Cached>();
    let last: ResultData | null = null;
    const check = () => {
      const next = readResultFiles(folder, jobName, cache);
      // a new object only when a file changed, so the tab is not redrawn for nothing
      if (next?.bands !== last?.bands || next?.dos !== last?.dos) {
        last = next;
        setData(next);
      }
    };
    check();
    const t = setInterval(check, intervalMs);
    t.unref?.();
    return () => clearInterval(t);
  }, [folder, jobName, active, intervalMs]);
  return active ? data : null;
}
