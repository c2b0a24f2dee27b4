// `crystal-tui cluster test` and `cluster trust`, run as a user runs them (the real CLI in another
// process) against the real sshd and SLURM: unknown and changed host keys refused with the
// fingerprint and the command to run, trust recorded, every check of an SSH and a SLURM cluster.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendKnownHost, fingerprint, readKnownHosts } from "../../src/transport/known-hosts.js";
import { requireInfra } from "../helpers/infra.js";
import { cli, cliJson, tempProject } from "../helpers/project.js";
import { standinExedir } from "../helpers/standin.js";
import { testShell } from "../remote/helpers.js";
import { startTui } from "../tui/pty.js";

const infra = await requireInfra("transport: cluster test / cluster trust CLI");

interface Report {
  ok: boolean;
  checks: { name: string; outcome: string; detail: string }[];
}

describe.skipIf(!infra)("crystal-tui cluster test / trust against the real servers", () => {
  const inf = infra!;
  const project = tempProject("ctui-cluster-cli-");
  const home = tempProject("ctui-home-"); // no ~/.ssh of the machine's user leaks in
  const env = { HOME: home, SSH_AUTH_SOCK: "", CRYSTAL_TUI_SSH_CONFIG: path.join(home, "no-config") };
  const remoteBase = `ctui-cli-${process.pid}-${Date.now()}`;
  const pool = infra ? testShell(inf) : (undefined as never);
  let hostFp = "";
  let n = 0;

  const run = (args: string[], extra: Record<string, string> = {}) =>
    cli(project, args, { ...env, ...extra });
  function addCluster(opts: { type?: "ssh" | "slurm"; knownHosts?: string; more?: string[] } = {}): {
    name: string;
    knownHosts: string;
    remoteDir: string;
  } {
    const name = `c${++n}`;
    const knownHosts = opts.knownHosts ?? path.join(project, `${name}_known_hosts`);
    const remoteDir = `${remoteBase}/${name}`;
    const r = run([
      "cluster",
      "add",
      name,
      "--type",
      opts.type ?? "ssh",
      "--host",
      inf.sshHost,
      "--port",
      String(inf.sshPort),
      "--user",
      inf.sshUser,
      "--key",
      inf.sshKey,
      "--known-hosts",
      knownHosts,
      "--remote-dir",
      remoteDir,
      ...(opts.more ?? ["--crystal-exedir", standinExedir()]),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return { name, knownHosts, remoteDir };
  }

  beforeAll(() => {
    hostFp = fingerprint(Buffer.from(fs.readFileSync(inf.hostPubKey, "utf8").split(" ")[1]!, "base64"));
  });
  afterAll(async () => {
    await pool.remove(remoteBase, { recursive: true });
    await pool.close();
  });

  it("an unknown host key stops `cluster test` with the fingerprint and the trust command; after `cluster trust` it passes", async () => {
    const c = addCluster();
    const before = run(["cluster", "test", c.name]);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/✓ connection/);
    expect(before.stdout).toMatch(/✗ host key/);
    expect(before.stdout).toMatch(/- login\s+needs a trusted host key/);
    expect(before.stderr.trim().split("\n")).toHaveLength(1);
    expect(before.stderr).toContain(hostFp);
    expect(before.stderr).toContain(`crystal-tui cluster trust ${c.name}`);
    expect(fs.existsSync(c.knownHosts)).toBe(false); // nothing accepted on the way

    const trust = run(["cluster", "trust", c.name]);
    expect(trust.code).toBe(0);
    expect(trust.stdout).toContain(hostFp);
    expect(trust.stdout).toContain(`login host ${inf.sshHost}:${inf.sshPort}: `);
    expect(readKnownHosts(c.knownHosts)).toHaveLength(1);
    // OpenSSH itself now accepts the server with that file
    const ssh = spawnSync("ssh", [
      ...[
        "-F",
        "/dev/null",
        "-p",
        String(inf.sshPort),
        "-i",
        inf.sshKey,
        "-o",
        `UserKnownHostsFile=${c.knownHosts}`,
      ],
      ...["-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", `${inf.sshUser}@${inf.sshHost}`, "true"],
    ]);
    expect(ssh.status).toBe(0);

    const after = run(["cluster", "test", c.name]);
    expect(after.stderr).toBe("");
    expect(after.code).toBe(0);
    for (const check of ["connection", "host key", "login", "remote folder", "crystal"]) {
      expect(after.stdout).toMatch(new RegExp(`✓ ${check}`));
    }
    expect(after.stdout).toMatch(new RegExp(`cluster ${c.name} is ready`));
    // the remote folder now exists, and the probe file is gone
    const st = await pool.stat(c.remoteDir);
    expect(st?.isDirectory).toBe(true);
    expect((await pool.execOk(["ls", "-A", c.remoteDir])).stdout).toBe("");

    const again = run(["cluster", "trust", c.name]);
    expect(again.stdout).toMatch(/already trusted/);
    expect(readKnownHosts(c.knownHosts)).toHaveLength(1);
  });

  it("a changed host key is refused; trust replaces it only with --replace, and only for a matching --fingerprint", () => {
    const other = path.join(project, "impostor_key");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const otherBlob = Buffer.from(fs.readFileSync(`${other}.pub`, "utf8").split(" ")[1]!, "base64");
    const kh = path.join(project, "changed_known_hosts");
    appendKnownHost(kh, inf.sshHost, inf.sshPort, otherBlob);
    const c = addCluster({ knownHosts: kh });

    const test = run(["cluster", "test", c.name]);
    expect(test.code).toBe(1);
    expect(test.stderr).toMatch(/HAS CHANGED/);
    expect(test.stderr).toContain(hostFp);
    expect(test.stderr).toContain(fingerprint(otherBlob));
    expect(test.stderr).toContain(`crystal-tui cluster trust ${c.name} --replace`);

    const plain = run(["cluster", "trust", c.name]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/CHANGED .*--replace/);
    const wrongFp = run(["cluster", "trust", c.name, "--replace", "--fingerprint", fingerprint(otherBlob)]);
    expect(wrongFp.code).toBe(1);
    expect(wrongFp.stderr).toMatch(/nothing was trusted/);
    expect(readKnownHosts(kh).map((e) => e.key)).toEqual([otherBlob.toString("base64")]);

    const replaced = cliJson<{ status: string; fingerprint: string; previousFingerprint: string }[]>(
      project,
      ["cluster", "trust", c.name, "--replace", "--fingerprint", hostFp],
      env,
    );
    expect(replaced).toHaveLength(1); // no jump hosts: the login host alone
    expect(replaced[0]).toMatchObject({
      status: "replaced",
      fingerprint: hostFp,
      previousFingerprint: fingerprint(otherBlob),
    });
    expect(readKnownHosts(kh)).toHaveLength(1);
    expect(run(["cluster", "test", c.name]).code).toBe(0);
  });

  it("on a terminal, trust shows the fingerprint and asks first; no means nothing is written", async () => {
    const c = addCluster();
    const args = ["--project", project, "cluster", "trust", c.name];
    const no = startTui(args, { env });
    await no.waitFor(/trust it for cluster c\d+\? \[y\/N\]/);
    expect(no.text()).toContain(hostFp);
    no.write("n\r");
    expect((await no.exited).exitCode).toBe(1);
    expect(no.raw()).toMatch(/nothing was trusted/);
    expect(fs.existsSync(c.knownHosts)).toBe(false);
    const yes = startTui(args, { env });
    await yes.waitFor("[y/N]");
    yes.write("y\r");
    expect((await yes.exited).exitCode).toBe(0);
    expect(readKnownHosts(c.knownHosts)).toHaveLength(1);
  });

  it("a SLURM cluster: sbatch and squeue found through SSH, the partition checked", () => {
    const ok = addCluster({
      type: "slurm",
      more: ["--crystal-exedir", standinExedir(), "--partition", "batch"],
    });
    expect(run(["cluster", "trust", ok.name]).code).toBe(0);
    const report = cliJson<Report>(project, ["cluster", "test", ok.name], env);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      "connection",
      "host key",
      "login",
      "remote folder",
      "crystal",
      "slurm",
      "partition",
    ]);
    const slurm = report.checks.find((c) => c.name === "slurm")!;
    expect(slurm.outcome).toBe("ok");
    expect(slurm.detail).toMatch(/sbatch \/\S+sbatch, squeue \/\S+squeue/);
    expect(report.checks.find((c) => c.name === "partition")!.detail).toMatch(/'batch' exists/);

    const bad = addCluster({
      type: "slurm",
      more: ["--crystal-exedir", standinExedir(), "--partition", "gpu"],
    });
    expect(run(["cluster", "trust", bad.name]).code).toBe(0);
    const r = run(["cluster", "test", bad.name]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /✗ partition\s+'gpu' is not a partition of this cluster \(it has debug, batch\)/,
    );
    expect(r.stderr).toMatch(
      new RegExp(`^crystal-tui: cluster '${bad.name}': 'gpu' is not a partition.*--partition\\n$`),
    );
  });

  it("a folder the login cannot write and a missing CRYSTAL are reported, each with what to do", () => {
    const kh = path.join(project, "nowrite_known_hosts");
    fs.copyFileSync(inf.knownHosts, kh);
    const bad = run([
      ...["cluster", "add", "nowrite", "--type", "ssh", "--host", inf.sshHost, "--port", String(inf.sshPort)],
      ...[
        "--user",
        inf.sshUser,
        "--key",
        inf.sshKey,
        "--known-hosts",
        kh,
        "--remote-dir",
        "/root/ctui-forbidden",
      ],
    ]);
    expect(bad.code).toBe(0);
    const r = run(["cluster", "test", "nowrite", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    const byName = Object.fromEntries(report.checks.map((x) => [x.name, x]));
    expect(byName.login!.outcome).toBe("ok");
    expect(byName["remote folder"]!.outcome).toBe("failed");
    expect(byName["remote folder"]!.detail).toMatch(
      /permission denied .*\/root\/ctui-forbidden.*--remote-dir/,
    );
    expect(byName.crystal!.outcome).toBe("failed");
    expect(byName.crystal!.detail).toMatch(/crystalOMP and PcrystalOMP not found .*--crystal-exedir/);
    expect(r.stderr).toMatch(/permission denied .* \(and 1 more failed check: crystal\)/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("an unreachable cluster fails the connection check at once and skips the rest", () => {
    const r = run([
      ...["cluster", "add", "nowhere", "--type", "slurm", "--host", "127.0.0.1", "--port", "1"],
      ...["--user", inf.sshUser, "--key", inf.sshKey, "--known-hosts", path.join(project, "nowhere_kh")],
    ]);
    expect(r.code).toBe(0);
    const t0 = Date.now();
    const test = run(["cluster", "test", "nowhere"]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/✗ connection\s+.*127\.0\.0\.1:1 cannot be reached \(Connection refused\)/);
    expect(test.stdout).toMatch(/- partition\s+needs a connection/);
    // what the test found is every process's to see
    const shown = cliJson<{ name: string; connection: string; connection_error: string }[]>(
      project,
      ["cluster", "list"],
      env,
    ).find((x) => x.name === "nowhere")!;
    expect(shown.connection).toBe("unreachable");
    expect(shown.connection_error).toMatch(/^cluster 'nowhere': 127\.0\.0\.1:1 cannot be reached/);
  });

  it("a cluster added by a ~/.ssh/config alias connects where the alias says", () => {
    const cfg = path.join(home, "ssh_config");
    fs.writeFileSync(
      cfg,
      `Host testhpc\n  HostName ${inf.sshHost}\n  Port ${inf.sshPort}\n  IdentityFile ${inf.sshKey}\n  UserKnownHostsFile ${inf.knownHosts}\n`,
    );
    const add = run(
      [
        "cluster",
        "add",
        "aliased",
        "--type",
        "ssh",
        "--host",
        "testhpc",
        "--user",
        inf.sshUser,
        "--remote-dir",
        `${remoteBase}/aliased`,
      ],
      { CRYSTAL_TUI_SSH_CONFIG: cfg },
    );
    expect(add.code).toBe(0);
    const r = run(["cluster", "test", "aliased"], {
      CRYSTAL_TUI_SSH_CONFIG: cfg,
      PATH: process.env.PATH ?? "",
    });
    // the alias names no User: the one given to `cluster add` is used
    expect(r.stdout).toContain(`${inf.sshUser}@testhpc (${inf.sshHost}:${inf.sshPort})`);
    expect(r.stdout).toMatch(new RegExp(`✓ login\\s+logged in as ${inf.sshUser}`));
    expect(r.stdout).toMatch(/✓ remote folder/);
    const shown = cliJson<{ name: string; connection: string }[]>(project, ["cluster", "list"], env);
    expect(shown.find((x) => x.name === "aliased")!.connection).toBe("connected");
  });
});
