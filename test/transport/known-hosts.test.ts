// known_hosts reading and writing, checked against OpenSSH's own tools (ssh-keygen hashes entries,
// finds hosts, prints fingerprints) on real generated keys.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  appendKnownHost,
  checkHostKey,
  entryMatches,
  fingerprint,
  hostId,
  keyTypeOf,
  parseKnownHosts,
  readKnownHosts,
  removeKnownHost,
} from "../../src/transport/known-hosts.js";
import { tempProject } from "../helpers/project.js";

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

interface Key {
  type: string;
  blob: Buffer;
  pubFile: string;
}

let dir: string;
const keys: Key[] = [];

function newKey(type: "ed25519" | "ecdsa" | "rsa", name: string): Key {
  const file = path.join(dir, name);
  run("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-f", file]);
  const [t, b64] = fs.readFileSync(`${file}.pub`, "utf8").split(" ");
  return { type: t!, blob: Buffer.from(b64!, "base64"), pubFile: `${file}.pub` };
}

beforeAll(() => {
  dir = tempProject("ctui-kh-");
  keys.push(newKey("ed25519", "a"), newKey("ecdsa", "b"), newKey("rsa", "c"), newKey("ed25519", "d"));
});

describe("known_hosts", () => {
  it("fingerprints and key types match ssh-keygen -l", () => {
    for (const k of keys) {
      const out = run("ssh-keygen", ["-l", "-E", "sha256", "-f", k.pubFile]);
      expect(out.split(" ")[1]).toBe(fingerprint(k.blob));
      expect(keyTypeOf(k.blob)).toBe(k.type);
    }
  });

  it("names a host as OpenSSH does: host on port 22, [host]:port elsewhere", () => {
    expect(hostId("hpc.example.org", 22)).toBe("hpc.example.org");
    expect(hostId("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
  });

  it("hashed entries written by ssh-keygen -H are matched, and only for their own host and port", () => {
    const [a, b] = keys as [Key, Key];
    const file = path.join(dir, "hashed");
    fs.writeFileSync(
      file,
      `hpc.example.org ${a.type} ${a.blob.toString("base64")}\n[127.0.0.1]:2222 ${b.type} ${b.blob.toString("base64")}\n`,
    );
    run("ssh-keygen", ["-H", "-f", file]);
    const entries = readKnownHosts(file);
    expect(entries.every((e) => e.hosts.startsWith("|1|"))).toBe(true);
    expect(checkHostKey(entries, "hpc.example.org", 22, a.blob).status).toBe("trusted");
    expect(checkHostKey(entries, "127.0.0.1", 2222, b.blob).status).toBe("trusted");
    expect(checkHostKey(entries, "127.0.0.1", 22, b.blob).status).toBe("unknown");
    expect(checkHostKey(entries, "hpc.example.org", 2222, a.blob).status).toBe("unknown");
    expect(checkHostKey(entries, "hpc.example.org", 22, b.blob).status).toBe("changed");
  });

  it("agrees with ssh-keygen -F on which lines name a host (patterns, wildcards, negation, ports)", () => {
    const k = keys[0]!;
    const key = `${k.type} ${k.blob.toString("base64")}`;
    const lines = [
      `login1.hpc.org,login2.hpc.org ${key}`,
      `*.cluster.edu,!bad.cluster.edu ${key}`,
      `[gate.hpc.org]:2200 ${key}`,
      `[*.lab.net]:2222 ${key}`,
      `node?.farm ${key}`,
      `10.0.0.5 ${key}`,
    ];
    const file = path.join(dir, "patterns");
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const entries = parseKnownHosts(fs.readFileSync(file, "utf8"));
    const hosts = fc.constantFrom(
      "login1.hpc.org",
      "login3.hpc.org",
      "a.cluster.edu",
      "bad.cluster.edu",
      "gate.hpc.org",
      "x.lab.net",
      "node1.farm",
      "node12.farm",
      "10.0.0.5",
      "LOGIN2.HPC.ORG",
    );
    fc.assert(
      fc.property(hosts, fc.constantFrom(22, 2200, 2222), (host, port) => {
        const r = spawnSync("ssh-keygen", ["-F", hostId(host, port), "-f", file], { encoding: "utf8" });
        const openssh = r.status === 0;
        const ours = entries.some((e) => entryMatches(e, host, port));
        expect(ours).toBe(openssh);
      }),
      { numRuns: 60 },
    );
  });

  it("an unknown host is unknown, a changed key is changed, a revoked key is revoked", () => {
    const [a, , c, d] = keys as [Key, Key, Key, Key];
    const text = [
      "# comment",
      `hpc.org ${a.type} ${a.blob.toString("base64")}`,
      `@revoked * ${d.type} ${d.blob.toString("base64")}`,
      `@cert-authority *.hpc.org ${c.type} ${c.blob.toString("base64")}`,
    ].join("\n");
    const entries = parseKnownHosts(text);
    expect(checkHostKey(entries, "other.org", 22, a.blob).status).toBe("unknown");
    const changed = checkHostKey(entries, "hpc.org", 22, c.blob);
    expect(changed.status).toBe("changed");
    expect(changed.status === "changed" && changed.entry.line).toBe(2);
    expect(checkHostKey(entries, "hpc.org", 22, d.blob).status).toBe("revoked");
    // a CA line is not a host key: a host signed by it is not trusted by this module
    expect(checkHostKey(entries, "x.hpc.org", 22, c.blob).status).toBe("unknown");
  });

  it("trusting appends a line OpenSSH reads; replacing removes only that host's lines", () => {
    const [a, b] = keys as [Key, Key];
    const file = path.join(dir, "sub", "known_hosts");
    appendKnownHost(file, "127.0.0.1", 2222, a.blob);
    appendKnownHost(file, "hpc.org", 22, b.blob);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(spawnSync("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", file]).status).toBe(0);
    expect(checkHostKey(readKnownHosts(file), "127.0.0.1", 2222, a.blob).status).toBe("trusted");
    expect(removeKnownHost(file, "127.0.0.1", 2222)).toBe(1);
    expect(checkHostKey(readKnownHosts(file), "127.0.0.1", 2222, a.blob).status).toBe("unknown");
    expect(checkHostKey(readKnownHosts(file), "hpc.org", 22, b.blob).status).toBe("trusted");
  });
});
