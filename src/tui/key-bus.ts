// Keys reach the component that owns the focus through one listener: the app's root reads them with
// Ink's useInput, and each component subscribes with useKeys during the commit (a layout effect), so
// a component sees the very next key after it appears and never one after it is gone (Ink's own
// listeners are set up in passive effects, which may run after the next key has already arrived).
// And a key is handed out only once React has rendered what the previous one changed: handlers read
// the state of the last render, so on a busy machine (or with a held key) a second key handled
// before that render would act on stale state — a typed character lost, a cursor move undone.
import { type Key, useInput } from "ink";
import { createContext, useContext, useEffect, useLayoutEffect, useRef } from "react";

export type KeyHandler = (input: string, key: Key) => void;

export class KeyBus {
  private handlers: { fn: KeyHandler }[] = [];
  private queue: [string, Key][] = [];
  private settling = false;

  /** No key waiting or being handed out (tests wait for this before they look at the screen). */
  idle(): boolean {
    return !this.settling && this.queue.length === 0;
  }

  subscribe(fn: KeyHandler): () => void {
    const entry = { fn };
    this.handlers.push(entry);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== entry);
    };
  }

  /** Every handler subscribed when the key is handed out sees it (they decide whether they are active). */
  dispatch(input: string, key: Key): void {
    this.queue.push([input, key]);
    if (!this.settling) this.next();
  }

  private next(): void {
    const item = this.queue.shift();
    if (!item) {
      this.settling = false;
      return;
    }
    this.settling = true;
    for (const h of [...this.handlers]) h.fn(item[0], item[1]);
    // React renders the updates of this key in a task it schedules now or from a microtask; two
    // turns of the event loop later that render has happened, and the next key may go
    setImmediate(() => setImmediate(() => this.next()));
  }
}

export const KeyBusContext = createContext<KeyBus | null>(null);

/** At the app's root: reads the keys and hands them to the bus; `onReady` once it listens. */
export function useKeyBusRoot(bus: KeyBus, onReady?: (bus: KeyBus) => void): void {
  useInput((input, key) => {
    // keys typed faster than they are read (key repeat, a busy machine, a paste) arrive as one
    // chunk: each is handed out on its own, as if typed one by one
    const chars = [...input];
    if (chars.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of chars) bus.dispatch(ch, keyOf(ch, key));
    } else bus.dispatch(input, key);
  });
  const ready = useRef(onReady);
  useEffect(() => {
    ready.current?.(bus);
  }, [bus]);
}

/** The key flags of one character of a chunk. */
function keyOf(ch: string, chunk: Key): Key {
  return {
    ...chunk,
    tab: ch === "\t",
    return: ch === "\r" || ch === "\n",
    backspace: ch === "\u007f" || ch === "\b",
    delete: false,
    shift: /^[A-Z]$/.test(ch),
  };
}

/** Handles keys while `active`; the latest handler (with the latest state) is always the one called. */
export function useKeys(handler: KeyHandler, active = true): void {
  const bus = useContext(KeyBusContext);
  const latest = useRef({ handler, active });
  useLayoutEffect(() => {
    latest.current = { handler, active };
  });
  useLayoutEffect(() => {
    if (!bus) return;
    const live = { on: true };
    const off = bus.subscribe((input, key) => {
      if (live.on && latest.current.active) latest.current.handler(input, key);
    });
    return () => {
      live.on = false;
      off();
    };
  }, [bus]);
}
