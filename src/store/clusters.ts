// Clusters: remote machines reached over SSH, plain or running SLURM. Their connection settings are
// JSON; a password is never one of them (keys and the ssh-agent only).

import { checkClusterAddress, checkClusterConfig } from "../domain/cluster-settings.js";
import { UserError } from "../domain/errors.js";
import { checkClusterName } from "../domain/names.js";
import { STATUS_GROUPS } from "../domain/status-groups.js";
import type {
  Cluster,
  ClusterConfig,
  ClusterConnection,
  ClusterStatus,
  NewCluster,
} from "../domain/types.js";
import { type DB, statement } from "./database.js";
import { parseJsonObject } from "./json.js";
import type { ClusterStore } from "./port.js";
import { sqlList } from "./status-sql.js";

interface ClusterRow {
  id: number;
  name: string;
  type: string;
  hostname: string;
  port: number;
  username: string;
  connection_config: string;
  status: string;
  created_at: string;
  updated_at: string;
  connection_status: string | null;
  connection_error: string | null;
  connection_since: number | null;
}

function rowToCluster(r: ClusterRow): Cluster {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    hostname: r.hostname,
    port: r.port,
    username: r.username,
    config: (parseJsonObject(r.connection_config) ?? {}) as ClusterConfig,
    status: r.status as ClusterStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.connection_status
      ? {
          connection: {
            status: r.connection_status as ClusterConnection["status"],
            lastError: r.connection_error,
            since: r.connection_since ?? 0,
          },
        }
      : {}),
  };
}

/** The address parts of a cluster the TUI's form checks as they are typed (src/domain/cluster-settings.ts). */
export const checkClusterFields = checkClusterAddress;

/** The error for a cluster name that is not registered. */
export function noSuchCluster(name: string): UserError {
  if (name.trim() === "") {
    // an empty name is not "this machine": leaving the cluster out is
    return new UserError(
      "a cluster name is empty — give a cluster's name, or leave it out to run on this machine",
    );
  }
  return new UserError(
    `there is no cluster '${name}' — see \`crystal-tui cluster list\` or add it with \`crystal-tui cluster add\``,
  );
}

export class ClusterRepository implements ClusterStore {
  constructor(private readonly db: DB) {}

  /** The cluster types the program registered (runner_kinds), in the words of an error. */
  private checkType(type: string): void {
    const kinds = statement(this.db, "SELECT kind FROM runner_kinds WHERE remote = 1 ORDER BY rowid")
      .pluck()
      .all() as string[];
    if (kinds.includes(type)) return;
    const list =
      kinds.length > 1 ? `${kinds.slice(0, -1).join(", ")} or ${kinds[kinds.length - 1]}` : kinds.join("");
    throw new UserError(`cluster type ${JSON.stringify(type)} is unknown — use ${list}`);
  }

  create(spec: NewCluster): Cluster {
    checkClusterName(spec.name);
    this.checkType(spec.type);
    checkClusterAddress(spec);
    checkClusterConfig(spec.config ?? {}, spec.hostname);
    try {
      const info = statement(
        this.db,
        `INSERT INTO clusters (name, type, hostname, port, username, connection_config, status)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        spec.name,
        spec.type,
        spec.hostname,
        spec.port ?? 22,
        spec.username,
        JSON.stringify(spec.config ?? {}),
        spec.status ?? "active",
      );
      return this.get(Number(info.lastInsertRowid))!;
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        throw new UserError(
          `a cluster named '${spec.name}' already exists — pick another name or remove it first`,
        );
      }
      throw err;
    }
  }

  get(id: number): Cluster | undefined {
    const row = statement(this.db, "SELECT * FROM clusters WHERE id = ?").get(id) as ClusterRow | undefined;
    return row ? rowToCluster(row) : undefined;
  }

  getByName(name: string): Cluster | undefined {
    const row = statement(this.db, "SELECT * FROM clusters WHERE name = ?").get(name) as
      | ClusterRow
      | undefined;
    return row ? rowToCluster(row) : undefined;
  }

  requireByName(name: string): Cluster {
    const cluster = this.getByName(name);
    if (!cluster) throw noSuchCluster(name);
    return cluster;
  }

  list(): Cluster[] {
    return (statement(this.db, "SELECT * FROM clusters ORDER BY name").all() as ClusterRow[]).map(
      rowToCluster,
    );
  }

  /**
   * Records the connection state of a cluster (by the process holding the connection). Leaves
   * updated_at alone: that one says the settings changed (engines rebuild their runner on it).
   */
  setConnection(id: number, c: ClusterConnection): void {
    statement(
      this.db,
      "UPDATE clusters SET connection_status = ?, connection_error = ?, connection_since = ? WHERE id = ?",
    ).run(c.status, c.lastError, Math.round(c.since), id);
  }

  /**
   * Claims the cluster's next scheduler poll for the caller: granted (true) when no process of this
   * project polled it within `intervalMs` — one guarded UPDATE, so two processes never both get it.
   * Otherwise the time of the last poll, to wait from.
   */
  claimPoll(
    id: number,
    intervalMs: number,
    now = Date.now(),
  ): { claimed: true } | { claimed: false; lastPolledAt: number } {
    const info = statement(
      this.db,
      // a last poll up to one interval "ahead" is another process that read its clock a moment
      // later than this one (this pass's `now` is older than that claim): refused like any poll
      // within the interval. Only a poll more than an interval ahead means a clock put back: taken.
      "UPDATE clusters SET last_polled_at = ? WHERE id = ? AND (last_polled_at IS NULL OR last_polled_at <= ? OR last_polled_at > ?)",
    ).run(now, id, now - intervalMs, now + intervalMs);
    if (info.changes === 1) return { claimed: true };
    const last = statement(this.db, "SELECT last_polled_at FROM clusters WHERE id = ?").pluck().get(id) as
      | number
      | null
      | undefined;
    return { claimed: false, lastPolledAt: last ?? now };
  }

  listActive(): Cluster[] {
    return (
      statement(this.db, "SELECT * FROM clusters WHERE status = 'active' ORDER BY name").all() as ClusterRow[]
    ).map(rowToCluster);
  }

  update(
    id: number,
    patch: Partial<Pick<Cluster, "hostname" | "port" | "username" | "config" | "status" | "name">>,
  ): Cluster {
    if (patch.name !== undefined) checkClusterName(patch.name);
    checkClusterAddress(patch);
    const current = this.get(id);
    if (!current) throw new UserError(`there is no cluster ${id}`);
    const next = { ...current, ...patch };
    checkClusterConfig(next.config, next.hostname);
    try {
      // updated_at to the millisecond: running engines see an edit by it (src/engine/targets.ts)
      statement(
        this.db,
        `UPDATE clusters SET name = ?, hostname = ?, port = ?, username = ?, connection_config = ?, status = ?,
             updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = ?`,
      ).run(next.name, next.hostname, next.port, next.username, JSON.stringify(next.config), next.status, id);
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        throw new UserError(`a cluster named '${next.name}' already exists — pick another name`);
      }
      throw err;
    }
    return this.get(id)!;
  }

  /**
   * Removes a cluster with its unfinished jobs cancelled (with `reason`), in one transaction; its
   * remote-job records go with it, its finished jobs stay (with no cluster). Returns the ids of the
   * jobs it cancelled.
   */
  remove(id: number, reason: string): number[] {
    return this.db
      .transaction(() => {
        const cancelled = statement(
          this.db,
          `UPDATE jobs SET status = 'CANCELLED', status_reason = ?, claimed_by = NULL
           WHERE cluster_id = ? AND status IN ${sqlList(STATUS_GROUPS.active)} RETURNING id`,
        )
          .pluck()
          .all(reason, id) as number[];
        statement(this.db, "DELETE FROM clusters WHERE id = ?").run(id);
        return cancelled.sort((a, b) => a - b);
      })
      .immediate();
  }

  /** Removes a cluster; its remote-job records go with it, its jobs stay (with no cluster). */
  delete(id: number): boolean {
    return statement(this.db, "DELETE FROM clusters WHERE id = ?").run(id).changes === 1;
  }
}
