// The SLURM runner: a job becomes an sbatch script (src/runners/sbatch.ts) in its own folder under
// the cluster's remote_dir, submitted with `sbatch --parsable` over SSH — the folder, the inputs, the
// script and the submission travel in one remote command. Parents on the same cluster are handed to
// SLURM as --dependency, so a chain progresses while crystal-tui is closed.
//
// Polling costs at most two remote commands per cluster, whatever the number of jobs: one `squeue`
// for all of them, and — only when some left the queue or ended — one script that asks `sacct` for
// those, falls back to `scontrol show job` and `sacct -c` (jobcomp) when accounting is missing or
// late, and reads the exit codes the batch scripts recorded. A job absent from squeue is never taken
// as a success by itself: it needs a record that says how it ended.
import { UserError } from "../domain/errors.js";
import type { SelfTestFindings } from "../domain/self-test.js";
import type { Cluster, Job } from "../domain/types.js";
import { ConnectionError } from "../transport/errors.js";
import {
  gist,
  type RemoteHandle,
  RemoteRunnerBase,
  type RemoteRunnerOptions,
  SubmitLaterError,
} from "./remote-run.js";
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
import type { RunHandle, Runner, RunState, Submission, SubmitContext } from "./types.js";

export interface SlurmHandle extends RemoteHandle {
  kind: "slurm";
  /** SLURM's job id. */
  jobId: string;
  stdout: string;
  stderr: string;
  partition?: string;
  /** --time and --mem as asked, for the reasons of TIMEOUT and OUT_OF_MEMORY. */
  time?: string;
  mem?: string;
}

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

// $1 = run folder, $2 = token
const FIND = `d=$1
if [ -s "$d/${F.slurmJobId}" ]; then echo "JOBID $(cat "$d/${F.slurmJobId}")"; exit 0; fi
[ -d "$d" ] || { echo NONE; exit 0; }
# no id recorded: sbatch failed, or the submitting engine died before recording it — SLURM knows
out=$(squeue -h -u "$(id -un)" -t all -o '%i|%k' 2>&1) || { printf '%s\\n' "$out" >&2; exit 5; }
printf '%s\\n' "$out" | while IFS='|' read -r id comment; do
  [ "$comment" = "crystal-tui:$2" ] && echo "JOBID $id"
done
echo NONE`;

/**
 * $1 = job ids (comma-separated) that left squeue or ended there; $2 = those of them squeue showed
 * no final state for; then the files where their batch scripts record CRYSTAL's exit code.
 * sacct for all; for the $2 jobs sacct has no final record of (accounting absent or late), the
 * controller (scontrol) and jobcomp (sacct -c). A handful of processes, whatever the number of jobs.
 */
function endedScript(): string {
  const finals = FINISHED_STATES.join("|");
  return `ids=$1; unsure=$2; shift 2
acct=$(sacct -n -P -X -j "$ids" -o ${SACCT_FIELDS} 2>&1); rc=$?
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

export class SlurmRunner extends RemoteRunnerBase implements Runner {
  readonly kind = "slurm" as const;
  readonly supportsNativeDependencies = true;
  onWake?: () => void;
  /** Remote commands run by poll() — the benchmark's figure of merit. */
  readonly pollStats = { polls: 0, commands: 0 };
  private defaultPartition: string | undefined;
  /** When this runner first saw a job ended without a final accounting record. */
  private readonly endedSince = new Map<string, number>();

  constructor(cluster: Cluster, options: RemoteRunnerOptions) {
    super(cluster, options);
  }

  protected override selfTestLines(): string[] {
    return SLURM_SELF_TEST_LINES;
  }

  protected override readinessProblem(found: SelfTestFindings): string | null {
    this.defaultPartition = found.defaultPartition;
    if (found.programs.has("sbatch")) return null;
    return `${this.label}: sbatch was not found there — is it a SLURM cluster? (see \`crystal-tui cluster test ${this.cluster.name}\`)`;
  }

  private submission(
    job: Job,
    handle: SlurmHandle,
    commandLine: string,
    metadata: Record<string, unknown>,
  ): Submission {
    const queueName = handle.partition ?? this.defaultPartition;
    return {
      handle,
      commandLine,
      state: "queued",
      remote: {
        remoteHandle: handle.jobId,
        workingDirectory: handle.dir,
        stdoutPath: handle.stdout,
        stderrPath: handle.stderr,
        ...(queueName ? { queueName } : {}),
        metadata: {
          token: handle.token,
          script: `${handle.dir}/${F.sbatch}`,
          output: `${handle.dir}/${job.name}.out`,
          ...metadata,
        },
      },
    };
  }

  private handleFor(job: Job, dir: string, token: string, jobId: string): SlurmHandle {
    const rendered = renderSbatch({ job, cluster: this.cluster, dir, token });
    const r = rendered.resources;
    return {
      kind: "slurm",
      token,
      dir,
      jobId,
      stdout: rendered.stdoutPattern.replace("%j", jobId),
      stderr: rendered.stderrPattern.replace("%j", jobId),
      ...(r.partition !== undefined ? { partition: r.partition } : {}),
      ...(r.time !== undefined ? { time: r.time } : {}),
      ...(r.mem !== undefined ? { mem: r.mem } : {}),
    };
  }

  async submit(job: Job, ctx: SubmitContext): Promise<Submission> {
    const dir = await this.runDirFor(job, ctx.token);
    const dependencies = (ctx.nativeDependencies ?? [])
      .filter((d) => d.handle.kind === "slurm" && typeof d.handle.jobId === "string")
      .map((d) => ({ slurmJobId: d.handle.jobId as string, type: d.type }));
    const rendered = renderSbatch({ job, cluster: this.cluster, dir, token: ctx.token, dependencies });
    await this.stage(job, ctx, dir, { [F.sbatch]: rendered.script });
    // exactly what a user types (the script's #SBATCH --chdir puts the job in its folder)
    const r = await this.shell.exec(["sbatch", "--parsable", `${dir}/${F.sbatch}`]);
    const m = /^(\d+)(;\S*)?$/m.exec(r.stdout.trim());
    if (r.code !== 0 || !m) {
      const why = gist(r).replace(/^sbatch: error: /, "");
      // the controller is busy or restarting, or a parent has just left it: not the job's fault
      if (
        /Job dependency problem|Unable to contact|Socket timed out|Slurm temporarily unable|Resource temporarily unavailable/i.test(
          why,
        )
      ) {
        throw new SubmitLaterError(
          `${this.label}: sbatch could not queue job ${job.id} now (${why}) — will retry`,
        );
      }
      throw new UserError(
        `job ${job.id} (${job.name}): SLURM on ${this.cluster.name} refused it: ${why || `exit ${r.code}`}`,
      );
    }
    // for findLaunch after a crash; not awaited: without the file, findLaunch asks squeue for the token
    this.inBackground(this.putFile(`${dir}/${F.slurmJobId}`, `${m[1]}\n`));
    const handle = this.handleFor(job, dir, ctx.token, m[1]!);
    return this.submission(job, handle, `sbatch ${dir}/${F.sbatch}: ${rendered.commandLine}`, {
      directives: rendered.directives,
      ...(dependencies.length ? { dependencies } : {}),
    });
  }

  async findLaunch(job: Job, token: string): Promise<Submission | null> {
    const dir = await this.runDirFor(job, token);
    const r = await this.shell.script(FIND, { args: [dir, token] });
    if (r.code !== 0) {
      throw new ConnectionError(
        `${this.label}: cannot tell whether job ${job.id} was submitted (${gist(r)}) — will ask again`,
      );
    }
    const m = /^JOBID (\d+)$/m.exec(r.stdout);
    if (!m) return null;
    const handle = this.handleFor(job, dir, token, m[1]!);
    return this.submission(job, handle, `sbatch ${dir}/${F.sbatch}`, { foundAfterRestart: true });
  }

  async poll(runs: { job: Job; handle: RunHandle }[]): Promise<Map<number, RunState>> {
    const states = new Map<number, RunState>();
    if (runs.length === 0) return states;
    this.pollStats.polls++;
    const unknown = (reason: string) => {
      for (const { job } of runs) states.set(job.id, { state: "unknown", reason });
      return states;
    };
    const ids = [...new Set(runs.map((r) => (r.handle as SlurmHandle).jobId))];
    this.pollStats.commands++;
    const sq = await this.orUnknown(
      () =>
        this.shell.exec(["squeue", "-h", "-t", "all", "-j", ids.join(","), "-o", SQUEUE_FORMAT], {
          env: { SLURM_TIME_FORMAT },
          timeoutMs: COMMAND_TIMEOUT_MS,
        }),
      () => null,
    );
    if (!sq) return unknown("connection trouble");
    let queue: Map<string, SlurmRecord>;
    if (sq.code === 0) queue = parseSqueue(sq.stdout);
    // every id has left the controller's memory (older than MinJobAge): squeue refuses the list
    else if (/Invalid job id/i.test(sq.stderr)) queue = new Map();
    else return unknown(`squeue on ${this.cluster.name} failed: ${gist(sq)}`);

    const ended: { job: Job; handle: SlurmHandle }[] = [];
    for (const { job, handle } of runs) {
      const h = handle as SlurmHandle;
      const rec = queue.get(h.jobId);
      const phase = rec ? phaseOf(rec.state) : null;
      if (rec && (phase === "queued" || phase === "running")) {
        this.endedSince.delete(h.jobId);
        states.set(job.id, runStateOf(rec, this.mappingContext(job, h)));
      } else ended.push({ job, handle: h });
    }
    if (ended.length === 0) return states;

    this.pollStats.commands++;
    const endedIds = [...new Set(ended.map((e) => e.handle.jobId))];
    const unsure = endedIds.filter((id) => {
      const rec = queue.get(id);
      return !rec || phaseOf(rec.state) !== "finished";
    });
    const r = await this.orUnknown(
      () =>
        this.shell.script(ENDED, {
          args: [endedIds.join(","), unsure.join(","), ...ended.map((e) => `${e.handle.dir}/${F.exitCode}`)],
          env: { SLURM_TIME_FORMAT },
          timeoutMs: COMMAND_TIMEOUT_MS,
        }),
      () => null,
    );
    if (!r) {
      for (const { job } of ended) states.set(job.id, { state: "unknown", reason: "connection trouble" });
      return states;
    }
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
      const ctx: MappingContext = { ...this.mappingContext(job, handle), userNames: users };
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

  private mappingContext(job: Job, h: SlurmHandle): MappingContext {
    const timeLimit = h.time ?? job.parallelism.time;
    const mem = h.mem ?? job.parallelism.mem;
    return {
      cancelRequested: job.cancelRequested,
      ...(timeLimit ? { timeLimit } : {}),
      ...(mem ? { mem } : {}),
    };
  }

  /** The state of a job that is no longer queued or running in squeue. */
  private endedState(
    h: SlurmHandle,
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

  async cancel(job: Job, handle: RunHandle): Promise<void> {
    const h = handle as SlurmHandle;
    const r = await this.shell.exec(["scancel", h.jobId]);
    if (r.code === 0 || /already completing or completed|Invalid job id/i.test(r.stderr)) return;
    throw new UserError(`job ${job.id}: scancel ${h.jobId} on ${this.cluster.name} failed: ${gist(r)}`);
  }

  protected stderrFiles(handle: RemoteHandle): string[] {
    const h = handle as SlurmHandle;
    return [h.stderr, h.stdout].map((p) => p.slice(p.lastIndexOf("/") + 1)).filter((n) => n !== "");
  }
}
