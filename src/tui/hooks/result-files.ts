// Reading the band structure and DOS a properties run left in its job folder (fort.25 → <job>.f25,
// BAND.DAT → <job>.band.dat, DOSS.DAT → <job>.doss.dat, or the files under CRYSTAL's own names
// when a run wrote them in place). Files are re-read only when their size or time changes; parsing
// is the pure readers of crystal/properties-data.ts. No React here: `job show` reads them too.
import fs from "node:fs";
import path from "node:path";
import { keptNameFor } from "../../crystal/files.js";
import { type DataFile, readDataFile } from "../../crystal/properties-data.js";
import type { ResultData } from "../components/results/results-lines.js";

/** A fort.25 of a long BAND path is a few MB; beyond this size the file is not read on screen. */
export const MAX_DATA_FILE_BYTES = 64 * 1024 * 1024;

/** The names to look for in a job's folder, the most complete first (fort.25 holds both). */
export function dataFileNames(jobName: string): string[] {
  const names: string[] = [];
  for (const crystalName of ["fort.25", "BAND.DAT", "DOSS.DAT"]) {
    names.push(keptNameFor(crystalName, jobName) ?? crystalName, crystalName);
  }
  return [...new Set(names)];
}

export interface Cached {
  stamp: string;
  data: DataFile | null;
}

/** Reads what is there now; `cache` keeps the parsed files by name across calls. */
export function readResultFiles(
  folder: string,
  jobName: string,
  cache: Map<string, Cached>,
): ResultData | null {
  const found: { name: string; data: DataFile }[] = [];
  for (const name of dataFileNames(jobName)) {
    const file = path.join(folder, name);
    let stamp: string;
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_DATA_FILE_BYTES) continue;
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      cache.delete(name);
      continue;
    }
    let entry = cache.get(name);
    if (entry?.stamp !== stamp) {
      let data: DataFile | null = null;
      try {
        data = readDataFile(fs.readFileSync(file, "latin1"));
      } catch {
        // gone or unreadable between stat and read: tried again next time
      }
      entry = { stamp, data };
      cache.set(name, entry);
    }
    if (entry.data) found.push({ name, data: entry.data });
  }
  const bands = found.find((f) => f.data.band_structure);
  const dos = found.find((f) => f.data.dos);
  if (!bands && !dos) return null;
  return {
    bands: bands?.data.band_structure ?? null,
    dos: dos?.data.dos ?? null,
    files: [...new Set([bands?.name, dos?.name].filter((n): n is string => n !== undefined))],
  };
}
