// crystal-tui job add | list | show | cancel | rm
import fs from "node:fs";
import type { Command } from "commander";
import { createJobs } from "../../app/project.js";
import { readDeck } from "../../crystal/deck.js";
import { DATA_LINKS, unprovidedInputs } from "../../crystal/files.js";
import { ProjectFiles } from "../../crystal/project-files.js";
import { connectionMark } from "../../domain/connection.js";
import type { DependencyType } from "../../domain/dependencies.js";
import { UserError } from "../../domain/errors.js";
import { energyStanding, NOT_FINAL_MARK } from "../../domain/final-energy.js";
import { parseJobId } from "../../domain/names.js";
import { isJobStatus, JOB_STATUSES } from "../../domain/status.js";
import type { InputFromParent, Parallelism, RunnerType } from "../../domain/types.js";
import type { Project } from "../../engine/hooks.js";
import { jobResultLines } from "../../tui/components/results/job-text.js";
import { collect, withProject, withStore } from "../context.js";
import { formatEnergy, jobToJson, printJson, statusLabel, table } from "../output.js";

interface AddOptions {
  input: string;
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

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim()))
    throw new UserError(`${flag} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

export function readDeckFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    throw new UserError(`deck file ${file} cannot be read — check the path given to --input`);
  }
}

export async function addJob({ store, files }: Project, name: string, opts: AddOptions): Promise<number> {
  const input = readDeckFile(opts.input);
  const cluster = opts.cluster ? await store.clusters.requireByName(opts.cluster) : undefined;
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
      priority: wholeNumber("--priority", opts.priority) ?? 0,
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
    .description("add a calculation from a CRYSTAL deck (.d12); `crystal-tui run` starts it")
    .argument("<name>", "job name (letters, digits, . _ + -)")
    .requiredOption("-i, --input <deck>", "the CRYSTAL input deck (.d12)")
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
      "--wavefunction-from <id>",
      "start from the wavefunction of job ID (GUESSP fort.20, or fort.9 for properties)",
    )
    .option("--no-check", "add the job even if the deck checker finds errors")
    .option("--json", "print JSON")
    .action(async (name: string, opts: AddOptions, cmd: Command) => {
      await withProject(cmd, async (project) => {
        const id = await addJob(project, name, opts);
        if (opts.json) printJson({ id });
        else process.stdout.write(`job ${id} added (${name}) — start it with \`crystal-tui run\`\n`);
      });
    });

  job
    .command("list")
    .description("jobs, newest first")
    .option("--status <status>", `only jobs in this status (${JOB_STATUSES.join(", ")})`)
    .option("--cluster <name>", "only jobs of this cluster ('local' for this machine)")
    .option("--limit <n>", "at most N jobs")
    .option("--json", "print JSON")
    .action(
      async (opts: { status?: string; cluster?: string; limit?: string; json?: boolean }, cmd: Command) => {
        await withStore(cmd, async (store) => {
          const status = opts.status?.toUpperCase();
          if (status !== undefined && !isJobStatus(status)) {
            throw new UserError(
              `status ${JSON.stringify(opts.status)} is unknown — use one of ${JOB_STATUSES.join(", ")}`,
            );
          }
          let clusterId: number | null | undefined;
          if (opts.cluster === "local") clusterId = null;
          else if (opts.cluster !== undefined)
            clusterId = (await store.clusters.requireByName(opts.cluster)).id;
          const limit = wholeNumber("--limit", opts.limit);
          const jobs = await store.jobs.list({
            ...(status ? { status } : {}),
            ...(clusterId !== undefined ? { clusterId } : {}),
            ...(limit !== undefined ? { limit } : {}),
          });
          // a job on a cluster that cannot be reached now is marked, not shown as silently RUNNING
          const connections = new Map((await store.clusters.list()).map((c) => [c.id, c.connection]));
          const markOf = (j: (typeof jobs)[number]) =>
            j.clusterId === null ? null : connectionMark(j.status, connections.get(j.clusterId));
          if (opts.json)
            return printJson(jobs.map((j) => ({ ...jobToJson(j), cluster_connection: markOf(j) })));
          if (jobs.length === 0)
            return void process.stdout.write("no jobs — add one with `crystal-tui job add`\n");
          const rows = [["ID", "NAME", "STATUS", "WHERE", "ENERGY (Ha)", "CREATED"]];
          for (const j of jobs) {
            rows.push([
              String(j.id),
              j.name,
              statusLabel(j.status),
              `${j.clusterName ?? "local"}${markOf(j) ? ` (${markOf(j)})` : ""}`,
              `${formatEnergy(j.finalEnergy)}${j.finalEnergy !== null && !energyStanding(j.status, j.keyResults).final ? NOT_FINAL_MARK : ""}`,
              j.createdAt,
            ]);
          }
          process.stdout.write(`${table(rows)}\n`);
        });
      },
    );

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
            can_run: j.status === "PENDING" ? await store.dependencies.canJobRun(id) : null,
            remote: remote ?? null,
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
        if (remote)
          lines.push(
            `remote    ${remote.remoteHandle} in ${remote.workingDirectory}${remote.nodeList ? ` on ${remote.nodeList}` : ""}`,
          );
        lines.push(...jobResultLines(j, new ProjectFiles(store.projectDir).folderOf(j)));
        if (deps.length)
          lines.push(
            `after     ${deps.map((d) => `${d.type} ${d.dependsOnJobId} (${d.otherName}, ${d.otherStatus})`).join("; ")}`,
          );
        if (dependents.length)
          lines.push(
            `before    ${dependents.map((d) => `${d.jobId} (${d.otherName}, ${d.type})`).join("; ")}`,
          );
        if (j.status === "PENDING") {
          const verdict = await store.dependencies.canJobRun(id);
          lines.push(`can run   ${verdict.ok ? "yes" : `no — ${verdict.reasons.join("; ")}`}`);
        }
        lines.push("history");
        for (const e of events)
          lines.push(`  ${e.at}  ${e.fromStatus ?? "—"} → ${e.toStatus}${e.reason ? `  ${e.reason}` : ""}`);
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });

  job
    .command("cancel")
    .description("stop a job: a pending one at once, a running one by its engine within one poll")
    .argument("<id>", "job id")
    .option("--json", "print JSON")
    .action(async (idText: string, opts: { json?: boolean }, cmd: Command) => {
      const id = parseJobId(idText);
      await withStore(cmd, async (store) => {
        const outcome = await store.jobs.requestCancel(id, "user (job cancel)");
        if (opts.json) return printJson({ id, outcome });
        const text = {
          cancelled: `job ${id} cancelled`,
          requested: `job ${id}: cancel requested — its engine stops it within one poll interval`,
          finished: `job ${id} has already finished (${(await store.jobs.require(id)).status}); nothing to cancel`,
        }[outcome];
        process.stdout.write(`${text}\n`);
      });
    });

  job
    .command("rm")
    .description("delete a job's record (its folder stays on disk)")
    .argument("<id>", "job id")
    .action(async (idText: string, _opts: unknown, cmd: Command) => {
      const id = parseJobId(idText);
      await withStore(cmd, async (store) => {
        const removed = await store.jobs.delete(id);
        process.stdout.write(
          `job ${id} (${removed.name}) removed; its folder ${new ProjectFiles(store.projectDir).folderOf(removed)} was kept\n`,
        );
      });
    });
}
