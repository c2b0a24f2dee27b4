// The engine: a loop around three parts — the reconciler (runs whose engine died, doomed queued
// jobs, cancels), the collector (polls, outcomes, final statuses) and the dispatcher (claims and
// launches) — over the targets it runs jobs on (src/engine/targets.ts). Any number of engines
// (several `crystal-tui run`, the TUI) can serve one project: they coordinate only through guarded
// statements in the database (src/store/engine-store.ts), never through memory. A pass costs a
// number of statements that depends on the number of targets, never on the number of jobs.
import { ProjectFiles } from "../crystal/project-files.js";
import type { SchedulerAccounting } from "../domain/accounting.js";
import { UserError } from "../domain/errors.js";
import { isRunHandle } from "../domain/run-handle.js";
import type { Job } from "../domain/types.js";
import type { SubmitContext } from "../runners/types.js";
import type { ProjectStore } from "../store/port.js";
import { isTemporaryStoreError } from "../store/store-errors.js";
import { Collector } from "./collector.js";
import { Dispatcher } from "./dispatcher.js";
import type { ParsedResult, Project } from "./hooks.js";
import type { EngineOptions, EngineParts, EngineSummary, FinalStatus } from "./parts.js";
import { EngineHalt, oneLineMessage } from "./parts.js";
import { STORE_RETRY_MS } from "./persist.js";
import { Reconciler } from "./reconciler.js";
import { HEARTBEAT_STALE_MS, liveEngines, newEngineId, registerEngine } from "./registry.js";
import { Targets } from "./targets.js";

export { isTransient } from "./parts.js";
export type { EngineOptions, EngineSummary };

export class Engine implements EngineParts {
  readonly id = newEngineId();
  readonly files: ProjectFiles;
  readonly project: Project;
  readonly targets: Targets;
  readonly summary: EngineSummary = { started: 0, finished: 0, byStatus: {}, blocked: [] };
  private readonly reconciler: Reconciler;
  private readonly collector: Collector;
  private readonly dispatcher: Dispatcher;
  private stopping = false;
  private wake: (() => void) | null = null;
  private woken = false;
  /** When this engine last said it is alive (ms). */
  private lastBeat = 0;
  private loop: Promise<EngineSummary> | null = null;
  private readonly warned = new Set<string>();

  constructor(
    readonly store: ProjectStore,
    readonly options: EngineOptions,
  ) {
    this.files = options.files ?? new ProjectFiles(store.projectDir);
    this.project = { store, files: this.files };
    this.targets = new Targets(store, options.runnerFactory, () => this.kick());
    this.reconciler = new Reconciler(this);
    this.collector = new Collector(this);
    this.dispatcher = new Dispatcher(this);
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  warnOnce(key: string, line: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log(line);
  }

  ctxFor(job: Job, token: string): SubmitContext {
    return { jobFolder: this.files.folderOf(job), token };
  }

  finish(
    job: Job,
    status: FinalStatus,
    reason: string | null,
    parsed: ParsedResult,
    times?: { startedAt?: string; endedAt?: string },
    accounting?: SchedulerAccounting,
  ): Promise<void> {
    return this.collector.finish(job, status, reason, parsed, times, accounting);
  }

  /** Runs until idle (or until stop() in watch mode). */
  run(): Promise<EngineSummary> {
    if (!this.loop) this.loop = this.runLoop();
    return this.loop;
  }

  /** Starts the loop in the background (TUI). */
  start(): void {
    void this.run().catch((err) => this.log(`engine stopped: ${(err as Error).message}`));
  }

  /** Stops the loop; runs in progress keep running and are re-attached by the next engine. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.kick();
    if (this.loop) await this.loop.catch(() => undefined);
  }

  kick(): void {
    this.woken = true;
    this.wake?.();
  }

  private async runLoop(): Promise<EngineSummary> {
    await registerEngine(this.store, this.id);
    try {
      let failures = 0;
      let storeTroubleSince: number | null = null;
      for (;;) {
        if (this.stopping) break;
        let busy = true;
        let pause: number | null = null;
        try {
          busy = await this.tick();
          failures = 0;
          storeTroubleSince = null;
        } catch (err) {
          if (err instanceof EngineHalt) throw err;
          // one bad pass (a database held busy too long, a runner's surprise) must not stop the
          // engine that serves the TUI; `crystal-tui run` gives up only when it keeps happening
          this.log(`engine: ${oneLineMessage(err)} — retrying`);
          if (isTemporaryStoreError(err)) {
            // a database that cannot take writes for now (busy, full) is waited for, not counted
            // as failures: its state is where the engine left it, and it ends no job
            const now = Date.now();
            storeTroubleSince ??= now;
            const limit = this.options.storeRetryMs ?? STORE_RETRY_MS;
            if (!this.options.watch && now - storeTroubleSince > limit) {
              throw new UserError(
                `the project database ${this.store.projectDir} cannot take writes (${oneLineMessage(err)}) for ${Math.round(limit / 1000)} s — free disk space or stop what holds it, then run again; runs already started go on and are found again`,
              );
            }
            pause = Math.min(2000, 100 * 2 ** Math.min(5, failures));
            failures++;
          } else {
            failures++;
            if (!this.options.watch && failures >= 5) throw err;
          }
        }
        if (!busy && !this.options.watch) break;
        if (this.stopping) break;
        await this.idle(pause ?? this.nextWaitMs());
      }
    } finally {
      await this.targets.closeAll();
      try {
        await this.store.engine.unregister(this.id);
      } catch {
        this.unregisterLater();
      }
    }
    return this.summary;
  }

  /**
   * The database could not take the engine's farewell (full, busy): said again until it can, so
   * that a process that lives on (the TUI) does not keep holding the runs this engine left — the
   * next engine adopts them only once this one is gone. A process that exits is found dead anyway.
   */
  private unregisterLater(): void {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(() => this.store.engine.unregister(this.id))
        .then(
          () => clearInterval(timer),
          () => undefined,
        );
    }, 1000);
    timer.unref();
  }

  private nextWaitMs(): number {
    let wait = this.options.maxIdleMs ?? 1000;
    const now = Date.now();
    for (const t of this.targets.built())
      wait = Math.min(wait, Math.max(0, t.lastPoll + t.runner.pollIntervalMs - now));
    return Math.max(wait, 20);
  }

  private idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        this.woken = false;
        done();
      };
    });
  }

  /**
   * One pass. Returns whether there is still something to wait for (own runs, or pending jobs that
   * may become runnable).
   */
  async tick(): Promise<boolean> {
    // a beat every few seconds, not every pass: each is a commit every reader of the project sees
    // (a TUI open on it would redraw every second for nothing); six beats fit in the stale limit
    if (Date.now() - this.lastBeat >= HEARTBEAT_STALE_MS / 6) {
      await this.store.engine.heartbeat(this.id);
      this.lastBeat = Date.now();
    }
    const live = (await liveEngines(this.store)).map((e) => e.id);
    if (!live.includes(this.id)) {
      await registerEngine(this.store, this.id);
      live.push(this.id);
    }
    await this.reconciler.adoptOrphans(live);
    await this.store.engine.skipDoomed();
    let held = await this.store.engine.held(this.id);
    if (held.some((j) => !isRunHandle(j.runHandle))) {
      await this.reconciler.settleOwn(held);
      held = await this.store.engine.held(this.id);
    }
    await this.reconciler.skipDoomedQueued(held);
    await this.reconciler.carryOutCancels(held);
    const ended = await this.collector.poll(held);
    const load = await this.store.engine.load();
    await this.targets.follow(load.clustersStamp);
    // the next jobs start in the ended runs' places first; their results are brought back after
    await this.dispatcher.dispatch(
      load,
      ended.map((x) => x.job),
    );
    await this.collector.collect(ended);
    // what they ended may let their dependents start: one more pass at once (busy, below)
    if (ended.length > 0) this.kick();
    const left = await this.store.engine.passSummary(this.id, live);
    if (left.held > 0 || ended.length > 0) return true;
    // a run whose launch is still settling after a crash (see adoptOrphans) is nobody's yet: wait for it
    if (left.orphaned > 0) return true;
    if (left.pending === 0) return false;
    // pending jobs remain: worth waiting only if someone is running what they wait for
    if (left.active > 0) return true;
    const blocked = `${left.pending} job(s) still pending: nothing runnable (see \`crystal-tui job show ID\`)`;
    if (!this.summary.blocked.includes(blocked)) this.summary.blocked.push(blocked);
    return false;
  }
}
