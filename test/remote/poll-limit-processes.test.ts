// The site's view of many crystal-tui processes on one project: the TUI (in a real terminal, its
// own engine), `crystal-tui run --watch` (a second engine) and a loop of `crystal-tui job list`
// calls, while SLURM jobs run for several poll intervals. The scheduler polls are counted on the
// cluster side: the project's processes log in with a key of the test's own whose authorized_keys
// entry runs every command through a wrapper (`command="…"`, as a site's forced command would),
// which records it before running it — so the count is exactly what the cluster received from these
// processes, whatever other suites send meanwhile. Over the whole run: squeue calls ≤ intervals + 1.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireInfra } from "../helpers/infra.js";
import { CLI } from "../helpers/project.js";
import { type Screen, startTui } from "../tui/pty.js";
import { addCluster, addJob, cleanupLocal, deck, newProject, remoteSetup, waitFor } from "./helpers.js";

const infra = await requireInfra("poll limit across processes");

const INTERVAL_S = 2;

/**
 * A key of the test's own that logs in as the test user with every command going through a wrapper
 * that appends it to `log` (one line per command) and then runs it as sshd would have.
 */
function countingKey(dir: string, log: string): { key: string; remove: () => void } {
  const key = path.join(dir, "counting_key");
  spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], { stdio: "ignore" });
  const wrapper = path.join(dir, "count-commands.sh");
  fs.writeFileSync(
    wrapper,
    [
      "#!/bin/sh",
      // one write per command (O_APPEND, short): lines of sessions at the same moment never mix
      `line=$(printf '%s' "$SSH_ORIGINAL_COMMAND" | tr '\\n' ' '); printf '%s %s\\n' "$(date +%s.%N)" "$line" >> ${log}`,
      'case "$SSH_ORIGINAL_COMMAND" in',
      "  sftp|internal-sftp|*sftp-server) exec /usr/lib/openssh/sftp-server ;;",
      "esac",
      'exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"',
      "",
    ].join("\n"),
  );
  fs.chmodSync(wrapper, 0o755);
  fs.writeFileSync(log, "");
  fs.chmodSync(log, 0o666);
  const file = path.join(infra!.dir, "ssh", "authorized_keys");
  const line = `command="${wrapper}" ${fs.readFileSync(`${key}.pub`, "utf8").trim()}`;
  fs.appendFileSync(file, `${line}\n`);
  return {
    key,
    remove: () => {
      // written whole and renamed: a login reading the file meanwhile sees the old or the new one
      const kept = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l !== line)
        .join("\n");
      fs.writeFileSync(`${file}.tmp`, kept);
      fs.renameSync(`${file}.tmp`, file);
    },
  };
}

/** The commands the cluster received that ask squeue (each a line of the log). */
function squeueLines(log: string): string[] {
  return fs
    .readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => /(^|[\s;'"(])squeue\s/.test(l));
}

/** The scheduler polls: the runner's poll is one squeue command (scripts sent on stdin are not in the log). */
function squeueCalls(log: string): number {
  return squeueLines(log).length;
}

describe.skipIf(!infra)(
  "one scheduler poll per interval across processes (real SLURM, counted on the cluster)",
  () => {
    const children: { kill: () => void }[] = [];
    let screen: Screen | null = null;
    let removeKey = () => {};
    afterAll(() => {
      removeKey();
      screen?.kill();
      for (const c of children) c.kill();
      cleanupLocal();
    });

    it("TUI + run --watch + a job list loop: SLURM sees ≤ intervals + 1 polls, every job completes", async () => {
      const { project, store } = newProject();
      const setup = remoteSetup("pollprocs");
      const log = path.join(setup.shared, "commands.log");
      const counting = countingKey(path.dirname(setup.exedir), log);
      removeKey = counting.remove;
      // each run writes its output over ~10 s: the jobs stay on the cluster for several intervals
      addCluster(project, infra!, setup, {
        name: "hpc",
        type: "slurm",
        env: { CRYSTAL_STANDIN_DELAY_MS: "20" },
        extra: ["--poll-interval", String(INTERVAL_S), "--key", counting.key],
      });
      // the TUI first (its window starts jobs), then a second engine, then a user's job list loop
      screen = startTui(["--project", project], { env: { NO_COLOR: "1" } });
      await screen.waitFor("this window starts your jobs", 30_000);
      const run = spawn(process.execPath, [CLI, "--project", project, "run", "--watch", "--quiet"], {
        stdio: "ignore",
      });
      children.push({ kill: () => run.kill("SIGTERM") });
      await waitFor("two engines registered", () => store.engine.engines().length >= 2, 30_000, 100);
      let listing = true;
      let lists = 0;
      const listLoop = (async () => {
        while (listing) {
          await new Promise<void>((resolve) => {
            const c = spawn(process.execPath, [CLI, "--project", project, "job", "list"], {
              stdio: "ignore",
            });
            c.on("exit", () => resolve());
          });
          lists++;
        }
      })();
      children.push({ kill: () => (listing = false) });

      const before = squeueCalls(log);
      const t0 = Date.now();
      // jobs are added one at a time and whichever engine is quicker takes each, until both engines
      // hold jobs on the cluster (one engine alone would say nothing about the claim between them)
      const ids: number[] = [];
      const holders = new Set<string>();
      const bothHold = () => {
        for (const id of ids) {
          const by = store.jobs.require(id).claimedBy;
          if (by) holders.add(by);
        }
        return holders.size >= 2;
      };
      while (holders.size < 2 && ids.length < 8) {
        const n = ids.length;
        ids.push(addJob(project, `j${n}`, deck("scf", `MgO [pollprocs-${n}]`), ["--cluster", "hpc"]));
        await waitFor("the job taken", () => store.jobs.require(ids.at(-1)!).claimedBy !== null, 30_000, 50);
        await waitFor("a job held by each engine", bothHold, 1500, 50).catch(() => false);
      }
      expect(holders.size, "both engines held jobs on the cluster").toBe(2);
      const done = () => ids.every((id) => store.jobs.require(id).status === "COMPLETED");
      await waitFor("every job COMPLETED", done, 180_000, 250);
      const t1 = Date.now();
      const after = squeueCalls(log);
      listing = false;
      await listLoop;

      const polls = after - before;
      const intervals = (t1 - t0) / (INTERVAL_S * 1000);
      // the run lasted several intervals, the user's loop ran all along, and polls were counted
      expect(intervals).toBeGreaterThanOrEqual(5);
      expect(lists).toBeGreaterThanOrEqual(5);
      expect(polls).toBeGreaterThanOrEqual(3);
      expect(
        polls,
        `${polls} squeue calls in ${intervals.toFixed(1)} intervals:\n${squeueLines(log).join("\n")}`,
      ).toBeLessThanOrEqual(Math.floor(intervals) + 1);
      store.close();
    }, 300_000);
  },
);
