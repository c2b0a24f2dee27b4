// The cluster use cases both faces call: preparing a cluster from what a user typed (a
// ~/.ssh/config alias resolved, its type checked against the registry of schedulers, every setting
// a runner will need checked at once — src/domain/cluster-settings.ts), editing one (what is not
// given stays; the whole result is checked again), and removing one (refused while it has
// unfinished jobs, unless forced: then they are cancelled, with the reason, and the runs they have
// are stopped first, so nothing is left running on a cluster crystal-tui no longer knows).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkClusterConfig } from "../domain/cluster-settings.js";
import { UserError } from "../domain/errors.js";
import { isRunHandle } from "../domain/run-handle.js";
import { ACTIVE_STATUSES, type JobStatus } from "../domain/status.js";
import type { Cluster, ClusterConfig, NewCluster } from "../domain/types.js";
import { checkLaterInputFile, INPUT_LIMITS } from "../files/input-file.js";
import { CLUSTER_KINDS, clusterKindsText } from "../runners/schedulers.js";
import type { ProjectStore } from "../store/port.js";
import { lookupSshConfig } from "../transport/ssh-config.js";
import { checkClusterRoute, runnerFactory } from "./runners.js";

/** A cluster's settings as a user gives them (the CLI's options, the TUI's form): text. */
export interface ClusterSettings {
  type?: string;
  host?: string;
  port?: string;
  user?: string;
  key?: string;
  knownHosts?: string;
  /** The ssh config file (`ssh -F`) the cluster's connections read; default ~/.ssh/config. */
  sshConfig?: string;
  remoteDir?: string;
  crystalExedir?: string;
  module?: string[];
  env?: string[];
  partition?: string;
  account?: string;
  qos?: string;
  maxJobs?: string;
  pollInterval?: string;
  minPollInterval?: string;
  mpirun?: string;
  keepRemote?: boolean;
}

/** The settings a user may unset on edit, by the name they read in `cluster show`. */
export const UNSETTABLE: readonly (keyof ClusterConfig)[] = [
  "key_path",
  "known_hosts",
  "ssh_config",
  "remote_dir",
  "crystal_exedir",
  "modules",
  "env",
  "partition",
  "account",
  "qos",
  "max_jobs",
  "poll_interval",
  "min_poll_interval",
  "mpirun",
  "keep_remote",
];

function whole(what: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value.trim()) || Number(value) < 1) {
    throw new UserError(`${what} must be a positive whole number, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** A path as the transport will read it (`~/` is the home folder). */
function homePath(p: string): string {
  return p === "~" ? os.homedir() : p.startsWith("~/") ? path.join(os.homedir(), p.slice(2)) : p;
}

/**
 * An ssh config file given with --ssh-config: made absolute, and read by ssh itself now (`ssh -G`),
 * so a file that does not exist or that ssh rejects is refused when it is given, not at the first job.
 */
function checkedSshConfig(file: string): string {
  const home = os.homedir();
  const abs = path.resolve(
    file === "~" ? home : file.startsWith("~/") ? path.join(home, file.slice(2)) : file,
  );
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
    throw new UserError(
      `--ssh-config ${abs} does not exist — give the ssh config file to use (as for ssh -F)`,
    );
  }
  const r = spawnSync("ssh", ["-G", "-F", abs, "crystal-tui-check"], { encoding: "utf8", timeout: 15_000 });
  if (r.error)
    throw new UserError(`cannot run ssh to read ${abs} (${r.error.message}) — install the OpenSSH client`);
  if (r.status !== 0) {
    const why = (r.stderr ?? "").trim().split("\n").filter(Boolean)[0] ?? `exit ${r.status}`;
    throw new UserError(
      `ssh rejects the config ${abs}: ${why} — fix that file (ssh -G -F ${abs} HOST shows what ssh reads)`,
    );
  }
  return abs;
}

/** The settings given, as a cluster's configuration (only what was given). */
export function configFrom(s: ClusterSettings): ClusterConfig {
  const config: ClusterConfig = {};
  if (s.key !== undefined) {
    checkLaterInputFile(homePath(s.key), {
      what: "key file",
      hint: "check --key",
      maxBytes: INPUT_LIMITS.key,
    });
    config.key_path = s.key;
  }
  if (s.knownHosts !== undefined) {
    checkLaterInputFile(homePath(s.knownHosts), {
      what: "known_hosts file",
      hint: "check --known-hosts",
      maxBytes: INPUT_LIMITS.knownHosts,
    });
    config.known_hosts = s.knownHosts;
  }
  if (s.sshConfig !== undefined) config.ssh_config = checkedSshConfig(s.sshConfig);
  if (s.remoteDir !== undefined) config.remote_dir = s.remoteDir;
  if (s.crystalExedir !== undefined) config.crystal_exedir = s.crystalExedir;
  if (s.module?.length) config.modules = s.module;
  if (s.env?.length) {
    config.env = {};
    for (const pair of s.env) {
      const eq = pair.indexOf("=");
      const key = pair.slice(0, eq);
      if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new UserError(
          `environment setting ${JSON.stringify(pair)} must be NAME=VALUE with a shell variable name`,
        );
      }
      config.env[key] = pair.slice(eq + 1);
    }
  }
  if (s.partition !== undefined) config.partition = s.partition;
  if (s.account !== undefined) config.account = s.account;
  if (s.qos !== undefined) config.qos = s.qos;
  const maxJobs = whole("max jobs", s.maxJobs);
  if (maxJobs !== undefined) config.max_jobs = maxJobs;
  const poll = whole("the poll interval", s.pollInterval);
  if (poll !== undefined) config.poll_interval = poll;
  const minPoll = whole("the site's minimum poll interval", s.minPollInterval);
  if (minPoll !== undefined) config.min_poll_interval = minPoll;
  if (s.mpirun !== undefined) config.mpirun = s.mpirun;
  if (s.keepRemote) config.keep_remote = true;
  return config;
}

/** What the cluster's ssh config says of a host: an alias when it names a HostName, User or Port. */
function aliasOf(host: string, config: ClusterConfig) {
  const found = lookupSshConfig(host, config.ssh_config ? { file: config.ssh_config } : {});
  return {
    ...found,
    isAlias: found.hostName !== undefined || found.user !== undefined || found.port !== undefined,
  };
}

/**
 * A new cluster from a user's settings, checked through: `host` may be a ~/.ssh/config alias (it
 * then means what it means to `ssh ALIAS`), the type one the registry knows, every setting valid.
 */
export function prepareCluster(name: string, s: ClusterSettings): NewCluster {
  if (!s.type || !CLUSTER_KINDS.includes(s.type)) {
    throw new UserError(
      `cluster type ${JSON.stringify(s.type ?? "")} is unknown — use ${clusterKindsText()}`,
    );
  }
  if (!s.host) throw new UserError("a cluster needs a host (a name, an address, or a ~/.ssh/config alias)");
  const port = whole("the port", s.port);
  const config = configFrom(s);
  const alias = aliasOf(s.host, config);
  const isAlias = alias.isAlias;
  if (isAlias) config.ssh_alias = s.host;
  checkClusterConfig(config, alias.hostName ?? s.host);
  return {
    name,
    type: s.type,
    hostname: s.host,
    ...(port !== undefined ? { port } : isAlias && alias.port !== undefined ? { port: alias.port } : {}),
    username: s.user ?? alias.user ?? os.userInfo().username,
    config,
  };
}

export async function addCluster(store: ProjectStore, name: string, s: ClusterSettings): Promise<Cluster> {
  const cluster = prepareCluster(name, s);
  await checkClusterRoute({ ...cluster, port: cluster.port ?? 22, config: cluster.config ?? {} });
  return store.clusters.create(cluster);
}

/**
 * Edits a cluster: the settings given replace the ones it has (a list such as the modules is
 * replaced whole), `unset` removes settings, the rest stays; the result is checked as a whole.
 * Engines that serve the project use the new settings from their next job on.
 */
export async function editCluster(
  store: ProjectStore,
  name: string,
  s: ClusterSettings & { rename?: string; unset?: string[] },
): Promise<Cluster> {
  const current = await store.clusters.requireByName(name);
  if (s.type !== undefined && s.type !== current.type) {
    throw new UserError(
      `cluster ${name} is of type ${current.type}; its type cannot change — remove it and add it again`,
    );
  }
  const config: ClusterConfig = { ...current.config, ...configFrom(s) };
  for (const key of s.unset ?? []) {
    const k = key.replace(/-/g, "_") as keyof ClusterConfig;
    if (!UNSETTABLE.includes(k)) {
      throw new UserError(
        `${JSON.stringify(key)} is not a setting that can be unset — use one of ${UNSETTABLE.join(", ")}`,
      );
    }
    delete config[k];
  }
  let port = whole("the port", s.port);
  let username = s.user;
  const hostname = s.host ?? current.hostname;
  if (s.host !== undefined) {
    // a new host is read as `cluster add` reads it: an alias of the ssh config (which then decides
    // where and as whom, as for `ssh ALIAS`), or a host name
    const alias = aliasOf(s.host, config);
    if (alias.isAlias) {
      config.ssh_alias = s.host;
      port ??= alias.port ?? 22;
      username ??= alias.user;
    } else delete config.ssh_alias;
  }
  checkClusterConfig(config, hostname);
  const edited = {
    name: current.name, // the name messages use until the edit is saved
    hostname,
    port: port ?? current.port,
    username: username ?? current.username,
    config,
  };
  await checkClusterRoute(edited);
  return store.clusters.update(current.id, {
    ...(s.rename !== undefined ? { name: s.rename } : {}),
    ...(s.host !== undefined ? { hostname } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(username !== undefined ? { username } : {}),
    config,
  });
}

const UNFINISHED: readonly JobStatus[] = ["PENDING", ...ACTIVE_STATUSES];

export interface Removal {
  cluster: Cluster;
  /** Jobs cancelled because their cluster went (with --force). */
  cancelled: number[];
}

/**
 * Removes a cluster. While it has unfinished jobs this is refused (they would wait for ever on a
 * cluster nobody can reach), unless `force`: then the runs those jobs have are stopped on the
 * cluster first (a run that cannot be stopped keeps everything as it was), and every unfinished
 * job is cancelled with the reason, in the same change that removes the cluster.
 */
export async function removeCluster(
  store: ProjectStore,
  name: string,
  opts: { force?: boolean; by?: string } = {},
): Promise<Removal> {
  const cluster = await store.clusters.requireByName(name);
  const unfinished = await store.jobs.list({ clusterId: cluster.id, status: [...UNFINISHED] });
  if (unfinished.length > 0 && !opts.force) {
    const ids = unfinished.map((j) => j.id).sort((a, b) => a - b);
    throw new UserError(
      `cluster ${name} has ${ids.length} unfinished job(s) (${ids.join(", ")}) — cancel them first, or remove it with force to cancel them`,
    );
  }
  const running = unfinished.filter((j) => isRunHandle(j.runHandle));
  if (running.length > 0) {
    const runner = runnerFactory()(cluster);
    try {
      for (const job of running) {
        if (!isRunHandle(job.runHandle)) continue;
        try {
          await runner.cancel(job, job.runHandle);
        } catch (err) {
          throw new UserError(
            `cluster ${name}: job ${job.id}'s run could not be stopped (${(err as Error).message.split("\n")[0]}) — nothing was removed; try again when the cluster answers`,
          );
        }
      }
    } finally {
      await runner.close();
    }
  }
  const reason = `cancelled: its cluster ${name} was removed${opts.by ? ` by ${opts.by}` : ""}`;
  const cancelled = await store.clusters.remove(cluster.id, reason);
  return { cluster, cancelled };
}
