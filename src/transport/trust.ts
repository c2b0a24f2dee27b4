// Trusting a cluster's host key: fetch the key the server offers (no login), show its fingerprint,
// and record it in the cluster's known_hosts file. A changed key is only replaced when the user says
// so explicitly (--replace), and a fingerprint given in advance must match.
import { createRequire } from "node:module";
import net from "node:net";
import { UserError } from "../domain/errors.js";
import { ConnectionError } from "./errors.js";
import {
  appendKnownHost,
  checkHostKey,
  entryFingerprint,
  fingerprint,
  hostId,
  keyTypeOf,
  knownKeyTypes,
  readKnownHosts,
  removeKnownHost,
} from "./known-hosts.js";
import { hostKeyAlgorithmsFor } from "./pool.js";
import type { SshTarget } from "./target.js";

const ssh2 = createRequire(import.meta.url)("ssh2") as typeof import("ssh2");

export interface OfferedHostKey {
  key: Buffer;
  keyType: string;
  fingerprint: string;
}

/** The host key a server offers, without logging in. */
export function fetchHostKey(target: SshTarget, timeoutMs = 10_000): Promise<OfferedHostKey> {
  const entries = readKnownHosts(target.knownHostsFile);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const sock = net.connect({ host: target.host, port: target.port });
    let offered: OfferedHostKey | null = null;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.destroy();
      sock.destroy();
      if (offered) resolve(offered);
      else
        reject(
          new ConnectionError(
            `cluster '${target.label}': could not get the host key of ${target.host}:${target.port}${err ? ` (${err.message})` : ""}`,
          ),
        );
    };
    const timer = setTimeout(() => finish(new Error("timeout")), timeoutMs);
    client.on("error", (err) => finish(err));
    client.on("close", () => finish(null));
    client.connect({
      sock,
      username: target.username,
      readyTimeout: timeoutMs,
      algorithms: {
        serverHostKey: hostKeyAlgorithmsFor(knownKeyTypes(entries, target.host, target.port)) as never,
      },
      hostVerifier: (key: Buffer) => {
        offered = { key, keyType: keyTypeOf(key), fingerprint: fingerprint(key) };
        setImmediate(() => finish(null));
        return false; // stop here: nothing is sent to a server not yet trusted
      },
    });
  });
}

export interface TrustOutcome {
  /** added: newly trusted; already: it was trusted; replaced: a changed key was replaced. */
  status: "added" | "already" | "replaced";
  hostId: string;
  keyType: string;
  fingerprint: string;
  knownHostsFile: string;
  /** Fingerprint of the key that was replaced. */
  previousFingerprint?: string;
}

export interface TrustOptions {
  /** Replace a different key already recorded for the host (after the administrators confirmed). */
  replace?: boolean;
  /** Only trust the key if its fingerprint is this one (SHA256:…, as the administrators publish it). */
  expectFingerprint?: string;
  /** Asked before anything is written, with what would be recorded; false refuses. */
  confirm?: (offered: OfferedHostKey, change: { previousFingerprint?: string }) => Promise<boolean>;
}

/** fetchHostKey, riding out a few seconds of trouble (an sshd restarting) as the pool does. */
async function fetchHostKeyPatiently(target: SshTarget, windowMs = 3_000): Promise<OfferedHostKey> {
  const start = Date.now();
  for (let delay = 200; ; delay *= 2) {
    try {
      return await fetchHostKey(target);
    } catch (err) {
      if (!(err instanceof ConnectionError) || Date.now() - start + delay > windowMs) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export async function trustHostKey(target: SshTarget, opts: TrustOptions = {}): Promise<TrustOutcome> {
  const offered = await fetchHostKeyPatiently(target);
  const id = hostId(target.host, target.port);
  const base = {
    hostId: id,
    keyType: offered.keyType,
    fingerprint: offered.fingerprint,
    knownHostsFile: target.knownHostsFile,
  };
  if (opts.expectFingerprint !== undefined) {
    const want = opts.expectFingerprint.startsWith("SHA256:")
      ? opts.expectFingerprint
      : `SHA256:${opts.expectFingerprint}`;
    if (want.replace(/=+$/, "") !== offered.fingerprint) {
      throw new UserError(
        `cluster '${target.label}': ${id} offers ${offered.keyType} ${offered.fingerprint}, not ${want} — nothing was trusted; check with the cluster's administrators`,
      );
    }
  }
  const verdict = checkHostKey(readKnownHosts(target.knownHostsFile), target.host, target.port, offered.key);
  if (verdict.status === "trusted") return { status: "already", ...base };
  if (verdict.status === "revoked") {
    throw new UserError(
      `cluster '${target.label}': the key ${offered.fingerprint} of ${id} is marked @revoked in ${target.knownHostsFile}:${verdict.entry.line} — it cannot be trusted; ask the cluster's administrators`,
    );
  }
  const previousFingerprint = verdict.status === "changed" ? entryFingerprint(verdict.entry) : undefined;
  if (verdict.status === "changed" && !opts.replace) {
    throw new UserError(
      `cluster '${target.label}': ${id} now offers ${offered.keyType} ${offered.fingerprint} but ${target.knownHostsFile}:${verdict.entry.line} holds ${previousFingerprint} — the key CHANGED (possibly an attack); only if the administrators confirm the new key, run \`crystal-tui cluster trust ${target.label} --replace\``,
    );
  }
  if (opts.confirm && !(await opts.confirm(offered, previousFingerprint ? { previousFingerprint } : {}))) {
    throw new UserError(`cluster '${target.label}': nothing was trusted`);
  }
  if (previousFingerprint) removeKnownHost(target.knownHostsFile, target.host, target.port);
  appendKnownHost(target.knownHostsFile, target.host, target.port, offered.key);
  return previousFingerprint
    ? { status: "replaced", ...base, previousFingerprint }
    : { status: "added", ...base };
}
