// crystal-tui cluster add | edit | list | show | rm   (test and trust come with the SSH transport)
// Every setting is checked when it is given (src/app/clusters.ts), so a cluster that was added can
// be used; an edit reaches engines that run already.
import type { Command } from "commander";
import {
  addCluster,
  type ClusterSettings,
  editCluster,
  removeCluster,
  UNSETTABLE,
} from "../../app/clusters.js";
import { CLUSTER_KINDS } from "../../runners/schedulers.js";
import { collect, withStore } from "../context.js";
import { clusterToJson, printJson, table } from "../output.js";

/** The settings `cluster add` and `cluster edit` share. */
function settingOptions(cmd: Command): Command {
  return cmd
    .option("--port <port>", "SSH port (default 22)")
    .option("--user <user>", "login name (default: the alias's User in ~/.ssh/config, else yours)")
    .option("--key <path>", "private key file (default: the ssh-agent)")
    .option("--known-hosts <file>", "known_hosts file of this cluster (default ~/.ssh/known_hosts)")
    .option(
      "--ssh-config <file>",
      "ssh config file the cluster's connections read, as ssh -F (default ~/.ssh/config)",
    )
    .option("--remote-dir <dir>", "base folder for job folders on the cluster (/path or ~/path)")
    .option("--crystal-exedir <dir>", "folder of crystalOMP / PcrystalOMP on the cluster")
    .option("--module <m>", "environment module to load; repeatable (an edit replaces the list)", collect)
    .option(
      "--env <NAME=VALUE>",
      "environment variable to set, taken literally (no $ expansion); repeatable (an edit replaces them)",
      collect,
    )
    .option("--partition <p>", "default SLURM partition")
    .option("--account <a>", "default SLURM account")
    .option("--qos <q>", "default SLURM QOS")
    .option("--max-jobs <n>", "jobs at once on this cluster")
    .option("--poll-interval <s>", "seconds between polls")
    .option("--min-poll-interval <s>", "the site's own minimum between polls, in seconds (e.g. 120)")
    .option("--mpirun <cmd>", "MPI launcher on a plain SSH machine (default mpirun)")
    .option("--keep-remote", "keep each job's remote folder after its results are brought back")
    .option("--json", "print JSON");
}

export function registerClusterCommands(program: Command): Command {
  const cluster = program.command("cluster").description("remote machines (SSH) and SLURM clusters");

  settingOptions(
    cluster
      .command("add")
      .description("register a remote machine or a SLURM cluster (every setting is checked at once)")
      .argument("<name>", "cluster name")
      .requiredOption("--type <type>", `${CLUSTER_KINDS.join(" or ")} (ssh: a plain remote machine)`)
      .requiredOption("--host <host>", "host name or address (or a Host alias of ~/.ssh/config)"),
  ).action(async (name: string, opts: ClusterSettings & { json?: boolean }, cmd: Command) => {
    await withStore(cmd, async (store) => {
      const created = await addCluster(store, name, opts);
      if (opts.json) printJson(clusterToJson(created));
      else
        process.stdout.write(
          `cluster ${created.name} added — check it with \`crystal-tui cluster test ${created.name}\`\n`,
        );
    });
  });

  settingOptions(
    cluster
      .command("edit")
      .description(
        "change a cluster's settings (checked at once; running engines use them for their next jobs)",
      )
      .argument("<name>", "cluster name")
      .option("--host <host>", "host name or address (or a Host alias of ~/.ssh/config)")
      .option("--rename <new>", "a new name for the cluster")
      .option(
        "--unset <setting>",
        `remove a setting (${UNSETTABLE.map((k) => k.replace(/_/g, "-")).join(", ")}); repeatable`,
        collect,
      ),
  ).action(
    async (
      name: string,
      opts: ClusterSettings & { rename?: string; unset?: string[]; json?: boolean },
      cmd: Command,
    ) => {
      await withStore(cmd, async (store) => {
        const edited = await editCluster(store, name, opts);
        if (opts.json) printJson(clusterToJson(edited));
        else
          process.stdout.write(
            `cluster ${edited.name} changed — engines use the new settings for their next jobs\n`,
          );
      });
    },
  );

  cluster
    .command("list")
    .description("registered clusters")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const clusters = await store.clusters.list();
        if (opts.json) return printJson(clusters.map(clusterToJson));
        if (clusters.length === 0) {
          return void process.stdout.write("no clusters — add one with `crystal-tui cluster add`\n");
        }
        const rows = [["NAME", "TYPE", "ADDRESS", "STATUS"]];
        for (const c of clusters)
          rows.push([c.name, c.type, `${c.username}@${c.hostname}:${c.port}`, c.status]);
        process.stdout.write(`${table(rows)}\n`);
      });
    });

  cluster
    .command("show")
    .description("one cluster's settings")
    .argument("<name>", "cluster name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const c = await store.clusters.requireByName(name);
        if (opts.json) return printJson(clusterToJson(c));
        const lines = [
          `cluster   ${c.name} (${c.type}, ${c.status})`,
          `address   ${c.username}@${c.hostname}:${c.port}`,
          ...Object.entries(c.config).map(
            ([k, v]) => `${k.padEnd(9)} ${typeof v === "string" ? v : JSON.stringify(v)}`,
          ),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });

  cluster
    .command("rm")
    .description("remove a cluster (refused while it has unfinished jobs; its finished jobs stay)")
    .argument("<name>", "cluster name")
    .option(
      "--force",
      "remove it anyway: its unfinished jobs are cancelled (runs stopped first), with the reason",
    )
    .option("--json", "print JSON")
    .action(async (name: string, opts: { force?: boolean; json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const removal = await removeCluster(store, name, {
          ...(opts.force ? { force: true, by: "cluster rm --force" } : {}),
        });
        if (opts.json) return printJson({ removed: name, cancelled: removal.cancelled });
        const n = removal.cancelled.length;
        process.stdout.write(
          `cluster ${name} removed${n ? `; ${n} unfinished job(s) cancelled (${removal.cancelled.join(", ")})` : ""}\n`,
        );
      });
    });

  return cluster;
}
