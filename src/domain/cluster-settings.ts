// What a cluster may be set to, checked in one place when it is added or edited — every field a
// runner will later need, so that a bad value is refused at once with one line, not discovered by
// the engine (the store checks every create and update with this; a runner built from an older,
// unchecked record checks it again and makes only its own cluster unavailable). Values reach the
// shell quoted anyway; these rules make them mean what the user meant.
import { UserError } from "./errors.js";
import { SLURM_WORD } from "./parallelism.js";
import { checkPollInterval } from "./poll-interval.js";
import { CLUSTER_STATUSES, type ClusterConfig, type ClusterStatus } from "./types.js";

const SECRET_KEYS = /pass(word|phrase)?|secret|token/i;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$/;
const USER = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;
// environment-module names: "CRYSTAL/23", "intel-oneapi-mpi/2021.9.0", "foss@2023a"
const MODULE = /^[A-Za-z0-9][A-Za-z0-9_.+/:@-]{0,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// a remote folder that can appear in a batch script's directives as one word: /…, ~/… or a folder
// relative to the login folder
const REMOTE_DIR = /^(~|~\/[A-Za-z0-9_.+/-]*|\/[A-Za-z0-9_.+/-]*|[A-Za-z0-9_.+-][A-Za-z0-9_.+/-]*)$/;

/** A value that could start a new line of a script (or is not text at all) is refused. */
export function checkOneLine(field: string, value: unknown): string {
  if (typeof value !== "string" || /[\n\r\0]/.test(value)) {
    throw new UserError(`${field} ${JSON.stringify(value)} is not valid — it must be one line of text`);
  }
  return value;
}

function positiveWhole(field: string, v: unknown, max: number): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) {
    throw new UserError(`${field} ${JSON.stringify(v)} must be a whole number from 1 to ${max}`);
  }
}

/** The address and login of a cluster (each part when given). */
export function checkClusterAddress(c: {
  hostname?: string;
  port?: number;
  username?: string;
  status?: string;
}): void {
  if (c.hostname !== undefined && !HOST.test(c.hostname)) {
    throw new UserError(`host ${JSON.stringify(c.hostname)} is not a host name or address`);
  }
  if (c.port !== undefined && (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535)) {
    throw new UserError(`port ${JSON.stringify(c.port)} must be a whole number from 1 to 65535`);
  }
  if (c.username !== undefined && !USER.test(c.username)) {
    throw new UserError(`user ${JSON.stringify(c.username)} is not a valid login name`);
  }
  if (c.status !== undefined && !CLUSTER_STATUSES.includes(c.status as ClusterStatus)) {
    throw new UserError(
      `cluster status ${JSON.stringify(c.status)} is unknown — use active, inactive or error`,
    );
  }
}

/**
 * A cluster's settings, every field checked; `host` decides the poll-interval minimum (loopback
 * clusters may poll faster; without a host the interval is not checked). Returns them as they are.
 */
export function checkClusterConfig(c: ClusterConfig, host?: string): ClusterConfig {
  for (const key of Object.keys(c)) {
    if (SECRET_KEYS.test(key)) {
      throw new UserError(
        `cluster settings may not hold a ${key}: crystal-tui never stores secrets — use a key file or the ssh-agent`,
      );
    }
  }
  if (c.modules !== undefined) {
    if (!Array.isArray(c.modules)) throw new UserError("modules must be a list of module names");
    for (const m of c.modules) {
      if (typeof m !== "string" || !MODULE.test(m)) {
        throw new UserError(
          `module ${JSON.stringify(m)} is not a module name — use letters, digits and . _ + / : @ - (no spaces or ;)`,
        );
      }
    }
  }
  for (const [name, value] of Object.entries(c.env ?? {})) {
    if (!ENV_NAME.test(name)) {
      throw new UserError(
        `environment variable name ${JSON.stringify(name)} is not valid — use letters, digits and _`,
      );
    }
    checkOneLine(`the value of environment variable ${name}`, value);
  }
  for (const field of ["crystal_exedir", "mpirun", "key_path", "known_hosts", "ssh_alias"] as const) {
    if (c[field] !== undefined) checkOneLine(field, c[field]);
  }
  if (c.ssh_config !== undefined) {
    checkOneLine("ssh_config", c.ssh_config);
    // ssh reads it from wherever crystal-tui runs later: a relative path would move with the folder
    if (!c.ssh_config.startsWith("/") || c.ssh_config.includes('"')) {
      throw new UserError(
        `ssh_config ${JSON.stringify(c.ssh_config)} must be an absolute path without quotes — give the file's full path`,
      );
    }
  }
  if (c.remote_dir !== undefined) {
    checkOneLine("remote_dir", c.remote_dir);
    if (!REMOTE_DIR.test(c.remote_dir) || /(^|\/)\.\.(\/|$)/.test(c.remote_dir)) {
      throw new UserError(
        `remote_dir ${JSON.stringify(c.remote_dir)} is not valid — give /path, ~/path or a folder in the login folder, of letters, digits and . _ + - /`,
      );
    }
  }
  for (const field of ["partition", "account", "qos"] as const) {
    const v = c[field];
    if (v !== undefined && (typeof v !== "string" || !SLURM_WORD.test(v))) {
      throw new UserError(
        `${field} ${JSON.stringify(v)} is not valid — use letters, digits, '.', '_', '+', '-'`,
      );
    }
  }
  if (c.max_jobs !== undefined) positiveWhole("max_jobs", c.max_jobs, 100_000);
  if (c.min_poll_interval !== undefined) positiveWhole("min_poll_interval", c.min_poll_interval, 86_400);
  if (c.poll_interval !== undefined) {
    positiveWhole("poll_interval", c.poll_interval, 86_400);
    if (host !== undefined) checkPollInterval(c.poll_interval, host, c.min_poll_interval);
  }
  if (c.keep_remote !== undefined && typeof c.keep_remote !== "boolean") {
    throw new UserError("keep_remote must be true or false");
  }
  return c;
}
