// The runner of a batch-scheduled cluster, whatever its scheduler (src/runners/batch-scheduler.ts):
// a job becomes the scheduler's script in its own folder under the cluster's remote_dir — the
// folder, the inputs and the script travel in one flight, then one submit command. Parents on the
// same cluster are handed to the scheduler as dependencies when it takes them, so a chain
// progresses while crystal-tui is closed. The scheduler's job id is also written into the run
// folder, so that a launch whose engine died before recording it is found again.
import { UserError } from "../domain/errors.js";
import { type BatchHandle, batchHandle } from "../domain/run-handle.js";
import type { SelfTestFindings } from "../domain/self-test.js";
import type { Cluster, Job } from "../domain/types.js";
import { ConnectionError } from "../transport/errors.js";
import type { BatchPoller, BatchScheduler } from "./batch-scheduler.js";
import { gist, RemoteRunnerBase, type RemoteRunnerOptions } from "./remote-run.js";
import { RUN_FILES } from "./remote-script.js";
import type { RunHandle, Runner, RunState, Submission, SubmitContext } from "./types.js";

const F = RUN_FILES;

// $1 = where the scheduler's answer is kept, then the submit command: the answer is kept in the run
// folder when the submission succeeded and then printed — no second round trip, and no window in
// which a submitted run has no id there (findLaunch reads it after a crash). The answer goes out
// last, right before the exit: printed before the `mv`, its bytes left the login host alone and the
// exit followed a moment later, which through a jump host waited ~40 ms for a delayed TCP ACK on
// every submission (sshd sends without TCP_NODELAY outside a terminal); now it waits only in spells,
// like a plain `ssh login sbatch` (measured: 64 against 50 of 100 — the capture's few ms remain).
const SUBMIT_AND_RECORD = [
  "f=$1; shift",
  'out=$("$@"); rc=$?',
  'if [ "$rc" -eq 0 ]; then { printf \'%s\\n\' "$out" > "$f.tmp" && mv -f "$f.tmp" "$f"; } 2>/dev/null || true; fi',
  "printf '%s\\n' \"$out\"",
  'exit "$rc"',
].join("\n");

// $1 = run folder, $2 = token: the id the submission recorded, else what the scheduler knows
function findScript(scheduler: BatchScheduler): string {
  return [
    "d=$1",
    `if [ -s "$d/${F.batchJobId}" ]; then echo "JOBID $(cat "$d/${F.batchJobId}")"; exit 0; fi`,
    '[ -d "$d" ] || { echo NONE; exit 0; }',
    "# no id recorded: the submission failed, or its engine died before recording it — the scheduler knows",
    ...scheduler.findByTokenLines,
    "echo NONE",
  ].join("\n");
}

export class BatchRunner extends RemoteRunnerBase implements Runner {
  readonly kind: string;
  readonly supportsNativeDependencies: boolean;
  onWake?: () => void;
  private readonly poller: BatchPoller;
  private defaultPartition: string | undefined;

  constructor(
    cluster: Cluster,
    readonly scheduler: BatchScheduler,
    options: RemoteRunnerOptions,
  ) {
    super(cluster, options);
    this.kind = scheduler.kind;
    this.supportsNativeDependencies = scheduler.nativeDependencies;
    this.poller = scheduler.poller(cluster);
  }

  /** Remote commands run by poll() — the benchmark's figure of merit. */
  get pollStats(): { polls: number; commands: number } {
    return this.poller.stats;
  }

  protected override selfTestLines(): string[] {
    return [...this.scheduler.selfTestLines];
  }

  protected override readinessProblem(found: SelfTestFindings): string | null {
    this.defaultPartition = found.defaultPartition;
    return this.scheduler.readinessProblem(found, this.cluster);
  }

  private scriptPath(dir: string): string {
    return `${dir}/${this.scheduler.scriptName}`;
  }

  private submission(
    job: Job,
    handle: BatchHandle,
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
          script: this.scriptPath(handle.dir),
          output: `${handle.dir}/${job.name}.out`,
          ...metadata,
        },
      },
    };
  }

  private handleFor(job: Job, dir: string, token: string, jobId: string): BatchHandle {
    const rendered = this.scheduler.renderScript({ job, cluster: this.cluster, dir, token });
    const r = rendered.resources;
    return {
      kind: this.kind,
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
      .filter((d) => d.handle.kind === this.kind && "jobId" in d.handle)
      .map((d) => ({ jobId: batchHandle(d.handle).jobId, type: d.type }));
    const rendered = this.scheduler.renderScript({
      job,
      cluster: this.cluster,
      dir,
      token: ctx.token,
      dependencies,
    });
    // the folder, its files, the submission and the record of its answer in one session: a
    // submission costs one round trip
    const answer = await this.stageAndExec(job, ctx, dir, { [this.scheduler.scriptName]: rendered.script }, [
      "sh",
      "-c",
      SUBMIT_AND_RECORD,
      "sh",
      `${dir}/${F.batchJobId}`,
      ...this.scheduler.submitArgv(this.scriptPath(dir)),
    ]);
    const jobId = this.scheduler.readSubmit(answer, job, this.cluster);
    const handle = this.handleFor(job, dir, ctx.token, jobId);
    return this.submission(
      job,
      handle,
      `${this.scheduler.submitArgv(this.scriptPath(dir)).join(" ")}: ${rendered.commandLine}`,
      {
        directives: rendered.directives,
        ...(dependencies.length ? { dependencies } : {}),
      },
    );
  }

  async findLaunch(job: Job, token: string): Promise<Submission | null> {
    const dir = await this.runDirFor(job, token);
    const r = await this.shell.script(findScript(this.scheduler), { args: [dir, token] });
    if (r.code !== 0) {
      throw new ConnectionError(
        `${this.label}: cannot tell whether job ${job.id} was submitted (${gist(r)}) — will ask again`,
      );
    }
    const m = /^JOBID (\S+)$/m.exec(r.stdout);
    if (!m) return null;
    // the id as the submission recorded it: the scheduler's own answer (sbatch's "123;cluster"),
    // read as a submission's answer is; an id written by an older crystal-tui reads the same
    const jobId = this.scheduler.readSubmit(
      {
        code: 0,
        signal: null,
        stdout: `${m[1]}\n`,
        stdoutBytes: Buffer.from(m[1]!),
        stderr: "",
        command: "",
      },
      job,
      this.cluster,
    );
    const handle = this.handleFor(job, dir, token, jobId);
    return this.submission(job, handle, this.scheduler.submitArgv(this.scriptPath(dir)).join(" "), {
      foundAfterRestart: true,
    });
  }

  async poll(runs: { job: Job; handle: RunHandle }[]): Promise<Map<number, RunState>> {
    if (runs.length === 0) return new Map();
    const batch = runs.map(({ job, handle }) => ({ job, handle: batchHandle(handle) }));
    try {
      return await this.poller.poll(this.shell, batch);
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      return new Map(runs.map(({ job }) => [job.id, { state: "unknown", reason: "connection trouble" }]));
    }
  }

  async cancel(job: Job, handle: RunHandle): Promise<void> {
    const h = batchHandle(handle);
    const r = await this.shell.exec(this.scheduler.cancelArgv(h));
    if (this.scheduler.cancelled(r)) return;
    throw new UserError(
      `job ${job.id}: ${this.scheduler.cancelArgv(h).join(" ")} on ${this.cluster.name} failed: ${gist(r)}`,
    );
  }

  protected stderrFiles(handle: RunHandle): string[] {
    const h = batchHandle(handle);
    return [h.stderr, h.stdout].map((p) => p.slice(p.lastIndexOf("/") + 1)).filter((n) => n !== "");
  }
}
