// What the system's `ssh` makes of a host alias, asked of ssh itself (`ssh -G`): no reimplementation
// of ssh_config — Include, Match, ProxyJump, CertificateFile, tokens and defaults all come out as ssh
// will use them. Also the chain of hops a connection goes through (ProxyJump, one or more, each hop
// with its own settings), checked for loops before ssh would follow one for ever.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { UserError } from "../../domain/errors.js";
import { SshSettingsError } from "../errors.js";

/** `ssh -G` output: lower-case keyword → its values (repeated keywords accumulate). */
export type ResolvedSshConfig = Map<string, string[]>;

export function parseSshG(text: string): ResolvedSshConfig {
  const out: ResolvedSshConfig = new Map();
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const list = out.get(key) ?? [];
    list.push(m[2]!);
    out.set(key, list);
  }
  return out;
}

export function first(cfg: ResolvedSshConfig, key: string): string | undefined {
  return cfg.get(key)?.[0];
}

/** A path option as ssh -G prints it (`~` not always expanded). */
export function expandTilde(p: string, home = os.homedir()): string {
  return p === "~" ? home : p.startsWith("~/") ? path.join(home, p.slice(2)) : p;
}

export interface SshInvocation {
  /** The config file given to ssh with -F. */
  configFile: string;
  /**
   * The file a user reads and fixes, when -F names a file of ours that Includes it (messages name
   * this one: the user never wrote ours).
   */
  userConfigFile?: string;
  /** Extra -o options (before the host). */
  options?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

function run(
  args: readonly string[],
  env: NodeJS.ProcessEnv | undefined,
  timeoutMs = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(
        new UserError(
          `cannot run ssh (${(e as NodeJS.ErrnoException).code ?? e.message}) — install the OpenSSH client (Debian: apt-get install openssh-client)`,
        ),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/** The gist of what ssh said about a config it refused: the line naming the file and line number. */
export function configComplaint(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    lines.find((l) => /line \d+/.test(l)) ??
    lines.find((l) => !/^terminating/.test(l)) ??
    lines[0] ??
    "ssh refused it"
  );
}

/**
 * `ssh -G` for a destination (an alias or [user@]host[:port]); a config ssh rejects is one line
 * naming the file, the line and what ssh said.
 */
export async function resolveSshConfig(
  destination: string,
  inv: SshInvocation,
  label: string,
): Promise<ResolvedSshConfig> {
  const { host, user, port } = splitDestination(destination);
  const args = ["-G", "-F", inv.configFile, ...(inv.options ?? []).flatMap((o) => ["-o", o])];
  if (user) args.push("-l", user);
  if (port) args.push("-p", port);
  args.push("--", host);
  const r = await run(args, inv.env);
  if (r.code !== 0) {
    throw new SshSettingsError(
      `cluster '${label}': ssh rejects its configuration for ${destination}: ${configComplaint(r.stderr)} — fix it (\`ssh -G -F ${inv.userConfigFile ?? inv.configFile} ${destination}\` shows the same)`,
    );
  }
  return parseSshG(r.stdout);
}

/** `[user@]host[:port]` (and `ssh://[user@]host[:port]`), as ProxyJump writes hops. */
export function splitDestination(spec: string): { host: string; user?: string; port?: string } {
  let s = spec.trim().replace(/^ssh:\/\//, "");
  let user: string | undefined;
  const at = s.lastIndexOf("@");
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    s = bracket[1]!;
    port = bracket[2];
  } else {
    const m = /^([^:]+):(\d+)$/.exec(s);
    if (m) {
      s = m[1]!;
      port = m[2];
    }
  }
  return { host: s, ...(user ? { user } : {}), ...(port ? { port } : {}) };
}

/** One machine a connection passes through, the cluster's login host last. */
export interface Hop {
  /** As written in ProxyJump (or the cluster's alias for the last hop). */
  spec: string;
  /** The ProxyJump ssh is given for this hop (-J), when it is a later hop of a ProxyJump list. */
  jumpVia: string | null;
  hostName: string;
  port: number;
  user: string;
  /** The name known_hosts uses for it (HostKeyAlias, else HostName). */
  keyName: string;
  /** A ProxyCommand ssh runs to reach it (then the hops before it are not known). */
  proxyCommand: string | null;
  knownHostsFiles: string[];
  certificateFiles: string[];
  identityFiles: string[];
  config: ResolvedSshConfig;
}

function hopOf(spec: string, jumpVia: string | null, cfg: ResolvedSshConfig, home: string): Hop {
  const proxy = first(cfg, "proxycommand");
  const list = (k: string) =>
    (cfg.get(k) ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v !== "" && v !== "none");
  return {
    spec,
    jumpVia,
    hostName: first(cfg, "hostname") ?? splitDestination(spec).host,
    port: Number(first(cfg, "port") ?? 22),
    user: first(cfg, "user") ?? os.userInfo().username,
    keyName: first(cfg, "hostkeyalias") ?? first(cfg, "hostname") ?? splitDestination(spec).host,
    proxyCommand: proxy && proxy !== "none" ? proxy : null,
    knownHostsFiles: list("userknownhostsfile").map((f) => expandTilde(f, home)),
    certificateFiles: list("certificatefile").map((f) => expandTilde(f, home)),
    identityFiles: list("identityfile").map((f) => expandTilde(f, home)),
    config: cfg,
  };
}

const MAX_HOPS = 8;

/**
 * Every hop from the first jump host to the destination, as ssh will go: ProxyJump `a,b` to T means
 * T is reached from b, and b (given `-J a`) from a; a follows its own ProxyJump. A loop, or more
 * than 8 hops, is refused before ssh would spawn itself without end.
 */
export async function resolveHops(
  destination: string,
  inv: SshInvocation,
  label: string,
  home = os.homedir(),
): Promise<Hop[]> {
  const seen: string[] = [];
  const visit = async (
    spec: string,
    jumpVia: string | null,
    cmdOptions: readonly string[],
  ): Promise<Hop[]> => {
    const cfg = await resolveSshConfig(
      spec,
      { ...inv, options: [...cmdOptions, ...(jumpVia ? [`ProxyJump=${jumpVia}`] : [])] },
      label,
    );
    const hop = hopOf(spec, jumpVia, cfg, home);
    const id = `${hop.user}@${hop.hostName}:${hop.port}`;
    if (seen.includes(id) || seen.length >= MAX_HOPS) {
      const chain = [...seen, id].join(" → ");
      throw new SshSettingsError(
        seen.includes(id)
          ? `cluster '${label}': the ProxyJump settings in ${inv.userConfigFile ?? inv.configFile} go round in a loop (${chain}) — make the first jump host reachable without a ProxyJump`
          : `cluster '${label}': more than ${MAX_HOPS} jump hosts (${chain}) — check the ProxyJump settings in ${inv.userConfigFile ?? inv.configFile}`,
      );
    }
    seen.push(id);
    const jump = first(cfg, "proxyjump");
    // a later hop of a ProxyJump list is reached through the hops before it, already listed
    if (jumpVia !== null || !jump || jump === "none" || hop.proxyCommand) return [hop];
    const parts = jump.split(",").filter(Boolean);
    const before: Hop[] = await visit(parts[0]!, null, []);
    for (let i = 1; i < parts.length; i++) {
      before.push(...(await visit(parts[i]!, parts.slice(0, i).join(","), [])));
    }
    return [...before, hop];
  };
  return visit(destination, null, inv.options ?? []);
}

/** How a hop is named in messages: its alias, and the address when that says more. */
export function hopName(hop: Pick<Hop, "spec" | "hostName" | "port">): string {
  const addr = hop.port === 22 ? hop.hostName : `${hop.hostName}:${hop.port}`;
  return hop.spec === hop.hostName || hop.spec === addr ? addr : `${hop.spec} (${addr})`;
}
