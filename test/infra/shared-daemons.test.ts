// The test daemons answer for the whole run: an SSH login as the test user, and SLURM seen through
// it. Also the probe of the concurrent-runs test (concurrent-runs.test.ts): with
// CRYSTAL_TUI_PROBE_AFTER_EXIT_OF=PID it first waits until that other test run has ended — a run
// that ends must not stop daemons this one still uses.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { requireInfra } from "../helpers/infra.js";

const infra = await requireInfra("test daemons");

function gone(pid: number): boolean {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "")[0];
    return state === "Z";
  } catch {
    return true;
  }
}

describe.skipIf(!infra)("the test daemons", () => {
  it("let the test user log in over SSH and see the SLURM node", { timeout: 240_000 }, async () => {
    const other = Number(process.env.CRYSTAL_TUI_PROBE_AFTER_EXIT_OF ?? 0);
    if (other > 0) {
      const end = Date.now() + 200_000;
      while (!gone(other) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(gone(other), `test run ${other} did not end`).toBe(true);
    }
    const opts = infra!.env.SSH_OPTS!.split(" ");
    const r = spawnSync("ssh", [...opts, `${infra!.sshUser}@${infra!.sshHost}`, "sinfo -h -o '%n %T'"], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, SSH_AUTH_SOCK: "" },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${infra!.slurmNode} (idle|mixed|allocated)`, "m"));
  });
});
