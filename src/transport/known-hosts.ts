// known_hosts: the one place that decides whether a server's host key is the one the user trusts.
// Reads OpenSSH's format (plain and hashed `|1|salt|hash` names, `[host]:port`, wildcards, negation,
// @revoked), and appends a key when the user runs `crystal-tui cluster trust`. An unknown or changed
// key is never accepted silently.
import { createHash, createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { INPUT_LIMITS, readInputText } from "../files/input-file.js";

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages. */
  line: number;
  marker: "@revoked" | "@cert-authority" | null;
  /** The comma-separated host patterns, or one hashed name `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  /** The key blob, base64 as in the file. */
  key: string;
}

export type HostKeyVerdict =
  | { status: "trusted"; entry: KnownHostEntry }
  | { status: "unknown" }
  | { status: "changed"; entry: KnownHostEntry }
  | { status: "revoked"; entry: KnownHostEntry };

export function defaultKnownHostsFile(home = os.homedir()): string {
  return path.join(home, ".ssh", "known_hosts");
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function hostId(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type written inside a key blob (its first SSH string), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return "unknown";
  const len = keyBlob.readUInt32BE(0);
  if (len < 1 || len > 64 || 4 + len > keyBlob.length) return "unknown";
  return keyBlob.subarray(4, 4 + len).toString("latin1");
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"] = null;
    if (fields[0] === "@revoked" || fields[0] === "@cert-authority") {
      marker = fields.shift() as KnownHostEntry["marker"];
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) return;
    entries.push({ line: i + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** A known_hosts file's text (a regular file of bounded size); a missing one is empty. */
function readKnownHostsText(file: string): string {
  if (!fs.existsSync(file)) return "";
  return readInputText(file, {
    what: "known_hosts file",
    hint: "check --known-hosts",
    maxBytes: INPUT_LIMITS.knownHosts,
  });
}

/** The entries of a known_hosts file; a missing file has none. */
export function readKnownHosts(file: string): KnownHostEntry[] {
  return parseKnownHosts(readKnownHostsText(file));
}

function globToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.+()|{}[\]]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

function hashedNameMatches(hashed: string, name: string): boolean {
  const parts = hashed.split("|"); // ["", "1", salt, hash]
  if (parts.length !== 4 || parts[1] !== "1" || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], "base64");
  const expected = Buffer.from(parts[3], "base64");
  const actual = createHmac("sha1", salt).update(name).digest();
  return expected.length === actual.length && expected.equals(actual);
}

/** Whether an entry's host field names this host and port (OpenSSH's rules, negation included). */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = hostId(host, port);
  if (entry.hosts.startsWith("|")) return hashedNameMatches(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(",")) {
    if (pattern === "") continue;
    const negated = pattern.startsWith("!");
    const re = globToRegExp(negated ? pattern.slice(1) : pattern);
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The verdict on a key a server offers, from the entries of one known_hosts file. */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyVerdict {
  const offered = keyBlob.toString("base64");
  const type = keyTypeOf(keyBlob);
  const mine = entries.filter((e) => e.marker !== "@cert-authority" && entryMatches(e, host, port));
  const revoked = mine.find((e) => e.marker === "@revoked" && e.key === offered);
  if (revoked) return { status: "revoked", entry: revoked };
  const plain = mine.filter((e) => e.marker === null);
  const same = plain.find((e) => e.key === offered);
  if (same) return { status: "trusted", entry: same };
  // A different key of the same type is a changed key; a known host offering a type we have no
  // entry for is treated the same way: the user must look before anything is accepted.
  const other = plain.find((e) => e.keyType === type) ?? plain[0];
  if (other) return { status: "changed", entry: other };
  return { status: "unknown" };
}

/** The fingerprint of an entry's key, for messages. */
export function entryFingerprint(entry: KnownHostEntry): string {
  return fingerprint(Buffer.from(entry.key, "base64"));
}

/** Key types known_hosts already holds for a host: offered first in the handshake, as OpenSSH does. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types = new Set<string>();
  for (const e of entries) {
    if (e.marker === null && entryMatches(e, host, port)) types.add(e.keyType);
  }
  return [...types];
}

/** Appends a trusted key for host:port; creates the file (0600) and its folder (0700) if needed. */
export function appendKnownHost(file: string, host: string, port: number, keyBlob: Buffer): string {
  const line = `${hostId(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString("base64")}`;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const current = readKnownHostsText(file);
  const prefix = current.length > 0 && !current.endsWith("\n") ? "\n" : "";
  fs.appendFileSync(file, `${prefix}${line}\n`, { mode: 0o600 });
  return line;
}

/**
 * Removes the plain entries (hashed ones included) naming exactly this host:port — used when the
 * user confirms a changed key. Entries that also name other hosts are kept; wildcards are kept.
 * Returns the number of lines removed.
 */
export function removeKnownHost(file: string, host: string, port: number): number {
  if (!fs.existsSync(file)) return 0;
  const text = readKnownHostsText(file);
  const name = hostId(host, port);
  const drop = new Set(
    parseKnownHosts(text)
      .filter(
        (e) =>
          e.marker === null &&
          (e.hosts.startsWith("|")
            ? hashedNameMatches(e.hosts, name)
            : e.hosts.toLowerCase() === name.toLowerCase()),
      )
      .map((e) => e.line),
  );
  if (drop.size === 0) return 0;
  const kept = text.split("\n").filter((_, i) => !drop.has(i + 1));
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, kept.join("\n"), { mode: 0o600 });
  fs.renameSync(tmp, file);
  return drop.size;
}
