// Keys that come faster than the screen renders (a held key, a busy machine) are neither lost nor
// applied to stale state: each is handed out after the render of the one before.
import { afterEach, expect, test } from "vitest";
import { addJobs, KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** Writes keys back to back, with the event loop blocked between some of them (a loaded machine). */
async function burst(mm: Mounted, keys: string[]) {
  await mm.press(); // waits until the app listens
  for (const [i, k] of keys.entries()) {
    if (i % 3 === 0) {
      const until = Date.now() + 8;
      while (Date.now() < until) {
        // busy: the renders of the keys before fall behind
      }
    }
    await mm.write(k);
  }
}

test("typing into two fields with moves in between: every character lands in the right field", async () => {
  m = mount(makeStore(), { view: { name: "clusters" } });
  await m.waitFor("No clusters yet");
  await m.press("a");
  await m.waitFor("Add a cluster");
  const keys: string[] = [];
  for (let i = 0; i < 20; i++) keys.push(KEY.down, KEY.down, "a", "b", KEY.up, KEY.up, "c");
  await burst(m, keys);
  const f = await m.waitFor(/Name\s+c{20}\n/, 10_000);
  expect(f).toMatch(/Host\s+(ab){20}\n/);
});

test("a held j moves the cursor once per key", async () => {
  const store = makeStore();
  addJobs(
    store,
    Array.from({ length: 40 }, (_, i) => `job${i + 1}`),
  );
  m = mount(store, { rows: 40 });
  await m.waitFor("job40");
  await burst(m, Array(25).fill("j"));
  // newest first: the cursor started on job40 and is now 25 rows further down
  await m.waitFor(/^›\s*15 job15 /m, 10_000);
});

test("keys that arrive in one chunk (key repeat, a paste) are handed out one by one", async () => {
  const store = makeStore();
  addJobs(
    store,
    Array.from({ length: 10 }, (_, i) => `job${i + 1}`),
  );
  m = mount(store);
  await m.waitFor("job10");
  await m.press("jjj");
  await m.waitFor(/^›\s*7 job7 /m);
  await m.press(KEY.enter);
  await m.waitFor("#7 job7");
  await m.press("\t\t");
  await m.waitFor(/ Results .*\n(.|\n)*No results yet/);
});
