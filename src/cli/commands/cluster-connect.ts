// crystal-tui cluster test | trust | connect | disconnect — the commands that reach out to a
// cluster over SSH.
//
// Transport: the system OpenSSH's (src/transport/openssh/), as for the runners: one shared,
// authenticated master per cluster that every later command reuses; `cluster trust` fetches each
// hop's key through the hops before it, without logging in.
import type { Command } from "commander";
import { UserError } from "../../domain/errors.js";
import type { Cluster } from "../../domain/types.js";
import type { CheckResult } from "../../transport/cluster-check.js";
import type { OpenSshMaster } from "../../transport/openssh/master.js";
import { withStore } from "../context.js";
import { askYesNo, printJson } from "../output.js";

/** The cluster's OpenSSH master, asking for one-time codes on this terminal. */
async function masterFor(
  c: Cluster,
  opts: { persist?: string; reconnectWindowMs?: number } = {},
): Promise<OpenSshMaster> {
  const { OpenSshMaster, checkClusterKeyFile, openSshSettingsForCluster } = await import(
    "../../transport/openssh/master.js"
  );
  checkClusterKeyFile(c);
  const { terminalBroker } = await import("../../transport/openssh/terminal-prompt.js");
  return new OpenSshMaster(openSshSettingsForCluster(c), {
    broker: terminalBroker(),
    ...(opts.persist ? { controlPersist: opts.persist } : {}),
    ...(opts.reconnectWindowMs !== undefined ? { reconnectWindowMs: opts.reconnectWindowMs } : {}),
  });
}

/**
 * Records how the connection this command held ended up (connected, needs-auth, unreachable) in
 * the store, where every process serving the project reads it (`cluster list --json`, the TUI).
 */
async function recordState(cmd: Command, c: Cluster, master: OpenSshMaster): Promise<void> {
  const s = master.state;
  await withStore(cmd, (store) =>
    store.clusters.setConnection(c.id, { status: s.status, lastError: s.lastError, since: s.since }),
  ).catch(() => {}); // the project went away meanwhile: nothing to tell
}

/** ssh's ControlPersist: seconds, or a number with s/m/h/d, or "forever". */
function persistValue(value: string): string {
  if (value === "forever") return "yes";
  if (!/^\d+[smhd]?$/.test(value)) {
    throw new UserError(
      `--persist ${JSON.stringify(value)} must be a duration such as 30m, 8h or 1d, or "forever"`,
    );
  }
  return value;
}

const MARK: Record<CheckResult["outcome"], string> = { ok: "✓", warning: "!", failed: "✗", skipped: "-" };

function checkLine(c: CheckResult): string {
  const time = c.ms >= 10 ? ` (${(c.ms / 1000).toFixed(2)} s)` : "";
  return `  ${MARK[c.outcome]} ${c.name.padEnd(14)}${c.detail}${c.outcome === "ok" || c.outcome === "warning" ? time : ""}\n`;
}

export function registerClusterConnectCommands(cluster: Command): void {
  cluster
    .command("test")
    .description("check that jobs can run on a cluster: connection, host key, folder, CRYSTAL, SLURM")
    .argument("<name>", "cluster name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const c = await withStore(cmd, async (store) => await store.clusters.requireByName(name));
      // the transport is loaded only by the commands that connect, keeping every other command quick
      const { checkCluster, shellCheckTransport } = await import("../../transport/cluster-check.js");
      const { selfTestFor } = await import("../../runners/self-test.js");
      const { schedulerOf } = await import("../../runners/schedulers.js");
      const { OpenSshShell } = await import("../../transport/openssh/openssh-shell.js");
      const { hopName } = await import("../../transport/openssh/ssh-config-resolve.js");
      // a few seconds of retries ride out a blip (an sshd restarting); longer trouble is reported
      const master = await masterFor(c, { reconnectWindowMs: 3_000 });
      const shell = new OpenSshShell(master.settings, { master });
      const hops = await master.hops().catch(() => []);
      const route = hops.map((h) => `${h.user}@${hopName(h)}`).join(" → ");
      const shown = `${master.settings.destination}${route ? ` (${route})` : ""} via OpenSSH`;
      const transport = shellCheckTransport(shell, shown, async () => {
        await master.ensure();
        const last = (await master.hops()).at(-1)!;
        return {
          hostKey: `trusted by ssh (StrictHostKeyChecking, ${last.knownHostsFiles[0] ?? "known_hosts"})`,
          where: hopName(last),
          user: last.user,
        };
      });
      if (!opts.json) process.stdout.write(`cluster ${c.name} (${c.type}) — ${shown}\n`);
      const report = await checkCluster(c, {
        selfTest: selfTestFor(c, schedulerOf(c.type)?.selfTestLines ?? []),
        scheduler: schedulerOf(c.type),
        onCheck: (check) => {
          if (!opts.json) process.stdout.write(checkLine(check));
        },
        transport,
      }).finally(() => recordState(cmd, c, master));
      if (opts.json) printJson(report);
      const failed = report.checks.filter((x) => x.outcome === "failed");
      if (failed.length === 0) {
        if (!opts.json) {
          const warnings = report.checks.filter((x) => x.outcome === "warning").length;
          process.stdout.write(
            `cluster ${c.name} is ready${warnings ? ` (${warnings} warning${warnings > 1 ? "s" : ""})` : ""}\n`,
          );
        }
        return;
      }
      // the first failure is the one to fix first; its message already says how
      const first = failed[0]!;
      const detail = first.detail.startsWith("cluster '")
        ? first.detail
        : `cluster '${c.name}': ${first.detail}`;
      throw new UserError(
        failed.length === 1
          ? detail
          : `${detail} (and ${failed.length - 1} more failed check${failed.length > 2 ? "s" : ""}: ${failed
              .slice(1)
              .map((x) => x.name)
              .join(", ")})`,
      );
    });

  cluster
    .command("trust")
    .description("record a cluster's SSH host key as trusted (shows its fingerprint first)")
    .argument("<name>", "cluster name")
    .option(
      "--replace",
      "replace a different key already recorded (only after the administrators confirm it)",
    )
    .option("--fingerprint <SHA256:…>", "trust the key only if it has this fingerprint")
    .option("--yes", "do not ask for confirmation on a terminal")
    .option("--json", "print JSON")
    .action(
      async (
        name: string,
        opts: { replace?: boolean; fingerprint?: string; yes?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const c = await withStore(cmd, async (store) => await store.clusters.requireByName(name));
        const interactive = !opts.yes && !opts.json && process.stdin.isTTY && process.stdout.isTTY;
        const master = await masterFor(c);
        const { trustHops } = await import("../../transport/openssh/trust-hops.js");
        const { hopName } = await import("../../transport/openssh/ssh-config-resolve.js");
        const outcomes = await trustHops(master, {
          ...(opts.replace ? { replace: true } : {}),
          ...(opts.fingerprint ? { expectFingerprint: opts.fingerprint } : {}),
          ...(interactive
            ? {
                confirmHop: (hop, offered, loginHost) =>
                  askYesNo(
                    `${loginHost ? "login host" : "jump host"} ${hopName(hop)} offers ${offered.keyType} ${offered.fingerprint}\ntrust it for cluster ${c.name}? [y/N] `,
                  ),
              }
            : {}),
        });
        if (opts.json) return printJson(outcomes);
        for (const o of outcomes) {
          const key = `${o.keyType} ${o.fingerprint}`;
          process.stdout.write(
            `${o.loginHost ? "login host" : "jump host"} ${o.hop}: ${key} ${
              o.status === "already"
                ? "already trusted"
                : o.status === "replaced"
                  ? `now trusted (replaced ${o.previousFingerprint})`
                  : "trusted"
            } — ${o.knownHostsFile}\n`,
          );
        }
        if (outcomes.some((o) => o.status !== "already"))
          process.stdout.write(`check the cluster with \`crystal-tui cluster test ${c.name}\`\n`);
      },
    );

  cluster
    .command("connect")
    .description(
      "log in to a cluster once (one-time code included) and keep the connection for every later command",
    )
    .argument("<name>", "cluster name")
    .option("--persist <duration>", "how long the connection stays up unused (30m, 8h, 1d, forever)", "12h")
    .option("--close", "end the connection instead (as `cluster disconnect`)")
    .option("--json", "print JSON")
    .action(
      async (name: string, opts: { persist: string; close?: boolean; json?: boolean }, cmd: Command) => {
        const c = await withStore(cmd, (store) => store.clusters.requireByName(name));
        if (opts.close) return disconnect(c, opts.json);
        const master = await masterFor(c, { persist: persistValue(opts.persist) });
        const { reused } = await master
          .connect(persistValue(opts.persist))
          .finally(() => recordState(cmd, c, master));
        const state = master.state;
        if (opts.json)
          return printJson({
            cluster: c.name,
            connection: state.status,
            reused,
            since: new Date(state.since).toISOString(),
          });
        process.stdout.write(
          reused
            ? `cluster ${c.name}: already connected — every crystal-tui command reuses this connection\n`
            : `cluster ${c.name}: connected — crystal-tui commands reuse this connection until \`crystal-tui cluster disconnect ${c.name}\` or ${opts.persist} unused\n`,
        );
      },
    );

  cluster
    .command("disconnect")
    .description("end crystal-tui's shared connection to a cluster (the next command logs in again)")
    .argument("<name>", "cluster name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const c = await withStore(cmd, (store) => store.clusters.requireByName(name));
      await disconnect(c, opts.json);
    });
}

async function disconnect(c: Cluster, json?: boolean): Promise<void> {
  const master = await masterFor(c);
  const wasUp = await master.disconnect();
  if (json) return printJson({ cluster: c.name, disconnected: wasUp });
  process.stdout.write(
    wasUp ? `cluster ${c.name}: disconnected\n` : `cluster ${c.name}: crystal-tui had no connection open\n`,
  );
}
