// Engines register themselves in the project database, so that each can tell whether the engine
// holding a claim is alive (same machine: PID + start time; elsewhere: a recent heartbeat) and the
// TUI can tell whether another process already serves the project.
import crypto from "node:crypto";
import os from "node:os";
import type { Store } from "../store/store.js";
import { isSameProcess, processStartTime } from "./process-identity.js";

/** An engine that has not beaten for this long is taken for dead (only for engines on other hosts). */
export const HEARTBEAT_STALE_MS = 30_000;

export interface EngineRecord {
  id: string;
  host: string;
  pid: number;
  procStart: string | null;
  startedAt: string;
  heartbeatAt: string;
}

interface EngineRow {
  id: string;
  host: string;
  pid: number;
  proc_start: string | null;
  started_at: string;
  heartbeat_at: string;
}

const toRecord = (r: EngineRow): EngineRecord => ({
  id: r.id,
  host: r.host,
  pid: r.pid,
  procStart: r.proc_start,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
});

export function newEngineId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
}

export function registerEngine(store: Store, id: string): void {
  const now = new Date().toISOString();
  store.db
    .prepare(
      `INSERT OR REPLACE INTO engines (id, host, pid, proc_start, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(id, os.hostname(), process.pid, processStartTime(process.pid), now, now);
}

export function heartbeat(store: Store, id: string): void {
  store.db.prepare("UPDATE engines SET heartbeat_at = ? WHERE id = ?").run(new Date().toISOString(), id);
}

export function unregisterEngine(store: Store, id: string): void {
  store.db.prepare("DELETE FROM engines WHERE id = ?").run(id);
}

export function isEngineAlive(e: EngineRecord, now = Date.now()): boolean {
  if (e.host === os.hostname()) return isSameProcess(e.pid, e.procStart);
  return now - Date.parse(e.heartbeatAt) < HEARTBEAT_STALE_MS;
}

export function listEngines(store: Store): EngineRecord[] {
  return (store.db.prepare("SELECT * FROM engines ORDER BY started_at").all() as EngineRow[]).map(toRecord);
}

/** Live engines, and forgets the records of dead ones. */
export function liveEngines(store: Store): EngineRecord[] {
  const all = listEngines(store);
  const live = all.filter((e) => isEngineAlive(e));
  const dead = all.filter((e) => !live.includes(e));
  if (dead.length > 0) {
    const del = store.db.prepare("DELETE FROM engines WHERE id = ?");
    for (const e of dead) del.run(e.id);
  }
  return live;
}

/** The live engine serving this project (other than `exceptId`), or null. */
export function engineServing(store: Store, exceptId?: string): EngineRecord | null {
  return liveEngines(store).find((e) => e.id !== exceptId) ?? null;
}
