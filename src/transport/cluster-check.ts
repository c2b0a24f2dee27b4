// `crystal-tui cluster test`: everything a job on a cluster will need, checked in the order a job
// needs it, each check reported as soon as it is done — the connection, the host key, the login,
// the remote folder (writable), the CRYSTAL executables, and what the cluster's scheduler adds (on
// SLURM: sbatch/squeue and the partition). A failed check says what to do; checks that depend on it are skipped.
import type { CheckOutcome, SchedulerSelfCheck, SelfTest } from "../domain/self-test.js";
import type { Cluster } from "../domain/types.js";
import {
  AuthenticationError,
  ConnectionError,
  HostKeyChangedError,
  HostKeyUnknownError,
  SshSettingsError,
} from "./errors.js";
import { type ExecResult, type RemoteShell, remotePath } from "./remote-shell.js";
import { remoteBaseDir } from "./target.js";

/** What the checks need of a transport (a RemoteShell and its own way of logging in). */
export interface CheckTransport {
  /** user@host:port, or the ssh alias, for the report. */
  address: string;
  /** Logs in; says which host key was accepted. Throws errors.ts's kinds. */
  connect(): Promise<{ hostKey: string; where: string; user: string }>;
  mkdirp(dir: string): Promise<void>;
  /** Proves a file can be written in `dir` (and removes it again). */
  probeWrite(dir: string): Promise<void>;
  home(): Promise<string>;
  script(
    text: string,
    opts: { args: string[]; env?: Record<string, string>; timeoutMs: number },
  ): Promise<ExecResult>;
  close(): Promise<void>;
}

/** The checks over a RemoteShell; `connect` is its own way of logging in (e.g. the OpenSSH master). */
export function shellCheckTransport(
  shell: RemoteShell,
  address: string,
  connect: () => Promise<{ hostKey: string; where: string; user: string }>,
): CheckTransport {
  return {
    address,
    connect,
    mkdirp: (dir) => shell.mkdirp(dir),
    probeWrite: async (dir) => {
      const probe = `${remotePath(dir)}/.crystal-tui-probe-${process.pid}-${Date.now()}`;
      await shell.writeFiles(probe, [{ name: "probe", data: Buffer.from("probe\n") }]);
      await shell.remove(probe, { recursive: true });
    },
    home: () => shell.home(),
    script: (text, opts) => shell.script(text, opts),
    close: () => shell.close(),
  };
}

export type { CheckOutcome };

export interface CheckResult {
  name: string;
  outcome: CheckOutcome;
  detail: string;
  ms: number;
}

export interface ClusterCheckReport {
  cluster: string;
  type: Cluster["type"];
  address: string;
  ok: boolean;
  checks: CheckResult[];
}

export interface ClusterCheckOptions {
  /**
   * The cluster's self-test (src/runners/self-test.ts): the environment set-up every job makes, in
   * the same order, then where CRYSTAL's and the scheduler's programs are.
   */
  selfTest: SelfTest;
  /** The cluster's batch scheduler, whose own checks follow CRYSTAL's (none on a plain SSH machine). */
  scheduler?: SchedulerSelfCheck | undefined;
  /** Called as each check finishes. */
  onCheck?: (check: CheckResult) => void;
  /** Limit for each remote step. */
  timeoutMs?: number;
  /** The transport to check over. */
  transport: CheckTransport;
}

export async function checkCluster(cluster: Cluster, opts: ClusterCheckOptions): Promise<ClusterCheckReport> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const transport = opts.transport;
  const checks: CheckResult[] = [];
  const report = (name: string, outcome: CheckOutcome, detail: string, ms = 0) => {
    const c = { name, outcome, detail, ms: Math.round(ms) };
    checks.push(c);
    opts.onCheck?.(c);
  };
  const skipRest = (names: string[], why: string) => {
    for (const n of names) report(n, "skipped", why);
  };
  const later = ["remote folder", "crystal", ...(opts.scheduler?.checkNames ?? [])];
  const address = transport.address;
  try {
    const t0 = performance.now();
    try {
      const info = await transport.connect();
      const ms = performance.now() - t0;
      report("connection", "ok", `${info.where} answered`, ms);
      report("host key", "ok", info.hostKey);
      report("login", "ok", `logged in as ${info.user}`);
    } catch (err) {
      const ms = performance.now() - t0;
      if (err instanceof HostKeyUnknownError || err instanceof HostKeyChangedError) {
        report("connection", "ok", "the host answered", ms);
        report("host key", "failed", err.message);
        skipRest(["login", ...later], "needs a trusted host key");
      } else if (err instanceof AuthenticationError) {
        const reached = !/no way to log in/.test(err.message);
        report(
          "connection",
          reached ? "ok" : "skipped",
          reached ? "the host answered" : "no key to log in with",
          ms,
        );
        report("host key", reached ? "ok" : "skipped", reached ? "trusted" : "");
        report("login", "failed", err.message);
        skipRest(later, "needs a login");
      } else if (err instanceof ConnectionError || err instanceof SshSettingsError) {
        report("connection", "failed", err.message, ms);
        skipRest(["host key", "login", ...later], "needs a connection");
      } else throw err;
      return finish();
    }

    // remote folder: create it if needed, then prove a file can be written there
    const base = remoteBaseDir(cluster);
    let t = performance.now();
    try {
      await transport.mkdirp(base);
      await transport.probeWrite(base);
      const home = await transport.home();
      const shown = remotePath(base).startsWith("/")
        ? remotePath(base)
        : `${home}/${remotePath(base)}`.replace(/\/\.$/, "");
      report(
        "remote folder",
        "ok",
        `${shown} is writable${cluster.config.remote_dir ? "" : " (default: no remote_dir configured)"}`,
        performance.now() - t,
      );
    } catch (err) {
      if (err instanceof ConnectionError) throw err;
      report(
        "remote folder",
        "failed",
        `${(err as Error).message} — set a writable folder with \`crystal-tui cluster add … --remote-dir DIR\``,
        performance.now() - t,
      );
    }

    // programs: CRYSTAL (and SLURM's commands), with the cluster's modules and environment
    t = performance.now();
    const run = await transport.script(opts.selfTest.script, { args: [], timeoutMs });
    const found = opts.selfTest.read(run.stdout);
    const ms = performance.now() - t;
    const where = cluster.config.crystal_exedir
      ? `in ${cluster.config.crystal_exedir} (crystal_exedir)`
      : "on the remote PATH or in $CRY23_EXEDIR";
    const modulesNote = found.modulesFailed.length
      ? `; module load failed for ${found.modulesFailed.join(", ")}`
      : "";
    const omp = found.programs.get("crystalOMP");
    const mpi = found.programs.get("PcrystalOMP");
    if (omp && mpi) report("crystal", "ok", `crystalOMP ${omp}, PcrystalOMP ${mpi}${modulesNote}`, ms);
    else if (omp || mpi) {
      report(
        "crystal",
        "warning",
        omp
          ? `crystalOMP ${omp}; PcrystalOMP not found ${where}: MPI jobs (--ranks > 1) cannot run${modulesNote}`
          : `PcrystalOMP ${mpi}; crystalOMP not found ${where}: only MPI jobs (--ranks > 1) can run${modulesNote}`,
        ms,
      );
    } else {
      report(
        "crystal",
        "failed",
        `crystalOMP and PcrystalOMP not found ${where}${modulesNote} — set --crystal-exedir DIR or --module NAME with \`crystal-tui cluster add\``,
        ms,
      );
    }

    for (const c of opts.scheduler?.selfTestChecks(found, cluster, modulesNote) ?? []) {
      report(c.name, c.outcome, c.detail);
    }
    return finish();
  } catch (err) {
    if (!(err instanceof ConnectionError)) throw err;
    const done = new Set(checks.map((c) => c.name));
    const rest = later.filter((n) => !done.has(n));
    if (rest.length > 0) report(rest[0]!, "failed", err.message);
    skipRest(rest.slice(1), "needs a connection");
    return finish();
  } finally {
    await transport.close();
  }

  function finish(): ClusterCheckReport {
    return {
      cluster: cluster.name,
      type: cluster.type,
      address,
      ok: checks.every((c) => c.outcome === "ok" || c.outcome === "warning"),
      checks,
    };
  }
}
