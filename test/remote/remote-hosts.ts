// The OpenSSH transport's own test hosts (scripts/start-remote-hosts.sh): a jump host and a login
// host in network namespaces, a two-hop inner host, a TOTP sshd, a certificate sshd and a
// MaxSessions 1 sshd. Started here when missing (root only; the script is idempotent and touches
// nothing of the shared daemons); with CI=true a host that cannot be had fails the suite.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { portOpen } from "../helpers/infra.js";

export interface RemoteHosts {
  dir: string;
  user: string;
  key: string;
  knownHosts: string;
  jumpAddr: string;
  loginAddr: string;
  innerPort: number;
  nsJump: string;
  nsLogin: string;
  mfaPort: number;
  totpSecret: string;
  certPort: number;
  certKey: string;
  expiredCertKey: string;
  maxSessionsPort: number;
  logDir: string;
  slurmViaLogin: boolean;
}

const ROOT = path.resolve(import.meta.dirname, "../..");
export const REMOTE_HOSTS_DIR = process.env.CRYSTAL_TUI_REMOTE_HOSTS_DIR || "/tmp/ctui-remote-hosts";

function load(): RemoteHosts | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(REMOTE_HOSTS_DIR, "remote-hosts.env"), "utf8");
  } catch {
    return null;
  }
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  const need = (k: string) => {
    const v = env[k];
    if (v === undefined)
      throw new Error(`remote-hosts.env has no ${k}: re-run scripts/start-remote-hosts.sh`);
    return v;
  };
  return {
    dir: need("RH_DIR"),
    user: need("RH_USER"),
    key: need("RH_KEY"),
    knownHosts: need("RH_KNOWN_HOSTS"),
    jumpAddr: need("JUMP_ADDR"),
    loginAddr: need("LOGIN_ADDR"),
    innerPort: Number(need("INNER_PORT")),
    nsJump: need("NS_JUMP"),
    nsLogin: need("NS_LOGIN"),
    mfaPort: Number(need("MFA_PORT")),
    totpSecret: fs.readFileSync(need("MFA_SECRET_FILE"), "utf8").trim(),
    certPort: Number(need("CERT_PORT")),
    certKey: need("CERT_KEY"),
    expiredCertKey: need("EXPIRED_CERT_KEY"),
    maxSessionsPort: Number(need("MAXSESS_PORT")),
    logDir: need("LOG_DIR"),
    slurmViaLogin: env.SLURM_VIA_LOGIN === "1",
  };
}

async function healthy(h: RemoteHosts): Promise<boolean> {
  for (const port of [h.mfaPort, h.certPort, h.maxSessionsPort]) {
    if (!(await portOpen("127.0.0.1", port, 1_000))) return false;
  }
  return portOpen(h.jumpAddr, 22, 1_000);
}

/** The hosts, started if needed; undefined (suite skipped, loudly) when they cannot be had outside CI. */
export async function requireRemoteHosts(suite: string): Promise<RemoteHosts | undefined> {
  let hosts = load();
  if (!hosts || !(await healthy(hosts))) {
    if (process.getuid?.() === 0) {
      const r = spawnSync("bash", [path.join(ROOT, "scripts/start-remote-hosts.sh"), REMOTE_HOSTS_DIR], {
        encoding: "utf8",
        timeout: 300_000,
      });
      if (r.status !== 0) {
        const why = `scripts/start-remote-hosts.sh failed: ${(r.stderr || "").trim().split("\n").slice(-3).join(" / ")}`;
        if (process.env.CI === "true") throw new Error(`CI=true and ${suite} needs its test hosts: ${why}`);
        process.stderr.write(`\n*** SKIPPED: ${suite} — ${why}\n`);
        return undefined;
      }
      hosts = load();
    }
  }
  if (!hosts || !(await healthy(hosts))) {
    const why = "the transport's test hosts are not running (sudo bash scripts/start-remote-hosts.sh)";
    if (process.env.CI === "true") throw new Error(`CI=true and ${suite} needs them: ${why}`);
    process.stderr.write(`\n*** SKIPPED: ${suite} — ${why}\n`);
    return undefined;
  }
  return hosts;
}

/** The current TOTP code (oathtool, as the issue asks: computed independently of the server). */
export function totp(hosts: RemoteHosts, offsetSteps = 0): string {
  const args = ["--totp", "-b", hosts.totpSecret];
  if (offsetSteps) args.push("-N", `now ${offsetSteps > 0 ? "+" : ""}${offsetSteps * 30} seconds`);
  const r = spawnSync("oathtool", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`oathtool failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A private temp folder with a short path (sockets live there). */
export function shortTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/**
 * Holds one test host for this suite alone, across test processes (vitest runs files side by side):
 * a suite that counts logins or connections in a host's log must not see another suite's. A lock
 * folder with the holder's pid; a holder that died is replaced. Returns the release function.
 */
export type CountedHost = "jump" | "mfa" | "cert" | "maxsessions";
const HOST_ORDER: readonly CountedHost[] = ["jump", "mfa", "cert", "maxsessions"];

/**
 * How long a suite's beforeAll may wait for the hosts it holds: another suite may hold them for its
 * whole run (the TOTP suites take two minutes and more), longer than vitest's hook timeout.
 */
export const HOLD_WAIT_MS = 900_000;

/** Several hosts, always taken in one order (so that two suites never wait for each other). */
export async function holdHosts(h: RemoteHosts, hosts: readonly CountedHost[]): Promise<() => void> {
  const releases: (() => void)[] = [];
  for (const host of HOST_ORDER.filter((x) => hosts.includes(x))) releases.push(await holdHost(h, host));
  return () => {
    for (const release of releases.reverse()) release();
  };
}

async function holdHost(h: RemoteHosts, host: CountedHost): Promise<() => void> {
  const dir = path.join(h.dir, "locks");
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, host);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      return () => fs.rmSync(lock, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(path.join(lock, "pid"), "utf8").trim() || "0");
    } catch {
      // being made or removed right now: look again
    }
    if (holder > 0 && !alive(holder)) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Lines of an sshd log added after `fromByte`. */
export function logSince(file: string, fromByte: number): string {
  const buf = fs.readFileSync(file);
  return buf.subarray(fromByte).toString("utf8");
}

export function logSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** An ssh config with aliases for every test host (tests add their own lines). */
export function sshConfigFor(h: RemoteHosts, extra = ""): string {
  return `Host *
  User ${h.user}
  IdentityFile ${h.key}
  IdentitiesOnly yes
  UserKnownHostsFile ${h.knownHosts}
Host jump
  HostName ${h.jumpAddr}
Host login
  HostName ${h.loginAddr}
  ProxyJump jump
Host inner
  HostName 127.0.0.1
  Port ${h.innerPort}
  ProxyJump jump,login
Host mfa
  HostName 127.0.0.1
  Port ${h.mfaPort}
Host cert
  HostName 127.0.0.1
  Port ${h.certPort}
  IdentityFile ${h.certKey}
  CertificateFile ${h.certKey}-cert.pub
Host expired
  HostName 127.0.0.1
  Port ${h.certPort}
  IdentityFile ${h.expiredCertKey}
  CertificateFile ${h.expiredCertKey}-cert.pub
Host maxsessions
  HostName 127.0.0.1
  Port ${h.maxSessionsPort}
${extra}`;
}
