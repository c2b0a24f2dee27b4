// A SLURM chain on the login host behind the jump host, from `cluster add --host ALIAS` as a user
// types it: the alias (ProxyJump jump) comes from the cluster's own --ssh-config file, and
// `crystal-tui run` hands both jobs to SLURM through the jump host, each run once, both COMPLETED.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/project.js";
import { addJob, cleanupLocal, cliLong, deck, newProject, remoteSetup, starts, statusOf } from "./helpers.js";
import { requireRemoteHosts, sshConfigFor } from "./remote-hosts.js";

const hosts = await requireRemoteHosts("a SLURM chain through the jump host");

describe.skipIf(!hosts)("SLURM through the jump host, from cluster add by alias", () => {
  afterAll(() => cleanupLocal());

  it("cluster add --host login (ProxyJump jump) then run: a two-job chain completes, each run once", () => {
    const { project, store } = newProject();
    const setup = remoteSetup("jumpchain");
    fs.writeFileSync(setup.sshConfig, sshConfigFor(hosts!));
    const add = cli(project, [
      ...["cluster", "add", "hpc", "--type", "slurm", "--host", "login", "--ssh-config", setup.sshConfig],
      ...["--remote-dir", setup.remoteDir, "--crystal-exedir", setup.exedir, "--poll-interval", "10"],
      ...["--env", `CRYSTAL_STANDIN_COUNTER=${setup.counter}`, "--json"],
    ]);
    expect(add.stderr).toBe("");
    const cluster = JSON.parse(add.stdout) as { username: string; config: Record<string, unknown> };
    expect(cluster.config).toMatchObject({ ssh_alias: "login", ssh_config: path.resolve(setup.sshConfig) });
    expect(cluster.username).toBe(hosts!.user);
    const a = addJob(project, "a", deck("scf", "MgO [jump-a]"), ["--cluster", "hpc"]);
    const b = addJob(project, "b", deck("scf", "MgO [jump-b]"), [
      "--cluster",
      "hpc",
      "--after-ok",
      String(a),
    ]);
    const run = cliLong(project, ["run"], 240_000);
    expect(run.stdout).toMatch(/done: 2 finished \(2 COMPLETED\)/);
    expect(statusOf(store, a)).toBe("COMPLETED");
    expect(statusOf(store, b)).toBe("COMPLETED");
    for (const tag of ["a", "b"]) expect(starts(setup, `[jump-${tag}]`), tag).toHaveLength(1);
    const listed = JSON.parse(cli(project, ["cluster", "list", "--json"]).stdout) as { connection: string }[];
    expect(listed[0]!.connection).toBe("connected");
    store.close();
  });
});
