// A route that cannot work is refused when it is given: `cluster add` / `cluster edit` read the ssh
// config as ssh does (`ssh -G`, every jump host) and the certificates of every hop, without
// connecting. A ProxyJump loop, a config ssh rejects and an expired certificate are each one line
// naming the cluster and what to do, exit 1, and nothing in the database changes. The tests write
// their own ssh config files (never the user's ~/.ssh) and connect nowhere.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, tempProject } from "../helpers/project.js";

interface ClusterJson {
  name: string;
  hostname: string;
  config: Record<string, unknown>;
}

function keygen(args: string[]): void {
  const r = spawnSync("ssh-keygen", ["-q", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(" ")}: ${r.stderr}`);
}

/** A user key signed by a CA of the test's own, valid over `validity` (ssh-keygen -V). */
function certificate(dir: string, name: string, validity: string): string {
  const ca = path.join(dir, "ca");
  if (!fs.existsSync(ca)) keygen(["-t", "ed25519", "-N", "", "-f", ca]);
  const key = path.join(dir, name);
  keygen(["-t", "ed25519", "-N", "", "-f", key]);
  keygen(["-s", ca, "-I", name, "-n", "chem", "-V", validity, `${key}.pub`]);
  return key;
}

function setup() {
  const project = tempProject();
  const dir = fs.mkdtempSync(path.join(project, "ssh-"));
  const expired = certificate(dir, "expired", "20200101:20200102");
  const valid = certificate(dir, "valid", "-1d:+3650d");
  const config = path.join(dir, "config");
  fs.writeFileSync(
    config,
    [
      "Host good",
      "  HostName 127.0.0.1",
      "  Port 2299",
      "  User chem",
      "Host loopa",
      "  HostName 127.0.0.2",
      "  ProxyJump loopb",
      "Host loopb",
      "  HostName 127.0.0.3",
      "  ProxyJump loopa",
      "Host behind-loop",
      "  HostName 127.0.0.4",
      "  ProxyJump loopa",
      "Host certold",
      "  HostName 127.0.0.5",
      `  IdentityFile ${expired}`,
      `  CertificateFile ${expired}-cert.pub`,
      "Host certok",
      "  HostName 127.0.0.6",
      `  IdentityFile ${valid}`,
      `  CertificateFile ${valid}-cert.pub`,
      "Host jump-old",
      "  HostName 127.0.0.7",
      `  CertificateFile ${expired}-cert.pub`,
      "Host via-old-jump",
      "  HostName 127.0.0.8",
      "  ProxyJump jump-old",
      "",
    ].join("\n"),
  );
  const list = () => cliJson<ClusterJson[]>(project, ["cluster", "list"]);
  const add = (name: string, host: string, env: NodeJS.ProcessEnv = {}) =>
    cli(project, ["cluster", "add", name, "--type", "slurm", "--host", host, "--ssh-config", config], env);
  return { project, dir, config, list, add };
}

function oneLine(r: { code: number; stderr: string }): string {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe("cluster add / edit check the route without connecting", () => {
  it("a ProxyJump loop — on the login host or on a jump host before it — is one line, and nothing is added", () => {
    const t = setup();
    for (const host of ["loopa", "behind-loop"]) {
      const line = oneLine(t.add("hpc", host));
      expect(line).toMatch(/^crystal-tui: cluster 'hpc': the ProxyJump settings in .* go round in a loop/);
      // the chain names the hosts it goes round
      expect(line).toContain("127.0.0.2");
      expect(line).toContain("127.0.0.3");
      expect(line).toMatch(/make the first jump host reachable without a ProxyJump/);
      // the file named is the user's own, not the one crystal-tui writes around it
      expect(line).toContain(`settings in ${t.config} go round`);
    }
    expect(t.list()).toEqual([]);
  });

  it("an expired certificate of the login host or of a jump host is one line naming the file and the hop", () => {
    const t = setup();
    const login = oneLine(t.add("hpc", "certold"));
    expect(login).toMatch(
      /cluster 'hpc': the certificate .*expired-cert\.pub for certold \(127\.0\.0\.5\) expired on 2020-01-0\d.* — get a new one/,
    );
    const jump = oneLine(t.add("hpc", "via-old-jump"));
    expect(jump).toMatch(/the certificate .*expired-cert\.pub for jump-old \(127\.0\.0\.7\) expired/);
    expect(t.list()).toEqual([]);
    // a certificate within its validity, and a plain alias, are accepted (no connection is tried)
    expect(t.add("hpc", "certok").code).toBe(0);
    expect(t.add("other", "good").code).toBe(0);
    expect(t.list().map((c) => c.name)).toEqual(["hpc", "other"]);
  });

  it("a config ssh rejects for the alias is one line with the file and the line, also from the default config", () => {
    const t = setup();
    const bad = path.join(t.dir, "bad_config");
    fs.writeFileSync(bad, "Host login\n  HostName 127.0.0.9\n  ProxyJump\n");
    const named = oneLine(
      cli(t.project, ["cluster", "add", "hpc", "--type", "slurm", "--host", "login", "--ssh-config", bad]),
    );
    expect(named).toMatch(/bad_config line 3/);
    // the config read when no --ssh-config is given (CRYSTAL_TUI_SSH_CONFIG stands in for ~/.ssh/config)
    const byDefault = oneLine(
      cli(t.project, ["cluster", "add", "hpc", "--type", "slurm", "--host", "login"], {
        CRYSTAL_TUI_SSH_CONFIG: bad,
      }),
    );
    expect(byDefault).toMatch(
      /^crystal-tui: cluster 'hpc': ssh rejects its configuration for login: .*bad_config line 3/,
    );
    expect(t.list()).toEqual([]);
  });

  it("cluster edit to a route that cannot work is refused and the cluster stays as it was", () => {
    const t = setup();
    expect(t.add("hpc", "good").code).toBe(0);
    const before = t.list();
    expect(before[0]!.config.ssh_alias).toBe("good");
    for (const host of ["loopa", "certold"]) {
      const line = oneLine(cli(t.project, ["cluster", "edit", "hpc", "--host", host]));
      expect(line).toMatch(/^crystal-tui: cluster 'hpc': /);
    }
    expect(t.list()).toEqual(before);
    // a new host that is an alias becomes the cluster's alias (it used to keep the old one)
    expect(cli(t.project, ["cluster", "edit", "hpc", "--host", "certok"]).code).toBe(0);
    expect(t.list()[0]).toMatchObject({ hostname: "certok", config: { ssh_alias: "certok" } });
  });
});
