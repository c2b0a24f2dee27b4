// The view cache redraws only when an answer changed: `sameValue` compares the store's answers by
// value. Oracle: a deep copy is always alike; JSON text tells whether two JSON values differ.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sameValue, ViewCache } from "../../src/tui/hooks/cache.js";

describe("the view cache's sameness", () => {
  it("a value and its deep copy are alike; two JSON values are alike exactly when their JSON is", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (x, y) => {
        // as JSON carries them (-0 becomes 0, which JSON text cannot tell apart)
        const [a, b] = [JSON.parse(JSON.stringify(x)), JSON.parse(JSON.stringify(y))];
        expect(sameValue(a, structuredClone(a))).toBe(true);
        expect(sameValue(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b) || isSameUnordered(a, b));
      }),
    );
  });

  it("Maps, Dates and missing keys are told apart", () => {
    expect(sameValue(new Map([["a", 1]]), new Map([["a", 1]]))).toBe(true);
    expect(sameValue(new Map([["a", 1]]), new Map([["a", 2]]))).toBe(false);
    expect(sameValue(new Date(5), new Date(5))).toBe(true);
    expect(sameValue(new Date(5), new Date(6))).toBe(false);
    expect(sameValue({ a: undefined }, { b: undefined })).toBe(false);
    expect(sameValue([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameValue(null, {})).toBe(false);
  });

  it("a reload with the same answer tells no one; a changed answer does", () => {
    let version = 0;
    const listeners = new Set<() => void>();
    const watcher = {
      get version() {
        return version;
      },
      subscribe: (fn: () => void) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    };
    const cache = new ViewCache(watcher).start();
    let answer = [{ id: 1, status: "COMPLETED" }];
    let told = 0;
    cache.subscribe(
      "jobs",
      () => structuredClone(answer),
      () => told++,
    );
    told = 0; // the first load
    const change = () => {
      version++;
      for (const fn of listeners) fn();
    };
    change();
    expect(told).toBe(0);
    answer = [{ id: 1, status: "FAILED" }];
    change();
    expect(told).toBe(1);
    expect(cache.peek("jobs")).toEqual([{ id: 1, status: "FAILED" }]);
  });
});

/** Objects whose keys come in another order are alike (JSON text differs, the value does not). */
function isSameUnordered(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => (x < y ? -1 : 1))
              .map(([k, w]) => [k, sorted(w)]),
          )
        : v;
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
