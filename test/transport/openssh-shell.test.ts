// The OpenSSH shell against the shared test sshd (127.0.0.1:2222): the RemoteShell contract; a
// cluster registered by alias or by host, port, user and key, as ssh would read them; host keys
// (unknown → fingerprint and the trust command, trusted then, changed → refused); a refused key.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AuthenticationError, HostKeyChangedError, HostKeyUnknownError } from "../../src/transport/errors.js";
import { type OpenSshSettings, openSshSettingsForCluster } from "../../src/transport/openssh/master.js";
import { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { trustHops } from "../../src/transport/openssh/trust-hops.js";
import { requireInfra } from "../helpers/infra.js";
import { shortTempDir } from "../remote/remote-hosts.js";
import { describeRemoteShellContract } from "./remote-shell-contract.js";

const infra = await requireInfra("transport: OpenSSH shell");

describe.skipIf(!infra)("OpenSSH shell on the shared test sshd", () => {
  const inf = infra!;
  const tmp = shortTempDir("cto-");
  const configFile = path.join(tmp, "ssh_config");
  fs.writeFileSync(
    configFile,
    `Host testhpc\n  HostName ${inf.sshHost}\n  Port ${inf.sshPort}\n  User ${inf.sshUser}\n  IdentityFile ${inf.sshKey}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${inf.knownHosts}\n`,
  );
  const shells: OpenSshShell[] = [];
  const make = (s: Partial<OpenSshSettings> = {}, controlDir = path.join(tmp, "c")) => {
    const shell = new OpenSshShell(
      { label: "hpc", destination: "testhpc", configFile, systemConfig: false, options: [], ...s },
      { controlDir, reconnectWindowMs: 0 },
    );
    shells.push(shell);
    return shell;
  };
  const hostFingerprint = spawnSync("ssh-keygen", ["-lf", inf.hostPubKey], { encoding: "utf8" }).stdout.split(
    " ",
  )[1];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c().catch(() => {});
    for (const s of shells) await s.master.disconnect().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describeRemoteShellContract("OpenSSH through a ControlMaster", () => make());

  it("writeFilesAndExec: the files, then the command in their folder, in one session", async () => {
    const s = make();
    const dir = `ctui-wfe-${process.pid}-${Date.now()}`;
    const before = s.stats.commands;
    const r = await s.writeFilesAndExec(
      dir,
      [{ name: "INPUT", data: Buffer.from("deck\n") }],
      ["sh", "-c", 'pwd; cat INPUT; echo "$1"', "sh", "it's literal"],
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(1, 3)).toEqual(["deck", "it's literal"]);
    expect(r.stdout.split("\n")[0]!.endsWith(`/${dir}`)).toBe(true);
    expect(s.stats.commands - before).toBe(1);
    const again = await s
      .writeFilesAndExec(dir, [{ name: "x", data: Buffer.from("") }], ["touch", "ran"])
      .catch((e) => e);
    expect(again.message).toMatch(/could not write .* there: .* exists already/);
    expect(await s.stat(`${dir}/ran`)).toBeNull(); // the command never ran
    expect((await s.writeFilesAndExec(`${dir}/sub`, [], ["sh", "-c", "exit 3"])).code).toBe(3);
    await s.remove(dir, { recursive: true });
  });

  it("downloads side by side each land whole and byte-identical (no transfer closes another's file)", async () => {
    const s = make();
    const dir = `ctui-par-${process.pid}-${Date.now()}`;
    const files = Array.from({ length: 24 }, (_, i) => ({
      name: `f${i}.out`,
      // sizes from a few bytes to ~1 MB, so transfers end at different moments
      data: Buffer.from(`${i}:`.repeat(1 + ((i * 7919) % 200_000))),
    }));
    await s.writeFiles(dir, files);
    cleanups.push(async () => void (await s.exec(["rm", "-rf", dir])));
    const local = fs.mkdtempSync(path.join(tmp, "par-"));
    const hash = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        files.map((f) => s.download(`${dir}/${f.name}`, path.join(local, `${round}-${f.name}`))),
      );
      for (const f of files) {
        expect(hash(fs.readFileSync(path.join(local, `${round}-${f.name}`))), f.name).toBe(hash(f.data));
      }
    }
    // nothing left behind but the files themselves
    expect(fs.readdirSync(local).filter((n) => n.endsWith(".ctui-part"))).toEqual([]);
  });

  it("a transfer cut by a dropped connection is retried on a new one and lands whole", async () => {
    const s = make({}, path.join(tmp, "cut"));
    const socket = await s.master.ensure();
    const pidOf = () =>
      Number(
        /pid=(\d+)/.exec(
          spawnSync("ssh", ["-F", "/dev/null", "-o", `ControlPath=${socket}`, "-O", "check", "x"], {
            encoding: "utf8",
          }).stderr,
        )?.[1],
      );
    const file = path.join(tmp, "big.f9");
    const data = Buffer.alloc(40 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    fs.writeFileSync(file, data);
    let cut = false;
    const remote = `ctui-cut-${process.pid}.f9`;
    cleanups.push(() => s.remove(remote));
    const up = await s.upload(file, remote, {
      chunkSize: 1024 * 1024,
      onProgress: (done, _total, attempt) => {
        if (!cut && attempt === 1 && done > 8 * 1024 * 1024) {
          cut = true;
          process.kill(pidOf(), "SIGKILL");
        }
      },
    });
    expect(cut).toBe(true);
    expect(up).toEqual({ bytes: data.length, attempts: 2 });
    const hash = (await s.execOk(["sha256sum", remote])).stdout.split(" ")[0];
    expect(hash).toBe(createHash("sha256").update(data).digest("hex"));
    expect(s.stats.connects).toBe(2);
    expect((await s.list(".")).some((e) => e.name.endsWith(".ctui-part"))).toBe(false);
  });

  it("a cluster given by host, port, user and key (no alias) reaches the same sshd", async () => {
    const empty = path.join(tmp, "empty_config");
    fs.writeFileSync(empty, "");
    const settings = openSshSettingsForCluster(
      {
        name: "hpc",
        hostname: inf.sshHost,
        port: inf.sshPort,
        username: inf.sshUser,
        config: { key_path: inf.sshKey, known_hosts: inf.knownHosts },
      },
      { sshConfigFile: empty },
    );
    const s = new OpenSshShell(settings, { controlDir: path.join(tmp, "plain"), reconnectWindowMs: 0 });
    shells.push(s);
    expect((await s.execOk(["id", "-un"])).stdout.trim()).toBe(inf.sshUser);
  });

  it("an unknown host key is refused with its fingerprint; trust records it; a changed key is refused", async () => {
    const kh = path.join(tmp, "kh");
    fs.writeFileSync(kh, "");
    const s = make({ knownHostsFile: kh }, path.join(tmp, "hk"));
    const err = await s.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    expect(err.message).toBe(
      `cluster 'hpc': the host key of [${inf.sshHost}]:${inf.sshPort} (ssh-ed25519 ${hostFingerprint}) is not in ${kh} — if the cluster's administrators confirm this fingerprint, run \`crystal-tui cluster trust hpc\``,
    );
    expect(s.state.status).toBe("needs-auth");
    const [outcome] = await trustHops(s.master, { expectFingerprint: hostFingerprint! });
    expect(outcome).toMatchObject({ status: "added", fingerprint: hostFingerprint, knownHostsFile: kh });
    expect((await s.execOk(["echo", "trusted"])).stdout).toBe("trusted\n");
    expect(s.state.status).toBe("connected");
    await s.master.disconnect();

    const other = spawnSync("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-f",
      path.join(tmp, "otherkey"),
    ]);
    expect(other.status).toBe(0);
    fs.writeFileSync(
      kh,
      `[${inf.sshHost}]:${inf.sshPort} ${fs.readFileSync(path.join(tmp, "otherkey.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`,
    );
    const changed = await make({ knownHostsFile: kh }, path.join(tmp, "hk2"))
      .exec(["true"])
      .catch((e) => e);
    expect(changed).toBeInstanceOf(HostKeyChangedError);
    const otherFp = spawnSync("ssh-keygen", ["-lf", path.join(tmp, "otherkey.pub")], {
      encoding: "utf8",
    }).stdout.split(" ")[1];
    expect(changed.message).toContain(
      `HAS CHANGED — the server offers ssh-ed25519 ${hostFingerprint} but ${kh}:1 holds ${otherFp}`,
    );
    expect(changed.message).toContain("crystal-tui cluster trust hpc --replace");
    const refused = await trustHops(make({ knownHostsFile: kh }, path.join(tmp, "hk3")).master).catch(
      (e) => e,
    );
    expect(refused.message).toMatch(/the key CHANGED .*--replace/);
  });

  it("a key the server does not accept is one line naming the key", async () => {
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(tmp, "strangerkey")]);
    const s = make({ options: [`IdentityFile=${path.join(tmp, "strangerkey")}`] }, path.join(tmp, "auth"));
    // the alias's own IdentityFile is offered too: make the config offer only the stranger's key
    const cfg = path.join(tmp, "stranger_config");
    fs.writeFileSync(
      cfg,
      fs
        .readFileSync(configFile, "utf8")
        .replace(/IdentityFile .*/, `IdentityFile ${path.join(tmp, "strangerkey")}`),
    );
    const err = await make({ configFile: cfg }, path.join(tmp, "auth2"))
      .exec(["true"])
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(
      new RegExp(
        `^cluster 'hpc': ${inf.sshUser}@${inf.sshHost.replace(/\./g, "\\.")} refused the login \\(publickey\\) with .*strangerkey — check`,
      ),
    );
    expect(s.state.status).not.toBe("connected");
  });
});
