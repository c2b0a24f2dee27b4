// Cluster settings checked when they are given: `cluster add` and `cluster edit` refuse a bad value
// at once with one line and change nothing; a cluster recorded with bad settings before (by an
// earlier version) makes only itself unavailable; `cluster rm` refuses while the cluster has
// unfinished jobs, and with --force cancels them with the reason.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { cli, cliJson, MGO_DECK, tempProject, writeDeck } from "../helpers/project.js";
import { standinEnv } from "../helpers/standin.js";
import { sql } from "../store/raw-sql.js";

const ADD = ["cluster", "add", "hpc", "--type", "slurm", "--host", "login.hpc.example", "--user", "chem"];

function clusters(dir: string): { name: string; config: Record<string, unknown> }[] {
  return cliJson(dir, ["cluster", "list"]);
}

describe("cluster settings are checked when given", () => {
  it("cluster add refuses every bad setting at once, with one line, and adds nothing", () => {
    const dir = tempProject();
    const bad: [string[], RegExp][] = [
      [["--module", "crystal;x"], /module "crystal;x" is not a module name/],
      [["--module", "foo bar"], /module "foo bar" is not a module name/],
      [
        ["--remote-dir", "/scratch/a\nrm -rf ~"],
        /remote_dir "\/scratch\/a\\nrm -rf ~" is not valid — it must be one line of text/,
      ],
      [["--remote-dir", "/scratch/my jobs"], /remote_dir "\/scratch\/my jobs" is not valid/],
      [["--crystal-exedir", "/opt/c\n23"], /crystal_exedir .* must be one line of text/],
      [["--env", "X=a\nb"], /the value of environment variable X .* must be one line of text/],
      [["--env", "1X=a"], /NAME=VALUE with a shell variable name/],
      [["--partition", "debug;rm"], /partition "debug;rm" is not valid/],
      [["--account", "chem 123"], /account "chem 123" is not valid/],
      [["--qos", "x'y"], /qos "x'y" is not valid/],
      [["--max-jobs", "0"], /max jobs must be a positive whole number/],
      [["--poll-interval", "5"], /poll interval 5 s is below the minimum of 10 s/],
      [
        ["--min-poll-interval", "120", "--poll-interval", "60"],
        /poll interval 60 s is below the site's minimum of 120 s/,
      ],
    ];
    for (const [extra, message] of bad) {
      const r = cli(dir, [...ADD, ...extra]);
      expect(r.code, `${extra.join(" ")}: ${r.stderr}`).toBe(1);
      expect(r.stderr.trim().split("\n"), extra.join(" ")).toHaveLength(1);
      expect(r.stderr, extra.join(" ")).toMatch(message);
    }
    expect(clusters(dir)).toEqual([]);
    const ok = cli(dir, [
      ...ADD,
      "--min-poll-interval",
      "120",
      "--poll-interval",
      "180",
      "--module",
      "CRYSTAL/23",
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(clusters(dir)[0]!.config).toEqual({
      min_poll_interval: 120,
      poll_interval: 180,
      modules: ["CRYSTAL/23"],
    });
  });

  it("cluster edit changes what it is given, checks the whole, and a refused edit changes nothing", () => {
    const dir = tempProject();
    expect(cli(dir, [...ADD, "--module", "a/1", "--module", "b/2", "--partition", "debug"]).code).toBe(0);
    const bad = cli(dir, ["cluster", "edit", "hpc", "--module", "crystal;x"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/module "crystal;x" is not a module name/);
    expect(clusters(dir)[0]!.config).toEqual({ modules: ["a/1", "b/2"], partition: "debug" });
    const edited = cli(dir, [
      "cluster",
      "edit",
      "hpc",
      "--module",
      "CRYSTAL/23",
      "--unset",
      "partition",
      "--poll-interval",
      "60",
    ]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(clusters(dir)[0]!.config).toEqual({ modules: ["CRYSTAL/23"], poll_interval: 60 });
    // the type is not a setting: it cannot change
    expect(cli(dir, ["cluster", "edit", "hpc", "--type", "ssh"])).toMatchObject({ code: 2 });
    expect(cli(dir, ["cluster", "edit", "hpc", "--unset", "hostname"]).stderr).toMatch(
      /is not a setting that can be unset/,
    );
    expect(cli(dir, ["cluster", "edit", "hpc", "--rename", "big"]).code).toBe(0);
    expect(clusters(dir).map((c) => c.name)).toEqual(["big"]);
    expect(cli(dir, ["cluster", "edit", "nope", "--partition", "x"]).stderr).toMatch(
      /there is no cluster 'nope'/,
    );
  });

  it("--ssh-config names the file ssh reads for the cluster: checked by ssh when given, kept, editable", () => {
    const dir = tempProject();
    const conf = path.join(dir, "site_ssh_config");
    fs.writeFileSync(conf, "Host myhpc\n  HostName login.hpc.example\n  Port 2200\n  User chem42\n");
    // the alias is read from that file (no CRYSTAL_TUI_SSH_CONFIG says it), the path kept absolute
    const added = cliJson<{ port: number; username: string; config: Record<string, unknown> }>(
      dir,
      [
        "cluster",
        "add",
        "hpc",
        "--type",
        "slurm",
        "--host",
        "myhpc",
        "--ssh-config",
        path.relative(process.cwd(), conf),
      ],
      { CRYSTAL_TUI_SSH_CONFIG: path.join(dir, "no-such-config") },
    );
    expect(added).toMatchObject({
      port: 2200,
      username: "chem42",
      config: { ssh_alias: "myhpc", ssh_config: conf },
    });
    // a file that is not there, and one ssh rejects: one line naming the file, nothing added
    const broken = path.join(dir, "broken_config");
    fs.writeFileSync(broken, "Host x\n  NoSuchOption yes\n");
    const missing = path.join(dir, "missing_config");
    for (const [file, why] of [
      [missing, /--ssh-config .*missing_config does not exist/],
      [
        broken,
        /ssh rejects the config .*broken_config: .*NoSuchOption|ssh rejects the config .*broken_config: .*Bad configuration option/,
      ],
    ] as const) {
      const r = cli(dir, [
        "cluster",
        "add",
        "other",
        "--type",
        "ssh",
        "--host",
        "h.example",
        "--ssh-config",
        file,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(clusters(dir).map((c) => c.name)).toEqual(["hpc"]);
    // edit: a bad file changes nothing; --unset ssh-config goes back to the default
    expect(cli(dir, ["cluster", "edit", "hpc", "--ssh-config", broken]).code).toBe(1);
    expect(clusters(dir)[0]!.config.ssh_config).toBe(conf);
    expect(cli(dir, ["cluster", "edit", "hpc", "--unset", "ssh-config"]).code).toBe(0);
    expect(clusters(dir)[0]!.config.ssh_config).toBeUndefined();
  });

  it("a cluster recorded with bad settings before is unavailable with its reason; local jobs still run", () => {
    const dir = tempProject();
    expect(cli(dir, ["cluster", "add", "old", "--type", "ssh", "--host", "127.0.0.1"]).code).toBe(0);
    const store = Store.open(dir);
    // what an earlier crystal-tui let through
    sql(store)
      .prepare("UPDATE clusters SET connection_config = ? WHERE name = 'old'")
      .run(JSON.stringify({ modules: ["foo bar"] }));
    store.close();
    const deck = writeDeck(
      dir,
      "mgo.d12",
      MGO_DECK.replace("MgO bulk test", "MgO [standin:aiida-crystal17__mgo_sto3g_scf]"),
    );
    expect(cli(dir, ["job", "add", "remote", "--input", deck, "--cluster", "old"]).code).toBe(0);
    expect(cli(dir, ["job", "add", "here", "--input", deck]).code).toBe(0);
    const run = cli(dir, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/job 2 \(here\) COMPLETED/);
    expect(run.stdout).toMatch(
      /old: cluster 'old': module "foo bar" is not a module name .*cluster edit old/,
    );
    expect(run.stdout).not.toMatch(/retrying/);
    const jobs = cliJson<{ id: number; status: string }[]>(dir, ["job", "list"]);
    expect(jobs.map((j) => [j.id, j.status])).toEqual([
      [2, "COMPLETED"],
      [1, "PENDING"],
    ]);
  });

  it("cluster rm refuses while jobs are unfinished; --force cancels them with the reason", () => {
    const dir = tempProject();
    expect(cli(dir, [...ADD]).code).toBe(0);
    const deck = writeDeck(dir);
    for (const name of ["a", "b"])
      expect(cli(dir, ["job", "add", name, "--input", deck, "--cluster", "hpc"]).code).toBe(0);
    const refused = cli(dir, ["cluster", "rm", "hpc"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /cluster hpc has 2 unfinished job\(s\) \(1, 2\) — cancel them first, or remove it with force/,
    );
    expect(clusters(dir)).toHaveLength(1);
    const forced = cliJson<{ cancelled: number[] }>(dir, ["cluster", "rm", "hpc", "--force"]);
    expect(forced.cancelled).toEqual([1, 2]);
    expect(clusters(dir)).toEqual([]);
    const shown = cliJson<{ status: string; status_reason: string; cluster: string | null }>(dir, [
      "job",
      "show",
      "1",
    ]);
    expect(shown).toMatchObject({
      status: "CANCELLED",
      status_reason: "cancelled: its cluster hpc was removed by cluster rm --force",
      cluster: null,
    });
    expect(fs.existsSync(path.join(dir, ".crystal_tui.db"))).toBe(true);
  });
});
