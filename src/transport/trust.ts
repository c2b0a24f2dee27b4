// Trusting a cluster's host key: fetch the key the server offers (no login), show its fingerprint,
// and record it in the cluster's known_hosts file. A changed key is only replaced when the user says
// so explicitly (--replace), and a fingerprint given in advance must match.
import { createRequire } from "node:module";
import net from "node:net";
import { ConnectionError } from "./errors.js";
import { fingerprint, keyTypeOf, knownKeyTypes, readKnownHosts } from "./known-hosts.js";
import { hostKeyAlgorithmsFor } from "./pool.js";
import type { SshTarget } from "./target.js";
import { type OfferedHostKey, recordTrust, type TrustOptions, type TrustOutcome } from "./trust-record.js";

const ssh2 = createRequire(import.meta.url)("ssh2") as typeof import("ssh2");

export type { OfferedHostKey };

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

export type { TrustOptions, TrustOutcome } from "./trust-record.js";

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
  return recordTrust(
    { label: target.label, host: target.host, port: target.port, knownHostsFile: target.knownHostsFile },
    offered,
    opts,
  );
}
