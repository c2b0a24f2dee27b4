// The shell text that runs CRYSTAL on a remote machine, shared by the SSH runner's wrapper (run.sh)
// and the SLURM runner's batch script: environment set-up from the cluster's configuration (modules,
// CRY23_EXEDIR, exports), optional scratch under $CRY23_SCRDIR, CRYSTAL fed its deck on stdin, the
// exit code recorded in a file, kept outputs copied back (also when stopped by a signal).
//
// Every value that comes from a user (module names, paths, environment values, the MPI launcher) is
// checked here and reaches the shell through shellQuote / shellAssignment; a value with a line break
// is refused outright, so nothing can add a line — a command or an #SBATCH directive — to a script.
import { programOfJob } from "../crystal/deck-file.js";
import { OMP_STACKSIZE_DEFAULT, remoteEnvironmentLines } from "../crystal/environment.js";
import {
  AUX_INPUTS,
  INPUT_NAME,
  KEPT_OUTPUTS,
  outputFileName,
  PROPERTIES_AUX_INPUTS,
} from "../crystal/files.js";
import { checkClusterConfig, checkOneLine } from "../domain/cluster-settings.js";
import { UserError } from "../domain/errors.js";
import type { Cluster, ClusterConfig, Job } from "../domain/types.js";
import { shellCommand, shellQuote } from "../transport/quote.js";

/** Files a remote run leaves in its folder besides CRYSTAL's own. */
export const RUN_FILES = {
  pid: "pid",
  exitCode: "exit_code",
  startedAt: "started_at",
  endedAt: "ended_at",
  stderr: "stderr",
  cancelled: "cancelled",
  wrapper: "run.sh",
  /** The batch scheduler's job id, written after the submission (for a launch found after a crash). */
  batchJobId: "batch_job_id",
} as const;

function where(cluster: Pick<Cluster, "name">): string {
  return `cluster '${cluster.name}'`;
}

export { checkOneLine };

/**
 * The cluster's settings checked again before they go into a script (a record made before they
 * were checked on every add and edit): the rule of src/domain/cluster-settings.ts, errors naming
 * the cluster.
 */
export function checkRemoteConfig(
  cluster: Pick<Cluster, "name" | "config"> & { hostname?: string },
): ClusterConfig {
  try {
    return checkClusterConfig(cluster.config, cluster.hostname);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(
      `${where(cluster)}: ${err.message} (fix it with \`crystal-tui cluster edit ${cluster.name}\`)`,
    );
  }
}

/**
 * Lines that set up CRYSTAL's environment from the cluster's configuration (checked first): the
 * one order of crystal/environment.ts, shared with readiness checks and `cluster test`.
 */
export function environmentLines(cluster: Pick<Cluster, "name" | "config">): string[] {
  return remoteEnvironmentLines(checkRemoteConfig(cluster));
}

/** A job as the remote scripts see it (inputFile tells a properties deck from a crystal one). */
export type ScriptJob = Pick<Job, "id" | "name" | "parallelism"> & { inputFile?: string | null };

/** The program and MPI ranks of a job (the one rule: crystal/files.ts programFor). */
export const programFor = programOfJob;

/** The CRYSTAL binary as a shell word: from $CRY23_EXEDIR when set (config or module), else PATH. */
export function executableWord(job: Pick<ScriptJob, "parallelism" | "inputFile">): string {
  return `"\${CRY23_EXEDIR:+$CRY23_EXEDIR/}${programFor(job).executable}"`;
}

/** The CRYSTAL binary as a user reads it in the job's command line (CRY23_EXEDIR spelled out). */
export function executableShown(
  job: Pick<ScriptJob, "parallelism" | "inputFile">,
  config: ClusterConfig,
): string {
  const exe = programFor(job).executable;
  return config.crystal_exedir ? shellQuote(`${config.crystal_exedir.replace(/\/+$/, "")}/${exe}`) : exe;
}

/** The words of the MPI launcher of a plain SSH machine (cluster.config.mpirun, default mpirun). */
export function mpirunWords(config: ClusterConfig): string[] {
  const words = (config.mpirun ?? "mpirun").trim().split(/\s+/).filter(Boolean);
  return words.length ? words : ["mpirun"];
}

/**
 * What the batch script greps to tell SLURM whether CRYSTAL succeeded, so that afterok / afternotok
 * dependencies follow crystal-tui's verdict: CRYSTAL can exit 0 after "TOO MANY CYCLES". The full
 * verdict is the output parser's (src/crystal/output-parser.ts); this is its shell-sized part: a
 * final TERMINATION banner and no ERROR line, no SCF or optimisation failure.
 */
export const CRYSTAL_SUCCESS_CHECK = [
  "crystal_succeeded() {",
  "  grep -q '^ *EEEEEEEEEE TERMINATION' \"$1\" 2>/dev/null || return 1",
  "  ! grep -Eq '^ *ERROR \\*\\*\\*\\*|SCF ENDED - TOO MANY CYCLES|OPT END - FAILED' \"$1\"",
  "}",
];

export interface RunBodyOptions {
  job: ScriptJob;
  cluster: Pick<Cluster, "name" | "config">;
  /** Absolute folder of the run on the remote side. */
  dir: string;
  /** The command that starts CRYSTAL, as shell words (already quoted), without redirections. */
  launch: string;
  /** OMP_NUM_THREADS as a shell word. */
  threads: string;
  /** Write the shell's PID first (SSH runner: poll and cancel use it). */
  recordPid: boolean;
  /** Exit 1 when CRYSTAL exited 0 but its output shows a failure (SLURM dependencies). */
  verdict: boolean;
}

/**
 * The body shared by run.sh and the batch script. It runs CRYSTAL in the background and waits, so a
 * SIGTERM (cancel, walltime) is handled at once: the signal is passed on, the kept outputs are
 * copied back from scratch, and the exit code is recorded before the shell exits.
 */
export function runBody(o: RunBodyOptions): string[] {
  const q = shellQuote;
  const out = outputFileName(o.job.name);
  const f = RUN_FILES;
  const record = (file: string, value: string) =>
    `printf '%s\\n' ${value} > ${q(`${file}.tmp`)} && mv -f ${q(`${file}.tmp`)} ${q(file)}`;
  const staged = [
    INPUT_NAME,
    ...new Set([...Object.values(AUX_INPUTS), ...Object.values(PROPERTIES_AUX_INPUTS)]),
  ];
  return [
    `job_dir=${q(o.dir)}`,
    `cd "$job_dir" || exit 97`,
    ...(o.recordPid ? [record(f.pid, '"$$"')] : []),
    record(f.startedAt, '"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'),
    ...environmentLines(o.cluster),
    `export OMP_NUM_THREADS=${o.threads}`,
    `export OMP_STACKSIZE="\${OMP_STACKSIZE:-${OMP_STACKSIZE_DEFAULT}}"`,
    // CRYSTAL's scratch convention: run in $CRY23_SCRDIR when the cluster sets it, else in place
    "run_dir=$job_dir",
    `if [ -n "\${CRY23_SCRDIR:-}" ]; then`,
    `  run_dir=$CRY23_SCRDIR/crystal-tui-${o.job.id}-$(basename "$job_dir")`,
    '  mkdir -p "$run_dir" || exit 98',
    `  for f in ${staged.map(q).join(" ")}; do [ -f "$f" ] && cp -p "$f" "$run_dir/"; done`,
    "fi",
    "copy_back() {",
    '  [ "$run_dir" = "$job_dir" ] && return 0',
    `  for f in ${Object.keys(KEPT_OUTPUTS).map(q).join(" ")}; do`,
    '    [ -f "$run_dir/$f" ] && cp -p "$run_dir/$f" "$job_dir/$f"',
    "  done",
    // the geometry of each optimisation point (optc001, …): a killed run's last geometry
    '  for f in "$run_dir"/optc[0-9]*; do [ -f "$f" ] && cp -p "$f" "$job_dir/"; done',
    '  rm -rf "$run_dir"',
    "}",
    "stopped=",
    `trap 'stopped=TERM; kill -TERM "$child" 2>/dev/null' TERM`,
    `trap 'stopped=INT; kill -INT "$child" 2>/dev/null' INT`,
    // CRYSTAL runs in the run folder, the wrapper stays in the job folder: the SSH poll counts a PID
    // as the run only while its working folder is the job folder (a reused PID is not the run), and
    // a wrapper that had moved to $CRY23_SCRDIR was then "lost" whenever its process-group scan of
    // /proc failed — as it does when a process ends mid-scan, i.e. on a busy machine
    `(cd "$run_dir" || exit 98; exec ${o.launch} < ${q(INPUT_NAME)} > "$job_dir"/${q(out)}) &`,
    "child=$!",
    'wait "$child"; rc=$?',
    // a trapped signal interrupts wait: wait again for CRYSTAL's own status
    'if [ -n "$stopped" ]; then wait "$child" 2>/dev/null; r=$?; [ "$r" -ne 127 ] && rc=$r; fi',
    "copy_back",
    record(f.endedAt, '"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'),
    record(f.exitCode, '"$rc"'),
    ...(o.verdict && programFor(o.job).program === "crystal"
      ? [
          ...CRYSTAL_SUCCESS_CHECK,
          `if [ "$rc" -eq 0 ] && [ -z "$stopped" ] && ! crystal_succeeded ${q(out)}; then`,
          `  echo ${q("crystal-tui: CRYSTAL exited 0 but its output does not end successfully — exit 1, so that SLURM dependencies follow the outcome")} >&2`,
          "  exit 1",
          "fi",
        ]
      : []),
    'exit "$rc"',
  ];
}

/** The command line shown for a run (jobs.command_line): what runs, where, with what input. */
export function describeLaunch(dir: string, launch: string, jobName: string): string {
  return `cd ${shellQuote(dir)} && ${launch} < ${INPUT_NAME} > ${shellQuote(outputFileName(jobName))}`;
}

export { shellCommand };
