// The checks a user meets when naming a job or cluster, asking for resources or setting up a
// cluster: each accepted and refused value written out here (not derived from the code's patterns),
// and every refusal says which field and what is allowed.
import { describe, expect, it } from "vitest";
import { checkClusterAddress, checkClusterConfig, checkOneLine } from "../../src/domain/cluster-settings.js";
import { UsageError, UserError } from "../../src/domain/errors.js";
import { checkClusterName, checkJobName, parseJobId } from "../../src/domain/names.js";
import { checkParallelism, coresOf, timeLimitSeconds } from "../../src/domain/parallelism.js";
import {
  checkPollInterval,
  isLoopbackHost,
  minimumPollSeconds,
  pollIntervalMsFor,
} from "../../src/domain/poll-interval.js";
import type { ClusterConfig } from "../../src/domain/types.js";

const refused = (fn: () => unknown, pattern: RegExp, kind: typeof UserError = UserError) => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, String(pattern)).toBeInstanceOf(kind);
  expect((caught as Error).message).toMatch(pattern);
};

describe("names", () => {
  it("job and cluster names: letters, digits . _ + -, starting with a letter or digit, 1–64 long", () => {
    for (const ok of ["mgo", "MgO_scf-1.2+x", "9", "a".repeat(64)]) {
      expect(checkJobName(ok)).toBe(ok);
      expect(checkClusterName(ok)).toBe(ok);
    }
    for (const bad of ["", "-x", ".x", "a b", "a/b", "a;b", "a..b", "a".repeat(65), "é", "x\n"]) {
      refused(() => checkJobName(bad), /^job name .* is not allowed — use 1–64 letters/);
      refused(() => checkClusterName(bad), /^cluster name .* is not allowed — use 1–64 letters/);
    }
  });

  it("job ids are positive whole numbers; anything else is a usage error", () => {
    expect(parseJobId("42")).toBe(42);
    expect(parseJobId(" 7 ")).toBe(7);
    expect(parseJobId(3)).toBe(3);
    for (const bad of ["0", "-1", "1.5", "x", "", "1e3", "1234567890123456"]) {
      refused(() => parseJobId(bad), /is not a job id — job ids are positive whole numbers/, UsageError);
    }
  });
});

describe("resources", () => {
  it("time limits in seconds, HH:MM:SS or D-HH:MM:SS", () => {
    expect(timeLimitSeconds("00:00:01")).toBe(1);
    expect(timeLimitSeconds("01:02:03")).toBe(3723);
    expect(timeLimitSeconds("2-00:00:00")).toBe(172_800);
    expect(timeLimitSeconds("1-01:01:01")).toBe(90_061);
    for (const bad of ["1:60:00", "1:00:60", "10", "1-1", "01:00", "a-01:00:00", " 01:00:00"]) {
      refused(() => timeLimitSeconds(bad), /^time .* is not valid — use HH:MM:SS or D-HH:MM:SS$/);
    }
  });

  it("ranks, threads, nodes are whole numbers within their bounds; SLURM words without punctuation", () => {
    const all = {
      mpi_ranks: 100_000,
      threads_per_rank: 1024,
      nodes: 10_000,
      time: "1-00:00:00",
      partition: "gpu.q",
      qos: "high",
      account: "chem_01",
      mem: "4G",
      constraint: "skylake&ib",
    };
    expect(checkParallelism(all)).toEqual(all);
    expect(checkParallelism({})).toEqual({});
    expect(checkParallelism({ mpi_ranks: 1, threads_per_rank: 1, nodes: 1, mem: "512" })).toEqual({
      mpi_ranks: 1,
      threads_per_rank: 1,
      nodes: 1,
      mem: "512",
    });
    const bad: [object, RegExp][] = [
      [{ mpi_ranks: 0 }, /^ranks \(mpi_ranks\) must be a whole number from 1 to 100000, not 0$/],
      [{ mpi_ranks: 100_001 }, /ranks \(mpi_ranks\) must be a whole number from 1 to 100000/],
      [{ mpi_ranks: 1.5 }, /ranks/],
      [{ mpi_ranks: "4" }, /ranks .* not "4"/],
      [{ threads_per_rank: 1025 }, /^threads \(threads_per_rank\) must be a whole number from 1 to 1024/],
      [{ nodes: 10_001 }, /^nodes must be a whole number from 1 to 10000/],
      [{ time: "forever" }, /^time "forever" is not valid/],
      [{ partition: "gpu q" }, /^partition "gpu q" is not valid — letters, digits/],
      [{ qos: "a;b" }, /^qos "a;b" is not valid/],
      [{ account: "-x" }, /^account "-x" is not valid/],
      [{ mem: "4GB" }, /^mem "4GB" is not valid — a number with an optional K, M, G or T suffix/],
      [{ constraint: "a b" }, /^constraint "a b" is not valid — SLURM feature names/],
      [{ constraint: 7 }, /^constraint 7 is not valid/],
    ];
    for (const [p, pattern] of bad) refused(() => checkParallelism(p), pattern);
  });

  it("cores on one machine: ranks × threads, at least one", () => {
    expect(coresOf({})).toBe(1);
    expect(coresOf({ mpi_ranks: 4 })).toBe(4);
    expect(coresOf({ threads_per_rank: 3 })).toBe(3);
    expect(coresOf({ mpi_ranks: 4, threads_per_rank: 2 })).toBe(8);
    expect(coresOf({ mpi_ranks: 0, threads_per_rank: 0 })).toBe(1);
  });
});

describe("poll intervals", () => {
  it("loopback hosts may poll every second, others every 10 s, a site's minimum when higher", () => {
    for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["128.0.0.1", "127.0.0", "hpc.example.org", "10.0.0.1", "127.0.0.1.example"])
      expect(isLoopbackHost(h), h).toBe(false);
    expect(minimumPollSeconds("127.0.0.1")).toBe(1);
    expect(minimumPollSeconds("hpc")).toBe(10);
    expect(minimumPollSeconds("hpc", 60)).toBe(60);
    expect(minimumPollSeconds("hpc", 5)).toBe(10);
    expect(minimumPollSeconds("127.0.0.1", 5)).toBe(5);
  });

  it("the interval a runner uses: asked, default 30 s, never below the minimum", () => {
    const cfg = (config: ClusterConfig) => ({ config });
    expect(pollIntervalMsFor(cfg({}), "hpc")).toBe(30_000);
    expect(pollIntervalMsFor(cfg({}), "127.0.0.1")).toBe(30_000);
    expect(pollIntervalMsFor(cfg({ min_poll_interval: 120 }), "hpc")).toBe(120_000);
    expect(pollIntervalMsFor(cfg({ poll_interval: 45 }), "hpc")).toBe(45_000);
    expect(pollIntervalMsFor(cfg({ poll_interval: 2 }), "hpc")).toBe(10_000);
    expect(pollIntervalMsFor(cfg({ poll_interval: 2 }), "127.0.0.1")).toBe(2_000);
    expect(pollIntervalMsFor(cfg({ poll_interval: 45 }), "hpc", 15_000)).toBe(15_000);
    expect(pollIntervalMsFor(cfg({}), "hpc", 1_000)).toBe(10_000);
    expect(pollIntervalMsFor(cfg({}), "127.0.0.1", 1_500)).toBe(1_500);
    expect(pollIntervalMsFor(cfg({ poll_interval: -5 }), "hpc")).toBe(30_000);
    expect(pollIntervalMsFor(cfg({}), "hpc", 0)).toBe(30_000);
  });

  it("an interval below the minimum is refused, naming whose minimum", () => {
    expect(checkPollInterval(10, "hpc")).toBe(10);
    expect(checkPollInterval(1, "127.0.0.1")).toBe(1);
    expect(checkPollInterval(60, "hpc", 60)).toBe(60);
    refused(
      () => checkPollInterval(9, "hpc"),
      /^poll interval 9 s is below the minimum of 10 s for hpc — HPC centres/,
    );
    refused(
      () => checkPollInterval(30, "hpc", 60),
      /^poll interval 30 s is below the site's minimum of 60 s for hpc/,
    );
    refused(() => checkPollInterval(9, "hpc", 5), /below the minimum of 10 s/);
  });
});

describe("cluster settings", () => {
  it("one line of text only", () => {
    expect(checkOneLine("mpirun", "mpirun -np 4")).toBe("mpirun -np 4");
    for (const bad of ["a\nb", "a\rb", "a\0b", 7, null])
      refused(() => checkOneLine("mpirun", bad), /^mpirun .* is not valid — it must be one line of text$/);
  });

  it("addresses: host names or addresses, ports 1–65535, login names, known statuses", () => {
    for (const c of [
      { hostname: "hpc.example.org" },
      { hostname: "127.0.0.1" },
      { hostname: "fe80::1" },
      { port: 1 },
      { port: 65535 },
      { username: "_svc.x-1" },
      { status: "active" },
      { status: "inactive" },
      { status: "error" },
      {},
    ])
      expect(() => checkClusterAddress(c), JSON.stringify(c)).not.toThrow();
    refused(() => checkClusterAddress({ hostname: "-x" }), /^host "-x" is not a host name or address$/);
    refused(() => checkClusterAddress({ hostname: "a b" }), /^host/);
    refused(() => checkClusterAddress({ hostname: "" }), /^host/);
    refused(() => checkClusterAddress({ port: 0 }), /^port 0 must be a whole number from 1 to 65535$/);
    refused(() => checkClusterAddress({ port: 65536 }), /^port 65536/);
    refused(() => checkClusterAddress({ port: 22.5 }), /^port 22.5/);
    refused(() => checkClusterAddress({ username: "1x" }), /^user "1x" is not a valid login name$/);
    refused(() => checkClusterAddress({ username: "a b" }), /^user/);
    refused(
      () => checkClusterAddress({ status: "busy" }),
      /^cluster status "busy" is unknown — use active, inactive or error$/,
    );
  });

  it("every setting a runner needs, accepted as given or refused with its name", () => {
    const good: ClusterConfig = {
      modules: ["CRYSTAL/23", "intel-oneapi-mpi/2021.9.0", "foss@2023a", "a:b+c_d.e"],
      env: { OMP_STACKSIZE: "256M", _X1: "a b" },
      crystal_exedir: "/opt/crystal/bin",
      mpirun: "srun",
      remote_dir: "~/crystal-runs",
      partition: "batch",
      account: "chem",
      qos: "normal",
      max_jobs: 100_000,
      min_poll_interval: 60,
      poll_interval: 60,
      keep_remote: false,
    };
    expect(checkClusterConfig(good, "hpc")).toBe(good);
    expect(checkClusterConfig({ min_poll_interval: 86_400, max_jobs: 1 })).toEqual({
      min_poll_interval: 86_400,
      max_jobs: 1,
    });
    for (const dir of ["~", "~/a/b", "/scratch/u", "runs", "runs/x.y"])
      expect(checkClusterConfig({ remote_dir: dir }).remote_dir).toBe(dir);
    const bad: [ClusterConfig, RegExp][] = [
      [
        { password: "x" } as ClusterConfig,
        /^cluster settings may not hold a password: crystal-tui never stores secrets/,
      ],
      [{ ssh_token: "x" } as ClusterConfig, /may not hold a ssh_token/],
      [{ passphrase: "x" } as ClusterConfig, /may not hold a passphrase/],
      [{ api_secret: "x" } as ClusterConfig, /may not hold a api_secret/],
      [{ modules: "CRYSTAL/23" } as unknown as ClusterConfig, /^modules must be a list of module names$/],
      [{ modules: ["foo bar"] }, /^module "foo bar" is not a module name — use letters/],
      [{ modules: ["a;b"] }, /^module "a;b"/],
      [{ modules: ["/abs"] }, /^module "\/abs"/],
      [{ env: { "1X": "a" } }, /^environment variable name "1X" is not valid/],
      [{ env: { "A-B": "a" } }, /^environment variable name "A-B"/],
      [{ env: { A: "a\nb" } }, /^the value of environment variable A .* must be one line/],
      [{ crystal_exedir: "/a\n/b" }, /^crystal_exedir /],
      [{ mpirun: "a\rb" }, /^mpirun /],
      [{ key_path: "a\nb" }, /^key_path /],
      [{ known_hosts: "a\nb" }, /^known_hosts /],
      [{ ssh_alias: "a\nb" }, /^ssh_alias /],
      [{ remote_dir: "a\nb" }, /^remote_dir .* one line/],
      [{ remote_dir: "/a b" }, /^remote_dir "\/a b" is not valid — give \/path, ~\/path/],
      [{ remote_dir: "~user/x" }, /^remote_dir/],
      [{ remote_dir: "/a/../b" }, /^remote_dir/],
      [{ remote_dir: ".." }, /^remote_dir/],
      [{ remote_dir: "a/.." }, /^remote_dir/],
      [{ remote_dir: "$HOME/x" }, /^remote_dir/],
      [{ partition: "a b" }, /^partition "a b" is not valid/],
      [{ account: 3 } as unknown as ClusterConfig, /^account 3 is not valid/],
      [{ qos: "-q" }, /^qos "-q" is not valid/],
      [{ max_jobs: 0 }, /^max_jobs 0 must be a whole number from 1 to 100000$/],
      [{ max_jobs: 100_001 }, /^max_jobs/],
      [{ min_poll_interval: 0 }, /^min_poll_interval 0 must be a whole number from 1 to 86400$/],
      [{ min_poll_interval: 86_401 }, /^min_poll_interval 86401 must be a whole number from 1 to 86400$/],
      [{ poll_interval: 1.5 }, /^poll_interval 1.5 must be a whole number/],
      [{ keep_remote: "yes" } as unknown as ClusterConfig, /^keep_remote must be true or false$/],
    ];
    for (const [c, pattern] of bad) refused(() => checkClusterConfig(c, "hpc"), pattern);
    // the poll interval's minimum depends on the host, and is not checked without one
    refused(() => checkClusterConfig({ poll_interval: 5 }, "hpc"), /below the minimum of 10 s/);
    expect(checkClusterConfig({ poll_interval: 5 }, "127.0.0.1").poll_interval).toBe(5);
    expect(checkClusterConfig({ poll_interval: 5 }).poll_interval).toBe(5);
    refused(
      () => checkClusterConfig({ poll_interval: 30, min_poll_interval: 60 }, "hpc"),
      /below the site's minimum of 60 s/,
    );
  });
});
