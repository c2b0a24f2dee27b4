// Two test runs at once never stop daemons the other still uses (issue 15, item 4: the run that
// started the daemons stopped them under the other, whose remote suites then failed or hung).
//
// Two real `scripts/test.sh` runs (what `npm test` runs) against a private set of daemons — its own
// state folder, ports, SLURM node and cluster names, so the shared set other runs use is never
// touched: run A finds no daemons and starts them; run B, started at the same time, waits for A to
// END and only then uses SSH and SLURM. Both pass, and the last to leave stopped the set.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot } from "../helpers/infra.js";
import { testShRun } from "../helpers/nested-run.js";
import { ROOT } from "../helpers/project.js";

/** Free TCP ports on 127.0.0.1, as the kernel hands them out. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve) => {
          const s = net.createServer();
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function status(dir: string): number | null {
  return spawnSync("bash", [path.join(ROOT, "scripts/infra-status.sh"), dir], { encoding: "utf8" }).status;
}

const canStart = isRoot() || process.env.CI === "true";
const dirs: string[] = [];

afterAll(() => {
  // whatever happened, no daemon of the private set outlives the test, and nothing of it is left
  for (const dir of dirs) {
    spawnSync("bash", [path.join(ROOT, "scripts/stop-test-infra.sh"), dir, "--purge"], { stdio: "ignore" });
    for (const f of [dir, `${dir}.runs`, `${dir}.lock`, `${dir}.start.log`]) {
      fs.rmSync(f, { recursive: true, force: true });
    }
  }
});

describe.skipIf(!canStart)("two test runs at once", () => {
  it("both pass, and neither stops the daemons under the other", { timeout: 420_000 }, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-two-runs-"));
    // the state folder's path must be short: SLURM's job sockets live in it and a Unix socket path
    // has at most 108 bytes (under npm test, os.tmpdir() is two folders deep already)
    const dir = fs.mkdtempSync("/tmp/ctui-2r-");
    dirs.push(dir);
    fs.chmodSync(dir, 0o755); // the test user reads its keys and slurm.conf in there
    const [ssh, ctld, slurmd, dbd, db] = await freePorts(5);
    const tag = path
      .basename(root)
      .slice(-6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x");
    const env = {
      CRYSTAL_TUI_INFRA_DIR: dir,
      CRYSTAL_TUI_INFRA_ENV: path.join(dir, "infra.env"),
      CRYSTAL_TUI_NO_INFRA: "",
      SSH_PORT: String(ssh),
      SLURMCTLD_PORT: String(ctld),
      SLURMD_PORT: String(slurmd),
      SLURMDBD_PORT: String(dbd),
      DB_PORT: String(db),
      SLURM_NODE_NAME: `n${tag}`,
      SLURM_CLUSTER_NAME: `c${tag}`,
      INSTALL_PACKAGES: "1",
      EXTRA_HOSTS: "none",
      TMPDIR: root,
    };
    expect(status(dir)).toBe(1); // nothing of this set runs yet (an empty folder)
    const probe = "test/infra/shared-daemons.test.ts";
    const a = testShRun([probe], env);
    const b = testShRun([probe], { ...env, CRYSTAL_TUI_PROBE_AFTER_EXIT_OF: String(a.pid) });
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.output.slice(-3000)).toBe(0);
    expect(rb.code, rb.output.slice(-3000)).toBe(0);
    for (const r of [ra, rb]) expect(r.output).toMatch(/Tests +1 passed/);
    const logs = `${ra.output}\n${rb.output}`;
    expect(logs).toMatch(/starting the test daemons/);
    expect(logs).toMatch(/reusing the test daemons already running/);
    expect(logs).toMatch(/leaving the test daemons up: 1 other run\(s\) still use them/);
    expect(logs).toMatch(/last run to leave: stopping the test daemons a test run started/);
    // the last run to leave stopped what a test run had started; no lease is left behind
    expect(status(dir)).toBe(1);
    expect(fs.readdirSync(`${dir}.runs`)).toEqual([]);
    // and both runs left their temporary folders as they found them
    expect(fs.readdirSync(root).filter((f) => f.startsWith("ctui-npm-test-"))).toEqual([]);
  });
});
