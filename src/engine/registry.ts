// Engines register themselves in the project database, so that each can tell whether the engine
// holding a claim is alive (same machine: PID + start time; elsewhere: a recent heartbeat) and the
// TUI can tell whether another process already serves the project.
import crypto from "node:crypto";
import os from "node:os";
import { isSameProcess, processStartTime } from "../runners/process-identity.js";
import type { ProjectStore } from "../store/port.js";
import type { EngineRecord } from "../store/records.js";

export type { EngineRecord };

/** An engine that has not beaten for this long is taken for dead (only for engines on other hosts). */
export const HEARTBEAT_STALE_MS = 30_000;

export function newEngineId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
}

export async function registerEngine(store: ProjectStore, id: string): Promise<void> {
  await store.engine.register({
    id,
    host: os.hostname(),
    pid: process.pid,
    procStart: processStartTime(process.pid),
  });
}

export function isEngineAlive(e: EngineRecord, now = Date.now()): boolean {
  if (e.host === os.hostname()) return isSameProcess(e.pid, e.procStart);
  return now - Date.parse(e.heartbeatAt) < HEARTBEAT_STALE_MS;
}

/** Live engines, and forgets the records of dead ones. */
export async function liveEngines(store: ProjectStore): Promise<EngineRecord[]> {
  const all = await store.engine.engines();
  const live = all.filter((e) => isEngineAlive(e));
  await store.engine.forget(all.filter((e) => !live.includes(e)).map((e) => e.id));
  return live;
}

/** The live engine serving this project (other than `exceptId`), or null. */
export async function engineServing(store: ProjectStore, exceptId?: string): Promise<EngineRecord | null> {
  return (await liveEngines(store)).find((e) => e.id !== exceptId) ?? null;
}
