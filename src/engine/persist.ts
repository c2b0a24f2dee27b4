// Writes that must land: once a process may exist, the record of it is never dropped. A write the
// database cannot take now (busy past its timeout, a full disk) is retried with a growing pause; if
// it still cannot land, the engine stops (EngineHalt) and leaves the launch mark it wrote before the
// spawn, by whose token the next engine finds the run (src/engine/reconciler.ts).
import { isTemporaryStoreError } from "../store/store-errors.js";
import { EngineHalt, type EngineParts, oneLineMessage } from "./parts.js";

export const STORE_RETRY_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `write` until it lands. A temporary store error is retried (pauses from 50 ms up to 2 s) for
 * the engine's storeRetryMs; then, or at once for any other error, the engine halts with `what` and
 * the reason.
 */
export async function persist<T>(e: EngineParts, what: string, write: () => T | Promise<T>): Promise<T> {
  const deadline = Date.now() + (e.options.storeRetryMs ?? STORE_RETRY_MS);
  let pause = 50;
  let said = false;
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (!isTemporaryStoreError(err) || Date.now() + pause > deadline) {
        throw new EngineHalt(
          `${what}: ${oneLineMessage(err)} — stopping; the run goes on, and the next \`crystal-tui run\` finds it by its launch token`,
        );
      }
      if (!said) {
        said = true;
        e.log(`${what}: ${oneLineMessage(err)} — retrying`);
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 2000);
    }
  }
}
