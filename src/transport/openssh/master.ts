// One authenticated OpenSSH connection per cluster, shared by every crystal-tui process of this user
// (TUI, `run`, CLI calls, several projects): a ControlMaster whose socket lives in the private
// connection folder. Commands run as sessions multiplexed on it, so a one-time code is typed once
// per connection lifetime, not per command, and a site that allows few connections sees one.
//
// - Settings: whatever `ssh -F CONFIG ALIAS` does. The user's config is Included by a small file
//   of ours that first forces what crystal-tui must guarantee on every hop (strict host keys, no
//   passwords, one code prompt, verbose login lines to count and explain) and, after the user's
//   settings, adds defaults the user's own values override (timeouts, keepalives). ssh hands `-F`
//   to its ProxyJump processes, so every hop gets the same.
// - The user's own ControlMaster: if their ControlPath for the host has a live master, it is used
//   (and never stopped by crystal-tui); otherwise crystal-tui starts its own, in its folder.
// - Starting a master is serialised across processes by a lock file; whoever gets the lock first
//   checks (`-O check`) whether another process has started one meanwhile. A dead master is
//   noticed by the next command (it finds no socket to talk to) and restarted, with backoff.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../../domain/errors.js";
import {
  type BackoffPolicy,
  type ConnectionEvent,
  type ConnectionState,
  initialConnectionState,
  mayAttempt,
  nextConnectionState,
} from "../connection-state.js";
import { ConnectionError, SshSettingsError } from "../errors.js";
import { fingerprint, keyTypeOf, parseKnownHosts } from "../known-hosts.js";
import { checkCertificate } from "./certificate.js";
import {
  connectionKey,
  defaultControlDir,
  ensureControlDir,
  withFileLock,
  writeIfChanged,
} from "./control-dir.js";
import { loginFailure, saysWhy } from "./login-failure.js";
import { openPromptSession, type PromptBroker, refusingBroker } from "./prompt-broker.js";
import type { OpenSshSettings } from "./settings.js";
import {
  expandTilde,
  first,
  type Hop,
  hopName,
  resolveHops,
  splitDestination,
} from "./ssh-config-resolve.js";

export {
  type ClusterSshEnvironment,
  checkClusterKeyFile,
  type OpenSshSettings,
  openSshSettingsForCluster,
} from "./settings.js";

export interface MasterOptions {
  /** Asked for one-time codes (the CLI's terminal, the TUI's modal); default: nobody. */
  broker?: PromptBroker;
  /** How `crystal-tui` tells the user to log in by hand (in messages). */
  connectHint?: string;
  /** How long a master started here stays up after its last command (ssh's ControlPersist). */
  controlPersist?: string;
  controlDir?: string;
  /** Told of every change of the connection state. */
  onState?: (state: ConnectionState) => void;
  backoff?: BackoffPolicy;
  /** A lost connection is retried for this long within one call before it fails (transient). */
  reconnectWindowMs?: number;
  /** How long to wait for another process that is starting the master (it may be asking a code). */
  lockWaitMs?: number;
  /** ssh's ConnectTimeout (seconds) unless the user's config sets one. */
  connectTimeoutSec?: number;
  /** Limit for one login, prompts included. */
  loginTimeoutMs?: number;
}

/** An expired or not-yet-valid certificate of any hop, said before a login that would only be refused. */
function checkHopCertificates(label: string, hops: readonly Hop[]): void {
  for (const hop of hops) {
    for (const cert of hop.certificateFiles) checkCertificate(label, hopName(hop), cert);
  }
}

interface Prepared {
  key: string;
  wrapperFile: string;
  hops: Hop[];
  /** Our master's socket. */
  controlPath: string;
  /** The user's own ControlPath for the host, when their config enables multiplexing. */
  userControlPath: string | null;
  lockFile: string;
  logFile: string;
}

function runSsh(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; stderrFd?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, {
      stdio: ["ignore", "pipe", opts.stderrFd ?? "pipe"],
      env: opts.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (d: Buffer) => out.push(d));
    child.stderr?.on("data", (d: Buffer) => err.push(d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs) : null;
    child.on("error", (e) => {
      if (timer) clearTimeout(timer);
      reject(new UserError(`cannot run ssh (${e.message}) — install the OpenSSH client`));
    });
    // 'exit', not 'close': a master started with -f keeps inherited descriptors open for its life
    child.on("exit", (code) => {
      if (timer) clearTimeout(timer);
      setImmediate(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({
          code,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        });
      });
    });
  });
}

/** A hop spec as ssh's command line takes it: `host:port` only in the ssh:// form. */
function destinationArgument(spec: string): string {
  const { host, user, port } = splitDestination(spec);
  if (!port || spec.startsWith("ssh://")) return spec;
  return `ssh://${user ? `${user}@` : ""}${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** After a failed login only a person can fix, how long before one is tried again by itself. */
const NEEDS_PERSON_RETRY_MS = 60_000;

function quoteConfigValue(v: string): string {
  if (/["\n]/.test(v))
    throw new SshSettingsError(`a path with a quote or a newline cannot go into an ssh config: ${v}`);
  return `"${v}"`;
}

export class OpenSshMaster {
  private stateNow: ConnectionState = initialConnectionState(Date.now());
  private lastFailure: UserError | null = null;
  private prepared: Promise<Prepared> | null = null;
  private starting: Promise<string> | null = null;
  /** The socket commands use now (ours or the user's); null until known. */
  private livePath: string | null = null;
  readonly controlDir: string;
  /** Masters this process started (each one a new authentication at the server). */
  connects = 0;
  private lastAttemptAt = 0;
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  /** The last login wanted an answer and this process had nobody to ask. */
  private nobodyToAsk = false;

  constructor(
    readonly settings: OpenSshSettings,
    private readonly opts: MasterOptions = {},
  ) {
    this.controlDir = opts.controlDir ?? defaultControlDir();
  }

  get state(): ConnectionState {
    return this.stateNow;
  }

  private get connectHint(): string {
    return this.opts.connectHint ?? `crystal-tui cluster connect ${this.settings.label}`;
  }

  private event(e: ConnectionEvent): void {
    const next = nextConnectionState(this.stateNow, e, Date.now(), this.opts.backoff);
    const changed =
      next.status !== this.stateNow.status ||
      next.lastError !== this.stateNow.lastError ||
      next.retryAt !== this.stateNow.retryAt;
    this.stateNow = next;
    if (!changed) return;
    this.opts.onState?.(next);
    for (const fn of this.listeners) fn(next);
  }

  /** Tells `fn` of every change of the connection state (the TUI's status line); returns the unsubscribe. */
  onStateChange(fn: (state: ConnectionState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Settings resolved by ssh itself, hops checked, our settings file written. Cached. */
  prepare(): Promise<Prepared> {
    if (!this.prepared) {
      this.prepared = this.doPrepare();
      this.prepared.catch(() => {
        this.prepared = null; // the user may fix the config: read it again next time
      });
    }
    return this.prepared;
  }

  private async doPrepare(): Promise<Prepared> {
    const s = this.settings;
    const configThere = fs.existsSync(s.configFile);
    if (!configThere && !s.configOptional) {
      throw new SshSettingsError(
        `cluster '${s.label}': the ssh config ${s.configFile} does not exist — check --ssh-config`,
      );
    }
    const dir = ensureControlDir(this.controlDir);
    const key = connectionKey([
      s.configFile,
      String(s.systemConfig),
      s.destination,
      ...s.options,
      ...(s.defaults ?? []),
      s.knownHostsFile ?? "",
    ]);
    const wrapperFile = path.join(dir, `c-${key}.conf`);
    const forced = [
      "# written by crystal-tui for one cluster; every hop of its connections reads this file",
      "StrictHostKeyChecking yes",
      "UpdateHostKeys no",
      "PasswordAuthentication no",
      "NumberOfPasswordPrompts 1",
      "LogLevel VERBOSE",
      ...(s.knownHostsFile ? [`UserKnownHostsFile ${quoteConfigValue(s.knownHostsFile)}`] : []),
      ...(configThere ? [`Include ${quoteConfigValue(s.configFile)}`] : []),
      ...(s.systemConfig ? ["Include /etc/ssh/ssh_config"] : []),
      ...(s.defaults?.length
        ? [`Match originalhost ${s.destination}`, ...s.defaults.map((d) => `  ${d}`)]
        : []),
      "Match all",
      `  ConnectTimeout ${this.opts.connectTimeoutSec ?? 15}`,
      "  ServerAliveInterval 15",
      "  ServerAliveCountMax 3",
      "",
    ].join("\n");
    writeIfChanged(wrapperFile, forced);
    const hops = await resolveHops(
      s.destination,
      { configFile: wrapperFile, userConfigFile: s.configFile, options: s.options },
      s.label,
    );
    const target = hops[hops.length - 1]!;
    const cm = first(target.config, "controlmaster") ?? "no";
    const cp = first(target.config, "controlpath") ?? "none";
    return {
      key,
      wrapperFile,
      hops,
      controlPath: path.join(dir, `m-${key}`),
      userControlPath: cm !== "no" && cm !== "false" && cp !== "none" ? expandTilde(cp) : null,
      lockFile: path.join(dir, `m-${key}.lock`),
      logFile: path.join(dir, `m-${key}.log`),
    };
  }

  /**
   * What can be known about the route without connecting: the config as ssh reads it (a config ssh
   * rejects, a ProxyJump loop) and every hop's certificates (expired, not yet valid) — each one line.
   * `cluster add` / `cluster edit` call this so a route that cannot work is refused when it is given.
   */
  async checkRoute(): Promise<Hop[]> {
    const { hops } = await this.prepare();
    checkHopCertificates(this.settings.label, hops);
    return hops;
  }

  /** Whether a master answers on a socket (`ssh -O check`). */
  async check(controlPath?: string): Promise<boolean> {
    const p = controlPath ?? (await this.prepare()).controlPath;
    if (!fs.existsSync(p)) return false;
    const r = await runSsh(["-F", "/dev/null", "-o", `ControlPath=${p}`, "-O", "check", "crystal-tui"], {
      timeoutMs: 10_000,
    });
    return r.code === 0;
  }

  /**
   * The socket of a live, authenticated master — the user's own, one another process started, or
   * a new one (then the user may be asked for a code through the broker).
   */
  ensure(): Promise<string> {
    if (this.livePath) return Promise.resolve(this.livePath);
    if (!this.starting) {
      this.starting = this.doEnsure().finally(() => {
        this.starting = null;
      });
    }
    return this.starting;
  }

  /** A command found no master at `controlPath`: forget it (the next ensure() starts one). */
  lost(controlPath: string, why: string): void {
    if (this.livePath !== controlPath) return;
    this.livePath = null;
    this.event({ kind: "dropped", error: `cluster '${this.settings.label}': ${why}` });
  }

  private async doEnsure(): Promise<string> {
    const now = Date.now();
    if (!mayAttempt(this.stateNow, now) && this.lastFailure) throw this.lastFailure;
    this.event({ kind: "connecting" });
    try {
      const p = await this.prepare();
      if (p.userControlPath && (await this.check(p.userControlPath))) return this.up(p.userControlPath);
      if (await this.check(p.controlPath)) return this.up(p.controlPath);
      // a login only a person can complete is not tried again by itself at every poll (each try is a
      // failed login at the site): with nobody to ask, only a master someone else starts helps;
      // otherwise (a key trusted, a config fixed meanwhile) it is tried again after a while
      if (this.lastFailure && this.stateNow.status === "needs-auth") {
        if (this.nobodyToAsk || now - this.lastAttemptAt < NEEDS_PERSON_RETRY_MS) throw this.lastFailure;
      }
      this.lastAttemptAt = now;
      checkHopCertificates(this.settings.label, p.hops);
      const started = await withFileLock(
        p.lockFile,
        { waitMs: this.opts.lockWaitMs ?? 5 * 60_000 },
        async () => {
          if (await this.check(p.controlPath)) return false; // another process was quicker
          // a dead master's socket would make ssh "disable multiplexing" and log in unshared
          fs.rmSync(p.controlPath, { force: true });
          await this.startWithRetry(p);
          return true;
        },
      );
      if (started) this.connects++;
      return this.up(p.controlPath);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      this.lastFailure = err;
      if (err instanceof ConnectionError) this.event({ kind: "failed", error: err.message });
      else this.event({ kind: "needs-auth", error: err.message });
      throw err;
    }
  }

  private up(controlPath: string): string {
    this.livePath = controlPath;
    this.lastFailure = null;
    this.event({ kind: "connected" });
    return controlPath;
  }

  private async startWithRetry(p: Prepared): Promise<void> {
    const windowMs = this.opts.reconnectWindowMs ?? 20_000;
    const t0 = Date.now();
    for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.startOnce(p);
      } catch (err) {
        if (!(err instanceof ConnectionError) || Date.now() - t0 + delay > windowMs) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async startOnce(p: Prepared, persist = this.opts.controlPersist ?? "10m"): Promise<void> {
    const s = this.settings;
    const session = await openPromptSession(
      this.controlDir,
      p.key,
      s.label,
      this.opts.broker ?? refusingBroker,
    );
    const logFd = fs.openSync(p.logFile, "w", 0o600);
    try {
      const r = await runSsh(
        [
          "-F",
          p.wrapperFile,
          ...s.options.flatMap((o) => ["-o", o]),
          "-o",
          "ControlMaster=yes",
          "-o",
          `ControlPath=${p.controlPath}`,
          "-o",
          `ControlPersist=${persist}`,
          "-o",
          "BatchMode=no",
          "-f",
          "-N",
          "--",
          s.destination,
        ],
        {
          env: { ...process.env, ...session.env, DISPLAY: process.env.DISPLAY ?? "" },
          timeoutMs: this.opts.loginTimeoutMs ?? 10 * 60_000,
          stderrFd: logFd,
        },
      );
      this.nobodyToAsk = session.asked.some((a) => a.outcome === "no-prompter");
      if (r.code === 0 && (await this.check(p.controlPath))) return;
      let log = fs.readFileSync(p.logFile, "utf8");
      if (!saysWhy(log) && p.hops.length > 1) log += await this.diagnose(p, session.env);
      throw await loginFailure(log, {
        label: s.label,
        hops: p.hops,
        connectHint: this.connectHint,
        asked: session.asked,
        probeKey: (hop) => this.probeHostKey(hop),
      });
    } finally {
      fs.closeSync(logFd);
      await session.close();
    }
  }

  /**
   * What the jump hosts said: ssh sends its ProxyJump processes' stderr to /dev/null when the
   * master is to persist, so a failed login through jump hosts is tried once more without
   * persisting, to hear why. The login host itself is offered no credentials (nothing to ask).
   */
  private async diagnose(p: Prepared, env: Record<string, string>): Promise<string> {
    const r = await runSsh(
      [
        "-F",
        p.wrapperFile,
        ...this.settings.options.flatMap((o) => ["-o", o]),
        "-o",
        "ControlMaster=no",
        "-o",
        "ControlPath=none",
        "-o",
        "PreferredAuthentications=none",
        "--",
        this.settings.destination,
        "true",
      ],
      { env: { ...process.env, ...env }, timeoutMs: 60_000 },
    ).catch(() => ({ stderr: "" }));
    const target = p.hops[p.hops.length - 1]!;
    // the login host refusing "none" is what was asked for, not the problem
    return `\n${r.stderr
      .split("\n")
      .filter((l) => !(l.includes("Permission denied") && l.includes(`@${target.hostName}:`)))
      .join("\n")}`;
  }

  /** The user did something about the last failure (trusted a key, is at a terminal now): try again at once. */
  retryNow(): void {
    this.lastAttemptAt = 0;
    this.nobodyToAsk = false;
    if (this.stateNow.retryAt !== null) this.stateNow = { ...this.stateNow, retryAt: null };
  }

  /** Connects now (for `cluster connect`), leaving a master up for `persist` after its last use. */
  async connect(persist?: string): Promise<{ reused: boolean; controlPath: string }> {
    const before = this.connects;
    this.retryNow(); // asked for by a person: try now, whatever happened before
    if (persist) {
      const p = await this.prepare();
      if (
        !(await this.check(p.controlPath)) &&
        !(p.userControlPath && (await this.check(p.userControlPath)))
      ) {
        await withFileLock(p.lockFile, { waitMs: this.opts.lockWaitMs ?? 5 * 60_000 }, async () => {
          if (!(await this.check(p.controlPath))) {
            fs.rmSync(p.controlPath, { force: true });
            this.event({ kind: "connecting" });
            try {
              await this.startOnce(p, persist);
            } catch (err) {
              if (err instanceof UserError) {
                this.lastFailure = err;
                this.event(
                  err instanceof ConnectionError
                    ? { kind: "failed", error: err.message }
                    : { kind: "needs-auth", error: err.message },
                );
              }
              throw err;
            }
            this.connects++;
          }
        });
      }
    }
    const controlPath = await this.ensure();
    return { reused: this.connects === before, controlPath };
  }

  /** Ends crystal-tui's master (`ssh -O exit`); the user's own master is never touched. */
  async disconnect(): Promise<boolean> {
    const p = await this.prepare();
    this.livePath = null;
    const wasUp = await this.check(p.controlPath);
    if (wasUp) {
      await runSsh(["-F", "/dev/null", "-o", `ControlPath=${p.controlPath}`, "-O", "exit", "crystal-tui"], {
        timeoutMs: 10_000,
      });
    }
    this.event({ kind: "closed" });
    return wasUp;
  }

  /**
   * The key a hop offers, without logging in: ssh records it into a scratch known_hosts
   * (accept-new) and offers no credentials (PreferredAuthentications none). Hops before it are
   * passed as usual, with their keys checked.
   */
  async probeHostKey(hop: Hop): Promise<{ keyType: string; fingerprint: string; key: Buffer } | null> {
    const p = await this.prepare();
    const scratch = path.join(this.controlDir, `k-${p.key}-${process.pid}`);
    fs.rmSync(scratch, { force: true });
    try {
      const isTarget = hop === p.hops[p.hops.length - 1];
      await runSsh(
        [
          "-F",
          p.wrapperFile,
          ...(isTarget ? this.settings.options.flatMap((o) => ["-o", o]) : []),
          ...(hop.jumpVia ? ["-J", hop.jumpVia] : []),
          "-o",
          "StrictHostKeyChecking=accept-new",
          "-o",
          `UserKnownHostsFile=${scratch}`,
          "-o",
          "GlobalKnownHostsFile=/dev/null",
          "-o",
          "PreferredAuthentications=none",
          "-o",
          "BatchMode=yes",
          "-o",
          "ControlMaster=no",
          "-o",
          "ControlPath=none",
          "--",
          isTarget ? this.settings.destination : destinationArgument(hop.spec),
          "true",
        ],
        { timeoutMs: 30_000 },
      );
      const entry = parseKnownHosts(fs.existsSync(scratch) ? fs.readFileSync(scratch, "utf8") : "")[0];
      if (!entry) return null;
      const key = Buffer.from(entry.key, "base64");
      return { keyType: keyTypeOf(key), fingerprint: fingerprint(key), key };
    } finally {
      fs.rmSync(scratch, { force: true });
    }
  }

  /** The hops (jump hosts first, the login host last), as ssh resolves them. */
  async hops(): Promise<Hop[]> {
    return (await this.prepare()).hops;
  }

  /** The file ssh and its hops write their login messages to (kept for "why did it drop"). */
  async logFile(): Promise<string> {
    return (await this.prepare()).logFile;
  }
}
