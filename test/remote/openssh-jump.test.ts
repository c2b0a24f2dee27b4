// The OpenSSH transport through real jump hosts (network namespaces of scripts/start-remote-hosts.sh):
// the login host answers only through the jump host; a RemoteShell over an alias with ProxyJump (one
// and two hops) runs commands, writes a staging flight, follows a growing file by offset, moves files
// intact; the master is shared with a second process; host keys behind the jump host are checked and
// trusted through it; bad input (unreachable bastion, ProxyJump loop, a config ssh rejects) is one line.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionState } from "../../src/transport/connection-state.js";
import {
  ConnectionError,
  HostKeyChangedError,
  HostKeyUnknownError,
  SshSettingsError,
} from "../../src/transport/errors.js";
import type { OpenSshSettings } from "../../src/transport/openssh/master.js";
import { OpenSshShell, type OpenSshShellOptions } from "../../src/transport/openssh/openssh-shell.js";
import { trustHops } from "../../src/transport/openssh/trust-hops.js";
import {
  HOLD_WAIT_MS,
  holdHosts,
  logSince,
  logSize,
  requireRemoteHosts,
  shortTempDir,
  sshConfigFor,
} from "./remote-hosts.js";

const hosts = await requireRemoteHosts("transport: OpenSSH through jump hosts");
const ROOT = path.resolve(import.meta.dirname, "../..");

describe.skipIf(!hosts)("OpenSSH transport through jump hosts", () => {
  const h = hosts!;
  const tmp = shortTempDir("ctj-");
  const controlDir = path.join(tmp, "c");
  const configFile = path.join(tmp, "ssh_config");
  const shells: OpenSshShell[] = [];
  const remoteBase = `ctui-jump-${process.pid}-${Date.now()}`;
  const settings = (destination: string, extra: Partial<OpenSshSettings> = {}): OpenSshSettings => ({
    label: "hpc",
    destination,
    configFile,
    systemConfig: false,
    options: [],
    ...extra,
  });
  const shell = (
    destination: string,
    extra: Partial<OpenSshSettings> = {},
    opts: OpenSshShellOptions = {},
  ) => {
    const s = new OpenSshShell(settings(destination, extra), { controlDir, ...opts });
    shells.push(s);
    return s;
  };
  const fingerprintOf = (pubFile: string) =>
    spawnSync("ssh-keygen", ["-lf", pubFile], { encoding: "utf8" }).stdout.split(" ")[1]!;

  // this suite counts logins in the jump and login hosts' logs: no other suite may use them meanwhile
  let release = () => {};
  beforeAll(async () => {
    release = await holdHosts(h, ["jump"]);
    fs.writeFileSync(
      configFile,
      sshConfigFor(
        h,
        `Host badjump\n  HostName 10.231.9.9\nHost behindbad\n  HostName ${h.loginAddr}\n  ProxyJump badjump\nHost loopa\n  HostName 10.231.1.2\n  ProxyJump loopb\nHost loopb\n  HostName 10.231.2.2\n  ProxyJump loopa\nHost direct\n  HostName ${h.loginAddr}\nHost viacommand\n  HostName ${h.loginAddr}\n  ProxyCommand ssh -F ${configFile} -W %h:%p jump\n`,
      ),
    );
  }, HOLD_WAIT_MS);
  afterAll(async () => {
    await shell("login")
      .exec(["rm", "-rf", remoteBase])
      .catch(() => {});
    for (const s of shells) await s.master.disconnect().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
    release();
  });

  it("the login host cannot be reached directly, only through the jump host (ssh -J)", async () => {
    const direct = await new Promise<string>((resolve) => {
      const sock = net.connect({ host: h.loginAddr, port: 22 });
      sock.setTimeout(3_000, () => resolve("timeout"));
      sock.once("connect", () => resolve("connected"));
      sock.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    });
    expect(direct).toMatch(/EHOSTUNREACH|ENETUNREACH/);
    const base = ["-F", configFile, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5"];
    const viaDirect = spawnSync("ssh", [...base, "direct", "true"], { encoding: "utf8" });
    expect(viaDirect.status).toBe(255);
    const viaJ = spawnSync("ssh", [...base, "-J", "jump", "direct", "hostname -I"], { encoding: "utf8" });
    expect(viaJ.stderr).toBe("");
    expect(viaJ.stdout.trim()).toBe(h.loginAddr);
    // and our shell, pointed at the login host without the jump host, says so in one line
    const err = await shell("direct", {}, { reconnectWindowMs: 0 })
      .exec(["true"])
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(
      `cluster 'hpc': direct (${h.loginAddr}) cannot be reached (No route to host) — check the network or VPN; crystal-tui retries by itself`,
    );
  });

  for (const [name, destination, seenFrom] of [
    [
      "one hop (ProxyJump jump)",
      "login",
      () => h.jumpAddr.replace(/\.2$/, ".1").replace("10.231.1.", "10.231.2."),
    ],
    ["two hops (ProxyJump jump,login)", "inner", () => "127.0.0.1"],
    ["a ProxyCommand (ssh -W through the jump host)", "viacommand", () => "10.231.2.1"],
  ] as const) {
    it(`${name}: commands, a staging flight, reads by offset, transfers with hashes`, async () => {
      const s = shell(destination);
      const states: ConnectionState["status"][] = [];
      const conn = await s.exec(["sh", "-c", 'echo "$SSH_CONNECTION"']);
      expect(conn.code).toBe(0);
      expect(conn.stdout.split(" ")[0]).toBe(seenFrom());
      if (destination === "inner") expect(conn.stdout.trim().split(" ")[3]).toBe(String(h.innerPort));
      states.push(s.state.status);
      const r = await s.exec(["sh", "-c", "echo out; echo err >&2; exit 7"]);
      expect(r).toMatchObject({ code: 7, stdout: "out\n", stderr: "err\n" });

      const dir = `${remoteBase}/${destination}/run-1`;
      const files = [
        { name: "INPUT", data: Buffer.from("MgO\nCRYSTAL\nEND\n") },
        { name: "run.sh", data: Buffer.from("#!/bin/sh\necho ran\n"), mode: 0o755 },
        { name: "fort.34", data: Buffer.alloc(70_000, 3) },
      ];
      await s.writeFiles(dir, files);
      const listed = await s.list(dir);
      expect(listed.map((e) => [e.name, e.stat.size])).toEqual([
        ["fort.34", 70_000],
        ["INPUT", 16],
        ["run.sh", 19],
      ]);
      expect((await s.readFile(`${dir}/INPUT`)).equals(files[0]!.data)).toBe(true);
      await expect(s.writeFiles(dir, files)).rejects.toThrow(/exists already there/);

      // a growing file followed by offset: each read returns exactly the new bytes
      const log = `${dir}/growing.out`;
      expect(await s.readFrom(log, 0, 1024)).toBeNull();
      let offset = 0;
      const seen: Buffer[] = [];
      for (let i = 0; i < 4; i++) {
        await s.execOk(["sh", "-c", 'printf "line %s of the run\\n" "$2" >> "$1"', "sh", log, String(i)]);
        const got = await s.readFrom(log, offset, 1 << 20);
        seen.push(got!.data);
        offset += got!.data.length;
        expect(got!.size).toBe(offset);
      }
      const whole = await s.readFile(log);
      expect(Buffer.concat(seen).equals(whole)).toBe(true);
      expect((await s.readFrom(log, 5, 4))!.data.toString()).toBe(whole.subarray(5, 9).toString());

      const local = path.join(tmp, `${destination}.bin`);
      const content = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7919) % 251));
      fs.writeFileSync(local, content);
      const before = { ...s.stats };
      const up = await s.upload(local, `${dir}/big.f9`);
      expect(up).toEqual({ bytes: content.length, attempts: 1 });
      const remoteHash = (await s.execOk(["sha256sum", `${dir}/big.f9`])).stdout.split(" ")[0];
      expect(remoteHash).toBe(createHash("sha256").update(content).digest("hex"));
      const back = path.join(tmp, `${destination}.back`);
      await s.download(`${dir}/big.f9`, back);
      expect(createHash("sha256").update(fs.readFileSync(back)).digest("hex")).toBe(remoteHash);
      expect(s.stats.bytesOut - before.bytesOut).toBe(content.length);
      expect(s.stats.bytesIn - before.bytesIn).toBe(content.length);
      expect(s.stats.connects).toBe(1);
      expect(states).toEqual(["connected"]);
    });
  }

  it("every argument arrives literally through both hops (quoting through the real sshd's)", async () => {
    const s = shell("inner");
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: "grapheme", maxLength: 12 }).filter((x) => !x.includes("\0")),
          { minLength: 1, maxLength: 4 },
        ),
        async (args) => {
          const r = await s.execOk(["printf", "%s\\0", ...args]);
          expect(r.stdoutBytes.toString("utf8").split("\0").slice(0, -1)).toEqual(args);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("a second process rides the same master: no new login on either hop", async () => {
    const s = shell("login");
    await s.execOk(["true"]);
    const jumpLog = path.join(h.logDir, "jump.log");
    const loginLog = path.join(h.logDir, "login.log");
    const marks = [logSize(jumpLog), logSize(loginLog)];
    const child = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { OpenSshShell } = await import(${JSON.stringify(path.join(ROOT, "dist/transport/openssh/openssh-shell.js"))});
         const s = new OpenSshShell(${JSON.stringify(settings("login"))}, { controlDir: ${JSON.stringify(controlDir)} });
         const out = [];
         for (let i = 0; i < 5; i++) out.push((await s.execOk(["hostname", "-I"])).stdout.trim());
         console.log(JSON.stringify({ out, connects: s.stats.connects, commands: s.stats.commands }));`,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(child.stderr).toBe("");
    const report = JSON.parse(child.stdout);
    expect(report).toEqual({ out: Array(5).fill(h.loginAddr), connects: 0, commands: 5 });
    expect(logSince(jumpLog, marks[0]!)).not.toMatch(/Accepted publickey/);
    expect(logSince(loginLog, marks[1]!)).not.toMatch(/Accepted publickey/);
  });

  it("the user's own ControlMaster is ridden when it is up, and never stopped by crystal-tui", async () => {
    const userSock = path.join(tmp, "user-cm");
    const cfg = path.join(tmp, "user_master_config");
    fs.writeFileSync(
      cfg,
      `Host jump\n  ControlMaster auto\n  ControlPath ${userSock}\n  ControlPersist 60\n${sshConfigFor(h)}`,
    );
    const own = spawnSync("ssh", ["-F", cfg, "-o", "BatchMode=yes", "-f", "-N", "jump"], {
      encoding: "utf8",
    });
    expect(own.status, own.stderr).toBe(0);
    const jumpLog = path.join(h.logDir, "jump.log");
    const mark = logSize(jumpLog);
    const s = shell("jump", { configFile: cfg }, { controlDir: path.join(tmp, "usercm") });
    for (let i = 0; i < 5; i++) await s.execOk(["true"]);
    expect(s.stats.connects).toBe(0);
    expect(logSince(jumpLog, mark)).not.toMatch(/Accepted publickey/);
    expect(await s.master.disconnect()).toBe(false); // not ours to end
    const check = spawnSync("ssh", ["-F", "/dev/null", "-o", `ControlPath=${userSock}`, "-O", "check", "x"], {
      encoding: "utf8",
    });
    expect(check.status).toBe(0);
    spawnSync("ssh", ["-F", "/dev/null", "-o", `ControlPath=${userSock}`, "-O", "exit", "x"]);
  });

  it("a dropped master is noticed by the next command and started again", async () => {
    const s = shell("login", {}, { controlDir: path.join(tmp, "drop") });
    await s.execOk(["true"]);
    const check = spawnSync(
      "ssh",
      [
        "-F",
        "/dev/null",
        "-o",
        `ControlPath=${path.join(tmp, "drop")}/${fs.readdirSync(path.join(tmp, "drop")).find((f) => /^m-[0-9a-f]+$/.test(f))}`,
        "-O",
        "check",
        "x",
      ],
      { encoding: "utf8" },
    );
    const pid = Number(/pid=(\d+)/.exec(check.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    const seen: string[] = [];
    const unsubscribe = s.master.onStateChange((st) => seen.push(st.status));
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => s.execOk(["echo", String(i)])));
    unsubscribe();
    expect(results.map((r) => r.stdout)).toEqual(["0\n", "1\n", "2\n", "3\n", "4\n"]);
    expect(seen).toEqual(["connecting", "connected"]); // the drop, then the new master
    expect(s.stats.connects).toBe(2);
    expect(s.state.status).toBe("connected");
  });

  it("a connection that goes silent (a frozen peer) is given up by keepalives, and the next command reconnects", async () => {
    const cfg = path.join(tmp, "keepalive_config");
    // the user's own keepalive settings win over crystal-tui's defaults (15 s × 3)
    fs.writeFileSync(cfg, `Host jump\n  ServerAliveInterval 1\n  ServerAliveCountMax 2\n${sshConfigFor(h)}`);
    const s = shell(
      "jump",
      { configFile: cfg },
      { controlDir: path.join(tmp, "silent"), reconnectWindowMs: 0 },
    );
    await s.execOk(["true"]);
    const socket = await s.master.ensure();
    const master = Number(
      /pid=(\d+)/.exec(
        spawnSync("ssh", ["-F", "/dev/null", "-o", `ControlPath=${socket}`, "-O", "check", "x"], {
          encoding: "utf8",
        }).stderr,
      )?.[1],
    );
    // the master's own TCP connection, and the jump host's sshd processes serving it
    const ours = spawnSync("ss", ["-tnpH", "state", "established", `( dport = :22 and dst ${h.jumpAddr} )`], {
      encoding: "utf8",
    }).stdout;
    const localPort = new RegExp(
      `:(\\d+)\\s+${h.jumpAddr.replace(/\./g, "\\.")}:22\\s+users:\\(\\("ssh",pid=${master},`,
    ).exec(ours)?.[1];
    expect(localPort).toBeDefined();
    const theirs = spawnSync(
      "ip",
      [
        "netns",
        "exec",
        h.nsJump,
        "ss",
        "-tnpH",
        "state",
        "established",
        `( sport = :22 and dport = :${localPort} )`,
      ],
      { encoding: "utf8" },
    ).stdout;
    const frozen = [...new Set([...theirs.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
    expect(frozen.length).toBeGreaterThan(0);
    // The peer is frozen while a command is in flight on the connection. Freezing first and then
    // running the command raced the keepalives: on a loaded machine the master had already given up
    // before the command was sent, so the command ran on a new master and succeeded (CI, once).
    const marker = `${30 + Math.random()}`;
    const inFlight = s.exec(["sleep", marker]).catch((e) => e);
    const running = () =>
      spawnSync("pgrep", ["-f", `^sleep ${marker.replace(/\./g, "\\.")}$`], { encoding: "utf8" }).status ===
      0;
    for (let i = 0; i < 500 && !running(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(running()).toBe(true);
    for (const p of frozen) process.kill(p, "SIGSTOP");
    // SIGSTOP lands when the process is next scheduled: wait until both show as stopped
    const stopped = () =>
      frozen.every((p) => fs.readFileSync(`/proc/${p}/stat`, "utf8").replace(/^.*\) /, "")[0] === "T");
    for (let i = 0; i < 100 && !stopped(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(stopped()).toBe(true);
    try {
      const t0 = Date.now();
      const err = await inFlight;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toMatch(/dropped/);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(s.state.status).toBe("connecting");
      expect((await s.execOk(["echo", "back"])).stdout).toBe("back\n");
      expect(s.stats.connects).toBe(2);
      expect(s.state.status).toBe("connected");
    } finally {
      for (const p of frozen) {
        try {
          process.kill(p, "SIGKILL");
        } catch {}
      }
    }
  });

  it("an unreachable bastion is one line naming it and what to do; retried only after a backoff", async () => {
    const states: ConnectionState[] = [];
    const s = shell("behindbad", {}, { reconnectWindowMs: 0, onState: (st) => states.push(st) });
    const err = await s.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(
      "cluster 'hpc': the jump host badjump (10.231.9.9) cannot be reached (No route to host) — check the network or VPN and the ProxyJump setting; crystal-tui retries by itself",
    );
    expect(s.state).toMatchObject({ status: "unreachable", lastError: err.message, failures: 1 });
    expect(s.state.retryAt! - s.state.since).toBeGreaterThanOrEqual(1_000);
    // within the backoff: the same answer at once, no new attempt (nothing more in the master's log)
    const logFile = await s.master.logFile();
    const logBefore = fs.statSync(logFile).mtimeMs;
    const t0 = Date.now();
    const again = await s.exec(["true"]).catch((e) => e);
    expect(again.message).toBe(err.message);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(fs.statSync(logFile).mtimeMs).toBe(logBefore);
    expect(states.map((x) => x.status)).toEqual(["unreachable"]);
  });

  it("IdentityAgent: the key held by an ssh-agent of the config's choosing", async () => {
    const agentSock = path.join(tmp, "agent.sock");
    const agent = spawnSync("ssh-agent", ["-a", agentSock, "-s"], { encoding: "utf8" });
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
    try {
      expect(
        spawnSync("ssh-add", ["-q", h.key], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } }).status,
      ).toBe(0);
      const cfg = path.join(tmp, "agent_config");
      fs.writeFileSync(
        cfg,
        `Host agentjump\n  HostName ${h.jumpAddr}\n  User ${h.user}\n  IdentityAgent ${agentSock}\n  IdentityFile none\n  UserKnownHostsFile ${h.knownHosts}\n`,
      );
      const s = shell("agentjump", { configFile: cfg }, { controlDir: path.join(tmp, "agent") });
      expect((await s.execOk(["id", "-un"])).stdout.trim()).toBe(h.user);
    } finally {
      if (agentPid > 0) process.kill(agentPid);
    }
  });

  it.skipIf(!h.slurmViaLogin)(
    "SLURM answers on the login host behind the jump host (sbatch, squeue, sacct)",
    async () => {
      const s = shell("login");
      const dir = `${remoteBase}/slurm`;
      const r = await s.writeFilesAndExec(
        dir,
        [
          {
            name: "job.sbatch",
            data: Buffer.from(
              "#!/bin/sh\n#SBATCH -J ctui-jump\n#SBATCH -o out.txt\nhostname\necho done-behind-jump\n",
            ),
          },
        ],
        ["sbatch", "--parsable", "job.sbatch"],
      );
      expect(r.code, r.stderr).toBe(0);
      const id = r.stdout.trim().split(";")[0]!;
      const until = Date.now() + 60_000;
      let state = "";
      while (Date.now() < until) {
        state = (
          await s.execOk(["sh", "-c", 'squeue -h -j "$1" -o %T 2>/dev/null; true', "sh", id])
        ).stdout.trim();
        if (state === "") break;
        await new Promise((res) => setTimeout(res, 300));
      }
      expect(state).toBe("");
      expect((await s.readFile(`${dir}/out.txt`)).toString()).toMatch(/done-behind-jump/);
      const acct = await s.execOk(["sacct", "-n", "-X", "-P", "-j", id, "-o", "JobID,State"]);
      expect(acct.stdout).toMatch(new RegExp(`^${id}\\|`, "m"));
    },
  );

  it("a ProxyJump loop and a config ssh rejects are one line each, before any connection", async () => {
    const loop = await shell("loopa")
      .exec(["true"])
      .catch((e) => e);
    expect(loop).toBeInstanceOf(SshSettingsError);
    expect(loop.message).toMatch(/^cluster 'hpc': the ProxyJump settings in .* go round in a loop/);
    const bad = path.join(tmp, "bad_config");
    fs.writeFileSync(bad, "Host login\n  ProxyJump\n");
    const rejected = await shell("login", { configFile: bad })
      .exec(["true"])
      .catch((e) => e);
    expect(rejected).toBeInstanceOf(SshSettingsError);
    expect(rejected.message).toMatch(
      /^cluster 'hpc': ssh rejects its configuration for login: .*bad_config line 2/,
    );
    expect(rejected.message).not.toContain("\n");
    const state = shells.at(-1)!.state;
    expect(state).toMatchObject({ status: "needs-auth", lastError: rejected.message });
  });

  it("an unknown login-host key behind the jump host gives its fingerprint; trust records it through the jump host", async () => {
    const kh = path.join(tmp, "cluster_known_hosts");
    const jumpLine = fs
      .readFileSync(h.knownHosts, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${h.jumpAddr} `))!;
    fs.writeFileSync(kh, `${jumpLine}\n`);
    const dir = path.join(tmp, "trust");
    const s = shell("login", { knownHostsFile: kh }, { controlDir: dir });
    const err = await s.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    const fp = fingerprintOf(path.join(h.dir, "keys/login_host.pub"));
    expect(err.message).toContain(`the host key of ${h.loginAddr} (ssh-ed25519 ${fp}) is not in ${kh}`);
    expect(err.message).toContain("crystal-tui cluster trust hpc");
    const outcomes = await trustHops(s.master);
    expect(outcomes.map((o) => [o.hop, o.status, o.loginHost])).toEqual([
      [`jump (${h.jumpAddr})`, "already", false],
      [`login (${h.loginAddr})`, "added", true],
    ]);
    expect(outcomes[1]!.fingerprint).toBe(fp);
    expect((await s.execOk(["hostname", "-I"])).stdout.trim()).toBe(h.loginAddr);

    // a different key recorded for the login host: refused, with both fingerprints' facts
    const wrong = spawnSync("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-f",
      path.join(tmp, "wrongkey"),
    ]);
    expect(wrong.status).toBe(0);
    fs.writeFileSync(
      kh,
      `${jumpLine}\n${h.loginAddr} ${fs.readFileSync(path.join(tmp, "wrongkey.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`,
    );
    const changed = await shell("login", { knownHostsFile: kh }, { controlDir: path.join(tmp, "chg") })
      .exec(["true"])
      .catch((e) => e);
    expect(changed).toBeInstanceOf(HostKeyChangedError);
    expect(changed.message).toContain(`HAS CHANGED — the server offers ssh-ed25519 ${fp}`);
    expect(changed.message).toContain(`${kh}:2`);
  });
});
