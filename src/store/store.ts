// The store: one project's database and its repositories. The single source of truth that the
// CLI, the TUI and every engine share; they coordinate only through it.
import { ClusterRepository } from "./clusters.js";
import { type DB, databasePath, type OpenOptions, openDatabase, schemaVersion } from "./database.js";
import { DependencyRepository } from "./dependencies.js";
import { EventRepository } from "./events.js";
import { JobRepository } from "./jobs.js";
import { RemoteJobRepository } from "./remote-jobs.js";

export class Store {
  readonly jobs: JobRepository;
  readonly clusters: ClusterRepository;
  readonly remoteJobs: RemoteJobRepository;
  readonly dependencies: DependencyRepository;
  readonly events: EventRepository;

  constructor(
    readonly db: DB,
    readonly projectDir: string,
  ) {
    this.jobs = new JobRepository(db, projectDir);
    this.clusters = new ClusterRepository(db);
    this.remoteJobs = new RemoteJobRepository(db);
    this.dependencies = new DependencyRepository(db);
    this.events = new EventRepository(db);
  }

  static open(projectDir: string, options?: OpenOptions): Store {
    return new Store(openDatabase(databasePath(projectDir), options), projectDir);
  }

  get path(): string {
    return databasePath(this.projectDir);
  }

  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Runs `fn` in one IMMEDIATE transaction: all of it lands, or none of it. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
