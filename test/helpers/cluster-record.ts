// A cluster record as the store returns one, for tests of code that takes a Cluster without a
// database (script rendering, self-tests, `cluster test`'s checks): only what a test names differs.
import type { Cluster } from "../../src/domain/types.js";

export function clusterRecord(fields: Partial<Cluster> = {}): Cluster {
  return {
    id: 1,
    name: "hpc",
    type: "slurm",
    hostname: "login.hpc.example.org",
    port: 22,
    username: "chem",
    config: {},
    status: "active",
    createdAt: "",
    updatedAt: "",
    ...fields,
  };
}
