// Cluster and runner types are data the program registers from its registry of schedulers, not a
// CHECK frozen in the schema: an unregistered type is refused by the database itself, a registered
// one is accepted — and the CHECKs of earlier versions are removed without rebuilding a table.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openProject } from "../../src/app/project.js";
import { CLUSTER_KINDS, RUNNER_KINDS, SCHEDULERS } from "../../src/runners/schedulers.js";
import { databasePath } from "../../src/store/database.js";
import { Store } from "../../src/store/store.js";
import { tempProject } from "../helpers/project.js";
import { sql } from "./raw-sql.js";

const cluster = (type: string) => ({ name: `c-${type}`, type, hostname: "h", username: "u" });

describe("runner kinds", () => {
  it("the registry names the cluster and runner types", () => {
    expect(SCHEDULERS.map((s) => s.kind)).toEqual(["slurm"]);
    expect(CLUSTER_KINDS).toEqual(["ssh", "slurm"]);
    expect(RUNNER_KINDS).toEqual(["local", "ssh", "slurm"]);
  });

  it("an unregistered type is refused with the registered ones named; a registered one is accepted", async () => {
    const dir = tempProject();
    const store = Store.open(dir);
    expect(() => store.clusters.create(cluster("pbs"))).toThrow(
      /cluster type "pbs" is unknown — use ssh or slurm/,
    );
    // not even a hand-written row gets past the database
    expect(() =>
      sql(store)
        .prepare(
          "INSERT INTO clusters (name, type, hostname, username, connection_config) VALUES ('x', 'pbs', 'h', 'u', '{}')",
        )
        .run(),
    ).toThrow(/unknown cluster type/);
    store.registerRunnerKinds([{ kind: "pbs", remote: true }]);
    const made = store.clusters.create(cluster("pbs"));
    expect(made.type).toBe("pbs");
    expect(() => sql(store).prepare("UPDATE jobs SET runner_type = 'lsf'").run()).not.toThrow(); // no rows
    store.close();
    // the program registers its own registry's kinds when it opens a project
    const project = await openProject(dir);
    const kinds = sql({ path: databasePath(dir) })
      .prepare("SELECT kind FROM runner_kinds ORDER BY rowid")
      .pluck()
      .all();
    expect(kinds).toEqual(["local", "ssh", "slurm", "pbs"]);
    await project.close();
  });

  it("an existing database loses the old CHECKs in place: same rows, same file, quick_check ok", () => {
    const dir = tempProject();
    Store.open(dir).close();
    const file = databasePath(dir);
    const raw = new Database(file);
    const tableSql = (t: string) =>
      raw.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(t) as string;
    expect(tableSql("clusters")).not.toMatch(/CHECK\s*\(\s*type/);
    expect(tableSql("jobs")).not.toMatch(/runner_type IN/);
    expect(tableSql("jobs")).toMatch(/status TEXT NOT NULL CHECK\(status IN/); // the status CHECK stays
    expect(raw.pragma("quick_check", { simple: true })).toBe("ok");
    raw.close();
    expect(fs.existsSync(path.join(dir, ".crystal_tui.db"))).toBe(true);
  });
});
