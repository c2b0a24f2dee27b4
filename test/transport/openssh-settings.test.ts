// What the OpenSSH transport asks of ssh itself before any connection: settings through `ssh -G`
// (Include, Match host), the hop chain of ProxyJump (one, two, a list), a loop refused in one line,
// a config ssh rejects in one line, certificate validity, and the tar stream of a staging flight
// (checked by the system's own tar). No network is used here.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SshSettingsError } from "../../src/transport/errors.js";
import { parseValidity } from "../../src/transport/openssh/certificate.js";
import { openSshSettingsForCluster } from "../../src/transport/openssh/master.js";
import {
  parseSshG,
  resolveHops,
  resolveSshConfig,
  splitDestination,
} from "../../src/transport/openssh/ssh-config-resolve.js";
import { tarArchive } from "../../src/transport/openssh/tar.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-sshcfg-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

describe("ssh settings as ssh itself resolves them", () => {
  it("parses ssh -G output, repeated keywords accumulating", () => {
    const cfg = parseSshG("hostname a.example\nidentityfile ~/.ssh/k1\nidentityfile ~/.ssh/k2\nport 2200\n");
    expect(cfg.get("hostname")).toEqual(["a.example"]);
    expect(cfg.get("identityfile")).toEqual(["~/.ssh/k1", "~/.ssh/k2"]);
  });

  it("splits ProxyJump hop specs", () => {
    expect(splitDestination("bastion")).toEqual({ host: "bastion" });
    expect(splitDestination("me@bastion:2022")).toEqual({ host: "bastion", user: "me", port: "2022" });
    expect(splitDestination("ssh://me@[::1]:2022")).toEqual({ host: "::1", user: "me", port: "2022" });
  });

  it("follows Include and Match host like ssh does", async () => {
    write("inc.conf", "Host hpc\n  HostName login.hpc.test\n  Port 2201\n");
    const main = write(
      "main.conf",
      `Include ${dir}/inc.conf\nMatch host login.hpc.test\n  User chem\n  CertificateFile ~/certs/chem-cert.pub\n`,
    );
    const cfg = await resolveSshConfig("hpc", { configFile: main }, "hpc");
    expect(cfg.get("hostname")).toEqual(["login.hpc.test"]);
    expect(cfg.get("port")).toEqual(["2201"]);
    expect(cfg.get("user")).toEqual(["chem"]);
    expect(cfg.get("certificatefile")?.[0]).toMatch(/certs\/chem-cert\.pub$/);
  });

  it("lists the hops of one and two ProxyJumps, and of a ProxyJump list", async () => {
    const f = write(
      "hops.conf",
      `Host bastion\n  HostName 10.0.0.1\nHost mid\n  HostName 10.0.1.1\n  ProxyJump bastion\nHost hpc\n  HostName 10.0.2.1\n  ProxyJump mid\nHost hpc2\n  HostName 10.0.2.2\n  ProxyJump bastion,other@10.0.1.9:2222\n`,
    );
    const one = await resolveHops("mid", { configFile: f }, "c");
    expect(one.map((h) => h.hostName)).toEqual(["10.0.0.1", "10.0.1.1"]);
    const two = await resolveHops("hpc", { configFile: f }, "c");
    expect(two.map((h) => `${h.hostName}:${h.port}`)).toEqual(["10.0.0.1:22", "10.0.1.1:22", "10.0.2.1:22"]);
    const list = await resolveHops("hpc2", { configFile: f }, "c");
    expect(list.map((h) => [h.hostName, h.port, h.user, h.jumpVia])).toEqual([
      ["10.0.0.1", 22, os.userInfo().username, null],
      ["10.0.1.9", 2222, "other", "bastion"],
      ["10.0.2.2", 22, os.userInfo().username, null],
    ]);
  });

  it("a ProxyJump loop is one line naming the hops, before ssh would follow it for ever", async () => {
    const f = write(
      "loop.conf",
      "Host a\n  HostName 10.9.0.1\n  ProxyJump b\nHost b\n  HostName 10.9.0.2\n  ProxyJump a\n",
    );
    const err = await resolveHops("a", { configFile: f }, "hpc").catch((e) => e);
    expect(err).toBeInstanceOf(SshSettingsError);
    expect(err.message).toMatch(
      /^cluster 'hpc': the ProxyJump settings in .*loop\.conf go round in a loop \(.*10\.9\.0\.1.* → .*10\.9\.0\.2.* → .*10\.9\.0\.1.*\)/,
    );
    expect(err.message).not.toContain("\n");
  });

  it("a config ssh rejects is one line with the file, the line and ssh's words", async () => {
    const f = write("bad.conf", "Host hpc\n  HostName x\n  Frobnicate yes\n");
    const err = await resolveSshConfig("hpc", { configFile: f }, "hpc").catch((e) => e);
    expect(err).toBeInstanceOf(SshSettingsError);
    expect(err.message).toMatch(
      /^cluster 'hpc': ssh rejects its configuration for hpc: .*bad\.conf.*line 3.*Frobnicate/i,
    );
    expect(err.message).not.toContain("\n");
  });

  it("a cluster's own settings become -o options only where the alias does not decide", () => {
    const base = { name: "hpc", hostname: "login.x", port: 2200, username: "chem" };
    expect(
      openSshSettingsForCluster({ ...base, config: { key_path: "/k" } }, { sshConfigFile: "/c" }),
    ).toMatchObject({
      destination: "login.x",
      configFile: "/c",
      systemConfig: false,
      options: ["Port=2200", "User=chem", "IdentityFile=/k"],
    });
    // the default config (the test run names one of its own in the environment: not here)
    const named = process.env.CRYSTAL_TUI_SSH_CONFIG;
    delete process.env.CRYSTAL_TUI_SSH_CONFIG;
    let viaAlias: ReturnType<typeof openSshSettingsForCluster>;
    try {
      viaAlias = openSshSettingsForCluster({ ...base, config: { ssh_alias: "hpc" } }, { home: "/h" });
    } finally {
      if (named !== undefined) process.env.CRYSTAL_TUI_SSH_CONFIG = named;
    }
    expect(viaAlias).toMatchObject({
      destination: "hpc",
      configFile: "/h/.ssh/config",
      systemConfig: true,
      options: [],
      // the recorded login and port stand in only where the alias says nothing
      defaults: ["User chem", "Port 2200"],
    });
  });
});

describe("certificates and staging archives", () => {
  it("reads ssh-keygen -L validity lines", () => {
    expect(parseValidity("        Valid: from 2020-01-01T00:00:00 to 2020-01-02T00:00:00\n")).toEqual({
      from: new Date("2020-01-01T00:00:00"),
      to: new Date("2020-01-02T00:00:00"),
    });
    expect(parseValidity("        Valid: forever\n")).toEqual({ from: null, to: null });
  });

  it("the tar stream unpacks with the system's tar to exactly the files given", () => {
    const files = [
      { name: "INPUT", data: Buffer.from("MgO\nCRYSTAL\n") },
      { name: "run.sh", data: Buffer.from("#!/bin/sh\necho ok\n"), mode: 0o755 },
      { name: "empty", data: Buffer.alloc(0) },
      { name: "block", data: Buffer.alloc(512, 1) },
      { name: "odd ünï name", data: Buffer.alloc(1025, 2) },
    ];
    const out = fs.mkdtempSync(path.join(dir, "tar-"));
    const r = spawnSync("tar", ["-xf", "-", "-C", out], { input: tarArchive(files) });
    expect(r.status, r.stderr?.toString()).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(fs.readFileSync(path.join(out, f.name)).equals(f.data)).toBe(true);
    expect(fs.statSync(path.join(out, "run.sh")).mode & 0o111).not.toBe(0);
  });
});
