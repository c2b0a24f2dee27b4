// Where and how to connect for a cluster: its stored settings merged with ~/.ssh/config, resolved
// once into plain values (address, login, key files, ssh-agent, known_hosts file).
//
// Precedence follows OpenSSH's "explicit beats config": the cluster's own host, user, key and
// known_hosts file win; ~/.ssh/config fills in what the cluster leaves at its default (a host that is
// an alias gets its HostName; port 22 gets the alias's Port; no key gets its IdentityFile). When the
// cluster was registered *from* an alias (config.ssh_alias), the alias is the source of truth for
// HostName, Port and User, so editing ~/.ssh/config is enough to move it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Cluster } from "../domain/types.js";
import { defaultKnownHostsFile } from "./known-hosts.js";
import { expandSshPath, lookupSshConfig } from "./ssh-config.js";

export interface SshTarget {
  /** Name used in messages and in the trust command: the cluster's name. */
  label: string;
  host: string;
  port: number;
  username: string;
  /** Private key files to offer, in order (explicit key_path, else IdentityFile, else defaults). */
  keyFiles: string[];
  /** ssh-agent socket, offered after the key files (passphrase-protected keys live there). */
  agentSocket?: string;
  knownHostsFile: string;
}

export interface TargetEnvironment {
  /** ~/.ssh/config to read (default $CRYSTAL_TUI_SSH_CONFIG, else ~/.ssh/config). */
  sshConfigFile?: string;
  home?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK; null = do not use an agent. */
  agentSocket?: string | null;
}

const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];

function expandHome(p: string, home: string): string {
  return p === "~" ? home : p.startsWith("~/") ? path.join(home, p.slice(2)) : p;
}

export function targetForCluster(
  cluster: Pick<Cluster, "name" | "hostname" | "port" | "username" | "config">,
  env: TargetEnvironment = {},
): SshTarget {
  const home = env.home ?? os.homedir();
  const alias = cluster.config.ssh_alias ?? cluster.hostname;
  const fromAlias = cluster.config.ssh_alias !== undefined;
  const cfg = lookupSshConfig(alias, { home, ...(env.sshConfigFile ? { file: env.sshConfigFile } : {}) });

  const host = cfg.hostName ?? cluster.hostname;
  const port = fromAlias
    ? (cfg.port ?? cluster.port)
    : cluster.port !== 22
      ? cluster.port
      : (cfg.port ?? cluster.port);
  const username = fromAlias ? (cfg.user ?? cluster.username) : cluster.username;
  const ctx = { home, host, user: username, port, alias };

  let keyFiles: string[];
  if (cluster.config.key_path) keyFiles = [expandHome(cluster.config.key_path, home)];
  else if (cfg.identityFiles.length > 0) keyFiles = cfg.identityFiles.map((f) => expandSshPath(f, ctx));
  else if (cfg.identitiesOnly) keyFiles = [];
  else keyFiles = DEFAULT_KEYS.map((k) => path.join(home, ".ssh", k)).filter((f) => fs.existsSync(f));

  const knownHostsFile = cluster.config.known_hosts
    ? expandHome(cluster.config.known_hosts, home)
    : cfg.userKnownHostsFiles?.[0]
      ? expandSshPath(cfg.userKnownHostsFiles[0], ctx)
      : defaultKnownHostsFile(home);

  const agentSocket = env.agentSocket === null ? undefined : (env.agentSocket ?? process.env.SSH_AUTH_SOCK);
  return {
    label: cluster.name,
    host,
    port,
    username,
    keyFiles,
    ...(agentSocket ? { agentSocket } : {}),
    knownHostsFile,
  };
}

/** Where job folders go on a cluster when its configuration names no remote_dir. */
export const DEFAULT_REMOTE_DIR = "~/crystal-tui";

/** The base folder for a cluster's job folders (`~/…` is relative to the login folder). */
export function remoteBaseDir(cluster: Pick<Cluster, "config">): string {
  return cluster.config.remote_dir ?? DEFAULT_REMOTE_DIR;
}
