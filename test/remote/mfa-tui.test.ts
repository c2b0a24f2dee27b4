// The TUI asks the one-time code itself (issue 11): `crystal-tui` in a real terminal on a project
// with a chain of two jobs on a cluster behind the TOTP sshd. Its engine logs in, the modal shows
// the server's prompt; a wrong code gets a clear line and changes no job; the modal comes back,
// the code computed with oathtool is typed, and the whole chain runs — more than 20 polls, the
// staging, the outputs brought back — on that one connection: one authentication in the sshd's
// own log. A connection dropped mid-chain asks once more, and no job is lost or run twice.
//
// Polls are counted where they leave this machine: the TUI runs with an `ssh` first on its PATH
// that notes each session carrying the SSH runner's poll script, then is the system's ssh (exec:
// same process, same arguments, same input).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/project.js";
import { type Screen, startTui } from "../tui/pty.js";
import {
  addJob,
  addTotpCluster,
  cleanupLocal,
  deck,
  newProject,
  remoteSetup,
  starts,
  statusOf,
  waitFor,
} from "./helpers.js";
import {
  HOLD_WAIT_MS,
  holdHosts,
  logSince,
  logSize,
  requireRemoteHosts,
  shortTempDir,
  totp,
} from "./remote-hosts.js";

const hosts = await requireRemoteHosts("the TUI's one-time-code prompt");
const ACCEPTED = /Accepted keyboard-interactive\/pam for \S+ from/g;

/** An `ssh` that counts poll sessions into `countFile`, then runs the real one. */
function countingSsh(dir: string, countFile: string): string {
  const real = spawnSync("sh", ["-c", "command -v ssh"], { encoding: "utf8" }).stdout.trim();
  if (!real) throw new Error("no ssh on PATH");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "ssh");
  fs.writeFileSync(
    file,
    `#!/bin/sh
# a script handed to "/bin/sh -s" on its input: keep the input, note it when it is the poll
last=""
for a in "$@"; do last=$a; done
case "$last" in
  *"/bin/sh"*"-s"*)
    tmp=$(mktemp)
    cat > "$tmp"
    grep -q "E %s %s %s %s" "$tmp" && echo poll >> ${JSON.stringify(countFile)}
    exec < "$tmp"
    rm -f "$tmp"
    ;;
esac
exec ${JSON.stringify(real)} "$@"
`,
    { mode: 0o755 },
  );
  return dir;
}

/** A six-digit code the server refuses now (not one of the codes its window accepts). */
function wrongCode(h: NonNullable<typeof hosts>): string {
  const near = new Set([-2, -1, 0, 1, 2].map((k) => totp(h, k)));
  for (let n = 0; ; n++) {
    const code = String((n * 137_911) % 1_000_000).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

describe.skipIf(!hosts)("the TUI asks the one-time code (TOTP sshd, real terminal)", () => {
  const h = hosts!;
  const tmp = shortTempDir("ctmt-");
  const controlDir = path.join(tmp, "c");
  let screen: Screen | null = null;
  let release = () => {};
  beforeAll(async () => {
    release = await holdHosts(h, ["mfa"]); // this suite counts logins in its log
  }, HOLD_WAIT_MS);
  afterAll(() => {
    screen?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
    cleanupLocal();
    release();
  });

  it("a wrong code changes nothing; the right one typed in the modal runs a two-job chain (≥ 20 polls) on one authentication", async () => {
    const { project, store } = newProject();
    const setup = remoteSetup("mfatui");
    const env = { CRYSTAL_TUI_CONTROL_DIR: controlDir };
    const add = addTotpCluster(project, h, setup, env);
    expect(add.stderr).toBe("");
    const a = addJob(project, "a", deck("scf", "MgO [mfatui-a]"), ["--cluster", "hpc"]);
    const b = addJob(project, "b", deck("scf", "MgO [mfatui-b]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(a),
    ]);
    const jobsBefore = [a, b].map((id) => JSON.stringify(store.jobs.require(id)));
    const polls = path.join(tmp, "polls.txt");
    const bin = countingSsh(path.join(tmp, "bin"), polls);
    const mfaLog = path.join(h.logDir, "mfa.log");
    const mark = logSize(mfaLog);

    screen = startTui(["--project", project], {
      cols: 160,
      rows: 36,
      env: { ...env, NO_COLOR: "1", PATH: `${bin}:${process.env.PATH ?? ""}` },
    });
    // the engine of the window logs in: the modal names the cluster and shows the server's prompt
    let modal = await screen.waitFor("Login to cluster hpc", 60_000);
    expect(modal).toContain("Verification code:");
    const wrong = wrongCode(h);
    let from = screen.raw().length;
    await screen.type(wrong);
    await screen.waitFor("••••••");
    // what the terminal was sent while the code was typed: dots, never the code
    expect(screen.raw().slice(from)).not.toContain(wrong);
    screen.write("\r");
    // a clear line, and no job changed: nothing staged, nothing started
    await screen.waitFor(
      /hpc waits for a login since \d\d:\d\d: cluster 'hpc': .*refused the one-time code/,
      30_000,
    );
    expect([a, b].map((id) => JSON.stringify(store.jobs.require(id)))).toEqual(jobsBefore);
    expect(starts(setup, "[mfatui-")).toEqual([]);
    expect(logSince(mfaLog, mark).match(ACCEPTED)).toBeNull();

    // a login only a person can complete is asked again after a while (a minute), not at every poll
    modal = await screen.waitFor("Login to cluster hpc", 120_000);
    expect(modal).toMatch(/last try: cluster 'hpc': .*refused the one-time code/);
    expect([a, b].map((id) => JSON.stringify(store.jobs.require(id)))).toEqual(jobsBefore);
    const code = totp(h);
    from = screen.raw().length;
    await screen.type(code);
    await screen.waitFor("••••••");
    expect(screen.raw().slice(from)).not.toContain(code);
    screen.write("\r");
    await waitFor("the chain to complete", () => statusOf(store, b) === "COMPLETED", 180_000, 250);
    expect(statusOf(store, a)).toBe("COMPLETED");
    await screen.waitFor(/b\s.*✔ COMPLETED|✔2/, 10_000);
    for (const tag of ["a", "b"]) expect(starts(setup, `[mfatui-${tag}]`), tag).toHaveLength(1);
    const pollCount = fs.existsSync(polls)
      ? fs.readFileSync(polls, "utf8").split("\n").filter(Boolean).length
      : 0;
    expect(pollCount).toBeGreaterThanOrEqual(20);
    expect(logSince(mfaLog, mark).match(ACCEPTED)?.length).toBe(1);

    screen.write("q");
    expect((await screen.exited).exitCode).toBe(0);
    screen = null;
    cli(project, ["cluster", "disconnect", "hpc"], env);
    store.close();
  }, 400_000);

  it("the connection dropped mid-chain: the modal asks once more, and no job is lost or run twice", async () => {
    const { project, store } = newProject();
    const setup = remoteSetup("mfadrop");
    const dropDir = path.join(tmp, "drop");
    const env = { CRYSTAL_TUI_CONTROL_DIR: dropDir };
    const add = addTotpCluster(project, h, setup, env);
    expect(add.stderr).toBe("");
    const a = addJob(project, "a", deck("scf", "MgO [mfadrop-a]"), ["--cluster", "hpc"]);
    const b = addJob(project, "b", deck("scf", "MgO [mfadrop-b]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(a),
    ]);
    const mfaLog = path.join(h.logDir, "mfa.log");
    const mark = logSize(mfaLog);
    const modals = () => screen!.raw().split("Login to cluster hpc").length - 1;

    screen = startTui(["--project", project], { cols: 160, rows: 36, env: { ...env, NO_COLOR: "1" } });
    await screen.waitFor("Login to cluster hpc", 60_000);
    const first = totp(h);
    await screen.type(first);
    screen.write("\r");
    await waitFor("job a to run on the cluster", () => statusOf(store, a) === "RUNNING", 60_000, 100);

    // the shared connection dies under the running chain (its master killed, as a network cut does)
    const sock = fs.readdirSync(dropDir).find((f) => /^m-[0-9a-f]+$/.test(f));
    expect(sock, "the TUI's master socket").toBeDefined();
    const check = spawnSync(
      "ssh",
      ["-F", "/dev/null", "-o", `ControlPath=${path.join(dropDir, sock!)}`, "-O", "check", "x"],
      { encoding: "utf8" },
    );
    const pid = Number(/pid=(\d+)/.exec(check.stderr)?.[1]);
    expect(pid, check.stderr).toBeGreaterThan(0);
    const shownBefore = modals();
    process.kill(pid, "SIGKILL");

    // asked again, once: the server takes each code once, so the next one is typed
    await waitFor("the modal to ask again", () => modals() > shownBefore, 60_000, 100);
    let code = totp(h);
    while (code === first) {
      await new Promise((r) => setTimeout(r, 1000));
      code = totp(h);
    }
    await screen.type(code);
    screen.write("\r");
    await waitFor("the modal to close", () => !screen!.text().includes("Login to cluster hpc"), 30_000, 100);
    // from here on the modal's words are never drawn again: it asked once for the drop
    const drawn = modals();
    await waitFor("the chain to complete", () => statusOf(store, b) === "COMPLETED", 180_000, 250);
    expect(statusOf(store, a)).toBe("COMPLETED");
    for (const tag of ["a", "b"]) expect(starts(setup, `[mfadrop-${tag}]`), tag).toHaveLength(1);
    expect(logSince(mfaLog, mark).match(ACCEPTED)?.length).toBe(2);
    expect(modals()).toBe(drawn);

    screen.write("q");
    expect((await screen.exited).exitCode).toBe(0);
    screen = null;
    cli(project, ["cluster", "disconnect", "hpc"], env);
    store.close();
  }, 400_000);
});
