import { defineConfig } from "vitest/config";

// The suites StrykerJS runs against each mutant (`npm run mutate`, stryker.config.mjs): the
// in-process tests of what it mutates (src/domain, the store's scheduling SQL, engine/outcome.ts).
// Suites that run the CLI as another process are left out: they exercise dist/, not the mutant.
export default defineConfig({
  test: {
    globalSetup: ["test/helpers/global-setup.ts"],
    setupFiles: ["test/helpers/mutate-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    include: [
      "test/domain/*.test.ts",
      "test/store/{status-machine,status-sql,dependencies,dependency-properties,migrations,runner-kinds,concurrency,backward-compat,async-port}.test.ts",
      "test/engine/{outcome,outcome-table,failures,job-times,claims,targets}.test.ts",
      "test/runners/slurm-states.test.ts",
      "test/tui/results-rules.test.ts",
      "test/crystal/result-fields.test.ts",
    ],
  },
});
