// What a cluster's self-test reports — the same script for `cluster test`, an engine's readiness
// check, and (its environment part) every job: which programs it found where, which are missing,
// which modules failed to load, and the scheduler's partitions. The script (src/runners/self-test.ts)
// prints one line per finding; this reads them.

export interface SelfTestFindings {
  /** Programs found, by name → where. */
  programs: Map<string, string>;
  missing: Set<string>;
  modulesFailed: string[];
  /** The scheduler's partitions (SLURM: sinfo), and the default one. */
  partitions: string[];
  defaultPartition?: string;
}

/** A self-test: the shell script to run on the cluster, and how to read what it prints. */
export interface SelfTest {
  script: string;
  read(stdout: string): SelfTestFindings;
}

/** The lines of a self-test: `FOUND name where`, `MISSING name`, `MODULE-FAILED name`, `PARTITION p[*]`. */
export function readSelfTest(stdout: string): SelfTestFindings {
  const found: SelfTestFindings = {
    programs: new Map(),
    missing: new Set(),
    modulesFailed: [],
    partitions: [],
  };
  for (const line of stdout.split("\n")) {
    const [tag, name, ...rest] = line.trim().split(" ");
    if (!name) continue;
    if (tag === "FOUND") found.programs.set(name, rest.join(" "));
    else if (tag === "MISSING") found.missing.add(name);
    else if (tag === "MODULE-FAILED") found.modulesFailed.push([name, ...rest].join(" "));
    else if (tag === "PARTITION") {
      const p = name.replace(/\*$/, "");
      if (name.endsWith("*")) found.defaultPartition = p;
      if (!found.partitions.includes(p)) found.partitions.push(p);
    }
  }
  return found;
}

/** How a check of `cluster test` ended. */
export type CheckOutcome = "ok" | "warning" | "failed" | "skipped";

/** A check a scheduler adds to `cluster test`, read off the self-test's findings. */
export interface SchedulerCheck {
  name: string;
  outcome: Exclude<CheckOutcome, "skipped">;
  detail: string;
}

/**
 * What a batch scheduler adds to `cluster test` (src/runners/batch-scheduler.ts implements it): the
 * names of its checks, in order (skipped together when the login fails), and their results from
 * what the self-test found. `cluster test` asks the cluster's scheduler, never its type's name.
 */
export interface SchedulerSelfCheck {
  readonly checkNames: readonly string[];
  selfTestChecks(
    found: SelfTestFindings,
    cluster: { name: string; config: { partition?: string } },
    modulesNote: string,
  ): SchedulerCheck[];
}
