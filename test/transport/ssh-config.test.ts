// ~/.ssh/config aliases: our reading agrees with OpenSSH's own (`ssh -G`, which prints the options
// ssh would use for a host) on random configurations, and a cluster resolves through its alias.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lookupSshConfig } from "../../src/transport/ssh-config.js";
import { targetForCluster } from "../../src/transport/target.js";
import { tempProject } from "../helpers/project.js";

function sshG(file: string, alias: string): Record<string, string[]> {
  const r = spawnSync("ssh", ["-G", "-F", file, alias], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ssh -G failed: ${r.stderr}`);
  const out: Record<string, string[]> = {};
  for (const line of r.stdout.split("\n")) {
    const [k, ...v] = line.split(" ");
    if (!k) continue;
    const key = k.toLowerCase();
    out[key] ??= [];
    out[key].push(v.join(" "));
  }
  return out;
}

const patterns = fc.constantFrom("hpc", "hpc*", "*.edu", "!bad.edu", "gate", "*", "a?c", "login-?");
const aliases = fc.constantFrom("hpc", "hpc2", "x.edu", "bad.edu", "gate", "abc", "login-1", "other");
const option = fc.oneof(
  fc.constantFrom("login.example.org", "10.1.2.3", "%h.example.org").map((v) => `HostName ${v}`),
  fc.integer({ min: 1, max: 65535 }).map((p) => `Port ${p}`),
  fc.constantFrom("jdoe", "alice", "svc_1").map((u) => `User ${u}`),
  fc.constantFrom("/keys/one", "/keys/two", "/keys/three").map((f) => `IdentityFile ${f}`),
  fc.constantFrom("jdoe", "bob").map((u) => `User=${u}`),
  fc.constantFrom(2201, 2202).map((p) => `  port   ${p}`),
);
const block = fc.record({
  hosts: fc.array(patterns, { minLength: 1, maxLength: 3 }),
  options: fc.array(option, { maxLength: 4 }),
});
const config = fc.record({
  global: fc.array(option, { maxLength: 2 }),
  blocks: fc.array(block, { maxLength: 5 }),
});

describe("~/.ssh/config", () => {
  const dir = tempProject("ctui-sshcfg-");

  it("resolves HostName, Port, User and IdentityFile as `ssh -G` does, on random configurations", () => {
    let n = 0;
    fc.assert(
      fc.property(config, aliases, (cfg, alias) => {
        const text = [
          ...cfg.global,
          ...cfg.blocks.flatMap((b) => [`Host ${b.hosts.join(" ")}`, ...b.options.map((o) => `  ${o}`)]),
        ].join("\n");
        const file = path.join(dir, `config-${n++}`);
        fs.writeFileSync(file, `${text}\n`);
        const openssh = sshG(file, alias);
        const ours = lookupSshConfig(alias, { file, home: dir });
        expect(ours.hostName ?? alias).toBe(openssh.hostname?.[0]);
        expect(ours.port ?? 22).toBe(Number(openssh.port?.[0]));
        expect(ours.user ?? os.userInfo().username).toBe(openssh.user?.[0]);
        if (ours.identityFiles.length > 0) expect(ours.identityFiles).toEqual(openssh.identityfile);
      }),
      { numRuns: 80 },
    );
  });

  it("follows Include (relative to ~/.ssh, with globs) and Match all; quoted values keep spaces", () => {
    const home = tempProject("ctui-home-");
    fs.mkdirSync(path.join(home, ".ssh", "conf.d"), { recursive: true });
    fs.writeFileSync(
      path.join(home, ".ssh", "conf.d", "hpc.conf"),
      'Host hpc\n  HostName login.hpc.org\n  IdentityFile "~/.ssh/my key"\n',
    );
    fs.writeFileSync(
      path.join(home, ".ssh", "config"),
      "Include conf.d/*.conf\nMatch host login.*\n  Port 2201\nMatch originalhost login.*\n  Port 2202\nMatch all\n  User fromall\n",
    );
    const c = lookupSshConfig("hpc", { home, file: path.join(home, ".ssh", "config") });
    expect(c.hostName).toBe("login.hpc.org");
    expect(c.port).toBe(2201); // `Match host` sees the HostName obtained above, not the alias
    expect(c.user).toBe("fromall");
    expect(c.identityFiles).toEqual(["~/.ssh/my key"]);
  });

  it("a cluster whose host is an alias connects to the alias's HostName, Port and key; explicit settings win", () => {
    const home = tempProject("ctui-home-");
    const file = path.join(home, "ssh_config");
    fs.writeFileSync(
      file,
      "Host myhpc\n  HostName 127.0.0.1\n  Port 2222\n  User jmtest\n  IdentityFile ~/keys/id_hpc\n  UserKnownHostsFile ~/kh/%h\n",
    );
    const base = { name: "hpc", hostname: "myhpc", port: 22, username: "chemist", config: {} };
    const t = targetForCluster(base, { sshConfigFile: file, home, agentSocket: null });
    expect(t).toMatchObject({
      host: "127.0.0.1",
      port: 2222,
      username: "chemist", // given to `cluster add --user`: explicit beats the config, as with ssh -l
      keyFiles: [path.join(home, "keys/id_hpc")],
      knownHostsFile: path.join(home, "kh/127.0.0.1"),
    });
    expect(t.agentSocket).toBeUndefined();
    const viaAlias = targetForCluster(
      { ...base, config: { ssh_alias: "myhpc" } },
      { sshConfigFile: file, home },
    );
    expect(viaAlias.username).toBe("jmtest");
    const explicit = targetForCluster(
      { ...base, port: 2022, config: { key_path: "~/other", known_hosts: "/etc/kh" } },
      { sshConfigFile: file, home },
    );
    expect(explicit).toMatchObject({
      port: 2022,
      keyFiles: [path.join(home, "other")],
      knownHostsFile: "/etc/kh",
    });
  });
});
