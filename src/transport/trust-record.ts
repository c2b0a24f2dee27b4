// Deciding about a host key the user asked to trust, and recording it: the same rules whichever
// hop's key was fetched through (OpenSSH, directly or through the jump hosts before it). A changed key is
// replaced only when the user says so (--replace), a fingerprint given in advance must match, a
// @revoked key is never trusted.
import { UserError } from "../domain/errors.js";
import {
  appendKnownHost,
  checkHostKey,
  entryFingerprint,
  hostId,
  readKnownHosts,
  removeKnownHost,
} from "./known-hosts.js";

export interface OfferedHostKey {
  key: Buffer;
  keyType: string;
  fingerprint: string;
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

export interface TrustPlace {
  /** The cluster (for messages and the --replace command). */
  label: string;
  /** The name known_hosts records (host name, address, or HostKeyAlias) and the port. */
  host: string;
  port: number;
  knownHostsFile: string;
}

export async function recordTrust(
  place: TrustPlace,
  offered: OfferedHostKey,
  opts: TrustOptions = {},
): Promise<TrustOutcome> {
  const id = hostId(place.host, place.port);
  const base = {
    hostId: id,
    keyType: offered.keyType,
    fingerprint: offered.fingerprint,
    knownHostsFile: place.knownHostsFile,
  };
  if (opts.expectFingerprint !== undefined) {
    const want = opts.expectFingerprint.startsWith("SHA256:")
      ? opts.expectFingerprint
      : `SHA256:${opts.expectFingerprint}`;
    if (want.replace(/=+$/, "") !== offered.fingerprint) {
      throw new UserError(
        `cluster '${place.label}': ${id} offers ${offered.keyType} ${offered.fingerprint}, not ${want} — nothing was trusted; check with the cluster's administrators`,
      );
    }
  }
  const verdict = checkHostKey(readKnownHosts(place.knownHostsFile), place.host, place.port, offered.key);
  if (verdict.status === "trusted") return { status: "already", ...base };
  if (verdict.status === "revoked") {
    throw new UserError(
      `cluster '${place.label}': the key ${offered.fingerprint} of ${id} is marked @revoked in ${place.knownHostsFile}:${verdict.entry.line} — it cannot be trusted; ask the cluster's administrators`,
    );
  }
  const previousFingerprint = verdict.status === "changed" ? entryFingerprint(verdict.entry) : undefined;
  if (verdict.status === "changed" && !opts.replace) {
    throw new UserError(
      `cluster '${place.label}': ${id} now offers ${offered.keyType} ${offered.fingerprint} but ${place.knownHostsFile}:${verdict.entry.line} holds ${previousFingerprint} — the key CHANGED (possibly an attack); only if the administrators confirm the new key, run \`crystal-tui cluster trust ${place.label} --replace\``,
    );
  }
  if (opts.confirm && !(await opts.confirm(offered, previousFingerprint ? { previousFingerprint } : {}))) {
    throw new UserError(`cluster '${place.label}': nothing was trusted`);
  }
  if (previousFingerprint) removeKnownHost(place.knownHostsFile, place.host, place.port);
  appendKnownHost(place.knownHostsFile, place.host, place.port, offered.key);
  return previousFingerprint
    ? { status: "replaced", ...base, previousFingerprint }
    : { status: "added", ...base };
}
