// The Results tab's values: the stored ones for a job that ended; for a running one, its output parsed
// so far — the job's own file for a local run, the mirror fetched from the cluster for a remote one
// (use-job-output.ts) — fed to the parser incrementally and labelled "so far" by the views.
import { useEffect, useState } from "react";
import type { CrystalResult } from "../../crystal/result.js";
import { isActive } from "../../domain/status.js";
import { LiveOutput } from "../crystal.js";
import type { JobDetail } from "./use-job.js";

export interface ShownResults {
  results: CrystalResult | null;
  legacy: Record<string, unknown> | null;
  /** Read from a running job's output so far (never a final verdict). */
  live: boolean;
}

/** `file` is the local file holding the output; `version` changes when it was just fetched. */
export function useLiveResults(
  detail: JobDetail | null,
  file: string | null,
  active: boolean,
  version = 0,
): ShownResults {
  const running = detail !== null && isActive(detail.job.status);
  const [live, setLive] = useState<{ file: string; results: CrystalResult | null } | null>(null);
  const [output, setOutput] = useState<LiveOutput | null>(null);
  // one parser per file, kept across looks: each look feeds only the bytes added since the last
  useEffect(() => {
    setOutput(running && file ? new LiveOutput(file) : null);
  }, [running, file]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version (just fetched) reads at once
  useEffect(() => {
    if (!active || !output) return;
    const read = () => setLive({ file: output.file, results: output.read() });
    read();
    const t = setInterval(read, 1000);
    t.unref?.();
    return () => clearInterval(t);
  }, [active, output, version]);
  if (!detail) return { results: null, legacy: null, live: false };
  if (running) return { results: live && live.file === file ? live.results : null, legacy: null, live: true };
  return { results: detail.job.keyResults, legacy: detail.job.legacyResults, live: false };
}
