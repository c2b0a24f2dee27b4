// What the remote-runner suites share: the CRYSTAL stand-in installed where the test user (jmtest)
// can run it, a remote folder of the suite's own, a start counter the stand-in appends to, and a
// project with a cluster registered the way a user does it (`crystal-tui cluster add`).
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { installStandin } from "../../src/crystal/standin.js";
import type { Job } from "../../src/domain/types.js";
import { Store } from "../../src/store/store.js";
import { openSshSettingsForCluster } from "../../src/transport/openssh/master.js";
import { OpenSshShell } from "../../src/transport/openssh/openssh-shell.js";
import { type Infra, plainSshArgs } from "../helpers/infra.js";
import { CLI, type CliResult, cli, FIXTURES, tempProject } from "../helpers/project.js";
import { type RemoteHosts, sshConfigFor } from "./remote-hosts.js";

export interface RemoteSetup {
  /** CRY23_EXEDIR with the stand-in as crystalOMP / PcrystalOMP / properties. */
  exedir: string;
  /** Base folder for job folders on the "cluster" (created by jmtest itself on first use). */
  remoteDir: string;
  /** A file every stand-in start appends one line to: `<pid> <cwd> <title>`. */
  counter: string;
  /** A folder jmtest may write to (scratch for CRY23_SCRDIR). */
  shared: string;
  /** The suite's own ssh config (`cluster add --ssh-config`): the user's ~/.ssh is never read. */
  sshConfig: string;
}

const made: string[] = [];

/** Removes this process's local temporary folders (call from afterAll: workers may not see "exit"). */
export function cleanupLocal(): void {
  if (process.env.KEEP_TEST_PROJECTS) return;
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanupLocal);

/** A world-readable (and, for `shared`, world-writable) place for the test user. */
export function remoteSetup(suite: string): RemoteSetup {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `ctui-${suite}-`));
  made.push(root);
  fs.chmodSync(root, 0o755);
  const exedir = path.join(root, "exe");
  installStandin(exedir);
  const shared = path.join(root, "shared");
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o1777);
  const counter = path.join(shared, "starts.txt");
  fs.writeFileSync(counter, "");
  fs.chmodSync(counter, 0o666);
  // the remote side creates this one itself, as jmtest (a real remote folder is the user's own)
  // in the test run's temp folder (global-setup.ts), so the run's end removes it too
  const remoteDir = path.join(os.tmpdir(), `ctui-remote-${suite}-${crypto.randomBytes(4).toString("hex")}`);
  const sshConfig = path.join(root, "ssh_config");
  fs.writeFileSync(sshConfig, "# the suite's ssh config: the cluster's own settings say the rest\n");
  return { exedir, remoteDir, counter, shared, sshConfig };
}

/** `crystal-tui cluster add` for the test sshd, as a user types it; returns the project. */
export function addCluster(
  project: string,
  infra: Infra,
  setup: RemoteSetup,
  opts: { name: string; type: "ssh" | "slurm"; extra?: string[]; env?: Record<string, string> },
): void {
  const env = { CRYSTAL_STANDIN_COUNTER: setup.counter, ...opts.env };
  const r = cli(project, [
    "cluster",
    "add",
    opts.name,
    "--type",
    opts.type,
    "--host",
    infra.sshHost,
    "--port",
    String(infra.sshPort),
    "--user",
    infra.sshUser,
    "--key",
    infra.sshKey,
    "--known-hosts",
    infra.knownHosts,
    "--ssh-config",
    setup.sshConfig,
    "--remote-dir",
    setup.remoteDir,
    "--crystal-exedir",
    setup.exedir,
    "--poll-interval",
    "1",
    ...Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ...(opts.extra ?? []),
  ]);
  if (r.code !== 0) throw new Error(`cluster add failed: ${r.stderr}`);
}

/** A deck from the recordings, with a new title (the stand-in reads its [standin:…] tags there). */
export function deck(name: "scf" | "opt", title: string): string {
  const file = name === "scf" ? "aiida-crystal17__mgo_sto3g_scf.d12" : "aiida-crystal17__mgo_sto3g_opt.d12";
  const text = fs.readFileSync(path.join(FIXTURES, file), "utf8");
  return `${title}\n${text.slice(text.indexOf("\n") + 1)}`;
}

/** A deck that reads its geometry from fort.34 (EXTERNAL): the stand-in stops if it is missing. */
export const EXTERNAL_DECK = `MgO SCF on the optimised geometry
EXTERNAL
END
BASISSET
STO-3G
SHRINK
8 8
END
`;

/** Writes a deck file in a folder and returns its path (for `job add --input`). */
export function deckFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, `${name}.d12`);
  fs.writeFileSync(file, text);
  return file;
}

/** `crystal-tui job add` as a user types it; returns the job id. */
export function addJob(project: string, name: string, text: string, args: string[]): number {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-decks-"));
  made.push(folder);
  const r = cli(project, ["job", "add", name, "--input", deckFile(folder, name, text), ...args, "--json"]);
  if (r.code !== 0) throw new Error(`job add failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { id: number }).id;
}

/** Lines the stand-in appended to the counter, for runs whose deck title contains `marker`. */
export function starts(setup: RemoteSetup, marker: string): string[] {
  return fs
    .readFileSync(setup.counter, "utf8")
    .split("\n")
    .filter((l) => l.includes(marker));
}

export function newProject(): { project: string; store: Store } {
  const project = tempProject("ctui-project-");
  made.push(project);
  return { project, store: Store.open(project) };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function statusOf(store: Store, id: number): Job["status"] {
  return store.jobs.require(id).status;
}

/** A shell logged in as the test user (OpenSSH), for looking at the remote side the way a user would. */
export function testShell(infra: Infra, label = "test"): OpenSshShell {
  return new OpenSshShell(
    openSshSettingsForCluster({
      name: label,
      hostname: infra.sshHost,
      port: infra.sshPort,
      username: infra.sshUser,
      config: { key_path: infra.sshKey, known_hosts: infra.knownHosts },
    }),
  );
}

/** `crystal-tui ARGS` in another process, like cli(), for commands that take longer than a minute. */
export function cliLong(project: string, args: string[], timeoutMs: number): CliResult {
  const r = spawnSync(process.execPath, [CLI, "--project", project, ...args], {
    encoding: "utf8",
    env: process.env,
    timeout: timeoutMs,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A script run on the test sshd by the system's own ssh (not crystal-tui's transport); its stdout. */
export function plainSsh(infra: Infra, script: string): Buffer {
  const r = spawnSync("ssh", [...plainSshArgs(infra), script], { timeout: 120_000, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`ssh: ${r.stderr.toString()}`);
  return r.stdout;
}

/**
 * A job as the engine leaves it while its remote run goes on: RUNNING, with the runner's record of
 * where the run writes its output (for looking at a live output without running CRYSTAL).
 */
export function runningRemoteJob(
  store: Store,
  jobId: number,
  cluster: string,
  dir: string,
  stdoutPath: string,
): void {
  store.jobs.transition(jobId, "RUNNING");
  store.remoteJobs.create({
    jobId,
    clusterId: store.clusters.requireByName(cluster).id,
    remoteHandle: "1",
    workingDirectory: dir,
    stdoutPath,
  });
}

/**
 * Cluster `hpc` of `project`: the TOTP sshd of the test hosts, by address (a loopback cluster may
 * poll every second), its key and known_hosts from an ssh config of the setup's own; the stand-in
 * counts its starts and writes a line every 25 ms.
 */
export function addTotpCluster(
  project: string,
  h: RemoteHosts,
  setup: RemoteSetup,
  env: NodeJS.ProcessEnv,
): CliResult {
  fs.writeFileSync(setup.sshConfig, sshConfigFor(h));
  return cli(
    project,
    [
      ...["cluster", "add", "hpc", "--type", "ssh", "--host", "127.0.0.1", "--port", String(h.mfaPort)],
      ...["--user", h.user, "--ssh-config", setup.sshConfig],
      ...["--remote-dir", setup.remoteDir, "--crystal-exedir", setup.exedir, "--poll-interval", "1"],
      ...["--env", `CRYSTAL_STANDIN_COUNTER=${setup.counter}`, "--env", "CRYSTAL_STANDIN_DELAY_MS=25"],
    ],
    env,
  );
}
