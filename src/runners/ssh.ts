// The SSH runner: CRYSTAL on a plain remote machine (no scheduler). Each launch gets a folder under
// the cluster's remote_dir with the inputs under CRYSTAL's names and a small wrapper, run.sh, started
// detached in its own session (setsid, survives the connection). The wrapper records its PID first
// and CRYSTAL's exit code at the end in files of the folder, so a run is followed — by one remote
// command for all of a cluster's runs per poll — and collected, even by an engine that started
// after a crash. Cancel signals the wrapper's process group: SIGTERM, then SIGKILL after a grace.
import { INPUT_NAME } from "../crystal/files.js";
import { UserError } from "../domain/errors.js";
import { type SshHandle, sshHandle } from "../domain/run-handle.js";
import type { Cluster, Job } from "../domain/types.js";
import { shellCommand } from "../transport/quote.js";
import { gist, RemoteRunnerBase, type RemoteRunnerOptions } from "./remote-run.js";
import {
  describeLaunch,
  executableShown,
  executableWord,
  mpirunWords,
  programFor,
  RUN_FILES,
  runBody,
  type ScriptJob,
} from "./remote-script.js";
import type { RunHandle, Runner, RunState, Submission, SubmitContext } from "./types.js";

const F = RUN_FILES;

// In the run folder: starts run.sh detached and waits (≤ 10 s) for the PID it records.
const LAUNCH = `if command -v setsid >/dev/null 2>&1; then
  setsid /bin/sh ./${F.wrapper} </dev/null >/dev/null 2>>${F.stderr} &
else
  nohup /bin/sh ./${F.wrapper} </dev/null >/dev/null 2>>${F.stderr} &
fi
i=0
while [ ! -s ${F.pid} ] && [ ! -f ${F.exitCode} ] && [ $i -lt 200 ]; do sleep 0.05 2>/dev/null || sleep 1; i=$((i+1)); done
if [ -s ${F.pid} ]; then echo "PID $(cat ${F.pid})"; else echo "NOPID"; exit 3; fi`;

// Liveness without zombies: a process whose parent died is reaped by init — or, where init does not
// reap (some containers), lingers as a zombie that kill -0 still finds.
const ALIVE = `alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/stat" ] || return 0
  case $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) in Z|X|"") return 1;; esac
}
group_alive() {
  if [ -d /proc/self ]; then
    # through cat: awk stops at the first file it cannot open, and a process may end mid-scan
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '{ sub(/^.*) /, ""); if ($3 == g && $1 != "Z" && $1 != "X") found = 1 } END { exit !found }'
  else
    kill -0 "-$1" 2>/dev/null
  fi
}`;

// One line per run folder ("$@"): index, then E exit started ended | R | L [cancelled] | M.
// R also while the wrapper is gone but CRYSTAL, in its process group, still runs.
// A PID counts as the run only while it is alive AND its working folder is the run folder (a PID
// reused after a reboot is not mistaken for the run).
const POLL = `${ALIVE}
i=0
for d in "$@"; do
  i=$((i+1))
  if [ -f "$d/${F.exitCode}" ]; then
    printf '%s E %s %s %s %s\\n' "$i" "$(cat "$d/${F.exitCode}")" "$(cat "$d/${F.startedAt}" 2>/dev/null || echo -)" "$(cat "$d/${F.endedAt}" 2>/dev/null || echo -)" "$([ -f "$d/${F.cancelled}" ] && echo cancelled || echo -)"
    continue
  fi
  if [ ! -d "$d" ]; then echo "$i M"; continue; fi
  pid=$(cat "$d/${F.pid}" 2>/dev/null)
  alive=no
  if [ -n "$pid" ] && alive "$pid"; then
    alive=yes
    if [ -d /proc/$pid ]; then
      [ "$(readlink /proc/$pid/cwd 2>/dev/null)" = "$(cd "$d" && pwd -P)" ] || alive=no
    fi
  fi
  # the wrapper killed alone: CRYSTAL, in the wrapper's session and process group, may run on
  if [ $alive = no ] && [ -n "$pid" ] && [ -f "$d/${F.startedAt}" ] && group_alive "$pid"; then alive=yes; fi
  if [ $alive = yes ]; then echo "$i R $(cat "$d/${F.startedAt}" 2>/dev/null || echo -)"
  elif [ -f "$d/${F.exitCode}" ]; then echo "$i A"
  else echo "$i L $([ -f "$d/${F.cancelled}" ] && echo cancelled || echo -)"; fi
done`;

// $1 = run folder, $2 = grace in tenths of a second. Marks the run as cancelled by crystal-tui,
// SIGTERMs the group, waits, SIGKILLs what is left, and records 137 if the wrapper could not.
const CANCEL = `${ALIVE}
d=$1; grace=$2
pid=$(cat "$d/${F.pid}" 2>/dev/null) || exit 0
[ -f "$d/${F.exitCode}" ] && exit 0
if [ -d /proc/$pid ] && [ "$(readlink /proc/$pid/cwd 2>/dev/null)" != "$(cd "$d" && pwd -P)" ]; then exit 0; fi
: > "$d/${F.cancelled}"
kill -TERM -$pid 2>/dev/null || kill -TERM $pid 2>/dev/null || exit 0
i=0
while group_alive $pid || alive $pid; do
  if [ $i -ge $grace ]; then kill -KILL -$pid 2>/dev/null || kill -KILL $pid 2>/dev/null; break; fi
  sleep 0.1 2>/dev/null || sleep 1; i=$((i+1))
done
sleep 0.2 2>/dev/null || sleep 1
if [ ! -f "$d/${F.exitCode}" ]; then
  date -u +%Y-%m-%dT%H:%M:%SZ > "$d/${F.endedAt}"
  echo 137 > "$d/${F.exitCode}.tmp" && mv -f "$d/${F.exitCode}.tmp" "$d/${F.exitCode}"
fi`;

// $1 = run folder (its name carries the launch token): what that launch left behind.
const FIND = `d=$1
if [ -s "$d/${F.pid}" ]; then echo "PID $(cat "$d/${F.pid}")"; else echo NONE; fi`;

function isoToDb(value: string | undefined): string | undefined {
  if (!value || value === "-") return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString().slice(0, 19).replace("T", " ");
}

/** The command that starts CRYSTAL on a plain machine (mpirun -np N … for several ranks). */
function launchOn(cluster: Pick<Cluster, "config">, job: ScriptJob, exe = executableWord(job)): string {
  const { ranks } = programFor(job);
  return ranks > 1 ? `${shellCommand([...mpirunWords(cluster.config), "-np", String(ranks)])} ${exe}` : exe;
}

/** The wrapper (run.sh) of a run. */
export function wrapperScript(
  cluster: Pick<Cluster, "name" | "config">,
  job: Job,
  dir: string,
  token: string,
): string {
  const threads = job.parallelism.threads_per_rank ?? 1;
  return [
    "#!/bin/sh",
    `# crystal-tui job ${job.id} (${job.name}), launch ${token}: CRYSTAL23 on ${cluster.name}`,
    ...runBody({
      job,
      cluster,
      dir,
      launch: launchOn(cluster, job),
      threads: String(threads),
      recordPid: true,
      verdict: false,
    }),
    "",
  ].join("\n");
}

export class SshRunner extends RemoteRunnerBase implements Runner {
  readonly kind = "ssh" as const;
  onWake?: () => void;

  constructor(cluster: Cluster, options: RemoteRunnerOptions) {
    super(cluster, options);
  }

  /** The command that starts CRYSTAL (mpirun -np N PcrystalOMP for several ranks). */
  launchFor(job: ScriptJob, exe = executableWord(job)): string {
    return launchOn(this.cluster, job, exe);
  }

  private submission(job: Job, dir: string, token: string, pid: number): Submission {
    const handle: SshHandle = { kind: "ssh", token, dir, pid };
    return {
      handle,
      commandLine: describeLaunch(
        dir,
        this.launchFor(job, executableShown(job, this.cluster.config)),
        job.name,
      ),
      state: "running",
      remote: {
        remoteHandle: String(pid),
        workingDirectory: dir,
        stdoutPath: `${dir}/${job.name}.out`,
        stderrPath: `${dir}/${F.stderr}`,
        metadata: { token, wrapper: `${dir}/${F.wrapper}`, input: `${dir}/${INPUT_NAME}` },
      },
    };
  }

  async submit(job: Job, ctx: SubmitContext): Promise<Submission> {
    const dir = await this.runDirFor(job, ctx.token);
    const wrapper = wrapperScript(this.cluster, job, dir, ctx.token);
    await this.stage(job, ctx, dir, { [F.wrapper]: wrapper });
    const r = await this.shell.script(LAUNCH, { cwd: dir });
    const m = /^PID (\d+)$/m.exec(r.stdout);
    if (r.code !== 0 || !m) {
      throw new UserError(
        `job ${job.id} (${job.name}): could not start it on ${this.cluster.name} (${r.code === 3 ? "the wrapper never recorded its PID" : `exit ${r.code}`})${gist(r) ? `: ${gist(r)}` : ""}`,
      );
    }
    return this.submission(job, dir, ctx.token, Number(m[1]));
  }

  async findLaunch(job: Job, token: string): Promise<Submission | null> {
    const dir = await this.runDirFor(job, token);
    const r = await this.shell.scriptOk(FIND, { args: [dir] });
    const m = /^PID (\d+)$/m.exec(r.stdout);
    return m ? this.submission(job, dir, token, Number(m[1])) : null;
  }

  async poll(runs: { job: Job; handle: RunHandle }[]): Promise<Map<number, RunState>> {
    const states = new Map<number, RunState>();
    if (runs.length === 0) return states;
    const dirs = runs.map((r) => sshHandle(r.handle).dir);
    const result = await this.orUnknown(
      () => this.shell.script(POLL, { args: dirs, timeoutMs: 60_000 }),
      () => null,
    );
    if (result?.code !== 0) {
      const reason = result
        ? `the poll on ${this.cluster.name} failed: ${gist(result)}`
        : "connection trouble";
      for (const { job } of runs) states.set(job.id, { state: "unknown", reason });
      return states;
    }
    const lines = new Map<number, string[]>();
    for (const line of result.stdout.split("\n")) {
      const words = line.trim().split(" ");
      const i = Number(words[0]);
      if (Number.isInteger(i) && i >= 1) lines.set(i, words.slice(1));
    }
    runs.forEach(({ job, handle }, index) => {
      const words = lines.get(index + 1);
      const h = sshHandle(handle);
      states.set(job.id, this.stateOf(words, h));
    });
    return states;
  }

  private stateOf(words: string[] | undefined, h: SshHandle): RunState {
    if (!words) return { state: "unknown", reason: "the poll script said nothing about this run" };
    const [tag, ...rest] = words;
    switch (tag) {
      case "E": {
        const [code, started, ended, cancelled] = rest;
        const exitCode = /^-?\d+$/.test(code ?? "") ? Number(code) : null;
        const startedAt = isoToDb(started);
        const endedAt = isoToDb(ended);
        return {
          state: "finished",
          exitCode,
          ...(cancelled === "cancelled" ? { cancelled: true } : {}),
          ...(startedAt ? { startedAt } : {}),
          ...(endedAt ? { endedAt } : {}),
        };
      }
      case "R": {
        const startedAt = isoToDb(rest[0]);
        return { state: "running", ...(startedAt ? { startedAt } : {}) };
      }
      case "A": // ended between the two looks: the next poll reads its exit code
        return { state: "running" };
      case "M":
        return { state: "lost", reason: `lost: its folder ${h.dir} on ${this.cluster.name} is gone` };
      case "L":
        return rest[0] === "cancelled"
          ? { state: "finished", exitCode: null, signal: "SIGKILL", cancelled: true }
          : {
              // no exit code was recorded (the wrapper was killed, or everything was): the output,
              // brought back, decides — only a completed one counts
              state: "finished",
              exitCode: null,
              exitUnrecorded: true,
              reason: `lost: the CRYSTAL process (PID ${h.pid}) on ${this.cluster.name} disappeared without recording an exit code (killed from outside, or the machine rebooted)`,
            };
      default:
        return { state: "unknown", reason: `the poll script answered ${JSON.stringify(words.join(" "))}` };
    }
  }

  async cancel(_job: Job, handle: RunHandle): Promise<void> {
    const h = sshHandle(handle);
    const grace = Math.max(1, Math.round((this.options.cancelGraceMs ?? 10_000) / 100));
    await this.shell.scriptOk(CANCEL, { args: [h.dir, String(grace)] });
  }

  protected stderrFiles(): string[] {
    return [F.stderr];
  }
}
