// crystal-tui cluster test | trust — the commands that reach out to a cluster over SSH.
import readline from "node:readline/promises";
import type { Command } from "commander";
import { UserError } from "../../domain/errors.js";
import type { CheckResult } from "../../transport/cluster-check.js";
import { withStore } from "../context.js";
import { printJson } from "../output.js";

const MARK: Record<CheckResult["outcome"], string> = { ok: "✓", warning: "!", failed: "✗", skipped: "-" };

function checkLine(c: CheckResult): string {
  const time = c.ms >= 10 ? ` (${(c.ms / 1000).toFixed(2)} s)` : "";
  return `  ${MARK[c.outcome]} ${c.name.padEnd(14)}${c.detail}${c.outcome === "ok" || c.outcome === "warning" ? time : ""}\n`;
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerClusterConnectCommands(cluster: Command): void {
  cluster
    .command("test")
    .description("check that jobs can run on a cluster: connection, host key, folder, CRYSTAL, SLURM")
    .argument("<name>", "cluster name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const c = await withStore(cmd, async (store) => await store.clusters.requireByName(name));
      // ssh2 is loaded only by the commands that connect, keeping every other command quick to start
      const { targetForCluster } = await import("../../transport/target.js");
      const { checkCluster } = await import("../../transport/cluster-check.js");
      const { selfTestFor } = await import("../../runners/self-test.js");
      const { schedulerOf } = await import("../../runners/schedulers.js");
      const t = targetForCluster(c);
      if (!opts.json)
        process.stdout.write(`cluster ${c.name} (${c.type}) — ${t.username}@${t.host}:${t.port}\n`);
      const report = await checkCluster(c, {
        selfTest: selfTestFor(c, schedulerOf(c.type)?.selfTestLines ?? []),
        onCheck: (check) => {
          if (!opts.json) process.stdout.write(checkLine(check));
        },
      });
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
        const { targetForCluster } = await import("../../transport/target.js");
        const { trustHostKey } = await import("../../transport/trust.js");
        const target = targetForCluster(c);
        const interactive = !opts.yes && !opts.json && process.stdin.isTTY && process.stdout.isTTY;
        const outcome = await trustHostKey(target, {
          ...(opts.replace ? { replace: true } : {}),
          ...(opts.fingerprint ? { expectFingerprint: opts.fingerprint } : {}),
          ...(interactive
            ? {
                confirm: (offered, change) =>
                  askYesNo(
                    `${target.host}:${target.port} offers ${offered.keyType} ${offered.fingerprint}${
                      change.previousFingerprint ? ` (replacing ${change.previousFingerprint})` : ""
                    }\ntrust it for cluster ${c.name}? [y/N] `,
                  ),
              }
            : {}),
        });
        if (opts.json) return printJson(outcome);
        const key = `${outcome.keyType} ${outcome.fingerprint}`;
        process.stdout.write(
          outcome.status === "already"
            ? `${outcome.hostId} ${key} is already trusted in ${outcome.knownHostsFile}\n`
            : outcome.status === "replaced"
              ? `${outcome.hostId} ${key} now trusted in ${outcome.knownHostsFile} (replaced ${outcome.previousFingerprint})\n`
              : `${outcome.hostId} ${key} trusted — recorded in ${outcome.knownHostsFile}\n`,
        );
        if (outcome.status !== "already")
          process.stdout.write(`check the cluster with \`crystal-tui cluster test ${c.name}\`\n`);
      },
    );
}
