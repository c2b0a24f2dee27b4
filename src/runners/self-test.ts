// A cluster's self-test, one script for `crystal-tui cluster test` and an engine's readiness check:
// the job's own environment set-up (the same lines, in the same order, as every job's script), then
// where CRYSTAL's programs are, then what the scheduler adds (its commands, its partitions).
import { crystalSelfTestLines } from "../crystal/environment.js";
import { readSelfTest, type SelfTest } from "../domain/self-test.js";
import type { Cluster } from "../domain/types.js";
import { environmentLines } from "./remote-script.js";

export function selfTestFor(
  cluster: Pick<Cluster, "name" | "config">,
  schedulerLines: readonly string[] = [],
): SelfTest {
  return {
    script: [...environmentLines(cluster), ...crystalSelfTestLines(), ...schedulerLines, ""].join("\n"),
    read: readSelfTest,
  };
}
