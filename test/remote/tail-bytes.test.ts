// Following a remote output moves each byte once (issue 12): a 50 MB output that grows while it is
// looked at, read through crystal-tui's own transport into the job's mirror, costs its size in
// bytes transferred (± 5 %), not a multiple of it, and the mirror is the remote file byte for byte.

import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outputSoFar } from "../../src/app/job-output.js";
import { openProject } from "../../src/app/project.js";
import { shellFor } from "../../src/app/runners.js";
import type { Cluster } from "../../src/domain/types.js";
import type { RemoteShell } from "../../src/transport/remote-shell.js";
import { requireInfra } from "../helpers/infra.js";
import {
  addCluster,
  addJob,
  cleanupLocal,
  deck,
  newProject,
  plainSsh,
  type RemoteSetup,
  remoteSetup,
  runningRemoteJob,
} from "./helpers.js";

const infra = await requireInfra("tail of a remote output against the real sshd");

describe.skipIf(!infra)("tail of a remote output (real sshd)", () => {
  let setup: RemoteSetup;
  beforeAll(() => {
    setup = remoteSetup("tail");
  });
  afterAll(() => cleanupLocal());

  it("a 50 MB output followed while it grows: bytes moved = its size ± 5 %, the mirror identical", async () => {
    const { project, store } = newProject();
    addCluster(project, infra!, setup, { name: "hpc", type: "ssh" });
    const id = addJob(project, "big", deck("scf", "MgO big output"), ["--cluster", "hpc"]);
    const dir = `${setup.remoteDir}/big-run`;
    const file = `${dir}/big.out`;
    plainSsh(infra!, `mkdir -p '${dir}' && : > '${file}'`);
    runningRemoteJob(store, id, "hpc", dir, file);
    store.close();

    const p = await openProject(project);
    const shells: RemoteShell[] = [];
    const lookup = {
      shellFor: (c: Cluster) => {
        if (!shells[0]) shells.push(shellFor(c));
        return shells[0]!;
      },
    };
    try {
      let seen = 0;
      const MB = 1024 * 1024;
      for (let step = 0; step < 10; step++) {
        plainSsh(infra!, `head -c ${5 * MB} /dev/urandom >> '${file}'`);
        const job = await p.store.jobs.require(id);
        const got = await outputSoFar(p, job, "output", lookup);
        expect(got.live).toBe(true);
        expect(got.size).toBeGreaterThan(seen); // it grew, and the look saw it
        seen = got.size;
      }
      const size = Number(plainSsh(infra!, `wc -c < '${file}'`).toString().trim());
      expect(size).toBe(50 * MB);
      // the last append may have come after the last look's size: one more look catches up
      const job = await p.store.jobs.require(id);
      const last = await outputSoFar(p, job, "output", lookup);
      expect(last.size).toBe(size);
      const moved = shells[0]!.stats.bytesIn;
      expect(
        Math.abs(moved - size) / size,
        `moved ${moved} bytes for a ${size}-byte file`,
      ).toBeLessThanOrEqual(0.05);
      const theirs = plainSsh(infra!, `sha256sum '${file}'`).toString().split(" ")[0];
      const ours = crypto.createHash("sha256").update(last.data).digest("hex");
      expect(ours).toBe(theirs);
      expect(fs.statSync(`${p.files.folderOf(job)}/.run/live/output`).size).toBe(size);
    } finally {
      for (const s of shells) await s.close();
      await p.close();
      plainSsh(infra!, `rm -rf '${dir}'`);
    }
  }, 180_000);
});
