// Schema versions: a new database starts at the current version; a Phase-1 (v1) database written with
// the exact DDL of the earlier Python tool migrates to the current version keeping every row and
// value; half-applied attempts are finished; a newer database is refused without any change.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/domain/errors.js";
import { databasePath, migrate, openDatabase, schemaVersion } from "../../src/store/database.js";
import { LATEST_VERSION } from "../../src/store/migrations/index.js";
import { V1_DDL } from "../../src/store/migrations/v1-phase1.js";
import { Store } from "../../src/store/store.js";
import { tempProject } from "../helpers/project.js";
import { jobFolder, newJob } from "./new-jobs.js";
import { sql } from "./raw-sql.js";

/** A database exactly as the Phase-1 Python tool left it. */
function makeV1(dir: string, rows = 3): string {
  const file = databasePath(dir);
  const db = new Database(file);
  db.exec(V1_DDL);
  db.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)");
  db.prepare("INSERT INTO schema_version VALUES (1, '2024-01-01 10:00:00')").run();
  const insert = db.prepare(
    `INSERT INTO jobs (name, work_dir, status, created_at, started_at, completed_at, pid, input_file, final_energy, key_results)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const statuses = ["COMPLETED", "FAILED", "PENDING", "RUNNING", "QUEUED"];
  for (let i = 1; i <= rows; i++) {
    insert.run(
      `old${i}`,
      `/home/chem/calc/old${i}`,
      statuses[(i - 1) % statuses.length],
      "2024-01-02 03:04:05",
      i % 2 ? "2024-01-02 03:05:00" : null,
      i % 2 ? "2024-01-02 04:00:00" : null,
      1000 + i,
      `deck ${i}\nEND`,
      i % 2 ? -275.123456789 - i : null,
      i % 2 ? JSON.stringify({ scf_cycles: i, gap: 7.1 }) : null,
    );
  }
  db.close();
  return file;
}

describe("schema versions", () => {
  it("a new project database starts at the current version with WAL, foreign keys and mode 0600", () => {
    const dir = tempProject();
    const store = Store.open(dir);
    expect(store.schemaVersion()).toBe(LATEST_VERSION);
    expect(sql(store).pragma("journal_mode", { simple: true })).toBe("wal");
    expect(sql(store).pragma("foreign_keys", { simple: true })).toBe(1);
    expect(Number(sql(store).pragma("busy_timeout", { simple: true }))).toBeGreaterThanOrEqual(5000);
    expect(sql(store).pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    expect(fs.statSync(store.path).mode & 0o777).toBe(0o600);
    const versions = sql(store).prepare("SELECT version FROM schema_version ORDER BY version").pluck().all();
    expect(versions).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    store.close();
  });

  it("migrates a Phase-1 database keeping every row and value; old jobs become local jobs", () => {
    const dir = tempProject();
    const file = makeV1(dir, 5);
    const before = new Database(file).prepare("SELECT * FROM jobs ORDER BY id").all() as Record<
      string,
      unknown
    >[];
    const store = Store.open(dir);
    expect(store.schemaVersion()).toBe(LATEST_VERSION);
    const after = sql(store).prepare("SELECT * FROM jobs ORDER BY id").all() as Record<string, unknown>[];
    expect(after).toHaveLength(5);
    for (const [i, row] of before.entries()) {
      // a run the earlier tool left active can never be followed: it ends FAILED, saying why
      const wasActive = row.status === "RUNNING" || row.status === "QUEUED";
      for (const [key, value] of Object.entries(row)) {
        if (wasActive && (key === "status" || key === "completed_at")) continue;
        expect(after[i]![key], key).toEqual(value);
      }
      if (wasActive) {
        expect(after[i]!.status).toBe("FAILED");
        expect(after[i]!.status_reason).toBe("was running under the earlier tool; no record of its process");
      }
      expect(after[i]!.runner_type).toBe("local");
      expect(after[i]!.cluster_id).toBeNull();
    }
    // the old jobs read through the API
    const job = store.jobs.require(1);
    expect(job.finalEnergy).toBeCloseTo(-276.123456789, 9);
    expect(job.legacyResults).toEqual({ scf_cycles: 1, gap: 7.1 });
    expect(job.workDir).toBe("/home/chem/calc/old1");
    expect(jobFolder(store, job)).toBe("/home/chem/calc/old1");
    // indexes and foreign keys of every version exist
    const indexes = sql(store).prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
    for (const name of [
      "idx_jobs_status",
      "idx_jobs_created",
      "idx_clusters_status",
      "idx_clusters_type",
      "idx_remote_jobs_job_id",
      "idx_remote_jobs_cluster_id",
      "idx_remote_jobs_handle",
      "idx_dependencies_job_id",
      "idx_dependencies_depends_on",
    ]) {
      expect(indexes).toContain(name);
    }
    const fks = sql(store).prepare("PRAGMA foreign_key_list(jobs)").all() as { table: string }[];
    expect(fks.map((f) => f.table)).toContain("clusters");
    expect(sql(store).pragma("foreign_key_check")).toEqual([]);
    store.close();
  });

  it("a migrated database accepts the new statuses, which the Phase-1 CHECK did not", () => {
    const dir = tempProject();
    makeV1(dir, 3);
    const store = Store.open(dir);
    expect(store.jobs.require(3).status).toBe("PENDING");
    expect(store.jobs.requestCancel(3)).toBe("cancelled");
    expect(store.jobs.require(3).status).toBe("CANCELLED");
    expect(() =>
      sql(store).prepare("INSERT INTO jobs (name, work_dir, status) VALUES ('b', '/b', 'BOGUS')").run(),
    ).toThrow(/CHECK/);
    // new jobs never reuse ids
    const created = newJob(store, { name: "new", input: "x\nEND\n" });
    expect(created.id).toBe(4);
    store.close();
  });

  it("opening twice changes nothing (idempotent)", () => {
    const dir = tempProject();
    makeV1(dir, 2);
    Store.open(dir).close();
    const db1 = new Database(databasePath(dir));
    const dump1 = db1.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all();
    const rows1 = db1.prepare("SELECT * FROM schema_version").all();
    db1.close();
    const store = Store.open(dir);
    expect(migrate(sql(store))).toEqual([]);
    store.close();
    const db2 = new Database(databasePath(dir));
    expect(db2.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()).toEqual(dump1);
    expect(db2.prepare("SELECT * FROM schema_version").all()).toEqual(rows1);
    db2.close();
  });

  it("finishes a half-applied v2 left by an interrupted earlier attempt", () => {
    const dir = tempProject();
    const file = makeV1(dir, 2);
    const db = new Database(file);
    // an earlier tool created the clusters table and one new column, then stopped before recording v2
    db.exec(`CREATE TABLE clusters (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL CHECK(type IN ('ssh','slurm')), hostname TEXT NOT NULL, port INTEGER NOT NULL DEFAULT 22,
      username TEXT NOT NULL, connection_config TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'active',
      created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)`);
    db.exec("ALTER TABLE jobs ADD COLUMN cluster_id INTEGER REFERENCES clusters(id) ON DELETE SET NULL");
    db.close();
    const store = Store.open(dir);
    expect(store.schemaVersion()).toBe(LATEST_VERSION);
    expect(store.jobs.list()).toHaveLength(2);
    const c = store.clusters.create({ name: "hpc", type: "slurm", hostname: "h", username: "u" });
    expect(
      newJob(store, { name: "j", input: "deck\n", clusterId: c.id, runnerType: "slurm" }).clusterName,
    ).toBe("hpc");
    store.close();
  });

  it("opens a Phase-1 file that has no schema_version table at all", () => {
    const dir = tempProject();
    const db = new Database(databasePath(dir));
    db.exec(V1_DDL);
    db.prepare("INSERT INTO jobs (name, work_dir, status) VALUES ('a', '/x/a', 'COMPLETED')").run();
    db.close();
    const store = Store.open(dir);
    expect(store.schemaVersion()).toBe(LATEST_VERSION);
    expect(store.jobs.require(1).status).toBe("COMPLETED");
    store.close();
  });

  it("refuses a database newer than the program, without changing it", () => {
    const dir = tempProject();
    Store.open(dir).close();
    const file = databasePath(dir);
    const db = new Database(file);
    db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(LATEST_VERSION + 5);
    db.pragma("journal_mode = DELETE");
    db.close();
    fs.chmodSync(file, 0o640);
    const bytes = fs.readFileSync(file);
    expect(() => openDatabase(file)).toThrow(UserError);
    expect(() => openDatabase(file)).toThrow(/newer than this crystal-tui understands.*upgrade crystal-tui/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const v = new Database(file);
    expect(schemaVersion(v)).toBe(LATEST_VERSION + 5);
    v.close();
  });

  it("a file that is not SQLite gets a clear error", () => {
    const dir = tempProject();
    fs.writeFileSync(
      path.join(dir, ".crystal_tui.db"),
      "this is not a database at all, just text ".repeat(50),
    );
    expect(() => Store.open(dir)).toThrow(/not a crystal-tui database/);
  });
});
