// Clusters: remote machines reached over SSH, plain or running SLURM. Their connection settings are
// JSON; a password is never one of them (keys and the ssh-agent only).
import { UserError } from "../domain/errors.js";
import { checkClusterName } from "../domain/names.js";
import {
  CLUSTER_STATUSES,
  type Cluster,
  type ClusterConfig,
  type ClusterStatus,
  type NewCluster,
} from "../domain/types.js";
import { type DB, statement } from "./database.js";
import { parseJsonObject } from "./json.js";
import type { ClusterStore } from "./port.js";

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
  };
}

const SECRET_KEYS = /pass(word|phrase)?|secret|token/i;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$/;
const USER = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;

export function checkClusterFields(c: {
  type?: string;
  hostname?: string;
  port?: number;
  username?: string;
  config?: ClusterConfig;
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
  for (const key of Object.keys(c.config ?? {})) {
    if (SECRET_KEYS.test(key)) {
      throw new UserError(
        `cluster settings may not hold a ${key}: crystal-tui never stores secrets — use a key file or the ssh-agent`,
      );
    }
  }
}

/** The error for a cluster name that is not registered. */
export function noSuchCluster(name: string): UserError {
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
    checkClusterFields(spec);
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
    checkClusterFields(patch);
    const current = this.get(id);
    if (!current) throw new UserError(`there is no cluster ${id}`);
    const next = { ...current, ...patch };
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

  /** Removes a cluster; its remote-job records go with it, its jobs stay (with no cluster). */
  delete(id: number): boolean {
    return statement(this.db, "DELETE FROM clusters WHERE id = ?").run(id).changes === 1;
  }
}
