// `crystal-tui cluster connect / disconnect / test / trust` as a user runs them (the real CLI, in a
// real terminal where a code is typed) against the transport's test hosts: a one-time code typed
// once, then other processes without a terminal reuse the connection (no new login in the sshd's
// log); without a terminal and without a connection, one line saying what to run; host keys behind
// a jump host trusted through it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, tempProject } from "../helpers/project.js";
import { standinExedir } from "../helpers/standin.js";
import { startTui } from "../tui/pty.js";
import {
  HOLD_WAIT_MS,
  holdHosts,
  logSince,
  logSize,
  requireRemoteHosts,
  shortTempDir,
  sshConfigFor,
  totp,
} from "./remote-hosts.js";

const hosts = await requireRemoteHosts("transport: cluster connect CLI");
const ACCEPTED = /Accepted keyboard-interactive\/pam for \S+ from/g;

describe.skipIf(!hosts)("crystal-tui cluster connect / disconnect / trust through the CLI", () => {
  const h = hosts!;
  const project = tempProject("ctui-connect-cli-");
  const home = tempProject("ctui-home-");
  const tmp = shortTempDir("ctc-");
  const configFile = path.join(tmp, "ssh_config");
  const partialKnownHosts = path.join(tmp, "known_hosts_jump_only");
  const env = {
    HOME: home,
    SSH_AUTH_SOCK: "",
    CRYSTAL_TUI_SSH_CONFIG: configFile,
    CRYSTAL_TUI_CONTROL_DIR: path.join(tmp, "c"),
    CRYSTAL_TUI_TRANSPORT: "openssh",
  };
  const run = (args: string[]) => cli(project, args, env);
  const mfaLog = path.join(h.logDir, "mfa.log");

  // counts logins in the TOTP sshd's log and goes through the jump host: hold both meanwhile
  let release = () => {};
  beforeAll(async () => {
    release = await holdHosts(h, ["jump", "mfa"]);
    const jumpLine = fs
      .readFileSync(h.knownHosts, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${h.jumpAddr} `))!;
    fs.writeFileSync(partialKnownHosts, `${jumpLine}\n`);
    // the alias's own known_hosts comes first: ssh takes the first value it reads
    fs.writeFileSync(
      configFile,
      `Host newlogin\n  HostName ${h.loginAddr}\n  ProxyJump jump\n  UserKnownHostsFile ${partialKnownHosts}\n${sshConfigFor(h)}`,
    );
    for (const [name, host] of [
      ["hpc", "mfa"],
      ["behind", "newlogin"],
    ]) {
      const r = run([
        "cluster",
        "add",
        name!,
        "--type",
        "ssh",
        "--host",
        host!,
        "--remote-dir",
        `ctui-cc-${process.pid}`,
      ]);
      expect(r.stderr).toBe("");
    }
  }, HOLD_WAIT_MS);
  afterAll(() => {
    // the remote folder `cluster test` made (the home folder is shared by all the test hosts)
    spawnSync("ssh", [
      "-F",
      configFile,
      "-o",
      "BatchMode=yes",
      "jump",
      "rm",
      "-rf",
      `ctui-cc-${process.pid}`,
    ]);
    run(["cluster", "disconnect", "hpc"]);
    run(["cluster", "disconnect", "behind"]);
    fs.rmSync(tmp, { recursive: true, force: true });
    release();
  });

  it("without a terminal and without a connection: one line saying to connect first", () => {
    const r = run(["cluster", "connect", "hpc"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `crystal-tui: cluster 'hpc': the server asks "Verification code:" and this process has no terminal to ask on — authenticate first with \`crystal-tui cluster connect hpc\`, then try again`,
    );
  });

  it("a code typed once in a terminal; later commands in other processes log in no more", async () => {
    const mark = logSize(mfaLog);
    const screen = startTui(["--project", project, "cluster", "connect", "hpc"], { env });
    try {
      await screen.waitFor(/cluster 'hpc'.*Verification code:/, 30_000);
      expect(screen.text()).not.toMatch(/\d{6}/);
      screen.write(`${totp(h)}\r`);
      await screen.waitFor("cluster hpc: connected", 30_000);
      expect((await screen.exited).exitCode).toBe(0);
      expect(screen.raw()).not.toContain(totp(h)); // typed without echo
    } finally {
      screen.kill();
    }
    const test = run(["cluster", "test", "hpc", "--json"]);
    const report = JSON.parse(test.stdout) as { checks: { name: string; outcome: string }[] };
    expect(report.checks.slice(0, 4).map((c) => [c.name, c.outcome])).toEqual([
      ["connection", "ok"],
      ["host key", "ok"],
      ["login", "ok"],
      ["remote folder", "ok"],
    ]);
    const again = run(["cluster", "connect", "hpc"]);
    expect(again.stdout).toBe(
      "cluster hpc: already connected — every crystal-tui command reuses this connection\n",
    );
    expect(logSince(mfaLog, mark).match(ACCEPTED)?.length).toBe(1);

    expect(run(["cluster", "disconnect", "hpc"]).stdout).toBe("cluster hpc: disconnected\n");
    expect(run(["cluster", "connect", "hpc"]).code).toBe(1); // gone: a code would be needed again
    expect(run(["cluster", "disconnect", "hpc"]).stdout).toBe(
      "cluster hpc: crystal-tui had no connection open\n",
    );
  });

  it.skipIf(!h.slurmViaLogin)(
    "a SLURM cluster behind the jump host passes every check of cluster test",
    () => {
      const add = run([
        "cluster",
        "add",
        "slurmhpc",
        "--type",
        "slurm",
        "--host",
        "login",
        "--remote-dir",
        `ctui-cc-${process.pid}`,
        "--crystal-exedir",
        standinExedir(),
        "--partition",
        "batch",
      ]);
      expect(add.stderr).toBe("");
      const r = run(["cluster", "test", "slurmhpc"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `cluster slurmhpc (slurm) — login (${h.user}@jump (${h.jumpAddr}) → ${h.user}@login (${h.loginAddr})) via OpenSSH`,
      );
      for (const check of [
        "connection",
        "host key",
        "login",
        "remote folder",
        "crystal",
        "slurm",
        "partition",
      ]) {
        expect(r.stdout).toMatch(new RegExp(`✓ ${check}`));
      }
      expect(r.stdout).toMatch(/cluster slurmhpc is ready/);
      run(["cluster", "disconnect", "slurmhpc"]);
    },
  );

  it("an unknown key behind the jump host: cluster test says so, cluster trust records it through the jump host", () => {
    const first = run(["cluster", "test", "behind", "--json"]);
    expect(first.code).toBe(1);
    const checks = (
      JSON.parse(first.stdout) as { checks: { name: string; outcome: string; detail: string }[] }
    ).checks;
    expect(checks.find((c) => c.name === "host key")).toMatchObject({ outcome: "failed" });
    expect(checks.find((c) => c.name === "host key")!.detail).toMatch(
      new RegExp(
        `host key of ${h.loginAddr.replace(/\./g, "\\.")} \\(ssh-ed25519 SHA256:\\S+\\) is not in .*known_hosts_jump_only`,
      ),
    );
    const trust = run(["cluster", "trust", "behind", "--yes"]);
    expect(trust.stderr).toBe("");
    const lines = trust.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^jump host jump \\(${h.jumpAddr.replace(/\./g, "\\.")}\\): ssh-ed25519 SHA256:\\S+ already trusted`,
      ),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^login host newlogin \\(${h.loginAddr.replace(/\./g, "\\.")}\\): ssh-ed25519 SHA256:\\S+ trusted — ${partialKnownHosts}`,
      ),
    );
    const after = JSON.parse(run(["cluster", "test", "behind", "--json"]).stdout) as {
      checks: { name: string; outcome: string }[];
    };
    expect(after.checks.slice(0, 4).map((c) => c.outcome)).toEqual(["ok", "ok", "ok", "ok"]);
  });
});
