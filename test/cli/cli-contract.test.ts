// The CLI as scripts and other tools use it: JSON shapes, exit codes (0 ok, 1 failure, 2 bad usage),
// one-line errors on stderr that say what to do, and bad input that changes nothing.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, tempProject, writeDeck } from "../helpers/project.js";

interface JobJson {
  id: number;
  name: string;
  status: string;
  runner_type: string;
  cluster: string | null;
  final_energy: number | null;
  created_at: string;
}

function counts(project: string) {
  return cliJson<{ jobs: number; clusters: number }>(project, ["db", "status"]);
}

describe("crystal-tui CLI", () => {
  it("db status reports path, schema version and counts", () => {
    const project = tempProject();
    const status = cliJson<Record<string, unknown>>(project, ["db", "status"]);
    expect(status).toMatchObject({ path: path.join(project, ".crystal_tui.db"), jobs: 0, clusters: 0 });
    expect(status.schema_version).toBeGreaterThanOrEqual(2);
    expect(cli(project, ["db", "migrate"]).code).toBe(0);
  });

  it("job add / list / show / rm round trip with dependencies and a cluster", () => {
    const project = tempProject();
    const deck = writeDeck(project);
    const gui = path.join(project, "start.gui");
    fs.writeFileSync(gui, "geometry\n");
    expect(
      cli(project, [
        "cluster",
        "add",
        "hpc",
        "--type",
        "slurm",
        "--host",
        "login.hpc.example",
        "--user",
        "chem",
        "--partition",
        "debug",
      ]).code,
    ).toBe(0);
    const a = cliJson<{ id: number }>(project, ["job", "add", "mgo_opt", "--input", deck, "--aux", gui]);
    const b = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "mgo_freq",
      "--input",
      deck,
      "--cluster",
      "hpc",
      "--ranks",
      "4",
      "--threads",
      "2",
      "--time",
      "01:00:00",
      "--after-ok",
      String(a.id),
    ]);
    const list = cliJson<JobJson[]>(project, ["job", "list"]);
    expect(list.map((j) => j.name)).toEqual(["mgo_freq", "mgo_opt"]); // newest first
    expect(list[0]).toMatchObject({
      status: "PENDING",
      runner_type: "slurm",
      cluster: "hpc",
      final_energy: null,
    });
    expect(list[1]).toMatchObject({ runner_type: "local", cluster: null });
    const shown = cliJson<Record<string, unknown>>(project, ["job", "show", String(b.id)]);
    expect(shown.parallelism).toEqual({ mpi_ranks: 4, threads_per_rank: 2, time: "01:00:00" });
    expect(shown.dependencies).toEqual([
      { job_id: a.id, name: "mgo_opt", type: "after_ok", status: "PENDING" },
    ]);
    expect((shown.can_run as { ok: boolean }).ok).toBe(false);
    // the job folder holds the deck and the auxiliary file
    const folder = cliJson<{ folder: string }>(project, ["job", "show", String(a.id)]).folder;
    expect(path.dirname(folder)).toBe(path.join(project, "calculations"));
    expect(fs.readFileSync(path.join(folder, "mgo_opt.d12"), "utf8")).toBe(fs.readFileSync(deck, "utf8"));
    expect(fs.existsSync(path.join(folder, "start.gui"))).toBe(true);
    expect(cliJson<JobJson[]>(project, ["job", "list", "--status", "pending"])).toHaveLength(2);
    expect(cliJson<JobJson[]>(project, ["job", "list", "--status", "COMPLETED"])).toHaveLength(0);
    const human = cli(project, ["job", "show", String(b.id)]);
    expect(human.stdout).toMatch(/waiting for job \d+ \(mgo_opt\)/);
    expect(cli(project, ["job", "rm", String(b.id)]).code).toBe(0);
    expect(counts(project).jobs).toBe(1);
    const clusters = cliJson<{ name: string; config: Record<string, unknown> }[]>(project, [
      "cluster",
      "list",
    ]);
    expect(clusters).toEqual([expect.objectContaining({ name: "hpc", config: { partition: "debug" } })]);
    expect(cli(project, ["cluster", "rm", "hpc"]).code).toBe(0);
  });

  it("bad input: one line saying what to do, the right exit code, and nothing changed", () => {
    const project = tempProject();
    const deck = writeDeck(project);
    cli(project, ["cluster", "add", "hpc", "--type", "ssh", "--host", "h", "--user", "u"]);
    const first = cliJson<{ id: number }>(project, ["job", "add", "a", "--input", deck]);
    const badDeck = path.join(project, "bad.d12");
    fs.writeFileSync(badDeck, fs.readFileSync(deck, "utf8").replace("SHRINK\n8 8", "SHRINK\n8"));
    const externalDeck = path.join(project, "freq.d12");
    fs.writeFileSync(
      externalDeck,
      "MgO freq\nEXTERNAL\nFREQCALC\nEND\nEND\nBASISSET\nSTO-3G\nSHRINK\n8 8\nEND\n",
    );
    const before = counts(project);
    const cases: [string[], number, RegExp][] = [
      [["job", "add", "x", "--input", deck, "--cluster", "nowhere"], 1, /no cluster 'nowhere'.*cluster list/],
      [
        ["job", "add", "x", "--input", path.join(project, "missing.d12")],
        1,
        /deck file .*missing\.d12 does not exist — check the path given to --input/,
      ],
      [["job", "add", "x", "--input", deck, "--after-ok", "999"], 1, /no such job/],
      [["job", "add", "x", "--input", deck, "--after-ok", "abc"], 2, /not a job id/],
      [["job", "add", "../../etc/passwd", "--input", deck], 1, /not allowed/],
      [["job", "add", "$(rm -rf ~)", "--input", deck], 1, /not allowed/],
      [["job", "add", "x", "--input", deck, "--ranks", "two"], 1, /whole number/],
      [["job", "add", "x", "--input", deck, "--time", "forever"], 1, /HH:MM:SS/],
      [["job", "add", "x", "--input", deck, "--partition", "debug;reboot"], 1, /partition/],
      [["job", "add", "x"], 2, /give the deck with --input FILE, or the job to copy with --from ID/],
      [["job", "show", "abc"], 2, /not a job id/],
      [["job", "show", "12345"], 1, /no job 12345/],
      [["job", "list", "--status", "DONE"], 2, /unknown/],
      [["cluster", "add", "hpc", "--type", "ssh", "--host", "h", "--user", "u"], 1, /already exists/],
      [["cluster", "add", "new", "--type", "pbs", "--host", "h", "--user", "u"], 1, /ssh or slurm/],
      [["cluster", "show", "nope"], 1, /no cluster 'nope'/],
      [
        [
          "cluster",
          "add",
          "fast",
          "--type",
          "slurm",
          "--host",
          "login.hpc.example",
          "--user",
          "u",
          "--poll-interval",
          "2",
        ],
        1,
        /poll interval 2 s is below the minimum of 10 s/,
      ],
      [["frobnicate"], 2, /unknown command/],
      [["job", "add", "x", "--input", badDeck], 1, /bad\.d12 line 13: SHRINK needs two integers/],
      [
        ["job", "add", "x", "--input", externalDeck],
        1,
        /reads fort\.34, which nothing provides — give it with --aux FILE\.gui or --geometry-from/,
      ],
      [
        ["job", "add", "x", "--input", externalDeck, "--geometry-from", "77"],
        1,
        /--geometry-from 77: there is no such job/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(project, args);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack traces
    }
    expect(counts(project)).toEqual(before);
    expect(fs.readdirSync(path.join(project, "calculations"))).toHaveLength(1);
    expect(cliJson<JobJson>(project, ["job", "show", String(first.id)]).status).toBe("PENDING");
    // the same EXTERNAL deck is accepted once a parent provides the geometry, and waits for it
    const freq = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "freq",
      "--input",
      externalDeck,
      "--geometry-from",
      String(first.id),
    ]);
    const shown = cliJson<{ dependencies: { job_id: number; type: string }[] }>(project, [
      "job",
      "show",
      String(freq.id),
    ]);
    expect(shown.dependencies).toEqual([expect.objectContaining({ job_id: first.id, type: "after_ok" })]);
  });

  it("cluster add --host ALIAS takes HostName, Port and User from ~/.ssh/config", () => {
    const project = tempProject();
    const conf = path.join(project, "ssh_config");
    fs.writeFileSync(conf, "Host myhpc\n  HostName login7.hpc.example.org\n  Port 2200\n  User chem42\n");
    const c = cliJson<{ port: number; username: string; config: Record<string, unknown> }>(
      project,
      ["cluster", "add", "hpc", "--type", "slurm", "--host", "myhpc"],
      { CRYSTAL_TUI_SSH_CONFIG: conf },
    );
    expect(c).toMatchObject({ port: 2200, username: "chem42", config: { ssh_alias: "myhpc" } });
    // an explicit --user still wins, a plain host name is no alias
    const d = cliJson<{ username: string; config: Record<string, unknown> }>(
      project,
      ["cluster", "add", "plain", "--type", "ssh", "--host", "10.1.2.3", "--user", "me"],
      { CRYSTAL_TUI_SSH_CONFIG: conf },
    );
    expect(d).toMatchObject({ username: "me", config: {} });
  });

  it("--project wins over $CRYSTAL_TUI_PROJECT; a missing project folder is a clear error", () => {
    const a = tempProject();
    const b = tempProject();
    writeDeck(a);
    cli(a, ["job", "add", "one", "--input", path.join(a, "mgo.d12")]);
    const viaEnv = cli(b, ["db", "status", "--json"], { CRYSTAL_TUI_PROJECT: a });
    // --project wins over the environment
    expect(JSON.parse(viaEnv.stdout).jobs).toBe(0);
    const missing = cli(path.join(a, "nope"), ["db", "status"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});
