// Mutation testing (`npm run mutate`, not part of `npm test`): do the tests of the rules notice
// when a rule changes? Mutates the domain's rules, the store's scheduling SQL (its string literals
// are mutated too: the store tests run that SQL) and how a finished run becomes a final status.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts" },
  mutate: [
    "src/domain/**/*.ts",
    "!src/domain/types.ts",
    "src/store/scheduling.ts",
    "src/store/status-sql.ts",
    "src/engine/outcome.ts",
  ],
  coverageAnalysis: "perTest",
  // mutants of module-level tables (static: every test runs for each) take most of the time on
  // this 2-core machine; the tables have their own tests with literal oracles (status matrix,
  // dependency reference evaluator). Set it to false to test them too (about 3× longer).
  ignoreStatic: true,
  // 2 cores shared with other work
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  // re-runs test only the mutants whose code or tests changed (reports/stryker-incremental.json)
  incremental: true,
  thresholds: { high: 90, low: 85, break: null },
};
