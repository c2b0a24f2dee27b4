// SLURM, as a batch scheduler (src/runners/batch-scheduler.ts) of the generic batch runner: a job
// becomes an sbatch script (src/runners/sbatch.ts), submitted with `sbatch --parsable` exactly as a
// user types it. Parents on the same cluster are handed to SLURM as --dependency, so a chain
// progresses while crystal-tui is closed. SLURM's state names are read in src/runners/slurm-states.ts.
//
// Polling costs at most two remote commands per cluster, whatever the number of jobs: one `squeue`
// for all of them, and — only when some left the queue or ended — one script that asks `sacct` for
// those, falls back to `scontrol show job` and `sacct -c` (jobcomp) when accounting is missing or
// late, and reads the exit codes the batch scripts recorded. A job absent from squeue is never taken
// as a success by itself: it needs a record that says how it ended.
import type { SchedulerDetails } from "../domain/accounting.js";
import { UserError } from "../domain/errors.js";
import type { BatchHandle } from "../domain/run-handle.js";
import type { SchedulerCheck, SelfTestFindings } from "../domain/self-test.js";
import type { Cluster, Job } from "../domain/types.js";
import type { ExecResult, RemoteShell } from "../transport/remote-shell.js";
import { BatchRunner } from "./batch.js";
import type { BatchPoller, BatchScheduler } from "./batch-scheduler.js";
import { gist, type RemoteRunnerOptions, SubmitLaterError } from "./remote-run.js";
import { RUN_FILES } from "./remote-script.js";
import { renderSbatch } from "./sbatch.js";
import {
  type EndedEvidence,
  endedStateOf,
  FINISHED_STATES,
  type MappingContext,
  parseSacct,
  parseScontrol,
  parseSqueue,
  phaseOf,
  runStateOf,
  SACCT_FIELDS,
  SACCT_JOBCOMP_FIELDS,
  SLURM_TIME_FORMAT,
  type SlurmRecord,
  SQUEUE_FORMAT,
  splitSections,
} from "./slurm-states.js";
import type { RunState } from "./types.js";

const F = RUN_FILES;

/** What a SLURM cluster's self-test adds: where its commands are, and its partitions. */
export const SLURM_SELF_TEST_LINES = [
  "for p in sbatch squeue sacct scancel; do",
  '  if f=$(command -v "$p" 2>/dev/null); then echo "FOUND $p $f"; else echo "MISSING $p"; fi',
  "done",
  "if command -v sinfo >/dev/null 2>&1; then sinfo -h -o '%P' 2>/dev/null | sed 's/^/PARTITION /'; fi",
];

/**
 * SLURM's clients wait for an unreachable controller (a restart, an overload) rather than fail; a
 * poll gives up after this long and reports "unknown", so the engine is never held for good.
 */
const COMMAND_TIMEOUT_MS = 60_000;

// $1 = run folder, $2 = token: a run submitted by an earlier crystal-tui recorded its id under
// SLURM's name; else squeue knows the job by the token in its --comment
const FIND_BY_TOKEN = [
  'if [ -s "$d/slurm_job_id" ]; then echo "JOBID $(cat "$d/slurm_job_id")"; exit 0; fi',
  "out=$(squeue -h -u \"$(id -un)\" -t all -o '%i|%k' 2>&1) || { printf '%s\\n' \"$out\" >&2; exit 5; }",
  "printf '%s\\n' \"$out\" | while IFS='|' read -r id comment; do",
  '  [ "$comment" = "crystal-tui:$2" ] && echo "JOBID $id"',
  "done",
];

/**
 * $1 = job ids (comma-separated) that left squeue or ended there; $2 = those of them squeue showed
 * no final state for; then the files where their batch scripts record CRYSTAL's exit code.
 * sacct for all, with their steps (MaxRSS is only known per step); for the $2 jobs sacct has no final record of (accounting absent or late), the
 * controller (scontrol) and jobcomp (sacct -c). A handful of processes, whatever the number of jobs.
 */
function endedScript(): string {
  const finals = FINISHED_STATES.join("|");
  return `ids=$1; unsure=$2; shift 2
acct=$(sacct -n -P -j "$ids" -o ${SACCT_FIELDS} 2>&1); rc=$?
printf '@@sacct %s\\n%s\\n' "$rc" "$acct"
if [ -n "$unsure" ]; then
  missing=$(printf '%s\\n' "$acct" | awk -F'|' -v want="$unsure" '
    BEGIN { n = split(want, w, ","); for (i = 1; i <= n; i++) need[w[i]] = 1 }
    $2 ~ /^(${finals})/ { delete need[$1] }
    END { for (id in need) print id }')
  if [ -n "$missing" ]; then
    echo "@@scontrol"
    for id in $missing; do scontrol show job -o "$id" 2>/dev/null; done
    echo "@@jobcomp"
    sacct -c -n -P -j "$(echo $missing | tr ' ' ',')" -o ${SACCT_JOBCOMP_FIELDS} 2>/dev/null
  fi
fi
echo "@@users"
for uid in $(printf '%s\\n' "$acct" | sed -n 's/^[0-9]*|CANCELLED by \\([0-9][0-9]*\\)|.*/\\1/p' | sort -u); do
  printf '%s %s\\n' "$uid" "$(getent passwd "$uid" | cut -d: -f1)"
done
echo "@@files"
[ $# -gt 0 ] && grep -H '' "$@" 2>/dev/null
exit 0`;
}
const ENDED = endedScript();

/** SLURM's answer to `sbatch --parsable`: the job id, or why not (a busy controller is no one's fault). */
function readSubmit(r: ExecResult, job: Pick<Job, "id" | "name">, cluster: Pick<Cluster, "name">): string {
  const m = /^(\d+)(;\S*)?$/m.exec(r.stdout.trim());
  if (r.code === 0 && m) return m[1]!;
  const why = gist(r).replace(/^sbatch: error: /, "");
  // the controller is busy or restarting, or a parent has just left it: not the job's fault
  if (
    /Job dependency problem|Unable to contact|Socket timed out|Slurm temporarily unable|Resource temporarily unavailable/i.test(
      why,
    )
  ) {
    throw new SubmitLaterError(
      `cluster '${cluster.name}': sbatch could not queue job ${job.id} now (${why}) — will retry`,
    );
  }
  throw new UserError(
    `job ${job.id} (${job.name}): SLURM on ${cluster.name} refused it: ${why || `exit ${r.code}`}`,
  );
}

/**
 * Polls a SLURM cluster: at most two remote commands, whatever the number of jobs — one `squeue`
 * for all of them, and only when some left the queue or ended, one script that asks `sacct` for
 * those (with scontrol and jobcomp when accounting is missing or late) and reads the exit codes the
 * batch scripts recorded. Remembers when it first saw a job ended without a final record.
 */
class SlurmPoller implements BatchPoller {
  readonly stats = { polls: 0, commands: 0 };
  private readonly endedSince = new Map<string, number>();

  constructor(private readonly cluster: Pick<Cluster, "name">) {}

  async poll(shell: RemoteShell, runs: { job: Job; handle: BatchHandle }[]): Promise<Map<number, RunState>> {
    const states = new Map<number, RunState>();
    if (runs.length === 0) return states;
    this.stats.polls++;
    const unknown = (reason: string) => {
      for (const { job } of runs) states.set(job.id, { state: "unknown", reason });
      return states;
    };
    const ids = [...new Set(runs.map((r) => r.handle.jobId))];
    this.stats.commands++;
    const sq = await shell.exec(["squeue", "-h", "-t", "all", "-j", ids.join(","), "-o", SQUEUE_FORMAT], {
      env: { SLURM_TIME_FORMAT },
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
    let queue: Map<string, SlurmRecord>;
    if (sq.code === 0) queue = parseSqueue(sq.stdout);
    // every id has left the controller's memory (older than MinJobAge): squeue refuses the list
    else if (/Invalid job id/i.test(sq.stderr)) queue = new Map();
    else return unknown(`squeue on ${this.cluster.name} failed: ${gist(sq)}`);

    const ended: { job: Job; handle: BatchHandle }[] = [];
    for (const { job, handle } of runs) {
      const rec = queue.get(handle.jobId);
      const phase = rec ? phaseOf(rec.state) : null;
      if (rec && (phase === "queued" || phase === "running")) {
        this.endedSince.delete(handle.jobId);
        const state = runStateOf(rec, mappingContext(job, handle));
        states.set(
          job.id,
          state.state === "queued" || state.state === "running"
            ? { ...state, scheduler: detailsFrom(rec) }
            : state,
        );
      } else ended.push({ job, handle });
    }
    if (ended.length === 0) return states;

    this.stats.commands++;
    const endedIds = [...new Set(ended.map((e) => e.handle.jobId))];
    const unsure = endedIds.filter((id) => {
      const rec = queue.get(id);
      return !rec || phaseOf(rec.state) !== "finished";
    });
    const r = await shell.script(ENDED, {
      args: [endedIds.join(","), unsure.join(","), ...ended.map((e) => `${e.handle.dir}/${F.exitCode}`)],
      env: { SLURM_TIME_FORMAT },
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
    const sections = splitSections(r.stdout);
    const acct = parseSacct(sections.get("sacct") ?? "");
    const ctl = parseScontrol(sections.get("scontrol") ?? "");
    const comp = parseSacct(sections.get("jobcomp") ?? "");
    const users = new Map<string, string>();
    for (const line of (sections.get("users") ?? "").split("\n")) {
      const [uid, name] = line.trim().split(/\s+/);
      if (uid && name) users.set(uid, name);
    }
    // grep -H: "<run folder>/exit_code:<code>"
    const exitCodes = new Map<string, number>();
    for (const line of (sections.get("files") ?? "").split("\n")) {
      const m = /^(.*)\/exit_code:(-?\d+)$/.exec(line.trim());
      if (m) exitCodes.set(m[1]!, Number(m[2]));
    }
    for (const { job, handle } of ended) {
      const ctx: MappingContext = { ...mappingContext(job, handle), userNames: users };
      const code = exitCodes.get(handle.dir);
      if (code !== undefined) ctx.crystalExitCode = code;
      states.set(
        job.id,
        this.endedState(handle, {
          acct: acct.get(handle.jobId),
          ctl: ctl.get(handle.jobId),
          comp: comp.get(handle.jobId),
          queue: queue.get(handle.jobId),
          ctx,
        }),
      );
    }
    return states;
  }

  /** The state of a job that is no longer queued or running in squeue. */
  private endedState(
    h: BatchHandle,
    seen: Omit<EndedEvidence, "slurmJobId" | "dir" | "cluster" | "waitedMs">,
  ): RunState {
    const since = this.endedSince.get(h.jobId) ?? Date.now();
    const { state, waitingForAccounting } = endedStateOf({
      ...seen,
      slurmJobId: h.jobId,
      dir: h.dir,
      cluster: this.cluster.name,
      waitedMs: Date.now() - since,
    });
    if (waitingForAccounting) this.endedSince.set(h.jobId, since);
    else this.endedSince.delete(h.jobId);
    return state;
  }
}

/** What squeue says of a job besides its state, kept for the job's detail. */
function detailsFrom(rec: SlurmRecord): SchedulerDetails {
  return {
    partition: rec.partition ?? null,
    qos: rec.qos ?? null,
    account: rec.account ?? null,
    timeLimit: rec.timeLimit ?? null,
  };
}

function mappingContext(job: Job, h: BatchHandle): MappingContext {
  const timeLimit = h.time ?? job.parallelism.time;
  const mem = h.mem ?? job.parallelism.mem;
  return {
    cancelRequested: job.cancelRequested,
    ...(timeLimit ? { timeLimit } : {}),
    ...(mem ? { mem } : {}),
  };
}

/** What `cluster test` adds on SLURM: its commands on the remote PATH, and the partition. */
function slurmChecks(
  found: SelfTestFindings,
  cluster: { config: { partition?: string } },
  modulesNote: string,
): SchedulerCheck[] {
  const checks: SchedulerCheck[] = [];
  const missing = ["sbatch", "squeue", "sacct", "scancel"].filter((p) => !found.programs.has(p));
  const needed = missing.filter((p) => p === "sbatch" || p === "squeue" || p === "scancel");
  if (needed.length > 0) {
    checks.push({
      name: "slurm",
      outcome: "failed",
      detail: `${needed.join(", ")} not found on the remote PATH${modulesNote} — is this a SLURM login node? (a module may provide them: --module)`,
    });
  } else {
    checks.push({
      name: "slurm",
      outcome: missing.length ? "warning" : "ok",
      detail: `sbatch ${found.programs.get("sbatch")}, squeue ${found.programs.get("squeue")}${
        missing.length ? `; ${missing.join(", ")} not found: finished jobs are read with scontrol` : ""
      }`,
    });
  }
  const wanted = cluster.config.partition;
  if (found.partitions.length === 0) {
    checks.push({
      name: "partition",
      outcome: wanted ? "failed" : "warning",
      detail: "sinfo listed no partitions — cannot check the partition",
    });
  } else if (wanted && !found.partitions.includes(wanted)) {
    checks.push({
      name: "partition",
      outcome: "failed",
      detail: `'${wanted}' is not a partition of this cluster (it has ${found.partitions.join(", ")}) — change it with --partition`,
    });
  } else {
    checks.push({
      name: "partition",
      outcome: "ok",
      detail: wanted
        ? `'${wanted}' exists (partitions: ${found.partitions.join(", ")})`
        : `none configured: SLURM's default${found.defaultPartition ? ` '${found.defaultPartition}'` : ""} is used (partitions: ${found.partitions.join(", ")})`,
    });
  }
  return checks;
}

export const slurm: BatchScheduler = {
  kind: "slurm",
  title: "SLURM",
  defaultMaxJobs: 100,
  nativeDependencies: true,
  scriptName: "job.sbatch",
  selfTestLines: SLURM_SELF_TEST_LINES,
  checkNames: ["slurm", "partition"],
  selfTestChecks: slurmChecks,
  readinessProblem(found, cluster) {
    if (found.programs.has("sbatch")) return null;
    return `cluster '${cluster.name}': sbatch was not found there — is it a SLURM cluster? (see \`crystal-tui cluster test ${cluster.name}\`)`;
  },
  renderScript: renderSbatch,
  // exactly what a user types (the script's #SBATCH --chdir puts the job in its folder)
  submitArgv: (scriptPath) => ["sbatch", "--parsable", scriptPath],
  readSubmit,
  findByTokenLines: FIND_BY_TOKEN,
  poller: (cluster) => new SlurmPoller(cluster),
  cancelArgv: (h) => ["scancel", h.jobId],
  cancelled: (r) => r.code === 0 || /already completing or completed|Invalid job id/i.test(r.stderr),
};

/** The batch runner on SLURM (the name tests and benchmarks use). */
export class SlurmRunner extends BatchRunner {
  constructor(cluster: Cluster, options: RemoteRunnerOptions) {
    super(cluster, slurm, options);
  }
}
