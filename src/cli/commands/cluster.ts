// crystal-tui cluster add | list | show | rm   (test and trust come with the SSH transport)
import os from "node:os";
import type { Command } from "commander";
import { UserError } from "../../domain/errors.js";
import { checkPollInterval } from "../../domain/poll-interval.js";
import { ACTIVE_STATUSES } from "../../domain/status.js";
import type { ClusterConfig, ClusterType } from "../../domain/types.js";
import { lookupSshConfig } from "../../transport/ssh-config.js";
import { collect, withStore } from "../context.js";
import { clusterToJson, printJson, table } from "../output.js";

export interface ClusterAddOptions {
  type: string;
  host: string;
  port?: string;
  user?: string;
  key?: string;
  knownHosts?: string;
  remoteDir?: string;
  crystalExedir?: string;
  module?: string[];
  env?: string[];
  partition?: string;
  account?: string;
  qos?: string;
  maxJobs?: string;
  pollInterval?: string;
  mpirun?: string;
  keepRemote?: boolean;
  json?: boolean;
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new UserError(`${flag} must be a positive whole number, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function clusterConfigFrom(opts: ClusterAddOptions): ClusterConfig {
  const config: ClusterConfig = {};
  if (opts.key) config.key_path = opts.key;
  if (opts.knownHosts) config.known_hosts = opts.knownHosts;
  if (opts.remoteDir) config.remote_dir = opts.remoteDir;
  if (opts.crystalExedir) config.crystal_exedir = opts.crystalExedir;
  if (opts.module?.length) config.modules = opts.module;
  if (opts.env?.length) {
    config.env = {};
    for (const pair of opts.env) {
      const eq = pair.indexOf("=");
      const key = pair.slice(0, eq);
      if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new UserError(`--env ${JSON.stringify(pair)} must be NAME=VALUE with a shell variable name`);
      }
      config.env[key] = pair.slice(eq + 1);
    }
  }
  if (opts.partition) config.partition = opts.partition;
  if (opts.account) config.account = opts.account;
  if (opts.qos) config.qos = opts.qos;
  const maxJobs = positive("--max-jobs", opts.maxJobs);
  if (maxJobs !== undefined) config.max_jobs = maxJobs;
  const poll = positive("--poll-interval", opts.pollInterval);
  if (poll !== undefined) config.poll_interval = poll;
  if (opts.mpirun) config.mpirun = opts.mpirun;
  if (opts.keepRemote) config.keep_remote = true;
  return config;
}

export function registerClusterCommands(program: Command): Command {
  const cluster = program.command("cluster").description("remote machines (SSH) and SLURM clusters");

  cluster
    .command("add")
    .description("register a remote machine or a SLURM cluster")
    .argument("<name>", "cluster name")
    .requiredOption("--type <type>", "ssh (a plain remote machine) or slurm")
    .requiredOption("--host <host>", "host name or address (or a Host alias of ~/.ssh/config)")
    .option("--port <port>", "SSH port (default 22)")
    .option("--user <user>", "login name (default: the alias's User in ~/.ssh/config, else yours)")
    .option("--key <path>", "private key file (default: the ssh-agent)")
    .option("--known-hosts <file>", "known_hosts file of this cluster (default ~/.ssh/known_hosts)")
    .option("--remote-dir <dir>", "base folder for job folders on the cluster")
    .option("--crystal-exedir <dir>", "folder of crystalOMP / PcrystalOMP on the cluster")
    .option("--module <m>", "environment module to load; repeatable", collect)
    .option(
      "--env <NAME=VALUE>",
      "environment variable to set, taken literally (no $ expansion); repeatable",
      collect,
    )
    .option("--partition <p>", "default SLURM partition")
    .option("--account <a>", "default SLURM account")
    .option("--qos <q>", "default SLURM QOS")
    .option("--max-jobs <n>", "jobs at once on this cluster")
    .option("--poll-interval <s>", "seconds between polls")
    .option("--mpirun <cmd>", "MPI launcher on a plain SSH machine (default mpirun)")
    .option("--keep-remote", "keep each job's remote folder after its results are brought back")
    .option("--json", "print JSON")
    .action(async (name: string, opts: ClusterAddOptions, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const port = positive("--port", opts.port);
        const config = clusterConfigFrom(opts);
        if (config.poll_interval !== undefined) checkPollInterval(config.poll_interval, opts.host);
        // `--host myhpc` where myhpc is a Host of ~/.ssh/config means what it means to `ssh myhpc`
        const alias = lookupSshConfig(opts.host);
        const isAlias = alias.hostName !== undefined || alias.user !== undefined || alias.port !== undefined;
        if (isAlias) config.ssh_alias = opts.host;
        const created = await store.clusters.create({
          name,
          type: opts.type as ClusterType,
          hostname: opts.host,
          ...(port !== undefined
            ? { port }
            : isAlias && alias.port !== undefined
              ? { port: alias.port }
              : {}),
          username: opts.user ?? alias.user ?? os.userInfo().username,
          config,
        });
        if (opts.json) printJson(clusterToJson(created));
        else
          process.stdout.write(
            `cluster ${created.name} added — check it with \`crystal-tui cluster test ${created.name}\`\n`,
          );
      });
    });

  cluster
    .command("list")
    .description("registered clusters")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const clusters = await store.clusters.list();
        if (opts.json) return printJson(clusters.map(clusterToJson));
        if (clusters.length === 0) {
          return void process.stdout.write("no clusters — add one with `crystal-tui cluster add`\n");
        }
        const rows = [["NAME", "TYPE", "ADDRESS", "STATUS"]];
        for (const c of clusters)
          rows.push([c.name, c.type, `${c.username}@${c.hostname}:${c.port}`, c.status]);
        process.stdout.write(`${table(rows)}\n`);
      });
    });

  cluster
    .command("show")
    .description("one cluster's settings")
    .argument("<name>", "cluster name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const c = await store.clusters.requireByName(name);
        if (opts.json) return printJson(clusterToJson(c));
        const lines = [
          `cluster   ${c.name} (${c.type}, ${c.status})`,
          `address   ${c.username}@${c.hostname}:${c.port}`,
          ...Object.entries(c.config).map(
            ([k, v]) => `${k.padEnd(9)} ${typeof v === "string" ? v : JSON.stringify(v)}`,
          ),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });

  cluster
    .command("rm")
    .description("remove a cluster (its jobs stay, with no cluster)")
    .argument("<name>", "cluster name")
    .option("--force", "remove even while jobs are queued or running there")
    .action(async (name: string, opts: { force?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const c = await store.clusters.requireByName(name);
        const active = await store.jobs.list({ clusterId: c.id, status: [...ACTIVE_STATUSES] });
        if (active.length > 0 && !opts.force) {
          throw new UserError(
            `cluster ${name} has ${active.length} queued or running job(s) (${active.map((j) => j.id).join(", ")}) — cancel them first, or pass --force`,
          );
        }
        await store.clusters.delete(c.id);
        process.stdout.write(`cluster ${name} removed\n`);
      });
    });

  return cluster;
}
