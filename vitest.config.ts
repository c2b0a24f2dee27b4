import { defineConfig } from "vitest/config";

// Suites that stop or restart the shared test daemons (sshd, slurmctld) run on their own, after all
// the others: a restart in the middle of another suite's login reads as that suite's failure.
const DISRUPTIVE = ["test/remote/faults.test.ts", "test/transport/reconnect.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "suites",
          include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
          exclude: DISRUPTIVE,
          // integration suites share one sshd / SLURM; files run in parallel, each with its own project
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "disruptive",
          include: DISRUPTIVE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
