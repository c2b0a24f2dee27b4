// Which file on this machine holds a job's output (or stderr) for the Log and Results tabs, kept up
// to date while the tab is open. A local run writes into the job's folder: nothing to fetch. A run on
// a cluster is fetched into its mirror (job-output-source.ts) only while a tab asks for it, one fetch
// at a time and the next a second after the last one ended, outside rendering; a closed tab costs
// the cluster nothing. A fetch that fails (the connection is down) is one line for the tab, and the
// next look tries again.
import path from "node:path";
import { useEffect, useRef, useState } from "react";
import type { OutputStream } from "../../app/job-output.js";
import { outputFileName } from "../../crystal/files.js";
import { useProject } from "../store-watch.js";
import type { JobDetail } from "./use-job.js";

/** How long after a fetch ended the next one starts (a line shows within about 2 s of being written). */
export const FETCH_EVERY_MS = 1000;

export interface JobOutputFile {
  /** The local file to read; null until the first fetch of a remote job's stream answered. */
  file: string | null;
  /** Why the last fetch failed, in one line; null when it worked. */
  error: string | null;
  /** Counts the fetches that brought the file up to date (readers look again when it changes). */
  version: number;
}

export function useJobOutput(detail: JobDetail | null, stream: OutputStream, active: boolean): JobOutputFile {
  const { store, files, fetchOutput } = useProject();
  const job = detail?.job ?? null;
  const onCluster = job !== null && job.clusterId !== null;
  // a local run's CRYSTAL output is where the runner writes it: no fetch
  const direct =
    detail && !onCluster && stream === "output"
      ? path.join(detail.folder, outputFileName(detail.job.name))
      : null;
  const [state, setState] = useState<JobOutputFile & { key: string }>({
    key: "",
    file: null,
    error: null,
    version: 0,
  });
  const latest = useRef(job);
  latest.current = job;
  const key = job ? `${job.id}:${stream}` : "";
  // a remote job that runs is fetched again and again; any other once (a queued one has written
  // nothing yet: looking each second would cost the cluster for nothing; one that ended is read
  // from its folder, where its files came back)
  const following = job !== null && onCluster && job.status === "RUNNING";
  const status = job?.status ?? null;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a job that ended is looked at once more (its files came back)
  useEffect(() => {
    if (!active || direct !== null || !latest.current) return;
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    const look = async () => {
      const current = latest.current;
      if (stopped || !current) return;
      let next: { file?: string; error: string | null };
      try {
        const got = await fetchOutput({ store, files }, current, stream);
        next = { file: got.file, error: null };
      } catch (err) {
        const why = (err as Error).message.split("\n")[0];
        next = { error: `cannot fetch the ${stream}: ${why}${following ? " — trying again" : ""}` };
      }
      if (stopped) return;
      setState((s) => ({
        key,
        file: next.file ?? (s.key === key ? s.file : null),
        error: next.error,
        version: s.version + 1,
      }));
      if (following) {
        timer = setTimeout(() => void look(), FETCH_EVERY_MS);
        timer.unref?.();
      }
    };
    void look();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [active, direct, key, following, status, stream, store, files, fetchOutput]);

  if (direct !== null) return { file: direct, error: null, version: 0 };
  if (state.key !== key) return { file: null, error: null, version: state.version };
  return { file: state.file, error: state.error, version: state.version };
}
