// One-time codes against a real TOTP server (sshd with publickey,keyboard-interactive and
// pam_google_authenticator; codes computed by oathtool): the code reaches ssh through the prompt
// broker, once per connection lifetime whatever the number of commands and processes (counted in
// the sshd's own log); a wrong code, and no one to ask, are one clear line; a dropped master asks
// again exactly once; two processes starting at the same moment authenticate once.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OneTimeCodeError } from "../../src/transport/errors.js";
import type { OpenSshSettings } from "../../src/transport/openssh/master.js";
import { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import type { PromptBroker, PromptRequest } from "../../src/transport/openssh/prompt-broker.js";
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

const hosts = await requireRemoteHosts("transport: one-time codes (TOTP sshd)");
const ROOT = path.resolve(import.meta.dirname, "../..");
const ACCEPTED = /Accepted keyboard-interactive\/pam for \S+ from/g;

describe.skipIf(!hosts)("one-time codes through the prompt broker", () => {
  const h = hosts!;
  const tmp = shortTempDir("ctm-");
  const configFile = path.join(tmp, "ssh_config");
  const mfaLog = path.join(h.logDir, "mfa.log");
  const shells: OpenSshShell[] = [];
  const settings: OpenSshSettings = {
    label: "hpc",
    destination: "mfa",
    configFile,
    systemConfig: false,
    options: [],
  };
  const broker = (asked: PromptRequest[], answer = () => totp(h)): PromptBroker => ({
    ask: async (req) => {
      asked.push(req);
      return answer();
    },
  });
  const shell = (controlDir: string, b?: PromptBroker) => {
    const s = new OpenSshShell(settings, { controlDir, ...(b ? { broker: b } : {}), reconnectWindowMs: 0 });
    shells.push(s);
    return s;
  };
  const masterPid = (controlDir: string) => {
    const sock = fs.readdirSync(controlDir).find((f) => /^m-[0-9a-f]+$/.test(f))!;
    const r = spawnSync(
      "ssh",
      ["-F", "/dev/null", "-o", `ControlPath=${controlDir}/${sock}`, "-O", "check", "x"],
      {
        encoding: "utf8",
      },
    );
    return Number(/pid=(\d+)/.exec(r.stderr)?.[1]);
  };
  const childScript = (controlDir: string, commands: number, withCode: boolean) => `
    const { OpenSshShell } = await import(${JSON.stringify(path.join(ROOT, "dist/transport/openssh/openssh-shell.js"))});
    const { spawnSync } = await import("node:child_process");
    const broker = { ask: async () => ${withCode ? `spawnSync("oathtool", ["--totp", "-b", ${JSON.stringify(h.totpSecret)}], { encoding: "utf8" }).stdout.trim()` : "{ throw new Error('no terminal'); }"} };
    const s = new OpenSshShell(${JSON.stringify(settings)}, { controlDir: ${JSON.stringify(controlDir)}, broker });
    let ok = 0;
    for (let i = 0; i < ${commands}; i++) if ((await s.exec(["true"])).code === 0) ok++;
    console.log(JSON.stringify({ ok, connects: s.stats.connects }));`;

  // this suite counts logins in the TOTP sshd's log: no other suite may use it meanwhile
  let release = () => {};
  beforeAll(async () => {
    release = await holdHosts(h, ["mfa"]);
    fs.writeFileSync(configFile, sshConfigFor(h));
  }, HOLD_WAIT_MS);
  afterAll(async () => {
    for (const s of shells) await s.master.disconnect().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
    release();
  });

  it("one code, then 20 commands here and 10 from another process: exactly one authentication", async () => {
    const dir = path.join(tmp, "one");
    const mark = logSize(mfaLog);
    const asked: PromptRequest[] = [];
    const s = shell(dir, broker(asked));
    for (let i = 0; i < 20; i++) expect((await s.exec(["echo", String(i)])).stdout).toBe(`${i}\n`);
    await Promise.all(Array.from({ length: 10 }, () => s.execOk(["true"])));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ cluster: "hpc", kind: "one-time-code" });
    expect(asked[0]!.prompt).toMatch(/Verification code:/);
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", childScript(dir, 10, false)], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ ok: 10, connects: 0 });
    const log = logSince(mfaLog, mark);
    expect(log.match(ACCEPTED)?.length).toBe(1);
    // and the code itself is nowhere: not in the log of the login, not in the connection folder
    const code = totp(h);
    const logFile = await s.master.logFile();
    expect(fs.readFileSync(logFile, "utf8")).not.toContain(code);
    for (const f of fs.readdirSync(dir)) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isFile()) expect(fs.readFileSync(p, "utf8")).not.toContain(code);
    }
    expect(s.state.status).toBe("connected");
  });

  it("a wrong code is refused in one line; no session is made", async () => {
    const mark = logSize(mfaLog);
    const right = new Set([-1, 0, 1].map((o) => totp(h, o)));
    let wrong = "000000";
    for (let n = 1; right.has(wrong); n++) wrong = String(n).padStart(6, "0");
    const asked: PromptRequest[] = [];
    const s = shell(
      path.join(tmp, "wrong"),
      broker(asked, () => wrong),
    );
    const err = await s.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(OneTimeCodeError);
    expect(err.message).toBe(
      "cluster 'hpc': mfa (127.0.0.1:2241) refused the one-time code — wait for the next code and run `crystal-tui cluster connect hpc`",
    );
    expect(asked).toHaveLength(1); // NumberOfPasswordPrompts 1: never a second guess
    expect(s.state).toMatchObject({ status: "needs-auth", lastError: err.message });
    expect(logSince(mfaLog, mark)).not.toMatch(ACCEPTED);
  });

  it("with no one to ask, the line says how to authenticate first — and later polls do not knock again", async () => {
    const dir = path.join(tmp, "noterm");
    const s = shell(dir);
    const err = await s.exec(["true"]).catch((e) => e);
    expect(err).toBeInstanceOf(OneTimeCodeError);
    expect(err.message).toBe(
      `cluster 'hpc': the server asks "Verification code:" and this process has no terminal to ask on — authenticate first with \`crystal-tui cluster connect hpc\`, then try again`,
    );
    const mark = logSize(mfaLog);
    for (let i = 0; i < 3; i++) await expect(s.exec(["true"])).rejects.toThrow(err.message);
    expect(logSince(mfaLog, mark)).not.toMatch(/Connection from/);
    // someone connects (another process with a terminal): this process rides that master at once
    const asked: PromptRequest[] = [];
    await shell(dir, broker(asked)).execOk(["true"]);
    expect(asked).toHaveLength(1);
    expect((await s.execOk(["echo", "now"])).stdout).toBe("now\n");
    expect(s.state.status).toBe("connected");
  });

  it("a dropped master asks again exactly once, however many commands wait for it", async () => {
    const dir = path.join(tmp, "drop");
    const mark = logSize(mfaLog);
    const asked: PromptRequest[] = [];
    const s = shell(dir, broker(asked));
    await s.execOk(["true"]);
    process.kill(masterPid(dir), "SIGKILL");
    const after = await Promise.all(Array.from({ length: 8 }, (_, i) => s.execOk(["echo", String(i)])));
    expect(after.map((r) => r.stdout.trim())).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(asked).toHaveLength(2);
    expect(s.stats.connects).toBe(2);
    expect(logSince(mfaLog, mark).match(ACCEPTED)?.length).toBe(2);
  });

  it("two processes connecting at the same moment: one logs in, the other waits for it", async () => {
    const dir = path.join(tmp, "race");
    fs.mkdirSync(dir, { mode: 0o700 });
    const mark = logSize(mfaLog);
    const run = () =>
      new Promise<{ ok: number; connects: number }>((resolve, reject) => {
        const c = spawn(process.execPath, ["--input-type=module", "-e", childScript(dir, 5, true)]);
        let out = "";
        let err = "";
        c.stdout.on("data", (d) => {
          out += d;
        });
        c.stderr.on("data", (d) => {
          err += d;
        });
        c.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
      });
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.ok)).toEqual([5, 5]);
    expect(results.map((r) => r.connects).sort()).toEqual([0, 1]);
    expect(logSince(mfaLog, mark).match(ACCEPTED)?.length).toBe(1);
    shells.push(shell(dir)); // so that afterAll ends this master too
  });
});
