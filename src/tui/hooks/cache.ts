// What the views show, read from the store outside of rendering: each view names what it needs by a
// key and a loader; the cache loads it, keeps the answer, and loads it again whenever the store
// watcher says the project changed. A component reads the kept answer (useSyncExternalStore), so a
// render never waits for the store — with a store that answers later (over a network) the previous
// answer stays on screen until the next one arrives.
import { useCallback, useRef, useSyncExternalStore } from "react";
import type { Awaitable } from "../../store/port.js";

interface Entry {
  value: unknown;
  loaded: boolean;
  load: () => Awaitable<unknown>;
  listeners: Set<() => void>;
  /** Bumped by each load, so an answer that arrives after a newer one is dropped. */
  generation: number;
  /** The watcher's version the kept answer was asked at. */
  version: number;
}

/** A thenable's value when it settles; a plain value at once (a synchronous store costs no tick). */
function settle<T>(value: Awaitable<T>, then: (v: T) => void, fail: (err: unknown) => void): void {
  if (value !== null && typeof (value as Promise<T>)?.then === "function")
    (value as Promise<T>).then(then, fail);
  else then(value as T);
}

/** Whether two answers of the store are alike: plain data (arrays, objects, Maps, Sets, Dates) compared by value. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((v, i) => sameValue(v, y[i]));
  }
  if (a instanceof Map) {
    const y = b as Map<unknown, unknown>;
    if (a.size !== y.size) return false;
    for (const [k, v] of a) if (!y.has(k) || !sameValue(v, y.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    const y = b as Set<unknown>;
    return a.size === y.size && [...a].every((v) => y.has(v));
  }
  if (Buffer.isBuffer(a)) return a.equals(b as Buffer);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** What tells the cache the project changed (the store watcher, src/tui/store-watch.ts). */
export interface ChangeSource {
  readonly version: number;
  subscribe(fn: () => void): () => void;
}

export class ViewCache {
  private readonly entries = new Map<string, Entry>();
  private unwatch: (() => void) | null = null;

  constructor(private readonly watcher: ChangeSource) {}

  /** Follows the watcher: every key someone looks at is loaded again after each change. */
  start(): this {
    this.unwatch ??= this.watcher.subscribe(() => {
      for (const entry of this.entries.values()) this.refresh(entry);
    });
    return this;
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
  }

  private refresh(entry: Entry): void {
    const generation = ++entry.generation;
    const version = this.watcher.version;
    let result: Awaitable<unknown>;
    try {
      result = entry.load();
    } catch {
      return; // a failed read keeps what is shown; the next change tries again
    }
    settle(
      result,
      (value) => {
        if (generation !== entry.generation) return;
        const changed = !entry.loaded || !sameValue(entry.value, value);
        entry.loaded = true;
        entry.version = version;
        // an answer equal to the kept one changes nothing on screen: no redraw (a change elsewhere
        // in the project — an engine's heartbeat — reloads every view, and most stay the same)
        if (!changed) return;
        entry.value = value;
        for (const fn of entry.listeners) fn();
      },
      () => undefined,
    );
  }

  /** Starts following `key` (loading it if needed); returns how to stop. */
  subscribe(key: string, load: () => Awaitable<unknown>, listener: () => void): () => void {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { value: undefined, loaded: false, load, listeners: new Set(), generation: 0, version: -1 };
      this.entries.set(key, entry);
    }
    entry.load = load;
    entry.listeners.add(listener);
    if (!entry.loaded || entry.version !== this.watcher.version) this.refresh(entry);
    const kept = entry;
    return () => {
      kept.listeners.delete(listener);
      if (kept.listeners.size === 0) this.entries.delete(key);
    };
  }

  /** The kept answer for `key`, or undefined while it has never been loaded. */
  peek(key: string): unknown {
    const entry = this.entries.get(key);
    return entry?.loaded ? entry.value : undefined;
  }
}

/**
 * The store's answer for `key` (loaded by `load`), kept current. Until the first answer for this key
 * arrives, the last answer this component showed (another window of the same list, say) stays, and
 * before any, `initial`.
 */
export function useCached<T>(cache: ViewCache, key: string, load: () => Awaitable<T>, initial: T): T {
  const loader = useRef(load);
  loader.current = load;
  const shown = useRef<T>(initial);
  const subscribe = useCallback(
    (listener: () => void) => cache.subscribe(key, () => loader.current(), listener),
    [cache, key],
  );
  const snapshot = useCallback(() => cache.peek(key), [cache, key]);
  const value = useSyncExternalStore(subscribe, snapshot);
  if (value !== undefined) shown.current = value as T;
  return shown.current;
}
