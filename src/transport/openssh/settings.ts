// What crystal-tui gives the system's ssh for a cluster: the destination (an alias of the user's
// config, or a host name), the config file, and the cluster's own settings as `-o` options only
// where an alias does not decide — and, before ssh is given a key file, the one reading rule.
import os from "node:os";
import path from "node:path";
import type { Cluster } from "../../domain/types.js";
import { INPUT_LIMITS, readInputFile } from "../../files/input-file.js";
import { expandTilde } from "./ssh-config-resolve.js";

/** How crystal-tui reaches a cluster with the system's ssh. */
export interface OpenSshSettings {
  /** The cluster's name (messages, the connect command). */
  label: string;
  /** What ssh is given as the host: an alias of the config, or a host name. */
  destination: string;
  /** The user's ssh config (`ssh -F`); default ~/.ssh/config. */
  configFile: string;
  /** Whether the system-wide /etc/ssh/ssh_config applies too (as for a plain `ssh ALIAS`). */
  systemConfig: boolean;
  /** The config file may be missing (the default ~/.ssh/config): it then says nothing. */
  configOptional?: boolean;
  /** `-o` options for the destination only (the cluster's own port, user, key). */
  options: string[];
  /**
   * Settings for the destination that the user's config overrides (ssh takes the first value it
   * reads): the login name recorded with a cluster added by alias, for an alias that names none.
   */
  defaults?: string[];
  /** A known_hosts file of the cluster's own, for every hop (else the config's). */
  knownHostsFile?: string;
}

export interface ClusterSshEnvironment {
  /** The ssh config file (what `--ssh-config` names); default $CRYSTAL_TUI_SSH_CONFIG, else ~/.ssh/config. */
  sshConfigFile?: string;
  home?: string;
}

/**
 * The cluster's own key file checked by the one reading rule before ssh is given it: ssh reads
 * whatever it is named (a device, a pipe), so a bad --key is one line here, not a hang there.
 */
export function checkClusterKeyFile(cluster: Pick<Cluster, "config">, home = os.homedir()): void {
  if (cluster.config.key_path)
    readInputFile(expandTilde(cluster.config.key_path, home), {
      what: "key file",
      hint: "check --key",
      maxBytes: INPUT_LIMITS.key,
    });
}

export function openSshSettingsForCluster(
  cluster: Pick<Cluster, "name" | "hostname" | "port" | "username" | "config">,
  env: ClusterSshEnvironment = {},
): OpenSshSettings {
  const home = env.home ?? os.homedir();
  const config = cluster.config as Cluster["config"] & { ssh_config?: string };
  const explicit = config.ssh_config ?? env.sshConfigFile ?? process.env.CRYSTAL_TUI_SSH_CONFIG;
  const configFile = expandTilde(explicit ?? path.join(home, ".ssh", "config"), home);
  const fromAlias = config.ssh_alias !== undefined;
  const options: string[] = [];
  const defaults: string[] = [];
  // an alias is the source of truth for where and as whom (src/transport/target.ts has the same
  // rule); the login name recorded with the cluster is used only when the alias names none
  if (!fromAlias) {
    if (cluster.port !== 22) options.push(`Port=${cluster.port}`);
    options.push(`User=${cluster.username}`);
  } else {
    // what the cluster recorded stands in where the alias says nothing (as target.ts: cfg ?? cluster)
    defaults.push(`User ${cluster.username}`);
    if (cluster.port !== 22) defaults.push(`Port ${cluster.port}`);
  }
  if (config.key_path) options.push(`IdentityFile=${expandTilde(config.key_path, home)}`);
  return {
    label: cluster.name,
    destination: config.ssh_alias ?? cluster.hostname,
    configFile,
    systemConfig: explicit === undefined,
    // only a file named for this cluster (--ssh-config) must exist; a default one may be absent
    configOptional: config.ssh_config === undefined,
    options,
    ...(defaults.length ? { defaults } : {}),
    ...(config.known_hosts ? { knownHostsFile: expandTilde(config.known_hosts, home) } : {}),
  };
}
