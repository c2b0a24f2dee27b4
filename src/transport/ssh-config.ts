// ~/.ssh/config: what the user already told OpenSSH about a host alias (HostName, Port, User,
// IdentityFile, UserKnownHostsFile), so `--host myhpc` means the same to crystal-tui as to `ssh myhpc`.
// OpenSSH's rules: the first value obtained wins; IdentityFile accumulates; Host patterns take
// wildcards and negation; Include is followed. Match blocks other than `Match all`, `Match host`
// and `Match originalhost` are skipped (never guessed). This reader only answers what `cluster add`
// records (is the host an alias, its user and port); connections are made by ssh itself, which
// follows everything else the config says (ProxyJump, certificates, Match …: src/transport/openssh/).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { INPUT_LIMITS, readInputText } from "../files/input-file.js";

export interface SshHostConfig {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  identitiesOnly?: boolean;
  userKnownHostsFiles?: string[];
}

export interface SshConfigOptions {
  /** The config file; default $CRYSTAL_TUI_SSH_CONFIG, else ~/.ssh/config. */
  file?: string;
  home?: string;
}

export function defaultSshConfigFile(home = os.homedir()): string {
  return process.env.CRYSTAL_TUI_SSH_CONFIG || path.join(home, ".ssh", "config");
}

/** Splits a config line into keyword and arguments (`Key value`, `Key=value`, "quoted args"). */
function tokens(line: string): { key: string; args: string[] } | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*)$/.exec(line);
  if (!m) return null;
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let t = re.exec(m[2] ?? ""); t; t = re.exec(m[2] ?? "")) args.push(t[1] ?? t[2] ?? "");
  return { key: m[1]!.toLowerCase(), args };
}

function globMatch(pattern: string, name: string): boolean {
  const body = [...pattern]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.+()|{}[\]]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i").test(name);
}

/** OpenSSH pattern-list matching: any positive pattern matches and no negated one does. */
export function hostPatternsMatch(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns.flatMap((x) => x.split(","))) {
    if (p === "") continue;
    if (p.startsWith("!")) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

function expandTilde(p: string, home: string): string {
  return p === "~" ? home : p.startsWith("~/") ? path.join(home, p.slice(2)) : p;
}

function readLines(file: string, home: string, depth: number): string[] {
  if (depth > 16) return [];
  let text: string;
  try {
    text = readInputText(file, { what: "ssh config file", maxBytes: INPUT_LIMITS.sshConfig });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = tokens(line);
    if (t?.key === "include") {
      for (const arg of t.args) {
        let p = expandTilde(arg, home);
        if (!path.isAbsolute(p)) p = path.join(home, ".ssh", p);
        for (const f of expandGlob(p)) out.push(...readLines(f, home, depth + 1));
      }
    } else out.push(line);
  }
  return out;
}

/** A glob in the last path component only (what Include lines use in practice). */
function expandGlob(p: string): string[] {
  const base = path.basename(p);
  if (!/[*?]/.test(base)) return [p];
  try {
    return fs
      .readdirSync(path.dirname(p))
      .filter((f) => globMatch(base, f))
      .sort()
      .map((f) => path.join(path.dirname(p), f));
  } catch {
    return [];
  }
}

/** What ~/.ssh/config says about `alias`. A missing file says nothing. */
export function lookupSshConfig(alias: string, opts: SshConfigOptions = {}): SshHostConfig {
  const home = opts.home ?? os.homedir();
  const file = opts.file ?? defaultSshConfigFile(home);
  const result: SshHostConfig = { identityFiles: [] };
  let applies = true; // options before the first Host line apply to every host
  for (const line of readLines(file, home, 0)) {
    const t = tokens(line);
    if (!t || line.trimStart().startsWith("#")) continue;
    if (t.key === "host") {
      applies = hostPatternsMatch(t.args, alias);
      continue;
    }
    if (t.key === "match") {
      const [criterion, ...rest] = t.args;
      const kind = criterion?.toLowerCase();
      // `host` is the name as resolved so far (after a HostName seen earlier), `originalhost` the alias
      applies =
        kind === "all"
          ? true
          : kind === "host" && rest.length > 0
            ? hostPatternsMatch(rest, result.hostName ?? alias)
            : kind === "originalhost" && rest.length > 0
              ? hostPatternsMatch(rest, alias)
              : false;
      continue;
    }
    if (!applies) continue;
    const value = t.args[0];
    if (value === undefined) continue;
    switch (t.key) {
      case "hostname":
        result.hostName ??= value.replace(/%h/g, alias).replace(/%%/g, "%");
        break;
      case "port":
        if (result.port === undefined && /^\d+$/.test(value)) result.port = Number(value);
        break;
      case "user":
        result.user ??= value;
        break;
      case "identityfile":
        // OpenSSH keeps each identity once, in first-seen order
        if (value.toLowerCase() !== "none" && !result.identityFiles.includes(value))
          result.identityFiles.push(value);
        break;
      case "identitiesonly":
        result.identitiesOnly ??= value.toLowerCase() === "yes";
        break;
      case "userknownhostsfile":
        result.userKnownHostsFiles ??= t.args;
        break;
    }
  }
  return result;
}

/** Expands ~ and OpenSSH's %-tokens in a path option (IdentityFile, UserKnownHostsFile). */
export function expandSshPath(
  p: string,
  ctx: { home: string; host: string; user: string; port: number; alias: string; localUser?: string },
): string {
  const expanded = p.replace(/%([%dhunrpl])/g, (_, c: string) => {
    switch (c) {
      case "%":
        return "%";
      case "d":
        return ctx.home;
      case "h":
        return ctx.host;
      case "n":
        return ctx.alias;
      case "r":
        return ctx.user;
      case "p":
        return String(ctx.port);
      case "u":
        return ctx.localUser ?? os.userInfo().username;
      default:
        return os.hostname().split(".")[0] ?? "";
    }
  });
  return expandTilde(expanded, ctx.home);
}
