// Keys reach the component that owns the focus through one listener: the app's root reads them with
// Ink's useInput, and each component subscribes with useKeys during the commit (a layout effect), so
// a component sees the very next key after it appears and never one after it is gone — however
// busy the machine, and however fast the keys come (Ink's own listeners are set up in passive
// effects, which may run after the next key has already arrived).
import { type Key, useInput } from "ink";
import { createContext, useContext, useEffect, useLayoutEffect, useRef } from "react";

export type KeyHandler = (input: string, key: Key) => void;

export class KeyBus {
  private handlers: { fn: KeyHandler }[] = [];

  subscribe(fn: KeyHandler): () => void {
    const entry = { fn };
    this.handlers.push(entry);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== entry);
    };
  }

  /** Every handler subscribed when the key arrived sees it (they decide whether they are active). */
  dispatch(input: string, key: Key): void {
    for (const h of [...this.handlers]) h.fn(input, key);
  }
}

export const KeyBusContext = createContext<KeyBus | null>(null);

/** At the app's root: reads the keys and hands them to the bus; `onReady` once it listens. */
export function useKeyBusRoot(bus: KeyBus, onReady?: () => void): void {
  useInput((input, key) => bus.dispatch(input, key));
  const ready = useRef(onReady);
  useEffect(() => {
    ready.current?.();
  }, []);
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
