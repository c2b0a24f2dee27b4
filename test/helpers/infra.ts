// The real sshd + SLURM the integration suites run against (scripts/start-test-infra.sh), as the
// suites see it: read from infra.env ($CRYSTAL_TUI_INFRA_ENV, set by scripts/test.sh).
//
//   const infra = await requireInfra("ssh runner");
//   describe.skipIf(!infra)("…", () => { … infra! … });
//
// With CI=true a missing or dead daemon FAILS the suite (it must run there); elsewhere the suite is
// skipped with a loud message naming the command that starts the daemons.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import type { SshTarget } from "../../src/transport/target.js";

export interface Infra {
  dir: string;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  /** Private key that logs in as sshUser. */
  sshKey: string;
  /** known_hosts holding the test sshd's key. */
  knownHosts: string;
  hostPubKey: string;
  sshdConfig: string;
  sshdPidFile: string;
  sshdLog: string;
  slurmConf: string;
  slurmAccounting: "dbd" | "none";
  partitions: string[];
  slurmNode: string;
  slurmCpus: number;
  /** Every KEY=VALUE of infra.env. */
  env: Record<string, string>;
}

export const DEFAULT_INFRA_DIR = "/tmp/crystal-tui-infra";
const START_HINT = "sudo bash scripts/start-test-infra.sh  (or run `npm test` as root: it starts them)";

export function infraEnvFile(): string {
  return (
    process.env.CRYSTAL_TUI_INFRA_ENV || `${process.env.CRYSTAL_TUI_INFRA_DIR || DEFAULT_INFRA_DIR}/infra.env`
  );
}

/** Parses infra.env; null when it does not exist. */
export function loadInfra(file = infraEnvFile()): Infra | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1");
  }
  const need = (k: string) => {
    const v = env[k];
    if (v === undefined) throw new Error(`${file} has no ${k}: re-run scripts/start-test-infra.sh`);
    return v;
  };
  const dir = need("INFRA_DIR");
  return {
    dir,
    sshHost: need("SSH_HOST"),
    sshPort: Number(need("SSH_PORT")),
    sshUser: need("SSH_USER"),
    sshKey: need("SSH_KEY"),
    knownHosts: need("SSH_KNOWN_HOSTS"),
    hostPubKey: need("SSH_HOST_PUBKEY"),
    sshdConfig: env.SSHD_CONFIG ?? `${dir}/ssh/sshd_config`,
    sshdPidFile: env.SSHD_PID_FILE ?? `${dir}/ssh/sshd.pid`,
    sshdLog: env.SSHD_LOG ?? `${dir}/ssh/sshd.log`,
    slurmConf: need("SLURM_CONF"),
    slurmAccounting: (env.SLURM_ACCOUNTING as "dbd" | "none") ?? "none",
    partitions: (env.SLURM_PARTITIONS ?? "").split(",").filter(Boolean),
    slurmNode: env.SLURM_NODE ?? "",
    slurmCpus: Number(env.SLURM_CPUS ?? "1"),
    env,
  };
}

/** Whether something accepts TCP connections at host:port within timeoutMs. */
export function portOpen(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/** Whether the rest of the set (munged) is alive: then a silent sshd is being restarted, not gone. */
function setStillUp(infra: Infra): boolean {
  try {
    const pid = Number(fs.readFileSync(`${infra.dir}/munge/munged.pid`, "utf8").trim());
    return pid > 0 && alive(pid);
  } catch {
    return false;
  }
}

/**
 * Whether the test sshd answers within `ms`: the fault suites restart it (down for about a second)
 * while other suites start, and a suite that looked at that moment used to skip (or, in CI, fail).
 */
async function answersWithin(infra: Infra, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await portOpen(infra.sshHost, infra.sshPort)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const warned = new Set<string>();

/**
 * The running test infrastructure, or undefined (suite to be skipped). Throws when CI=true and the
 * daemons are missing: in CI the SSH and SLURM suites must run.
 */
export async function requireInfra(suite: string): Promise<Infra | undefined> {
  const file = infraEnvFile();
  const infra = loadInfra(file);
  const problem = !infra
    ? `${file} does not exist`
    : !(await answersWithin(infra, setStillUp(infra) ? 20_000 : 0))
      ? `the test sshd at ${infra.sshHost}:${infra.sshPort} does not answer`
      : null;
  if (!problem) return infra!;
  if (process.env.CI === "true") {
    throw new Error(`CI=true and ${suite} needs the test sshd/SLURM, but ${problem} — ${START_HINT}`);
  }
  if (!warned.has(suite)) {
    warned.add(suite);
    process.stderr.write(
      `\n${"*".repeat(78)}\n*** SKIPPED: ${suite} — ${problem}.\n*** Start the test daemons with: ${START_HINT}\n${"*".repeat(78)}\n\n`,
    );
  }
  return undefined;
}

/**
 * The system's own `ssh` to the test user on the test sshd (arguments up to the destination): for
 * looking at the remote side independently of crystal-tui's transport.
 */
export function plainSshArgs(i: Infra): string[] {
  return [
    "-F",
    "/dev/null",
    "-i",
    i.sshKey,
    "-o",
    `UserKnownHostsFile=${i.knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-p",
    String(i.sshPort),
    `${i.sshUser}@${i.sshHost}`,
  ];
}

/** An SshTarget for the test user on the test sshd (override what a test varies). */
export function testTarget(infra: Infra, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    label: "test",
    host: infra.sshHost,
    port: infra.sshPort,
    username: infra.sshUser,
    keyFiles: [infra.sshKey],
    knownHostsFile: infra.knownHosts,
    ...overrides,
  };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function exeOf(pid: number): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.replace(/^.*\) /, "")[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor(
  what: string,
  ok: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Drops one SSH connection from the server side, as a network failure or a killed session would:
 * kills the sshd processes serving the client's local TCP port (root only).
 */
export async function dropConnection(infra: Infra, clientPort: number): Promise<number[]> {
  const r = spawnSync(
    "ss",
    ["-tnpH", "state", "established", `( sport = :${infra.sshPort} and dport = :${clientPort} )`],
    { encoding: "utf8" },
  );
  const pids = [...new Set([...(r.stdout ?? "").matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))].filter(
    (p) => exeOf(p)?.startsWith("/usr/sbin/sshd"),
  );
  for (const p of pids) {
    try {
      process.kill(p, "SIGKILL");
    } catch {} // gone already: killing the monitor takes its child with it
  }
  await waitFor("the connection to close", () => pids.every((p) => !alive(p)));
  return pids;
}

/**
 * Freezes one SSH connection from the server side (SIGSTOP to its sshd processes): the peer goes
 * silent without closing anything, as behind a dead router. Returns the pids; kill them after.
 */
export function freezeConnection(infra: Infra, clientPort: number): number[] {
  const r = spawnSync(
    "ss",
    ["-tnpH", "state", "established", `( sport = :${infra.sshPort} and dport = :${clientPort} )`],
    { encoding: "utf8" },
  );
  const pids = [...new Set([...(r.stdout ?? "").matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))].filter(
    (p) => exeOf(p)?.startsWith("/usr/sbin/sshd"),
  );
  for (const p of pids) process.kill(p, "SIGSTOP");
  return pids;
}

function sshdPid(infra: Infra): number | null {
  try {
    const pid = Number(fs.readFileSync(infra.sshdPidFile, "utf8").trim());
    return pid > 0 && alive(pid) && exeOf(pid)?.startsWith("/usr/sbin/sshd") ? pid : null;
  } catch {
    return null;
  }
}

/** Stops the test sshd's listener (its PID file, checked against /proc — never by name). */
export async function stopSshd(infra: Infra): Promise<void> {
  const pid = sshdPid(infra);
  if (pid === null) return;
  process.kill(pid, "SIGTERM");
  await waitFor("sshd to stop", () => !alive(pid));
}

/** Starts the test sshd's listener again with its own configuration; waits until it answers. */
export async function startSshd(infra: Infra): Promise<void> {
  if (sshdPid(infra) !== null) return;
  const r = spawnSync("/usr/sbin/sshd", ["-f", infra.sshdConfig, "-E", infra.sshdLog], {
    encoding: "utf8",
    env: { ...process.env, CRYSTAL_TUI_INFRA_ID: infra.dir, SLURM_CONF: infra.slurmConf },
  });
  if (r.status !== 0) throw new Error(`sshd did not start: ${r.stderr}`);
  await waitFor("sshd to answer", () => portOpen(infra.sshHost, infra.sshPort, 500));
}

/**
 * A restart of the test sshd that also drops the given connections (what a reboot or network
 * outage does; a plain restart leaves established sessions alone). The listener is down for
 * `downMs` — other suites' new connections meanwhile are refused and must retry.
 */
export async function restartSshd(
  infra: Infra,
  opts: { dropClientPorts?: number[]; downMs?: number; whileDown?: () => void | Promise<void> } = {},
): Promise<void> {
  await stopSshd(infra);
  try {
    for (const port of opts.dropClientPorts ?? []) await dropConnection(infra, port);
    const started = Date.now();
    await opts.whileDown?.();
    const rest = (opts.downMs ?? 500) - (Date.now() - started);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  } finally {
    await startSshd(infra); // never leave the shared sshd down, whatever happened
  }
}

/** The local port of the TCP connection an OpenSSH master (found by its socket) holds to sshd. */
export function masterClientPort(controlPath: string, sshPort: number): number {
  const check = spawnSync(
    "ssh",
    ["-F", "/dev/null", "-o", `ControlPath=${controlPath}`, "-O", "check", "x"],
    {
      encoding: "utf8",
    },
  );
  const pid = Number(/pid=(\d+)/.exec(check.stderr)?.[1]);
  if (!pid) throw new Error(`no master answers at ${controlPath}: ${check.stderr}`);
  const ss = spawnSync("ss", ["-tnpH", "state", "established", `( dport = :${sshPort} )`], {
    encoding: "utf8",
  });
  const line = ss.stdout.split("\n").find((l) => l.includes(`pid=${pid},`));
  const port = Number(/:(\d+)\s+\S+:\d+\s/.exec(line ?? "")?.[1]);
  if (!port) throw new Error(`the master (pid ${pid}) holds no connection to port ${sshPort}:\n${ss.stdout}`);
  return port;
}
