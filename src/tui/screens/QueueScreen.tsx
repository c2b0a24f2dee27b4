// The queue screen (`4`, turm's `watch squeue`): `squeue --me` on a SLURM cluster — every job of the
// user's there, crystal-tui's own named by their job, the others marked "not ours" — fetched while
// the screen is shown and refreshed at the cluster's poll interval. tab picks the next SLURM cluster.
import { Box, Text } from "ink";
import { useState } from "react";
import type { QueueEntry } from "../../app/cluster-queue.js";
import { isBatchRunner } from "../../domain/accounting.js";
import type { Binding } from "../bindings.js";
import { useBindings } from "../bindings.js";
import { clip } from "../format.js";
import { type ClusterRow, useClusters } from "../hooks/use-clusters.js";
import { useClusterQueue } from "../hooks/use-queue.js";
import { useRemembered } from "../nav.js";
import { useColor } from "../theme.js";

interface QueueCtx {
  clusters: ClusterRow[];
  next: () => void;
  refresh: () => void;
}

export const QUEUE_BINDINGS: readonly Binding<QueueCtx>[] = [
  {
    on: ["tab"],
    does: "the next SLURM cluster's queue",
    footer: "next cluster",
    when: (c) => c.clusters.length > 1,
    run: (c) => c.next(),
  },
  {
    on: ["r"],
    does: "ask squeue again now",
    footer: "refresh",
    when: (c) => c.clusters.length > 0,
    run: (c) => c.refresh(),
  },
];

/** "job 12" for crystal-tui's own, "not ours" for a job made outside it. */
export function ownerOf(e: Pick<QueueEntry, "jobId">): string {
  return e.jobId === null ? "not ours" : `job ${e.jobId}`;
}

export function QueueScreen({ width, height }: { width: number; height: number }) {
  const color = useColor();
  const clusters = useClusters().filter((c) => isBatchRunner(c.type));
  const [picked, setPicked] = useRemembered("queue:cluster", 0);
  const [refresh, setRefresh] = useState(0);
  const cluster = clusters.length > 0 ? clusters[picked % clusters.length]! : null;
  const queue = useClusterQueue(cluster, refresh);
  useBindings(
    "queue",
    QUEUE_BINDINGS,
    { clusters, next: () => setPicked((i) => i + 1), refresh: () => setRefresh((n) => n + 1) },
    { global: true },
  );
  if (!cluster) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text>No SLURM cluster yet — the queue screen shows `squeue --me` of one.</Text>
        <Text dimColor>
          Add one on the Clusters screen (3) or with `crystal-tui cluster add NAME --type slurm`.
        </Text>
      </Box>
    );
  }
  const entries = queue.entries ?? [];
  const foreign = entries.filter((e) => e.jobId === null).length;
  const whereW = Math.max(10, Math.min(24, width - 62));
  const nameW = Math.max(8, width - whereW - 8 - 11 - 10 - 11 - 6);
  const status = queue.error
    ? null
    : queue.entries === null
      ? "asking squeue…"
      : `${entries.length} job${entries.length === 1 ? "" : "s"}, ${foreign} not ours${queue.everyMs ? ` · every ${Math.round(queue.everyMs / 1000)}s` : ""}${queue.loading ? " · asking…" : ""}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate-end">
        <Text bold>{cluster.name}</Text>: squeue --me{status ? ` — ${status}` : ""}
      </Text>
      {queue.error ? (
        <Text color={color("red")} wrap="truncate-end">
          ✖ {queue.error} (r asks again)
        </Text>
      ) : null}
      <Text bold wrap="truncate-end">
        {" "}
        {"SLURM ID".padEnd(8)} {"STATE".padEnd(11)} {"PARTITION".padEnd(10)} {"NAME".padEnd(nameW)}{" "}
        {"NODES/REASON".padEnd(whereW)} CRYSTAL-TUI
      </Text>
      <Box flexDirection="column" height={Math.max(1, height - 4)} overflowY="hidden">
        {queue.entries !== null && entries.length === 0 ? (
          <Text dimColor> No jobs of yours in SLURM's queue.</Text>
        ) : null}
        {entries.slice(0, Math.max(1, height - 4)).map((e) => (
          <Text key={e.slurmId} wrap="truncate-end">
            {" "}
            {clip(e.slurmId, 8).padEnd(8)} {clip(e.state, 11).padEnd(11)}{" "}
            {clip(e.partition ?? "", 10).padEnd(10)} {clip(e.name, nameW).padEnd(nameW)}{" "}
            {clip(e.where ?? "", whereW).padEnd(whereW)}{" "}
            <Text color={color(e.jobId === null ? "yellow" : undefined)}>{ownerOf(e)}</Text>
          </Text>
        ))}
      </Box>
    </Box>
  );
}
