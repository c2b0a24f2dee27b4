// The job detail's SLURM block: where the scheduler put the job (partition, QOS, account, nodes),
// what it asked for (ranks × threads) and its time limit against the time used; after the end,
// SLURM's own account of the run (sacct's Elapsed, MaxRSS, State, ExitCode).
import { Text } from "ink";
import type { ReactNode } from "react";
import { accountingOf, detailsOf, isBatchRunner } from "../../domain/accounting.js";
import { runtimeSeconds } from "../../domain/job-times.js";
import type { Job, RemoteJob } from "../../domain/types.js";
import { formatDuration } from "../format.js";

/** "4 ranks × 2 threads"; a serial run is one rank. */
export function ranksTimesThreads(p: Job["parallelism"]): string {
  const ranks = Math.max(1, p.mpi_ranks ?? 1);
  const threads = Math.max(1, p.threads_per_rank ?? 1);
  return `${ranks} rank${ranks === 1 ? "" : "s"} × ${threads} thread${threads === 1 ? "" : "s"}`;
}

/** The SLURM block's lines (label, value), or none for a job no batch scheduler holds. */
export function schedulerFacts(job: Job, remote: RemoteJob | null, now: number): [string, string][] {
  if (!remote || !isBatchRunner(job.runnerType)) return [];
  const d = detailsOf(remote.metadata);
  const acct = accountingOf(remote.metadata);
  const elapsed = runtimeSeconds(job, now);
  const limit = d.timeLimit ?? job.parallelism.time ?? null;
  const pending = remote.metadata.pending_reason;
  const facts: [string, string][] = [
    ["Job id", remote.remoteHandle],
    ["Partition", d.partition ?? remote.queueName ?? "(the cluster's default)"],
    ["QOS", d.qos ?? job.parallelism.qos ?? "—"],
    ["Account", d.account ?? job.parallelism.account ?? "—"],
    ["Nodes", remote.nodeList ?? (job.status === "QUEUED" ? "not yet given" : "—")],
    ["Ranks", ranksTimesThreads(job.parallelism)],
    [
      "Time",
      `${elapsed === null ? "not started" : `${formatDuration(elapsed)} elapsed`} of ${limit ?? "no limit given"}`,
    ],
  ];
  if (job.status === "QUEUED" && typeof pending === "string" && pending !== "") {
    facts.splice(1, 0, ["Waiting", `${pending} (SLURM's reason)`]);
  }
  if (acct) {
    facts.push(
      ["Elapsed", acct.elapsedS === null ? "—" : `${formatDuration(acct.elapsedS)} (sacct)`],
      [
        "MaxRSS",
        acct.maxRssMb === null ? "none sampled (run shorter than SLURM's sampling)" : `${acct.maxRssMb} MB`,
      ],
      ["State", acct.state],
      ["ExitCode", acct.exitCode ?? "—"],
    );
  }
  return facts;
}

export function schedulerLines(job: Job, remote: RemoteJob | null, now: number): ReactNode[] {
  const facts = schedulerFacts(job, remote, now);
  if (facts.length === 0) return [];
  return [
    " ",
    <Text key="slurm-h" bold>
      SLURM
    </Text>,
    ...facts.map(([label, value]) => (
      <Text key={`slurm-${label}`} wrap="truncate-end">
        {"  "}
        <Text bold>{label.padEnd(10)}</Text>
        {value}
      </Text>
    )),
  ];
}
