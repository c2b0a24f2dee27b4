// Mutation runs only (vitest.mutate.config.ts): every surviving mutant runs every test that covers
// it, so property tests there run fewer cases (at most MUTATE_RUNS each; `npm test` runs them all).
// A rule a mutant breaks is still found, as a rule's tests find it in their first cases.
import { vi } from "vitest";

const MUTATE_RUNS = 15;

vi.mock("fast-check", async (importOriginal) => {
  const fc = await importOriginal<typeof import("fast-check")>();
  const assert: typeof fc.assert = (property, params) =>
    fc.assert(property as never, { ...params, numRuns: Math.min(params?.numRuns ?? 100, MUTATE_RUNS) });
  return { ...fc, assert, default: { ...fc.default, assert } };
});
