// Database benchmarks (issue "Foundation"):
//  1. migrating a Phase-1 (v1) database of 100,000 jobs to the current schema — goal < 1 s;
//  2. creating 10,000 jobs with dependencies through the store API, against a bare better-sqlite3
//     insert loop of the same rows (one transaction, prepared statement) measured in the same run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { databasePath, openDatabase } from "../src/store/database.js";
import { V1_DDL } from "../src/store/migrations/v1-phase1.js";
import { Store } from "../src/store/store.js";
import { newJobs } from "../test/store/new-jobs.js";
import { sql } from "../test/store/raw-sql.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-bench-db-"));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function makeV1(dir: string, n: number): string {
  const file = databasePath(dir);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec(V1_DDL);
  db.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)");
  db.prepare("INSERT INTO schema_version VALUES (1, CURRENT_TIMESTAMP)").run();
  const insert = db.prepare(
    `INSERT INTO jobs (name, work_dir, status, input_file, final_energy, key_results) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const deck = fs.readFileSync(
    path.join(import.meta.dirname, "../fixtures/crystal-outputs/aiida-crystal17__mgo_sto3g_scf.d12"),
    "utf8",
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      insert.run(
        `job${i}`,
        `/home/chem/calc/job${i}`,
        i % 3 ? "COMPLETED" : "FAILED",
        deck,
        -275.1 - i * 1e-6,
        '{"scf_cycles":7}',
      );
    }
  })();
  db.close();
  return file;
}

// 1. migration
{
  const n = 100_000;
  const dir = fs.mkdtempSync(path.join(tmp, "v1-"));
  const file = makeV1(dir, n);
  const sizeMb = fs.statSync(file).size / 1e6;
  const t0 = process.hrtime.bigint();
  const db = openDatabase(file);
  const elapsed = ms(t0);
  const count = db.prepare("SELECT COUNT(*) FROM jobs").pluck().get();
  db.close();
  // baseline: copying the same table once with a plain INSERT … SELECT (what any rebuild must do)
  const copyDir = fs.mkdtempSync(path.join(tmp, "copy-"));
  const copyFile = makeV1(copyDir, n);
  const raw = new Database(copyFile);
  const t1 = process.hrtime.bigint();
  raw.exec("CREATE TABLE jobs_copy AS SELECT * FROM jobs");
  const copyMs = ms(t1);
  raw.close();
  console.log(
    `migrate v1 → current: ${n.toLocaleString()} jobs (${sizeMb.toFixed(0)} MB) in ${elapsed.toFixed(0)} ms (goal < 1000 ms); ` +
      `rows kept: ${count}; baseline plain table copy ${copyMs.toFixed(0)} ms; ratio ${(elapsed / copyMs).toFixed(2)}×`,
  );
}

// 2. creating 10,000 jobs with dependencies
{
  const n = 10_000;
  const deck = "MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0. 0. 0.\n8 .5 .5 .5\nEND\nBASISSET\nSTO-3G\nEND\n";
  const dir = fs.mkdtempSync(path.join(tmp, "create-"));
  const store = Store.open(dir);
  const specs = Array.from({ length: n }, (_, i) => ({
    name: `job${i}`,
    input: deck,
    dependencies: i % 2 === 1 ? [{ dependsOn: i, type: "after_ok" as const }] : [],
  }));
  const t0 = process.hrtime.bigint();
  newJobs(store, specs);
  const apiMs = ms(t0);
  const edges = sql(store).prepare("SELECT COUNT(*) FROM job_dependencies").pluck().get();
  store.close();

  // baseline: the same rows (jobs + dependency rows + a deck file per job folder) with a bare
  // prepared-statement loop in one transaction, no validation, no events, no triggers
  const bdir = fs.mkdtempSync(path.join(tmp, "bare-"));
  const bare = new Database(path.join(bdir, "bare.db"));
  bare.pragma("journal_mode = WAL");
  bare.pragma("synchronous = NORMAL");
  bare.exec(V1_DDL);
  bare.exec(
    "CREATE TABLE job_dependencies (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER, depends_on_job_id INTEGER, dependency_type TEXT, UNIQUE(job_id, depends_on_job_id))",
  );
  const ins = bare.prepare(
    "INSERT INTO jobs (id, name, work_dir, status, input_file) VALUES (?, ?, ?, 'PENDING', ?)",
  );
  const dep = bare.prepare(
    "INSERT INTO job_dependencies (job_id, depends_on_job_id, dependency_type) VALUES (?, ?, 'after_ok')",
  );
  const t1 = process.hrtime.bigint();
  bare.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = i + 1;
      const folder = path.join(bdir, "calculations", `${String(id).padStart(4, "0")}_job${i}`);
      ins.run(id, `job${i}`, folder, deck);
      if (i % 2 === 1) dep.run(id, i);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `job${i}.d12`), deck);
    }
  })();
  const bareMs = ms(t1);
  bare.close();
  console.log(
    `create ${n.toLocaleString()} jobs + ${edges} dependencies (with job folders and decks): store API ${apiMs.toFixed(0)} ms, ` +
      `bare insert loop ${bareMs.toFixed(0)} ms; ratio ${(apiMs / bareMs).toFixed(2)}×`,
  );
}

fs.rmSync(tmp, { recursive: true, force: true });
