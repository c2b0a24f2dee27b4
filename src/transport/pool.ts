// One SSH connection per cluster, shared by everything that talks to it: commands run as channels
// on that connection (capped, queued beyond the cap), files move over one SFTP channel on it.
//
// - Reuse: a live connection is kept and reused; a connection idle for a while is probed (an SFTP
//   round trip, no remote process) before use; ssh2 keepalives notice a dead peer in between.
// - Reconnect: a lost connection is re-established on next use, retrying with exponential backoff
//   for up to `reconnectWindowMs`; only then does the caller get a ConnectionError (transient).
// - Never retried: host key refused, login refused — the user must act (errors.ts).
// - A command whose connection drops while it runs is reported as ConnectionError, not retried:
//   it may or may not have run, and only the caller knows whether it is safe to run it again.
// - Authentication: key files, then the ssh-agent (where passphrase-protected keys live). Never a
//   password: none is ever asked for, stored, or offered.

import { createRequire } from "node:module";
import net from "node:net";
import type { AnyAuthMethod, Client, ClientChannel, ConnectConfig, SFTPWrapper } from "ssh2";
import { UserError } from "../domain/errors.js";
import { INPUT_LIMITS, readInputFile } from "../files/input-file.js";
import {
  AuthenticationError,
  CommandTimeoutError,
  ConnectionError,
  HostKeyChangedError,
  HostKeyUnknownError,
  RemoteCommandError,
} from "./errors.js";
import {
  checkHostKey,
  entryFingerprint,
  fingerprint,
  hostId,
  keyTypeOf,
  knownKeyTypes,
  readKnownHosts,
} from "./known-hosts.js";
import { shellAssignment, shellCommand, shellQuote } from "./quote.js";
import type { SshTarget } from "./target.js";

// ssh2 is CommonJS and its `utils` is not visible to ESM named imports.
const ssh2 = createRequire(import.meta.url)("ssh2") as typeof import("ssh2");

export interface PoolOptions {
  /** Command channels open at once on the connection (OpenSSH allows 10 sessions by default). */
  maxChannels?: number;
  /** TCP connect + SSH handshake + login, per attempt. */
  connectTimeoutMs?: number;
  /** How long to keep retrying a connection before giving up with a ConnectionError. */
  reconnectWindowMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** A connection unused for this long is probed before it is trusted again. */
  idleCheckMs?: number;
  /** How long that probe may take before the connection is given up as dead. */
  healthCheckTimeoutMs?: number;
  /** Close the connection after this long without use (0 = keep it). */
  idleCloseMs?: number;
  /** Told about connects, drops and retries (for logs and status lines). */
  onEvent?: (event: PoolEvent) => void;
}

export type PoolEvent =
  | { kind: "connected"; attempt: number; localPort: number }
  | { kind: "disconnected"; reason: string }
  | { kind: "retrying"; attempt: number; delayMs: number; error: string };

export interface ExecOptions {
  /** Fed to the command's standard input (then EOF). Without it, stdin is closed at once. */
  stdin?: string | Buffer;
  /** Folder to run in (default: the login folder). */
  cwd?: string;
  /** Environment variables set for the command (quoted). */
  env?: Record<string, string>;
  /** Give up after this long: the channel is closed and a CommandTimeoutError (transient) thrown. */
  timeoutMs?: number;
  /** Output beyond this many bytes (each of stdout and stderr) is dropped; default 64 MiB. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** The exit status; null when the command died from a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** stdout exactly as received. */
  stdoutBytes: Buffer;
  /** The command line that was run (without the cd / environment prelude). */
  command: string;
}

export interface PoolStats {
  /** Successful connections made (1 while the first connection lives). */
  connects: number;
  connectFailures: number;
  /** Remote commands run (channels opened for exec). */
  commands: number;
  channelsOpen: number;
  maxChannelsOpen: number;
  sftpSessions: number;
}

interface Live {
  client: Client;
  sock: net.Socket;
  closed: boolean;
  lastUsed: number;
  localPort: number;
  hostKey: { type: string; fingerprint: string };
  sftp?: Promise<SFTPWrapper>;
}

const DEFAULTS = {
  maxChannels: 8,
  connectTimeoutMs: 10_000,
  reconnectWindowMs: 30_000,
  backoffInitialMs: 200,
  backoffMaxMs: 5_000,
  keepaliveIntervalMs: 10_000,
  keepaliveCountMax: 3,
  idleCheckMs: 20_000,
  healthCheckTimeoutMs: 5_000,
  idleCloseMs: 0,
};

const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};
const ALL_HOST_KEY_ALGORITHMS = Object.values(HOST_KEY_ALGORITHMS).flat();

/** Host key algorithms with the types known_hosts already holds first (as OpenSSH orders them). */
export function hostKeyAlgorithmsFor(knownTypes: readonly string[]): string[] {
  const first = knownTypes.flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);
  return [...first, ...ALL_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function describe(t: SshTarget): string {
  return `${t.username}@${t.host}:${t.port}`;
}

/** The login methods for a target, or a UserError saying why there is none. */
function authMethods(t: SshTarget): AnyAuthMethod[] {
  const methods: AnyAuthMethod[] = [];
  const problems: string[] = [];
  for (const file of t.keyFiles) {
    let data: Buffer;
    try {
      data = readInputFile(file, { what: "key file", hint: "check --key", maxBytes: INPUT_LIMITS.key });
    } catch (err) {
      problems.push(err instanceof UserError ? err.message : `key file ${file} cannot be read`);
      continue;
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      problems.push(
        /encrypt|passphrase/i.test(parsed.message)
          ? `key ${file} is protected by a passphrase — add it to the ssh-agent (ssh-add ${file})`
          : `key file ${file} is not a private key (${parsed.message})`,
      );
      continue;
    }
    methods.push({ type: "publickey", username: t.username, key: data });
  }
  if (t.agentSocket) methods.push({ type: "agent", username: t.username, agent: t.agentSocket });
  if (methods.length === 0) {
    throw new AuthenticationError(
      `cluster '${t.label}': no way to log in to ${describe(t)} — ${
        problems[0] ?? "no key file and no ssh-agent (SSH_AUTH_SOCK)"
      }; pass --key to \`crystal-tui cluster add\` or start ssh-agent and ssh-add your key`,
    );
  }
  return methods;
}

function socketMessage(err: NodeJS.ErrnoException, t: SshTarget): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return `${t.host}:${t.port} refused the connection (no SSH server listening?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot resolve the host name ${t.host} — check it, or the network`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${t.host}:${t.port} cannot be reached (${err.code})`;
    case "ECONNRESET":
    case "EPIPE":
      return `the connection to ${t.host}:${t.port} was reset`;
    default:
      return `${t.host}:${t.port}: ${err.message}`;
  }
}

export class SshPool {
  readonly stats: PoolStats = {
    connects: 0,
    connectFailures: 0,
    commands: 0,
    channelsOpen: 0,
    maxChannelsOpen: 0,
    sftpSessions: 0,
  };
  private readonly opts: typeof DEFAULTS & Pick<PoolOptions, "onEvent">;
  private live: Live | null = null;
  private connecting: Promise<Live> | null = null;
  private readonly waiters: (() => void)[] = [];
  private idleTimer: NodeJS.Timeout | null = null;
  private generation = 0;
  private sftpInFlight = 0;

  constructor(
    readonly target: SshTarget,
    options: PoolOptions = {},
  ) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...DEFAULTS, ...defined };
    if (!Number.isInteger(this.opts.maxChannels) || this.opts.maxChannels < 1) {
      throw new UserError(`maxChannels must be a whole number ≥ 1, not ${this.opts.maxChannels}`);
    }
  }

  /** Runs a program with arguments on the remote side; every argument arrives literally. */
  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new UserError("exec needs a program to run");
    return this.execLine(shellCommand(argv), opts);
  }

  /** Like exec, but a non-zero exit becomes a RemoteCommandError (one line, with stderr's gist). */
  async execOk(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.ok(await this.exec(argv, opts));
  }

  /**
   * Runs a multi-line shell script fed on stdin to `/bin/sh -s`, with `args` as its "$@". The script
   * text is the caller's own code; user values belong in `args` (or in shellQuote'd words).
   */
  script(
    text: string,
    opts: Omit<ExecOptions, "stdin"> & { args?: readonly string[] } = {},
  ): Promise<ExecResult> {
    const { args = [], ...rest } = opts;
    return this.execLine(shellCommand(["/bin/sh", "-s", "--", ...args]), { ...rest, stdin: text });
  }

  async scriptOk(
    text: string,
    opts: Omit<ExecOptions, "stdin"> & { args?: readonly string[] } = {},
  ): Promise<ExecResult> {
    return this.ok(await this.script(text, opts));
  }

  /**
   * Runs a command line as the remote login shell reads it. Only for lines built with
   * shellCommand / shellQuote (src/transport/quote.ts): never paste user text here.
   */
  async execLine(commandLine: string, opts: ExecOptions = {}): Promise<ExecResult> {
    // One statement per line, so a failed cd stops everything and the caller's line stays intact.
    const prelude: string[] = [];
    if (opts.cwd !== undefined) prelude.push(`cd -- ${shellQuote(opts.cwd)} || exit 1`);
    for (const [k, v] of Object.entries(opts.env ?? {})) prelude.push(`export ${shellAssignment(k, v)}`);
    const line = [...prelude, commandLine].join("\n");
    await this.acquireSlot();
    try {
      for (let attempt = 1; ; attempt++) {
        const live = await this.ensureConnected();
        let opened: OpenChannel;
        try {
          opened = await this.openExec(live, line);
        } catch (err) {
          // The command never started: on a connection that just died, try once on a fresh one.
          if (!usable(live)) this.forget(live);
          if (live.closed && attempt === 1) continue;
          if (live.closed) throw this.dropped(`while starting \`${short(commandLine)}\``);
          throw new ConnectionError(
            `cluster '${this.target.label}': ${describe(this.target)} refused a new channel (${(err as Error).message}) — too many sessions at once? crystal-tui retries later`,
          );
        }
        this.stats.commands++;
        return await this.collect(opened, live, commandLine, opts);
      }
    } finally {
      this.releaseSlot();
    }
  }

  /** Runs `fn` with the connection's SFTP session; a dropped connection becomes a ConnectionError. */
  async withSftp<T>(fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const live = await this.ensureConnected();
    let sftp: SFTPWrapper;
    try {
      sftp = await this.sftpOf(live);
    } catch (err) {
      if (!usable(live) || err instanceof ConnectionError) throw this.dropped("while opening SFTP");
      throw new ConnectionError(
        `cluster '${this.target.label}': the SFTP subsystem of ${describe(this.target)} is not available (${(err as Error).message})`,
      );
    }
    live.lastUsed = Date.now();
    // ssh2 can leave an SFTP request unanswered for ever when it is sent on a connection that is
    // going away (its fastPut/fastGet hang that way): the loss itself ends the wait.
    let onLoss = () => {};
    const lost = new Promise<never>((_, reject) => {
      onLoss = () => reject(this.dropped("during a file transfer"));
      live.client.once("close", onLoss);
      sftp.once("close", onLoss);
    });
    lost.catch(() => {});
    this.sftpInFlight++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    try {
      if (!usable(live)) throw this.dropped("during a file transfer");
      return await Promise.race([fn(sftp), lost]);
    } catch (err) {
      if (err instanceof UserError) throw err;
      if (
        !usable(live) ||
        /No response from server|Not connected|Channel closed/i.test((err as Error).message)
      ) {
        throw this.dropped("during a file operation");
      }
      throw err;
    } finally {
      live.client.removeListener("close", onLoss);
      sftp.removeListener("close", onLoss);
      this.sftpInFlight--;
      live.lastUsed = Date.now();
      this.scheduleIdleClose();
    }
  }

  /** Connects now (or reuses the live connection); throws what connecting would throw. */
  async connect(): Promise<{ localPort: number; hostKey: { type: string; fingerprint: string } }> {
    const live = await this.ensureConnected();
    return { localPort: live.localPort, hostKey: live.hostKey };
  }

  /** A health check: one SFTP round trip on the live connection, in milliseconds. */
  async check(timeoutMs = 5_000): Promise<number> {
    const live = await this.ensureConnected();
    const t0 = performance.now();
    if (!(await this.probe(live, timeoutMs))) {
      throw new ConnectionError(
        `cluster '${this.target.label}': ${describe(this.target)} did not answer within ${timeoutMs} ms`,
      );
    }
    return performance.now() - t0;
  }

  /** The live connection, if any (the local TCP port identifies it on the server side). */
  connectionInfo(): { localPort: number; hostKey: { type: string; fingerprint: string } } | null {
    return this.live && !this.live.closed
      ? { localPort: this.live.localPort, hostKey: this.live.hostKey }
      : null;
  }

  /** Closes the connection. The pool stays usable: the next call connects again. */
  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.generation++;
    const live = this.live ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    this.live = null;
    if (!live || live.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        live.client.destroy();
        resolve();
      }, 2_000);
      live.client.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      live.client.end();
    });
  }

  // ---------------------------------------------------------------- channels

  private async acquireSlot(): Promise<void> {
    if (this.stats.channelsOpen < this.opts.maxChannels) {
      this.stats.channelsOpen++;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.stats.maxChannelsOpen = Math.max(this.stats.maxChannelsOpen, this.stats.channelsOpen);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    if (next)
      next(); // the slot passes straight to the next waiter
    else {
      this.stats.channelsOpen--;
      this.scheduleIdleClose();
    }
  }

  private scheduleIdleClose(): void {
    if (this.opts.idleCloseMs <= 0 || this.stats.channelsOpen > 0 || this.sftpInFlight > 0) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.stats.channelsOpen === 0 && this.sftpInFlight === 0) void this.close();
    }, this.opts.idleCloseMs);
    this.idleTimer.unref();
  }

  private openExec(live: Live, line: string): Promise<OpenChannel> {
    return new Promise((resolve, reject) => {
      try {
        live.client.exec(line, (err, stream) => {
          if (err) return reject(err);
          // The exit status can arrive in the same packet batch as the channel's opening, before
          // any awaiting code runs: listen for it now. (Output is buffered by the stream itself.)
          const exit: OpenChannel["exit"] = { seen: false, code: null, signal: null };
          stream.on("exit", (code: number | null, signal?: string) => {
            exit.seen = true;
            exit.code = typeof code === "number" ? code : null;
            exit.signal = signal ?? null;
          });
          resolve({ stream, exit });
        });
      } catch (err) {
        reject(err);
      }
    });
  }

  private collect(opened: OpenChannel, live: Live, shown: string, opts: ExecOptions): Promise<ExecResult> {
    const max = opts.maxOutputBytes ?? 64 * 1024 * 1024;
    const { stream, exit } = opened;
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let timedOut = false;
      live.lastUsed = Date.now();
      stream.on("data", (d: Buffer) => {
        if (outLen < max) out.push(d);
        outLen += d.length;
      });
      stream.stderr.on("data", (d: Buffer) => {
        if (errLen < max) err.push(d);
        errLen += d.length;
      });
      stream.on("error", () => {}); // a 'close' always follows
      const timer =
        opts.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              killChannel(stream);
              // OpenSSH confirms the close only once the command has ended: do not wait for ever
              setTimeout(() => {
                stream.close();
                finish();
              }, 1_000).unref();
            }, opts.timeoutMs)
          : null;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        live.lastUsed = Date.now();
        if (timedOut) {
          return reject(
            new CommandTimeoutError(
              `cluster '${this.target.label}': \`${short(shown)}\` gave no answer within ${opts.timeoutMs} ms — crystal-tui retries later`,
            ),
          );
        }
        if (!exit.seen) return reject(this.dropped(`while running \`${short(shown)}\``));
        const stdoutBytes = Buffer.concat(out);
        resolve({
          code: exit.code,
          signal: exit.signal,
          stdout: stdoutBytes.toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          stdoutBytes,
          command: shown,
        });
      };
      stream.on("close", finish);
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  }

  private ok(r: ExecResult): ExecResult {
    if (r.code === 0) return r;
    const gist = r.stderr.trim().split("\n").filter(Boolean).pop() ?? r.stdout.trim().split("\n").pop() ?? "";
    throw new RemoteCommandError(
      `cluster '${this.target.label}': \`${short(r.command)}\` failed (${
        r.code === null ? `killed by ${r.signal ?? "a signal"}` : `exit ${r.code}`
      })${gist ? `: ${gist}` : ""}`,
      r.code,
      r.signal,
      r.stderr,
    );
  }

  private dropped(when: string): ConnectionError {
    return new ConnectionError(
      `cluster '${this.target.label}': the connection to ${describe(this.target)} dropped ${when} — crystal-tui reconnects by itself`,
    );
  }

  // ---------------------------------------------------------------- SFTP

  private sftpOf(live: Live): Promise<SFTPWrapper> {
    if (!live.sftp) {
      live.sftp = new Promise<SFTPWrapper>((resolve, reject) => {
        try {
          live.client.sftp((err, sftp) => {
            if (err) return reject(err);
            this.stats.sftpSessions++;
            sftp.setMaxListeners(0); // one loss listener per operation in flight
            sftp.on("close", () => {
              if (live.sftp) live.sftp = undefined;
            });
            resolve(sftp);
          });
        } catch (err) {
          reject(err);
        }
      });
      live.sftp.catch(() => {
        live.sftp = undefined;
      });
    }
    return live.sftp;
  }

  /** true when the connection answers an SFTP request in time. */
  private async probe(live: Live, timeoutMs: number): Promise<boolean> {
    const answer = this.sftpOf(live).then(
      (sftp) =>
        new Promise<boolean>((resolve) => {
          try {
            sftp.realpath(".", (err) => resolve(!err));
          } catch {
            resolve(false);
          }
        }),
      () => false,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
    const ok = await Promise.race([answer, timeout]);
    if (ok) live.lastUsed = Date.now();
    return ok;
  }

  // ---------------------------------------------------------------- connecting

  private async ensureConnected(): Promise<Live> {
    const live = this.live;
    if (live && !usable(live)) this.forget(live);
    if (live && usable(live)) {
      if (Date.now() - live.lastUsed < this.opts.idleCheckMs) return live;
      if (await this.probe(live, this.opts.healthCheckTimeoutMs)) return live;
      this.opts.onEvent?.({ kind: "disconnected", reason: "health check failed" });
      this.forget(live);
    }
    if (!this.connecting) {
      this.connecting = this.connectWithRetry().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  /** Drops a connection that is dead or no longer trusted; its 'close' may come later. */
  private forget(live: Live): void {
    if (this.live === live) {
      this.live = null;
      this.opts.onEvent?.({ kind: "disconnected", reason: "connection lost" });
    }
    live.closed = true;
    live.sftp = undefined;
    live.client.destroy();
  }

  private async connectWithRetry(): Promise<Live> {
    const start = Date.now();
    const generation = this.generation;
    let delay = this.opts.backoffInitialMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const live = await this.connectOnce();
        if (generation !== this.generation) {
          // closed while connecting: do not leave a connection behind
          live.client.end();
          throw new ConnectionError(`cluster '${this.target.label}': the connection was closed`);
        }
        this.live = live;
        this.stats.connects++;
        this.opts.onEvent?.({ kind: "connected", attempt, localPort: live.localPort });
        return live;
      } catch (err) {
        this.stats.connectFailures++;
        if (!(err instanceof ConnectionError) || generation !== this.generation) throw err;
        const elapsed = Date.now() - start;
        if (elapsed + delay > this.opts.reconnectWindowMs) {
          throw attempt === 1
            ? err
            : new ConnectionError(`${err.message} (${attempt} attempts in ${(elapsed / 1000).toFixed(1)} s)`);
        }
        this.opts.onEvent?.({ kind: "retrying", attempt, delayMs: delay, error: err.message });
        await sleep(delay);
        delay = Math.min(delay * 2, this.opts.backoffMaxMs);
      }
    }
  }

  private connectOnce(): Promise<Live> {
    const t = this.target;
    const methods = authMethods(t); // throws before any network use when there is no way in
    const entries = readKnownHosts(t.knownHostsFile); // fresh: `cluster trust` may have added a key
    return new Promise<Live>((resolve, reject) => {
      const client = new ssh2.Client();
      const sock = net.connect({ host: t.host, port: t.port });
      sock.setNoDelay(true);
      let refusal: UserError | null = null;
      let hostKey: Live["hostKey"] | null = null;
      let settled = false;
      const fail = (err: UserError) => {
        if (settled) return;
        settled = true;
        client.destroy();
        sock.destroy();
        reject(err);
      };
      const config: ConnectConfig = {
        sock,
        username: t.username,
        readyTimeout: this.opts.connectTimeoutMs,
        keepaliveInterval: this.opts.keepaliveIntervalMs,
        keepaliveCountMax: this.opts.keepaliveCountMax,
        algorithms: {
          serverHostKey: hostKeyAlgorithmsFor(knownKeyTypes(entries, t.host, t.port)) as never,
        },
        authHandler: methods,
        hostVerifier: (key: Buffer) => {
          hostKey = { type: keyTypeOf(key), fingerprint: fingerprint(key) };
          const verdict = checkHostKey(entries, t.host, t.port, key);
          const facts = {
            label: t.label,
            hostId: hostId(t.host, t.port),
            keyType: hostKey.type,
            fingerprint: hostKey.fingerprint,
            knownHostsFile: t.knownHostsFile,
          };
          if (verdict.status === "trusted") return true;
          refusal =
            verdict.status === "unknown"
              ? new HostKeyUnknownError(facts)
              : new HostKeyChangedError({
                  ...facts,
                  knownFingerprint: entryFingerprint(verdict.entry),
                  knownLine: verdict.entry.line,
                  revoked: verdict.status === "revoked",
                });
          return false;
        },
      };
      // TCP connect gets its own limit: readyTimeout only starts with the handshake.
      const tcpTimer = setTimeout(
        () => fail(new ConnectionError(`cluster '${t.label}': ${t.host}:${t.port} did not answer (timeout)`)),
        this.opts.connectTimeoutMs,
      );
      sock.once("connect", () => clearTimeout(tcpTimer));
      client.once("ready", () => {
        if (settled) return;
        settled = true;
        client.setMaxListeners(0); // one loss listener per SFTP operation in flight
        const live: Live = {
          client,
          sock,
          closed: false,
          lastUsed: Date.now(),
          localPort: sock.localPort ?? 0,
          hostKey: hostKey ?? { type: "unknown", fingerprint: "" },
        };
        client.on("close", () => {
          live.closed = true;
          live.sftp = undefined;
          if (this.live === live) {
            this.live = null;
            this.opts.onEvent?.({ kind: "disconnected", reason: "connection closed" });
          }
        });
        resolve(live);
      });
      client.on("error", (err: Error & { level?: string; code?: string }) => {
        clearTimeout(tcpTimer);
        if (settled) return; // errors after 'ready' end in 'close', handled there
        if (refusal) return fail(refusal);
        if (err.level === "client-authentication") {
          const offered = [...t.keyFiles, ...(t.agentSocket ? ["the ssh-agent"] : [])].join(", ");
          return fail(
            new AuthenticationError(
              `cluster '${t.label}': ${describe(t)} refused the login with ${offered} — check that the public key is in ~/.ssh/authorized_keys of ${t.username} there, or pass --key`,
            ),
          );
        }
        if (err.level === "client-timeout") {
          return fail(
            new ConnectionError(
              `cluster '${t.label}': ${t.host}:${t.port} did not complete the SSH handshake in time`,
            ),
          );
        }
        if (err.level === "client-socket" || err.code) {
          return fail(new ConnectionError(`cluster '${t.label}': ${socketMessage(err, t)}`));
        }
        fail(
          new ConnectionError(`cluster '${t.label}': SSH with ${t.host}:${t.port} failed (${err.message})`),
        );
      });
      client.once("close", () => {
        clearTimeout(tcpTimer);
        if (refusal) return fail(refusal);
        fail(
          new ConnectionError(`cluster '${t.label}': ${t.host}:${t.port} closed the connection during login`),
        );
      });
      client.connect(config);
    });
  }
}

/**
 * Sends SIGKILL to a channel's command. ssh2's own signal() refuses once stdin is closed (which we
 * do at once, so commands never wait for input), but the request is valid then: send it directly.
 */
function killChannel(stream: ClientChannel): void {
  const internal = stream as unknown as {
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
  };
  try {
    const id = internal.outgoing?.id;
    const signal = internal._client?._protocol?.signal;
    if (id !== undefined && internal.outgoing?.state !== "closed" && signal) {
      signal.call(internal._client!._protocol, id, "KILL");
    } else stream.signal("KILL");
  } catch {}
}

interface OpenChannel {
  stream: ClientChannel;
  exit: { seen: boolean; code: number | null; signal: string | null };
}

/** A connection that can still carry new channels (its socket may be gone before 'close' fires). */
function usable(live: Live): boolean {
  return !live.closed && live.sock.writable && !live.sock.destroyed;
}

function short(command: string): string {
  const one = command.replace(/\s*\n\s*/g, " ⏎ ");
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

/** One pool per cluster, shared by everything in this process that talks to it. */
export class SshPools {
  private readonly pools = new Map<string, SshPool>();
  constructor(private readonly options: PoolOptions = {}) {}

  /** The pool for a target, keyed by its resolved address and login (a changed cluster gets a new one). */
  get(target: SshTarget): SshPool {
    const key = JSON.stringify(target);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new SshPool(target, this.options);
      this.pools.set(key, pool);
    }
    return pool;
  }

  async closeAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.close()));
  }
}
