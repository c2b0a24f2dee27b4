import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // integration suites share one sshd / SLURM; files run in parallel, each with its own project
    fileParallelism: true,
    maxWorkers: 2,
  },
});
