// One key table per screen (lazygit's model): each binding names its keys, what it does and when it
// is offered; the footer, the `?` help and the dispatch of keys are all read from the same table, so
// a key shown always does something and a key that does something is always shown.
import type { Key } from "ink";
import { createContext, useContext, useLayoutEffect, useRef } from "react";
import { useKeys } from "./key-bus.js";

/**
 * A key as a table names it: one character ("j", "G", "/"), or a name: up down left right enter esc
 * tab shift+tab pgup pgdn home end space backspace, ctrl+<letter>; "text" is any printable
 * character (typing into a field), "any" is any key at all.
 */
export type KeyName = string;

export interface Binding<C> {
  on: readonly KeyName[];
  /** What it does, in the help. */
  does: string;
  /** Its word in the footer; without one it is listed only in `?`. */
  footer?: string;
  /** Offered (shown and dispatched) only while this holds. */
  when?: (c: C) => boolean;
  run: (c: C, input: string, key: Key) => void;
}

/** A binding as the footer and the help show it. */
export interface ShownKey {
  keys: string;
  does: string;
  footer?: string;
}

/** The keys the user can press now: the screen's (or the part that has the keys), and the global ones. */
export interface KeyTable {
  title: string;
  screen: ShownKey[];
  global: ShownKey[];
  /** Shown under the keys in `?` (e.g. what the list's symbols mean). */
  legend?: { label: string; text: string }[];
}

const SYMBOL: Record<string, string> = {
  up: "↑",
  down: "↓",
  left: "←",
  right: "→",
  pgup: "pgup",
  pgdn: "pgdn",
  esc: "esc",
  text: "type",
  any: "any key",
};

/** The keys of a binding as a person reads them: `↑↓ j k`. */
export function keyLabel(on: readonly KeyName[]): string {
  return on
    .map((k) => SYMBOL[k] ?? k)
    .join(" ")
    .replace("↑ ↓", "↑↓")
    .replace("← →", "←→");
}

const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/u;

/** Whether a key press is the named key. */
export function isKey(name: KeyName, input: string, key: Key): boolean {
  switch (name) {
    case "up":
      return key.upArrow;
    case "down":
      return key.downArrow;
    case "left":
      return key.leftArrow;
    case "right":
      return key.rightArrow;
    case "enter":
      return key.return;
    case "esc":
      return key.escape;
    case "tab":
      return key.tab && !key.shift;
    case "shift+tab":
      return key.tab && key.shift;
    case "pgup":
      return key.pageUp;
    case "pgdn":
      return key.pageDown;
    case "home":
      return key.home;
    case "end":
      return key.end;
    case "space":
      return input === " " && !key.ctrl;
    case "backspace":
      return key.backspace || key.delete;
    case "text":
      return key.backspace || key.delete || (!key.ctrl && !key.meta && PRINTABLE.test(input));
    case "any":
      return true;
    default:
      if (name.startsWith("ctrl+")) return key.ctrl && input === name.slice(5);
      return input === name && !key.ctrl && !key.meta;
  }
}

/** The bindings offered now, in table order. */
export function offered<C>(table: readonly Binding<C>[], c: C): Binding<C>[] {
  return table.filter((b) => !b.when || b.when(c));
}

export function shown<C>(table: readonly Binding<C>[]): ShownKey[] {
  return table.map((b) => ({
    keys: keyLabel(b.on),
    does: b.does,
    ...(b.footer ? { footer: b.footer } : {}),
  }));
}

/** Runs the first offered binding the key is one of; false when none is. */
export function dispatch<C>(table: readonly Binding<C>[], c: C, input: string, key: Key): boolean {
  for (const b of table) {
    if (b.on.some((k) => isKey(k, input, key))) {
      b.run(c, input, key);
      return true;
    }
  }
  return false;
}

/** Where the part that has the keys says which they are (the app's footer and help read it). */
export interface KeyTables {
  publish(id: object, table: KeyTable | null): void;
  /** Keys go nowhere while this is set (the help is open over the screen). */
  paused: boolean;
  /** The bindings that work on every screen where nothing is typed (from the app's screen list). */
  global: readonly Binding<null>[];
}

export const KeyTablesContext = createContext<KeyTables>({ publish: () => {}, paused: false, global: [] });

/**
 * A screen's keys: dispatches each key to the table's first offered binding that names it (then the
 * global ones, when `global`), and publishes the offered ones for the footer and `?` while active.
 */
export function useBindings<C>(
  title: string,
  table: readonly Binding<C>[],
  c: C,
  opts: { active?: boolean; global?: boolean; legend?: KeyTable["legend"] } = {},
): void {
  const tables = useContext(KeyTablesContext);
  const active = (opts.active ?? true) && !tables.paused;
  const now = offered(table, c);
  const globals = opts.global ? tables.global : [];
  useKeys((input, key) => {
    if (!dispatch(now, c, input, key)) dispatch(globals, null, input, key);
  }, active);
  const id = useRef({});
  const published: KeyTable | null =
    (opts.active ?? true)
      ? { title, screen: shown(now), global: shown(globals), ...(opts.legend ? { legend: opts.legend } : {}) }
      : null;
  const signature = JSON.stringify(published);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the signature stands for the table
  useLayoutEffect(() => {
    tables.publish(id.current, published);
  }, [signature, tables]);
  useLayoutEffect(() => () => tables.publish(id.current, null), [tables]);
}
