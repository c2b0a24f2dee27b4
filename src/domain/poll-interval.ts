// How often a cluster may be polled: the rule, in one place (runners apply it, `cluster add` checks it).
import { UserError } from "./errors.js";
import type { Cluster } from "./types.js";

/**
 * Poll intervals. The default (30 s) and the minimum (10 s) protect a shared login node and SLURM
 * controller: HPC centres ask users not to call squeue in tight loops. A cluster on this machine's
 * loopback (127.0.0.0/8, ::1 — a test cluster, a workstation's own SLURM) has no one to protect,
 * and may poll every second so that tests and small local setups respond quickly.
 */
export const DEFAULT_POLL_SECONDS = 30;
export const MIN_POLL_SECONDS = 10;
export const MIN_POLL_SECONDS_LOOPBACK = 1;

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The least time between polls of a cluster: crystal-tui's own minimum, or the site's when higher. */
export function minimumPollSeconds(host: string, siteMinimum?: number): number {
  const own = isLoopbackHost(host) ? MIN_POLL_SECONDS_LOOPBACK : MIN_POLL_SECONDS;
  return Math.max(own, siteMinimum ?? 0);
}

export function pollIntervalMsFor(
  cluster: Pick<Cluster, "config">,
  host: string,
  overrideMs?: number,
): number {
  const min = minimumPollSeconds(host, cluster.config.min_poll_interval);
  const asked =
    overrideMs !== undefined
      ? overrideMs / 1000
      : Number(cluster.config.poll_interval ?? Math.max(DEFAULT_POLL_SECONDS, min));
  const seconds = Number.isFinite(asked) && asked > 0 ? asked : DEFAULT_POLL_SECONDS;
  return Math.round(Math.max(min, seconds) * 1000);
}

/** A cluster's poll interval: refused below the minimum (the site's when it set one), with the reason. */
export function checkPollInterval(seconds: number, host: string, siteMinimum?: number): number {
  const min = minimumPollSeconds(host, siteMinimum);
  if (seconds < min) {
    const whose = siteMinimum !== undefined && siteMinimum >= min ? "the site's minimum" : "the minimum";
    throw new UserError(
      `poll interval ${seconds} s is below ${whose} of ${min} s for ${host} — HPC centres ask users not to poll the scheduler in tight loops`,
    );
  }
  return seconds;
}
