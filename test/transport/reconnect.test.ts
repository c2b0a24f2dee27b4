// The OpenSSH shell when the connection goes away, against the real test sshd (what the ssh2 pool's
// suite asked of it, now of the shared master): sshd restarted under a command → the master is
// started again, with backoff, and the command runs; a master that ended after its idle time
// (ControlPersist) is started again on demand; nothing listening → a ConnectionError once the
// reconnect window is over; a command that hangs past its timeout is transient trouble and the
// shell stays usable on the same connection.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandTimeoutError, ConnectionError } from "../../src/transport/errors.js";
import { type MasterOptions, openSshSettingsForCluster } from "../../src/transport/openssh/master.js";
import { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { isRoot, masterClientPort, portOpen, requireInfra, restartSshd } from "../helpers/infra.js";
import { shortTempDir } from "../remote/remote-hosts.js";

const infra = await requireInfra("transport: OpenSSH reconnection");

describe.skipIf(!infra)("OpenSSH shell: reconnection, idle end, timeouts (real sshd)", () => {
  const inf = infra!;
  const tmp = shortTempDir("ctr-");
  const shells: OpenSshShell[] = [];
  let n = 0;
  const make = (opts: MasterOptions = {}, port = inf.sshPort) => {
    const settings = openSshSettingsForCluster({
      name: "hpc",
      hostname: inf.sshHost,
      port,
      username: inf.sshUser,
      config: { key_path: inf.sshKey, known_hosts: inf.knownHosts },
    });
    // a connection folder per shell: each test counts its own logins
    // the options object itself (not a copy) goes to the master, so a test may change it on the way
    opts.controlDir = path.join(tmp, `c${++n}`);
    const shell = new OpenSshShell(settings, opts);
    shells.push(shell);
    return shell;
  };
  afterAll(async () => {
    for (const s of shells) await s.master.disconnect().catch(() => {});
  });

  it.skipIf(!isRoot())(
    "sshd restarted and the connection cut: a command issued while it is down runs on a new master",
    async () => {
      const s = make();
      await s.execOk(["true"]);
      const socket = await s.master.ensure();
      const port = masterClientPort(socket, inf.sshPort);
      const seen: string[] = [];
      s.master.onStateChange((st) => seen.push(st.status));
      let during: Promise<unknown> | null = null;
      await restartSshd(inf, {
        dropClientPorts: [port],
        downMs: 1500,
        whileDown: async () => {
          expect(await portOpen(inf.sshHost, inf.sshPort, 300)).toBe(false);
          // once the master has noticed (a command in flight when it goes is a dropped command,
          // never sent again: it may have run)
          const end = Date.now() + 5_000;
          while ((await s.master.check(socket)) && Date.now() < end)
            await new Promise((r) => setTimeout(r, 50));
          during = s.execOk(["echo", "after restart"]).catch((e) => e);
        },
      });
      const r = (await during) as unknown as { stdout: string; message?: string };
      expect(r.message).toBeUndefined();
      expect(r.stdout).toBe("after restart\n");
      expect(s.stats.connects).toBe(2);
      expect(s.state.status).toBe("connected");
      expect(seen).toContain("connecting");
    },
  );

  it("a master that ended after its idle time is started again on the next command", async () => {
    const opts: MasterOptions = { controlPersist: "1" };
    const s = make(opts);
    await s.execOk(["true"]);
    const socket = await s.master.ensure();
    const end = Date.now() + 15_000;
    while ((await s.master.check(socket)) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    expect(await s.master.check(socket)).toBe(false);
    // the new master must outlive the command it is started for: with 1 s a loaded machine (CI)
    // let it end again before `echo` attached, and counted a third login
    opts.controlPersist = "60";
    expect((await s.execOk(["echo", "again"])).stdout).toBe("again\n");
    expect(s.stats.connects).toBe(2);
  });

  it("nothing listening: a ConnectionError naming the cluster once the reconnect window is over", async () => {
    const s = make({ reconnectWindowMs: 1_500, connectTimeoutSec: 2 }, 1);
    const t0 = Date.now();
    const err = await s.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/^cluster 'hpc': /);
    expect(err.message.split("\n")).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(s.state.status).toBe("unreachable");
    expect(s.stats.connects).toBe(0);
  });

  it("a command that hangs past its timeout is transient trouble, and the shell stays usable", async () => {
    const s = make();
    await s.execOk(["true"]);
    const t0 = Date.now();
    const err = await s.exec(["sleep", `7.${process.pid}`], { timeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect(err).toBeInstanceOf(ConnectionError); // transient: the engine tries again later
    expect(err.message).toMatch(/no answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect((await s.execOk(["echo", "still here"])).stdout).toBe("still here\n");
    expect(s.stats.connects).toBe(1);
  });
});
