// The connection pool against the real test sshd: one connection reused, the channel cap as the
// server sees it, reconnection after sshd restarts, dropped connections as transient errors, and
// the ways of logging in (key file, ssh-agent, passphrase keys) — never a password.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConnectionError,
  HostKeyChangedError,
  HostKeyUnknownError,
  isConnectionTrouble,
  RemoteCommandError,
} from "../../src/transport/errors.js";
import { appendKnownHost, fingerprint } from "../../src/transport/known-hosts.js";
import { type PoolEvent, SshPool } from "../../src/transport/pool.js";
import { targetForCluster } from "../../src/transport/target.js";
import {
  dropConnection,
  freezeConnection,
  isRoot,
  portOpen,
  requireInfra,
  restartSshd,
  testTarget,
} from "../helpers/infra.js";
import { tempProject } from "../helpers/project.js";

const infra = await requireInfra("transport: SSH connection pool");

describe.skipIf(!infra)("SSH connection pool against the real sshd", () => {
  const inf = infra!;
  const pools: SshPool[] = [];
  const newPool = (...args: ConstructorParameters<typeof SshPool>) => {
    const p = new SshPool(...args);
    pools.push(p);
    return p;
  };
  const dir = tempProject("ctui-pool-");
  const remoteDir = `ctui-pool-${process.pid}-${Date.now()}`;
  let hostKey: Buffer;

  beforeAll(async () => {
    hostKey = Buffer.from(fs.readFileSync(inf.hostPubKey, "utf8").split(" ")[1]!, "base64");
    await newPool(testTarget(inf)).execOk(["mkdir", "-p", remoteDir]);
  });
  afterAll(async () => {
    await newPool(testTarget(inf)).exec(["rm", "-rf", remoteDir]);
    await Promise.all(pools.map((p) => p.close()));
  });

  it("runs many commands over one TCP connection", async () => {
    const pool = newPool(testTarget(inf));
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await pool.execOk(["sh", "-c", 'echo "$SSH_CONNECTION"'])).stdout);
    const parallel = await Promise.all(
      Array.from({ length: 20 }, () => pool.execOk(["sh", "-c", 'echo "$SSH_CONNECTION"'])),
    );
    for (const r of parallel) seen.add(r.stdout);
    // the server sees one client address:port for all 30 commands
    expect(seen.size).toBe(1);
    expect([...seen][0]).toContain(` ${pool.connectionInfo()!.localPort} `);
    expect(pool.stats).toMatchObject({ connects: 1, commands: 30 });
  });

  it("never has more channels open than its cap, as seen from the server", async () => {
    const pool = newPool(testTarget(inf), { maxChannels: 3 });
    // each command registers itself in a folder, records how many are registered, and leaves
    const script = `d=$1; i=$2; mkdir "$d/live/$i"; ls "$d/live" | wc -l > "$d/seen/$i"; sleep 0.15; rmdir "$d/live/$i"`;
    await pool.execOk(["mkdir", "-p", `${remoteDir}/live`, `${remoteDir}/seen`]);
    await Promise.all(
      Array.from({ length: 15 }, (_, i) => pool.scriptOk(script, { args: [remoteDir, String(i)] })),
    );
    const counts = (await pool.execOk(["sh", "-c", `cat "$1"/seen/*`, "sh", remoteDir])).stdout
      .trim()
      .split("\n")
      .map(Number);
    expect(counts).toHaveLength(15);
    expect(Math.max(...counts)).toBeLessThanOrEqual(3);
    expect(Math.max(...counts)).toBe(3); // and the cap is used: commands do run side by side
    expect(pool.stats.maxChannelsOpen).toBe(3);
  });

  it("a command's exit code and stderr are results, not connection trouble", async () => {
    const pool = newPool(testTarget(inf));
    const r = await pool.exec(["sh", "-c", "echo out; echo oops >&2; exit 7"]);
    expect(r).toMatchObject({ code: 7, stdout: "out\n", stderr: "oops\n" });
    const failed = await pool.execOk(["ls", "/no/such/folder"]).catch((e) => e);
    expect(failed).toBeInstanceOf(RemoteCommandError);
    expect(isConnectionTrouble(failed)).toBe(false);
    expect(failed.message).toMatch(/`ls \/no\/such\/folder` failed \(exit 2\): .*No such file/);
    const killed = await pool.exec(["sh", "-c", "kill -9 $$"]);
    expect(killed).toMatchObject({ code: null, signal: "SIGKILL" });
  });

  it.skipIf(!isRoot())(
    "a connection dropped under a running command is a ConnectionError; the next command reconnects",
    async () => {
      const events: PoolEvent[] = [];
      const pool = newPool(testTarget(inf), { onEvent: (e) => events.push(e) });
      await pool.connect();
      const port = pool.connectionInfo()!.localPort;
      const running = pool.exec(["sleep", "30"]).catch((e) => e);
      await new Promise((r) => setTimeout(r, 200));
      await dropConnection(inf, port);
      const err = await running;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(isConnectionTrouble(err)).toBe(true);
      expect(err.message).toMatch(/dropped while running `sleep 30`.*reconnects by itself/);
      const again = await pool.execOk(["echo", "back"]);
      expect(again.stdout).toBe("back\n");
      expect(pool.connectionInfo()!.localPort).not.toBe(port);
      expect(pool.stats.connects).toBe(2);
      expect(events.map((e) => e.kind)).toEqual(["connected", "disconnected", "connected"]);
    },
  );

  it.skipIf(!isRoot())("reconnects with backoff while sshd restarts, and carries on", async () => {
    const events: PoolEvent[] = [];
    const pool = newPool(testTarget(inf), { backoffInitialMs: 100, onEvent: (e) => events.push(e) });
    await pool.execOk(["true"]);
    const port = pool.connectionInfo()!.localPort;
    let during: Promise<unknown> | null = null;
    await restartSshd(inf, {
      dropClientPorts: [port],
      downMs: 900,
      whileDown: async () => {
        expect(await portOpen(inf.sshHost, inf.sshPort, 300)).toBe(false);
        during = pool.execOk(["echo", "after restart"]).catch((e) => e); // issued while sshd is down
      },
    });
    const r = (await during) as unknown as { stdout: string };
    expect(r).not.toBeInstanceOf(Error);
    expect(r.stdout).toBe("after restart\n");
    expect(pool.stats.connects).toBe(2);
    expect(pool.stats.connectFailures).toBeGreaterThan(0);
    const retries = events.filter((e) => e.kind === "retrying");
    expect(retries.length).toBeGreaterThan(0);
    const delays = retries.map((e) => (e as { delayMs: number }).delayMs);
    expect(delays).toEqual([...delays].sort((a, b) => a - b)); // backing off, never hammering
  });

  it.skipIf(!isRoot())(
    "a connection idle for a while is checked before use: a silent peer is replaced",
    async () => {
      const pool = newPool(testTarget(inf), { idleCheckMs: 100, healthCheckTimeoutMs: 400 });
      await pool.execOk(["true"]);
      const frozen = freezeConnection(inf, pool.connectionInfo()!.localPort);
      try {
        expect(frozen.length).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 150));
        const t0 = Date.now();
        expect((await pool.execOk(["echo", "fresh"])).stdout).toBe("fresh\n");
        expect(Date.now() - t0).toBeLessThan(3_000);
        expect(pool.stats.connects).toBe(2);
      } finally {
        for (const p of frozen) process.kill(p, "SIGKILL");
      }
    },
  );

  it("an idle connection is closed after idleCloseMs and opened again on demand", async () => {
    const pool = newPool(testTarget(inf), { idleCloseMs: 150 });
    await pool.execOk(["true"]);
    expect(pool.connectionInfo()).not.toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    expect(pool.connectionInfo()).toBeNull();
    await pool.execOk(["true"]);
    expect(pool.stats.connects).toBe(2);
  });

  it("gives up with a ConnectionError once the reconnect window is over", async () => {
    // a loopback port where nothing listens
    const pool = newPool(testTarget(inf, { port: 1 }), { reconnectWindowMs: 600, backoffInitialMs: 100 });
    const t0 = Date.now();
    const err = await pool.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/127\.0\.0\.1:1 refused the connection .*attempts in/);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(pool.stats.connectFailures).toBeGreaterThan(1);
  });

  it("refuses an unknown host key with its fingerprint and the trust command, without retrying", async () => {
    const empty = path.join(dir, "empty_known_hosts");
    fs.writeFileSync(empty, "");
    const pool = newPool(testTarget(inf, { label: "hpc", knownHostsFile: empty }));
    const err = await pool.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    expect(isConnectionTrouble(err)).toBe(false);
    expect(err.message).toContain(fingerprint(hostKey));
    expect(err.message).toContain("crystal-tui cluster trust hpc");
    expect(err.message).not.toContain("\n");
    expect(pool.stats.connectFailures).toBe(1);
  });

  it("refuses a changed host key, naming both fingerprints", async () => {
    const other = path.join(dir, "other_key");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const otherBlob = Buffer.from(fs.readFileSync(`${other}.pub`, "utf8").split(" ")[1]!, "base64");
    const kh = path.join(dir, "changed_known_hosts");
    appendKnownHost(kh, inf.sshHost, inf.sshPort, otherBlob);
    const pool = newPool(testTarget(inf, { label: "hpc", knownHostsFile: kh }));
    const err = await pool.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyChangedError);
    expect(err.message).toContain(fingerprint(hostKey));
    expect(err.message).toContain(fingerprint(otherBlob));
    expect(err.message).toMatch(/CHANGED.*crystal-tui cluster trust hpc --replace/);
  });

  it("accepts a trusted key recorded hashed (ssh-keygen -H)", async () => {
    const kh = path.join(dir, "hashed_known_hosts");
    fs.copyFileSync(inf.knownHosts, kh);
    spawnSync("ssh-keygen", ["-H", "-f", kh]);
    expect(fs.readFileSync(kh, "utf8")).toMatch(/^\|1\|/);
    const pool = newPool(testTarget(inf, { knownHostsFile: kh }));
    expect((await pool.execOk(["echo", "ok"])).stdout).toBe("ok\n");
  });

  it("a key the server does not accept is an AuthenticationError, not retried", async () => {
    const stranger = path.join(dir, "stranger");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
    const pool = newPool(testTarget(inf, { keyFiles: [stranger] }));
    const err = await pool.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/refused the login with .*stranger/);
    expect(pool.stats.connectFailures).toBe(1);
  });

  describe("ssh-agent", () => {
    let agentPid = 0;
    let sock = "";
    beforeAll(() => {
      sock = path.join(dir, "agent.sock");
      const out = spawnSync("ssh-agent", ["-s", "-a", sock], { encoding: "utf8" }).stdout;
      agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
      const add = spawnSync("ssh-add", [inf.sshKey], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      expect(add.status).toBe(0);
    });
    afterAll(() => {
      if (agentPid > 0) process.kill(agentPid, "SIGTERM");
    });

    it("logs in through the agent when no key file is given", async () => {
      const pool = newPool(testTarget(inf, { keyFiles: [], agentSocket: sock }));
      expect((await pool.execOk(["whoami"])).stdout).toBe(`${inf.sshUser}\n`);
    });

    it("a passphrase key is used through the agent; without an agent the error says to ssh-add it", async () => {
      const locked = path.join(dir, "locked_key");
      fs.copyFileSync(inf.sshKey, locked);
      fs.chmodSync(locked, 0o600);
      expect(spawnSync("ssh-keygen", ["-q", "-p", "-f", locked, "-P", "", "-N", "a passphrase"]).status).toBe(
        0,
      );
      const withAgent = newPool(testTarget(inf, { keyFiles: [locked], agentSocket: sock }));
      expect((await withAgent.execOk(["whoami"])).stdout).toBe(`${inf.sshUser}\n`);
      const noAgent = newPool(testTarget(inf, { keyFiles: [locked] }));
      const err = await noAgent.exec(["true"]).catch((e) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.message).toMatch(
        /protected by a passphrase — add it to the ssh-agent \(ssh-add .*locked_key\)/,
      );
    });
  });

  it("connects through a ~/.ssh/config alias (HostName, Port, User, IdentityFile)", async () => {
    const cfg = path.join(dir, "ssh_config");
    fs.writeFileSync(
      cfg,
      `Host testhpc\n  HostName ${inf.sshHost}\n  Port ${inf.sshPort}\n  User ${inf.sshUser}\n  IdentityFile ${inf.sshKey}\n`,
    );
    const target = targetForCluster(
      {
        name: "aliased",
        hostname: "testhpc",
        port: 22,
        username: "someone-else",
        config: { ssh_alias: "testhpc", known_hosts: inf.knownHosts },
      },
      { sshConfigFile: cfg, agentSocket: null },
    );
    const pool = newPool(target);
    expect((await pool.execOk(["whoami"])).stdout).toBe(`${inf.sshUser}\n`);
  });

  it("a command that hangs past its timeout is transient trouble, and the pool stays usable", async () => {
    const pool = newPool(testTarget(inf));
    const marker = `7.${process.pid}`; // a sleep no one else runs
    const t0 = Date.now();
    const err = await pool.exec(["sleep", marker], { timeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/no answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2_000);
    // and the command was killed on the remote side, not left running
    const left = await pool.exec(["pgrep", "-f", `sleep ${marker}`]);
    expect(left.stdout).toBe("");
    expect((await pool.execOk(["echo", "still here"])).stdout).toBe("still here\n");
    expect(pool.stats.connects).toBe(1);
  });
});
