// The store: one project's database and its repositories. The single source of truth that the
// CLI, the TUI and every engine share; they coordinate only through it. The database handle stays
// inside: every statement crystal-tui runs is a method of one of these repositories.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ClusterRepository } from "./clusters.js";
import { type DB, databasePath, type OpenOptions, openDatabase, schemaVersion } from "./database.js";
import { DependencyRepository } from "./dependencies.js";
import { EngineStore } from "./engine-store.js";
import { EventRepository } from "./events.js";
import { JobRepository } from "./jobs.js";
import { RemoteJobRepository } from "./remote-jobs.js";
import { ViewStore } from "./views.js";
import { WorkflowRepository } from "./workflows.js";

export class Store {
  readonly jobs: JobRepository;
  readonly clusters: ClusterRepository;
  readonly remoteJobs: RemoteJobRepository;
  readonly dependencies: DependencyRepository;
  readonly events: EventRepository;
  readonly workflows: WorkflowRepository;
  readonly engine: EngineStore;
  readonly views: ViewStore;

  private constructor(
    private readonly db: DB,
    readonly projectDir: string,
  ) {
    this.jobs = new JobRepository(db);
    this.clusters = new ClusterRepository(db);
    this.remoteJobs = new RemoteJobRepository(db);
    this.dependencies = new DependencyRepository(db);
    this.events = new EventRepository(db);
    this.workflows = new WorkflowRepository(db, this.jobs);
    this.engine = new EngineStore(db, this.jobs, this.workflows);
    this.views = new ViewStore(db);
  }

  static open(projectDir: string, options?: OpenOptions): Store {
    return new Store(openDatabase(databasePath(projectDir), options), projectDir);
  }

  /**
   * A project whose folder cannot be written (a read-only filesystem, a folder of another user's)
   * can still be read: SQLite cannot open it in place — its WAL needs a shared-memory file beside
   * the database — so a private copy of the file (and its WAL) is read instead, removed on close.
   * Nothing can be written through it (SQLite refuses: the project cannot be written, in words).
   * Null when the project can be written (any failure to open it is then the real one) or has no
   * database to read.
   */
  static openReadOnlyCopy(projectDir: string): Store | null {
    const file = databasePath(projectDir);
    try {
      fs.accessSync(projectDir, fs.constants.W_OK);
      return null;
    } catch {
      // not writable: read a copy
    }
    if (!fs.existsSync(file)) return null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crystal-tui-read-"));
    try {
      const copy = path.join(dir, path.basename(file));
      fs.copyFileSync(file, copy);
      fs.chmodSync(copy, 0o600);
      if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
      const store = new Store(openDatabase(copy, { readonly: true }), projectDir);
      store.onClose = () => fs.rmSync(dir, { recursive: true, force: true });
      return store;
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private onClose: (() => void) | null = null;

  get path(): string {
    return databasePath(this.projectDir);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /**
   * A number that changes whenever another connection (another process) commits to the database:
   * SQLite's `PRAGMA data_version`. The TUI probes it to know when to read again.
   */
  changeCounter(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  /**
   * Makes the cluster and runner types the program knows (its registry of schedulers) acceptable to
   * the database; writes only when one is new.
   */
  registerRunnerKinds(kinds: readonly { kind: string; remote: boolean }[]): void {
    const known = new Set(this.db.prepare("SELECT kind FROM runner_kinds").pluck().all() as string[]);
    const missing = kinds.filter((k) => !known.has(k.kind));
    if (missing.length === 0) return;
    const insert = this.db.prepare("INSERT OR IGNORE INTO runner_kinds (kind, remote) VALUES (?, ?)");
    this.db.transaction(() => {
      for (const k of missing) insert.run(k.kind, k.remote ? 1 : 0);
    })();
  }

  /** Runs `fn` in one IMMEDIATE transaction: all of it lands, or none of it. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.onClose?.();
    this.onClose = null;
  }
}
