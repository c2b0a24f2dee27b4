// The sbatch script of a job, rendered from its resources and its cluster's configuration: the
// #SBATCH directives (--job-name, --nodes, --ntasks = MPI ranks, --cpus-per-task = threads, --time,
// --partition, --qos, --account, --mem, --constraint, --output/--error, --dependency), then the
// environment and the CRYSTAL run (srun PcrystalOMP for several ranks, crystalOMP with
// OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK otherwise).
//
// Every directive value is validated against a strict pattern first (an error names the field), and
// must be one word without quotes or spaces, because sbatch reads #SBATCH lines itself and does not
// follow shell quoting; every value in the script body goes through shellQuote. No job or cluster
// setting can add a directive or a command.
import { type DependencyType, SLURM_DEPENDENCY } from "../domain/dependencies.js";
import { UserError } from "../domain/errors.js";
import { checkJobName } from "../domain/names.js";
import { checkParallelism } from "../domain/parallelism.js";
import type { Cluster, Parallelism } from "../domain/types.js";
import type { BatchScript, BatchScriptInput } from "./batch-scheduler.js";
import {
  checkOneLine,
  describeLaunch,
  executableShown,
  executableWord,
  programFor,
  runBody,
  type ScriptJob,
} from "./remote-script.js";

/** A job's batch script input and what it renders to: the batch scheduler seam's own types. */
export type SbatchInput = BatchScriptInput;
export type RenderedSbatch = BatchScript;

// a remote folder in an #SBATCH line: one word sbatch cannot misread
const DIRECTIVE_PATH = /^\/[A-Za-z0-9_.+/-]*$/;
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const SLURM_ID = /^\d{1,12}$/;

/** The job's resources with the cluster's defaults (partition, account, qos), validated. */
export function resourcesFor(
  job: ScriptJob,
  cluster: Pick<Cluster, "name" | "config">,
): RenderedSbatch["resources"] {
  const merged: Parallelism = {
    ...(cluster.config.partition !== undefined ? { partition: cluster.config.partition } : {}),
    ...(cluster.config.account !== undefined ? { account: cluster.config.account } : {}),
    ...(cluster.config.qos !== undefined ? { qos: cluster.config.qos } : {}),
    ...stripUndefined(job.parallelism),
  };
  let checked: Parallelism;
  try {
    checked = checkParallelism(merged);
  } catch (err) {
    throw new UserError(
      `job ${job.id} (${job.name}) on cluster '${cluster.name}': ${(err as Error).message}`,
    );
  }
  // a properties run is one process whatever the job asks (like the local runner)
  const ranks = programFor({ ...job, parallelism: checked }).ranks;
  return { ...checked, mpi_ranks: ranks, threads_per_rank: checked.threads_per_rank ?? 1 };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

export function dependencyDirective(deps: readonly { jobId: string; type: DependencyType }[]): string | null {
  if (deps.length === 0) return null;
  const byType = new Map<string, string[]>();
  for (const d of deps) {
    if (!SLURM_ID.test(d.jobId)) {
      throw new UserError(`SLURM job id ${JSON.stringify(d.jobId)} of a parent is not a number`);
    }
    const kind = SLURM_DEPENDENCY[d.type];
    if (!kind) throw new UserError(`dependency type ${JSON.stringify(d.type)} is unknown`);
    const ids = byType.get(kind) ?? [];
    if (!ids.includes(d.jobId)) ids.push(d.jobId);
    byType.set(kind, ids);
  }
  // "," = all of them must hold (SLURM's AND)
  return [...byType].map(([kind, ids]) => `${kind}:${ids.join(":")}`).join(",");
}

export function renderSbatch(input: SbatchInput): RenderedSbatch {
  const { job, cluster, dir, token } = input;
  checkJobName(job.name);
  if (!DIRECTIVE_PATH.test(dir) || dir.includes("/../") || dir.endsWith("/..")) {
    throw new UserError(
      `cluster '${cluster.name}': the job folder ${JSON.stringify(dir)} cannot appear in an #SBATCH line — choose a remote_dir of letters, digits and . _ + - / only`,
    );
  }
  if (!TOKEN.test(token)) throw new UserError(`launch token ${JSON.stringify(token)} is not valid`);
  const r = resourcesFor(job, cluster);
  const stdoutPattern = `${dir}/slurm-%j.out`;
  const stderrPattern = `${dir}/slurm-%j.err`;
  const directives: string[] = [
    `--job-name=${job.name}`,
    `--comment=crystal-tui:${token}`,
    ...(r.nodes !== undefined ? [`--nodes=${r.nodes}`] : []),
    `--ntasks=${r.mpi_ranks}`,
    `--cpus-per-task=${r.threads_per_rank}`,
    ...(r.time !== undefined ? [`--time=${r.time}`] : []),
    ...(r.partition !== undefined ? [`--partition=${r.partition}`] : []),
    ...(r.qos !== undefined ? [`--qos=${r.qos}`] : []),
    ...(r.account !== undefined ? [`--account=${r.account}`] : []),
    ...(r.mem !== undefined ? [`--mem=${r.mem}`] : []),
    ...(r.constraint !== undefined ? [`--constraint=${r.constraint}`] : []),
    `--chdir=${dir}`,
    `--output=${stdoutPattern}`,
    `--error=${stderrPattern}`,
  ];
  const deps = dependencyDirective(input.dependencies ?? []);
  if (deps) {
    directives.push(`--dependency=${deps}`);
    // a dependency that can never be met stays PENDING (DependencyNeverSatisfied) for crystal-tui
    // to finish as SKIPPED, whatever the cluster's kill_invalid_depend says
    directives.push("--kill-on-invalid-dep=no");
  }
  for (const d of directives) {
    // defence in depth: the patterns above already exclude these
    if (/[\s'"\\#`$;]/.test(d.replace(/^--[a-z-]+=/, ""))) {
      throw new UserError(`#SBATCH ${d} would not be read as one value — refusing to render it`);
    }
  }

  const launchWith = (exe: string) =>
    r.mpi_ranks > 1 ? `srun --ntasks=${r.mpi_ranks} --cpus-per-task=${r.threads_per_rank} ${exe}` : exe;
  const launch = launchWith(executableWord(job));
  const body = runBody({
    job,
    cluster,
    dir,
    launch,
    threads: `"\${SLURM_CPUS_PER_TASK:-${r.threads_per_rank}}"`,
    recordPid: false,
    verdict: true,
  });
  const exeName = programFor(job).executable;
  const what =
    r.mpi_ranks > 1
      ? `${exeName}, ${r.mpi_ranks} MPI ranks x ${r.threads_per_rank} threads`
      : `${exeName}, ${r.threads_per_rank} thread${r.threads_per_rank === 1 ? "" : "s"}`;
  const script = [
    "#!/bin/bash",
    ...directives.map((d) => `#SBATCH ${d}`),
    `# crystal-tui job ${job.id} (${job.name}) on cluster ${checkOneLine("cluster name", cluster.name)}, launch ${token}: CRYSTAL23 ${what}.`,
    "# Rendered by crystal-tui (every value checked and quoted); resubmit from crystal-tui rather than editing it.",
    ...body,
    "",
  ].join("\n");
  return {
    script,
    directives,
    commandLine: describeLaunch(dir, launchWith(executableShown(job, cluster.config)), job.name),
    stdoutPattern,
    stderrPattern,
    resources: r,
  };
}
