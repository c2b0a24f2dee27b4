// What can go wrong talking to a remote machine, sorted by what the caller should do about it.
//
// - ConnectionError: connection trouble (unreachable, dropped, timed out). Transient: the engine must
//   not fail a job because of it — it leaves the job as it is and asks again at the next poll.
// - HostKeyUnknownError / HostKeyChangedError / AuthenticationError: the user has to act (trust a
//   key, fix a key file); retrying changes nothing, so the pool never retries them.
// - RemoteCommandError / RemoteFileError: the connection is fine, the remote side said no.
// All are UserErrors: one line that says what is wrong and what to do.
import { UserError } from "../domain/errors.js";

/** Transient connection trouble: retry later; never a reason to fail a job. */
export class ConnectionError extends UserError {
  override readonly name: string = "ConnectionError";
  readonly transient = true;
}

/** A remote command that ran longer than allowed (the controller hangs, the link stalls). */
export class CommandTimeoutError extends ConnectionError {
  override readonly name = "CommandTimeoutError";
}

export interface HostKeyFacts {
  /** Cluster name (for the trust command), or user@host:port for an ad-hoc target. */
  label: string;
  /** The host as known_hosts names it: `host` or `[host]:port`. */
  hostId: string;
  keyType: string;
  /** SHA256:… of the key the server offers. */
  fingerprint: string;
  knownHostsFile: string;
}

function trustCommand(label: string, replace = false): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(label)
    ? `crystal-tui cluster trust ${label}${replace ? " --replace" : ""}`
    : `crystal-tui cluster trust NAME${replace ? " --replace" : ""}`;
}

/** The server's key is in no known_hosts entry for this host. */
export class HostKeyUnknownError extends UserError {
  override readonly name = "HostKeyUnknownError";
  constructor(readonly facts: HostKeyFacts) {
    super(
      `cluster '${facts.label}': the host key of ${facts.hostId} (${facts.keyType} ${facts.fingerprint}) is not in ${facts.knownHostsFile} — if the cluster's administrators confirm this fingerprint, run \`${trustCommand(facts.label)}\``,
    );
  }
}

/** known_hosts holds a different key for this host: possibly an attack, never accepted. */
export class HostKeyChangedError extends UserError {
  override readonly name = "HostKeyChangedError";
  constructor(
    readonly facts: HostKeyFacts & { knownFingerprint: string; knownLine: number; revoked?: boolean },
  ) {
    super(
      facts.revoked
        ? `cluster '${facts.label}': the host key of ${facts.hostId} (${facts.keyType} ${facts.fingerprint}) is marked @revoked in ${facts.knownHostsFile}:${facts.knownLine} — connection refused; ask the cluster's administrators`
        : `cluster '${facts.label}': the host key of ${facts.hostId} HAS CHANGED — the server offers ${facts.keyType} ${facts.fingerprint} but ${facts.knownHostsFile}:${facts.knownLine} holds ${facts.knownFingerprint}; this may be an attack — only if the administrators confirm the new key, run \`${trustCommand(facts.label, true)}\``,
    );
  }
}

/** The server refused every key offered (key file, ssh-agent). */
export class AuthenticationError extends UserError {
  override readonly name: string = "AuthenticationError";
}

/** The connection works but a remote command failed. */
export class RemoteCommandError extends UserError {
  override readonly name = "RemoteCommandError";
  constructor(
    message: string,
    readonly code: number | null,
    readonly signal: string | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** The connection works but a remote file operation failed (missing file, permission, disk full). */
export class RemoteFileError extends UserError {
  override readonly name = "RemoteFileError";
  constructor(
    message: string,
    readonly sftpCode?: number,
  ) {
    super(message);
  }
}

/** Whether an error is transient connection trouble (retry later) rather than a real failure. */
export function isConnectionTrouble(err: unknown): err is ConnectionError {
  return err instanceof ConnectionError;
}

/**
 * The server asks for a one-time code (or another answer only the user has) and nobody could be
 * asked, or the answer was refused. Retrying alone changes nothing: the user has to log in.
 */
export class OneTimeCodeError extends AuthenticationError {
  override readonly name = "OneTimeCodeError";
}

/** The cluster's ssh configuration cannot be used as it is (ssh rejects it, a ProxyJump loop). */
export class SshSettingsError extends UserError {
  override readonly name = "SshSettingsError";
}
