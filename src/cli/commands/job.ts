// crystal-tui job add | list | show | cancel | rm (several at once: job-many.ts)
import type { Command } from "commander";
import { unreadInputs, withGuessp } from "../../app/deck-problems.js";
import { deletedParentText } from "../../app/deleted-parents.js";
import { SET_KEYS_TEXT } from "../../app/job-copy.js";
import { remoteJobView } from "../../app/job-output.js";
import { whyPending } from "../../app/pending-reason.js";
import { createJobs } from "../../app/project.js";
import { readDeck } from "../../crystal/deck.js";
import { readDeckFile } from "../../crystal/deck-file.js";
import { DATA_LINKS, unprovidedInputs } from "../../crystal/files.js";
import { ProjectFiles } from "../../crystal/project-files.js";
import { accountingOf } from "../../domain/accounting.js";
import type { DependencyType } from "../../domain/dependencies.js";
import { UsageError, UserError } from "../../domain/errors.js";
import { parseJobId } from "../../domain/names.js";
import type { InputFromParent, Parallelism, RunnerType } from "../../domain/types.js";
import { PRIORITY_RANGE, wholeNumberIn } from "../../domain/whole-numbers.js";
import type { Project } from "../../engine/hooks.js";
import { jobResultLines } from "../../tui/components/results/job-text.js";
import { collect, withProject, withStore } from "../context.js";
import { askYesNo, jobToJson, printJson, statusLabel } from "../output.js";
import { registerJobCompare } from "./job-compare.js";
import { addCopy, type CopyOptions } from "./job-copy.js";
import { registerJobList } from "./job-list.js";
import { registerJobLog } from "./job-log.js";
import { registerJobMany, registerJobRerun, registerJobRm } from "./job-many.js";

interface AddOptions {
  input?: string;
  aux?: string[];
  cluster?: string;
  ranks?: string;
  threads?: string;
  nodes?: string;
  time?: string;
  partition?: string;
  qos?: string;
  account?: string;
  mem?: string;
  constraint?: string;
  priority?: string;
  afterOk?: string[];
  afterAny?: string[];
  afterFailed?: string[];
  geometryFrom?: string;
  wavefunctionFrom?: string;
  addGuessp?: boolean;
  check?: boolean;
  json?: boolean;
}

/**
 * Checks a deck before a job is made of it: line-numbered errors from the deck reader, and every
 * auxiliary file the deck will read (EXTERNAL → fort.34, GUESSP → fort.20) accounted for.
 */
export function checkDeckForJob(
  deckLabel: string,
  input: string,
  provided: { auxFiles: string[]; fromParents: string[] },
): void {
  const report = readDeck(input);
  const first = report.errors[0];
  if (first) {
    const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : "";
    throw new UserError(
      `${deckLabel} line ${first.line}: ${first.message}${more} — fix the deck (or pass --no-check)`,
    );
  }
  const program = report.kind === "properties" ? "properties" : "crystal";
  const [missing] = unprovidedInputs(report.auxInputs, program, provided);
  if (missing) {
    const link = missing.link;
    const how = link
      ? `--aux FILE${link.ext}${link.cliFlag ? ` or ${link.cliFlag} JOB_ID` : ""}`
      : `--aux ${missing.file}`;
    throw new UserError(
      `${deckLabel} reads ${missing.file}, which nothing provides — give it with ${how} (or pass --no-check)`,
    );
  }
}

function wholeNumber(flag: string, value: string | undefined, range = COUNT_RANGE): number | undefined {
  return value === undefined ? undefined : wholeNumberIn(flag, value, range);
}

/** ranks, threads, nodes: checkParallelism has the real bounds; this keeps the number a number. */
const COUNT_RANGE = { min: 0, max: 1_000_000_000 };

export async function addJob(
  { store, files }: Project,
  name: string,
  opts: AddOptions & { input: string },
): Promise<number> {
  let input = readDeckFile(opts.input);
  const cluster = opts.cluster !== undefined ? await store.clusters.requireByName(opts.cluster) : undefined;
  const parallelism: Parallelism = {};
  const ranks = wholeNumber("--ranks", opts.ranks);
  const threads = wholeNumber("--threads", opts.threads);
  const nodes = wholeNumber("--nodes", opts.nodes);
  if (ranks !== undefined) parallelism.mpi_ranks = ranks;
  if (threads !== undefined) parallelism.threads_per_rank = threads;
  if (nodes !== undefined) parallelism.nodes = nodes;
  for (const key of ["time", "partition", "qos", "account", "mem", "constraint"] as const) {
    if (opts[key] !== undefined) parallelism[key] = opts[key];
  }
  const dependencies: { dependsOn: number; type: DependencyType }[] = [];
  const inputsFrom: InputFromParent[] = [];
  const fromFlags: Record<string, string | undefined> = {
    "--geometry-from": opts.geometryFrom,
    "--wavefunction-from": opts.wavefunctionFrom,
  };
  // a properties deck with RDFMWF reads the formatted wavefunction (fort.98), not fort.9
  const formatted = readDeck(input).auxInputs.includes("fort.98");
  for (const link of DATA_LINKS) {
    const flag = link.cliFlag;
    const text = flag ? fromFlags[flag] : undefined;
    if (text === undefined) continue;
    const ext = flag === "--wavefunction-from" && formatted ? ".f98" : link.ext;
    const parent = await store.jobs.get(parseJobId(text));
    if (!parent) throw new UserError(`${flag} ${text}: there is no such job — see \`crystal-tui job list\``);
    inputsFrom.push({ jobId: parent.id, ext });
  }
  // a wavefunction the deck would not read: offered to add GUESSP (asked on a terminal, or
  // --add-guessp); the job's copy of the deck changes, never the user's file
  const exts = inputsFrom.map((i) => i.ext);
  const guessed = withGuessp(input, exts);
  for (const { keyword, message } of unreadInputs(input, exts)) {
    const offer = guessed !== null && keyword === "GUESSP";
    if (offer && (opts.addGuessp || (process.stdin.isTTY && (await askYesNo(`${message}? [y/N] `))))) {
      input = guessed;
      process.stderr.write(`GUESSP added to the job's deck (${opts.input} itself is unchanged)\n`);
    } else process.stderr.write(`warning: ${message}${offer ? " (or pass --add-guessp)" : ""}\n`);
  }
  if (opts.check !== false) {
    checkDeckForJob(opts.input, input, {
      auxFiles: opts.aux ?? [],
      fromParents: inputsFrom.map((i) => i.ext),
    });
  }
  for (const [list, type] of [
    [opts.afterOk, "after_ok"],
    [opts.afterAny, "after_any"],
    [opts.afterFailed, "after_failed"],
  ] as const) {
    for (const text of list ?? []) {
      for (const part of text.split(",").filter((p) => p.trim() !== "")) {
        dependencies.push({ dependsOn: parseJobId(part), type });
      }
    }
  }
  // a job that takes a parent's results waits for that parent to complete
  for (const input of inputsFrom) {
    if (!dependencies.some((d) => d.dependsOn === input.jobId))
      dependencies.push({ dependsOn: input.jobId, type: "after_ok" });
  }
  const [job] = await createJobs({ store, files }, [
    {
      name,
      input,
      auxFiles: opts.aux ?? [],
      clusterId: cluster?.id ?? null,
      runnerType: (cluster?.type ?? "local") as RunnerType,
      parallelism,
      priority: wholeNumber("--priority", opts.priority, PRIORITY_RANGE) ?? 0,
      dependencies,
      inputsFrom,
    },
  ]);
  return job!.id;
}

export function registerJobCommands(program: Command): void {
  const job = program.command("job").description("calculations of the project");

  job
    .command("add")
    .description(
      "add a calculation from a CRYSTAL deck (.d12), or a copy of a job (--from); `crystal-tui run` starts it",
    )
    .argument("<name>", "job name (letters, digits, . _ + -)")
    .option("-i, --input <deck>", "the CRYSTAL input deck (.d12); with --from, a new deck for the copy")
    .option("--from <id>", "copy job ID: its deck, aux files, links to parents' files, cluster, resources")
    .option("--edit", "with --from: edit the deck in $VISUAL / $EDITOR first (checked on return)")
    .option("--set <key=value>", `with --from: change ${SET_KEYS_TEXT}; repeatable`, collect)
    .option("--aux <file>", "auxiliary input (e.g. .gui geometry, .f9 wavefunction); repeatable", collect)
    .option("--cluster <name>", "run on this cluster (default: this machine)")
    .option("--ranks <n>", "MPI ranks (> 1 runs PcrystalOMP under MPI)")
    .option("--threads <n>", "OpenMP threads per rank")
    .option("--nodes <n>", "nodes (SLURM)")
    .option("--time <HH:MM:SS>", "wall time limit (SLURM)")
    .option("--partition <p>", "SLURM partition")
    .option("--qos <q>", "SLURM QOS")
    .option("--account <a>", "SLURM account")
    .option("--mem <m>", "memory per node, e.g. 4G (SLURM)")
    .option("--constraint <c>", "SLURM node features")
    .option("--priority <n>", "higher starts first (default 0)")
    .option("--after-ok <id>", "start after job ID completed; repeatable", collect)
    .option("--after-any <id>", "start after job ID finished in any way; repeatable", collect)
    .option("--after-failed <id>", "start only if job ID failed; repeatable", collect)
    .option(
      "--geometry-from <id>",
      "start from the optimised geometry of job ID (EXTERNAL, fort.34); waits for it",
    )
    .option(
      "--add-guessp",
      "add GUESSP to the job's deck when --wavefunction-from gives one it would not read",
    )
    .option(
      "--wavefunction-from <id>",
      "start from the wavefunction of job ID (GUESSP fort.20, or fort.9 for properties)",
    )
    .option("--no-check", "add the job even if the deck checker finds errors")
    .option("--json", "print JSON")
    .action(async (name: string, opts: AddOptions & Partial<CopyOptions>, cmd: Command) => {
      await withProject(cmd, async (project) => {
        if (opts.from === undefined && (opts.edit || opts.set))
          throw new UsageError(`${opts.edit ? "--edit" : "--set"} goes with --from ID (the job to copy)`);
        if (opts.from === undefined && opts.input === undefined)
          throw new UsageError("give the deck with --input FILE, or the job to copy with --from ID");
        const id =
          opts.from !== undefined
            ? await addCopy(project, name, { ...opts, from: opts.from })
            : await addJob(project, name, { ...opts, input: opts.input! });
        if (opts.json) printJson({ id });
        else process.stdout.write(`job ${id} added (${name}) — start it with \`crystal-tui run\`\n`);
      });
    });

  registerJobMany(job);
  registerJobRerun(job);
  registerJobCompare(job);

  registerJobList(job);

  job
    .command("show")
    .description("everything about one job: status and why, dependencies, results, history")
    .argument("<id>", "job id")
    .option("--json", "print JSON")
    .action(async (idText: string, opts: { json?: boolean }, cmd: Command) => {
      const id = parseJobId(idText);
      await withStore(cmd, async (store) => {
        const j = await store.jobs.require(id);
        const deps = await store.dependencies.dependenciesOf(id);
        const dependents = await store.dependencies.dependentsOf(id);
        const deletedParents = await store.dependencies.deletedParentsOf(id);
        const events = await store.events.forJob(id);
        const remote = await store.remoteJobs.getByJobId(id);
        if (opts.json) {
          return printJson({
            ...jobToJson(j),
            input_file: j.inputFile,
            folder: new ProjectFiles(store.projectDir).folderOf(j),
            dependencies: deps.map((d) => ({
              job_id: d.dependsOnJobId,
              name: d.otherName,
              type: d.type,
              status: d.otherStatus,
            })),
            dependents: dependents.map((d) => ({
              job_id: d.jobId,
              name: d.otherName,
              type: d.type,
              status: d.otherStatus,
            })),
            deleted_parents: deletedParents.map((p) => ({
              job_id: p.parentId,
              name: p.parentName,
              type: p.type,
              deleted_at: p.deletedAt,
            })),
            can_run: j.status === "PENDING" ? await store.dependencies.canJobRun(id) : null,
            pending_reason: (await whyPending(store, j))?.text ?? null,
            remote: remote ? remoteJobView(j, remote, j.clusterName) : null,
            history: events.map((e) => ({ at: e.at, from: e.fromStatus, to: e.toStatus, reason: e.reason })),
          });
        }
        const lines = [
          `job ${j.id}  ${j.name}`,
          `status    ${statusLabel(j.status)}${j.statusReason ? ` — ${j.statusReason}` : ""}${j.cancelRequested && !["CANCELLED"].includes(j.status) ? " (cancel requested)" : ""}`,
          `runs on   ${j.clusterName ?? "local"} (${j.runnerType})${Object.keys(j.parallelism).length ? `  ${JSON.stringify(j.parallelism)}` : ""}`,
          `folder    ${new ProjectFiles(store.projectDir).folderOf(j)}`,
        ];
        if (j.commandLine) lines.push(`command   ${j.commandLine}`);
        if (remote) {
          const v = remoteJobView(j, remote, j.clusterName);
          lines.push(
            `remote    ${v.handle} in ${v.work_dir}${v.node_list ? ` on ${v.node_list}` : ""}${v.queue ? `  partition ${v.queue}` : ""}`,
          );
          if (v.pending_reason) lines.push(`pending   ${v.pending_reason} (the scheduler's reason)`);
          const acct = accountingOf(remote.metadata);
          if (acct) {
            lines.push(
              `sacct     ${acct.state}, exit ${acct.exitCode ?? "unknown"}, elapsed ${acct.elapsedS ?? "unknown"} s, MaxRSS ${acct.maxRssMb === null ? "none sampled" : `${acct.maxRssMb} MB`}`,
            );
          }
        }
        lines.push(...jobResultLines(j, new ProjectFiles(store.projectDir).folderOf(j)));
        if (deps.length)
          lines.push(
            `after     ${deps.map((d) => `${d.type} ${d.dependsOnJobId} (${d.otherName}, ${d.otherStatus})`).join("; ")}`,
          );
        for (const p of deletedParents) lines.push(`after     ${deletedParentText(p)}`);
        if (dependents.length)
          lines.push(
            `before    ${dependents.map((d) => `${d.jobId} (${d.otherName}, ${d.type})`).join("; ")}`,
          );
        if (j.status === "PENDING") {
          // the one answer to "why has it not started" (src/app/pending-reason.ts)
          const why = await whyPending(store, j);
          if (why) lines.push(`${why.kind === "ready" ? "can run   yes — " : "waiting   "}${why.text}`);
        }
        lines.push("history");
        for (const e of events)
          lines.push(`  ${e.at}  ${e.fromStatus ?? "—"} → ${e.toStatus}${e.reason ? `  ${e.reason}` : ""}`);
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });

  registerJobLog(job);

  registerJobRm(job);
}
