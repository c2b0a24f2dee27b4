// The store: one project's database and its repositories. The single source of truth that the
// CLI, the TUI and every engine share; they coordinate only through it. The database handle stays
// inside: every statement crystal-tui runs is a method of one of these repositories.
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
  }
}
