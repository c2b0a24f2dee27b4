// Sites as they are: a certificate login (sshd with TrustedUserCAKeys, a key signed by
// `ssh-keygen -s`) and an expired certificate's one clear line; an sshd allowing one session per
// connection (MaxSessions 1, MaxStartups 2:50:4) still serving 50 concurrent commands over one
// connection — connections and logins counted in its own log.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/transport/errors.js";
import type { OpenSshSettings } from "../../src/transport/openssh/master.js";
import { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import {
  HOLD_WAIT_MS,
  holdHosts,
  logSince,
  logSize,
  requireRemoteHosts,
  shortTempDir,
  sshConfigFor,
} from "./remote-hosts.js";

const hosts = await requireRemoteHosts("transport: certificates and MaxSessions");

describe.skipIf(!hosts)("certificates and a one-session server", () => {
  const h = hosts!;
  const tmp = shortTempDir("ctl-");
  const configFile = path.join(tmp, "ssh_config");
  const shells: OpenSshShell[] = [];
  const shell = (destination: string, controlDir: string) => {
    const settings: OpenSshSettings = {
      label: "hpc",
      destination,
      configFile,
      systemConfig: false,
      options: [],
    };
    const s = new OpenSshShell(settings, { controlDir, reconnectWindowMs: 0 });
    shells.push(s);
    return s;
  };
  // this suite counts connections in these sshd's logs: no other suite may use them meanwhile
  let release = () => {};
  beforeAll(async () => {
    release = await holdHosts(h, ["cert", "maxsessions"]);
    fs.writeFileSync(configFile, sshConfigFor(h));
  }, HOLD_WAIT_MS);
  afterAll(async () => {
    for (const s of shells) await s.master.disconnect().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
    release();
  });

  it("logs in with a CA-signed user certificate (the plain key alone is not accepted there)", async () => {
    const certLog = path.join(h.logDir, "cert.log");
    const mark = logSize(certLog);
    const s = shell("cert", path.join(tmp, "cert"));
    expect((await s.execOk(["id", "-un"])).stdout.trim()).toBe(h.user);
    const log = logSince(certLog, mark);
    expect(log).toMatch(/Accepted publickey for \S+ from .* ED25519-CERT SHA256:\S+ ID ctui-tp-valid/);
    expect(log).not.toMatch(/Accepted publickey for \S+ from .* ssh2: ED25519 SHA256/);
  });

  it("an expired certificate is one line with its date and what to do, before any connection", async () => {
    const certLog = path.join(h.logDir, "cert.log");
    const mark = logSize(certLog);
    const err = await shell("expired", path.join(tmp, "expired"))
      .exec(["true"])
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toBe(
      `cluster 'hpc': the certificate ${h.expiredCertKey}-cert.pub for expired (127.0.0.1:${h.certPort}) expired on ${new Date("2020-01-02T00:00:00").toISOString().replace(/\.\d+Z$/, "Z")} — get a new one from your site (its signing tool), then connect again`,
    );
    expect(logSince(certLog, mark)).not.toMatch(/Connection from/);
  });

  it("MaxSessions 1: 50 concurrent commands over one connection, one login", async () => {
    const log = path.join(h.logDir, "maxsess.log");
    const mark = logSize(log);
    const s = shell("maxsessions", path.join(tmp, "maxs"));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        s.execOk(["sh", "-c", 'sleep 0.02; echo "$1 $SSH_CONNECTION"', "sh", String(i)]),
      ),
    );
    const ports = new Set(results.map((r) => r.stdout.trim().split(" ")[2]));
    expect(results.map((r) => Number(r.stdout.split(" ")[0]))).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(ports.size).toBe(1);
    const seen = logSince(log, mark);
    expect(seen.match(/Connection from 127\.0\.0\.1 port \d+/g)?.length).toBe(1);
    expect(seen.match(/Accepted publickey for/g)?.length).toBe(1);
    expect(s.stats.connects).toBe(1);
    expect(s.stats.commands).toBe(50);
  });
});
