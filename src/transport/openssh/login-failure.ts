// Why `ssh` could not log in, read from what it (and its jump-host processes) wrote, turned into one
// line that names the cluster, the hop and what to do. ssh's wording is OpenSSH's, stable for
// years; anything not recognised is passed on as ssh said it.
import fs from "node:fs";
import type { UserError } from "../../domain/errors.js";
import {
  AuthenticationError,
  ConnectionError,
  HostKeyChangedError,
  type HostKeyFacts,
  HostKeyUnknownError,
  OneTimeCodeError,
} from "../errors.js";
import { entryFingerprint, hostId, readKnownHosts } from "../known-hosts.js";
import type { PromptSession } from "./prompt-broker.js";
import { type Hop, hopName } from "./ssh-config-resolve.js";

export interface LoginContext {
  label: string;
  hops: readonly Hop[];
  /** The remedy for a login that needs the user (a terminal) — e.g. the `cluster connect` command. */
  connectHint: string;
  asked: PromptSession["asked"];
  /** Fingerprint of a hop's key as the server offers it (probed without logging in). */
  probeKey?: (hop: Hop) => Promise<{ keyType: string; fingerprint: string } | null>;
}

/** The hop an address in ssh's messages belongs to (`host`, `[host]:port`, `user@host`). */
export function hopByAddress(hops: readonly Hop[], text: string): Hop | undefined {
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  const host = bracket ? bracket[1]! : text.replace(/^.*@/, "");
  const port = bracket ? Number(bracket[2]) : undefined;
  return (
    [...hops]
      .reverse()
      .find((h) => (h.hostName === host || h.keyName === host) && (port === undefined || h.port === port)) ??
    undefined
  );
}

function where(ctx: LoginContext, hop: Hop | undefined): string {
  if (!hop) return "";
  const last = ctx.hops[ctx.hops.length - 1];
  if (hop === last) return ctx.hops.length > 1 ? ` (login host ${hopName(hop)})` : "";
  return ` (jump host ${hopName(hop)})`;
}

/** The hop after the last one ssh reports as authenticated: the one a jump host could not reach. */
function nextAfterAuthenticated(ctx: LoginContext, log: string): Hop | undefined {
  let lastIndex = -1;
  for (const m of log.matchAll(/Authenticated to (\S+) \(\[?([^\]\s)]+)\]?:(\d+)\)/g)) {
    const idx = ctx.hops.findIndex((h) => h.hostName === m[2] && h.port === Number(m[3]));
    if (idx > lastIndex) lastIndex = idx;
  }
  return ctx.hops[lastIndex + 1];
}

const SPECIFIC = [
  /Host key for \S+ has changed|REMOTE HOST IDENTIFICATION HAS CHANGED/,
  /host key is known for/,
  /Permission denied \(/,
  /Too many authentication failures/,
  /ssh: connect to host/,
  /Could not resolve hostname/,
  /channel \d+: open failed/,
];

/** Whether ssh said why it failed (else the reason died with a jump host's hidden stderr). */
export function saysWhy(log: string): boolean {
  return SPECIFIC.some((re) => re.test(log));
}

export async function loginFailure(log: string, ctx: LoginContext): Promise<UserError> {
  const L = `cluster '${ctx.label}'`;
  const lines = log
    .split("\n")
    .map((l) => l.replace(/\r$/, "").trim())
    .filter(Boolean);

  // host keys: never accepted silently
  const changed = /Host key for (\S+) has changed and you have requested strict checking/.exec(log);
  if (changed || /REMOTE HOST IDENTIFICATION HAS CHANGED/.test(log)) {
    const hop = changed ? hopByAddress(ctx.hops, changed[1]!) : undefined;
    const fp = /key sent by the remote host is\s+(SHA256:[A-Za-z0-9+/=]+)/.exec(log)?.[1] ?? "unknown";
    const type = /The fingerprint for the (\S+) key sent/.exec(log)?.[1] ?? "";
    const offending = /Offending \S+ key in (\S+):(\d+)/.exec(log);
    const recorded = offending
      ? readKnownHosts(offending[1]!).find((e) => e.line === Number(offending[2]))
      : undefined;
    return new HostKeyChangedError({
      label: ctx.label,
      hostId: hop ? hostId(hop.keyName, hop.port) : (changed?.[1] ?? "the host"),
      keyType: type.toLowerCase() === "ed25519" ? "ssh-ed25519" : type,
      fingerprint: fp.replace(/\.$/, ""),
      knownHostsFile: offending?.[1] ?? hop?.knownHostsFiles[0] ?? "known_hosts",
      knownFingerprint: recorded ? entryFingerprint(recorded) : "another key",
      knownLine: Number(offending?.[2] ?? 0),
    });
  }
  const unknown = /No (\S+) host key is known for (\S+) and you have requested strict checking/.exec(log);
  if (unknown) {
    const hop = hopByAddress(ctx.hops, unknown[2]!);
    const probed = hop && ctx.probeKey ? await ctx.probeKey(hop).catch(() => null) : null;
    const facts: HostKeyFacts = {
      label: ctx.label,
      hostId: unknown[2]!,
      keyType: probed?.keyType ?? unknown[1]!,
      fingerprint: probed?.fingerprint ?? "(fingerprint not known)",
      knownHostsFile: hop?.knownHostsFiles[0] ?? "known_hosts",
    };
    const err = new HostKeyUnknownError(facts);
    if (hop && hop !== ctx.hops[ctx.hops.length - 1]) {
      return new HostKeyUnknownError({ ...facts, hostId: `${facts.hostId}${where(ctx, hop)}` });
    }
    return err;
  }

  // the one-time code
  const denied = /^(\S+): Permission denied \(([^)]*)\)/m.exec(log);
  const noPrompter = ctx.asked.some((a) => a.outcome === "no-prompter");
  const cancelled = ctx.asked.some((a) => a.outcome === "cancelled");
  if (noPrompter) {
    const prompt = ctx.asked.find((a) => a.outcome === "no-prompter")!.prompt.trim();
    return new OneTimeCodeError(
      `${L}: the server asks "${prompt.replace(/^\([^)]*\)\s*/, "")}" and this process has no terminal to ask on — authenticate first with \`${ctx.connectHint}\`, then try again`,
    );
  }
  if (denied) {
    const hop = hopByAddress(ctx.hops, denied[1]!);
    const methods = denied[2]!;
    const answered = ctx.asked.filter((a) => a.outcome === "answered");
    if (cancelled) return new OneTimeCodeError(`${L}: login cancelled${where(ctx, hop)}`);
    if (answered.length > 0 && /keyboard-interactive/.test(methods)) {
      return new OneTimeCodeError(
        `${L}: ${hop ? hopName(hop) : denied[1]} refused the one-time code — wait for the next code and run \`${ctx.connectHint}\``,
      );
    }
    if (/keyboard-interactive/.test(methods) && !/publickey/.test(methods)) {
      return new OneTimeCodeError(
        `${L}: ${hop ? hopName(hop) : denied[1]} wants a one-time code — run \`${ctx.connectHint}\` on a terminal`,
      );
    }
    const keys = hop ? [...hop.certificateFiles, ...hop.identityFiles].filter((f) => fs.existsSync(f)) : [];
    return new AuthenticationError(
      `${L}: ${denied[1]}${where(ctx, hop)} refused the login (${methods})${keys.length ? ` with ${keys.join(", ")}` : ""} — check that its public key (or certificate) is accepted there, or that the ssh-agent holds it`,
    );
  }
  if (/Too many authentication failures/.test(log)) {
    return new AuthenticationError(
      `${L}: too many keys offered before the right one — set IdentitiesOnly yes and the IdentityFile for this host in the ssh config`,
    );
  }

  // reaching the hosts
  const connect = /ssh: connect to host (\S+) port (\d+): (.+)$/m.exec(log);
  if (connect) {
    const hop = hopByAddress(ctx.hops, `[${connect[1]}]:${connect[2]}`);
    const why = connect[3]!.trim();
    const isJump = hop && hop !== ctx.hops[ctx.hops.length - 1];
    return new ConnectionError(
      `${L}: ${isJump ? "the jump host " : ""}${hop ? hopName(hop) : `${connect[1]}:${connect[2]}`} cannot be reached (${why}) — check the network or VPN${isJump ? " and the ProxyJump setting" : ""}; crystal-tui retries by itself`,
    );
  }
  const resolve = /ssh: Could not resolve hostname (\S+?):\s*(.+)$/m.exec(log);
  if (resolve) {
    return new ConnectionError(
      `${L}: cannot resolve the host name ${resolve[1]} (${resolve[2]!.trim()}) — check HostName in the ssh config, or the network`,
    );
  }
  if (/channel \d+: open failed: (connect failed|administratively prohibited)/.test(log)) {
    const target = nextAfterAuthenticated(ctx, log);
    const jump = target ? ctx.hops[ctx.hops.indexOf(target) - 1] : undefined;
    const why = /open failed: [^:]+: (.*)$/m.exec(log)?.[1]?.trim() ?? "refused";
    return new ConnectionError(
      `${L}: ${jump ? `the jump host ${hopName(jump)}` : "a jump host"} cannot reach ${target ? hopName(target) : "the next host"} (${why}) — check HostName/Port of that hop, or ask the site whether it allows forwarding (AllowTcpForwarding)`,
    );
  }
  if (
    /kex_exchange_identification|Connection closed by|Connection reset by|Connection timed out during banner/.test(
      log,
    )
  ) {
    return new ConnectionError(
      `${L}: the connection was closed before login (${lines.find((l) => /kex_exchange|closed by|reset by|timed out/.test(l)) ?? "closed"}) — the server may be overloaded (MaxStartups) or restarting; crystal-tui retries by itself`,
    );
  }
  const last = lines
    .filter((l) => !/^(Warning: Permanently added|Authenticated to|Transferred:|Bytes per second)/.test(l))
    .pop();
  return new ConnectionError(`${L}: ssh could not connect: ${last ?? "no message"}`);
}
