// Launches a few at once (the dispatcher's eachAtMost): never more in flight than allowed, every job
// launched exactly once and started in claim order, and a failure stops further starts but waits
// for the launches already under way (their records must be written) before it is reported.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eachAtMost } from "../../src/engine/launches-at-once.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("eachAtMost", () => {
  it("any durations and limit: at most n in flight, as many as there is work for, each once, started in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (durations, n) => {
          let inFlight = 0;
          let most = 0;
          const started: number[] = [];
          await eachAtMost(
            durations.map((d, i) => ({ d, i })),
            n,
            async ({ d, i }) => {
              started.push(i);
              inFlight++;
              most = Math.max(most, inFlight);
              await tick(d);
              inFlight--;
            },
          );
          expect(started).toEqual(durations.map((_, i) => i));
          expect(inFlight).toBe(0);
          expect(most).toBe(Math.min(n, durations.length));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("one at a time when n is 1: the next starts only after the last ended", async () => {
    const log: string[] = [];
    await eachAtMost(["a", "b", "c"], 1, async (x) => {
      log.push(`start ${x}`);
      await tick(1);
      log.push(`end ${x}`);
    });
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("a failure: nothing more is started, the running ones finish, then the first failure is thrown", async () => {
    const ended: string[] = [];
    const started: string[] = [];
    const err = await eachAtMost(["slow", "bad", "later", "never"], 2, async (x) => {
      started.push(x);
      if (x === "bad") {
        await tick(1);
        throw new Error("cannot record bad");
      }
      await tick(x === "slow" ? 30 : 1);
      ended.push(x);
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("cannot record bad");
    // "slow" was under way when "bad" failed: awaited, not abandoned; nothing after "bad" started
    expect(started).toEqual(["slow", "bad"]);
    expect(ended).toEqual(["slow"]);
  });

  it("nothing to do is done at once", async () => {
    let calls = 0;
    await eachAtMost([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
