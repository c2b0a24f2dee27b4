// A cluster's connection state, recorded by the process holding the connection (the engine's
// runners, through src/app/engine.ts) and read by every other (`cluster list --json`): an
// unreachable cluster says so with its error and since when, a reachable one is connected.
import { afterAll, describe, expect, it } from "vitest";
import { recordConnectionState } from "../../src/app/engine.js";
import { runnerFactory } from "../../src/app/runners.js";
import type { RemoteShell } from "../../src/transport/remote-shell.js";
import { requireInfra } from "../helpers/infra.js";
import { cli, cliJson } from "../helpers/project.js";
import { addCluster, cleanupLocal, newProject, remoteSetup } from "./helpers.js";

/** The runner's remote shell (the SSH runner's own). */
const shellOf = (runner: unknown) => (runner as { shell: RemoteShell }).shell;

const infra = await requireInfra("connection state in the store");

describe.skipIf(!infra)("connection state shared through the store (real sshd)", () => {
  afterAll(() => cleanupLocal());

  it("unreachable with the error and since when, then connected — as another process sees it", async () => {
    const { project, store } = newProject();
    const setup = remoteSetup("connstate");
    addCluster(project, infra!, setup, { name: "up", type: "ssh" });
    const down = cli(project, [
      ...["cluster", "add", "down", "--type", "ssh", "--host", "127.0.0.1", "--port", "1"],
      ...["--user", infra!.sshUser, "--key", infra!.sshKey, "--known-hosts", infra!.knownHosts],
      ...["--ssh-config", setup.sshConfig],
    ]);
    expect(down.code).toBe(0);
    const factory = runnerFactory({
      onConnectionState: recordConnectionState(store),
      openSsh: { reconnectWindowMs: 0 },
    });
    const t0 = Date.now();
    const downRunner = factory(store.clusters.requireByName("down"));
    const err = await shellOf(downRunner)
      .exec(["true"])
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const upRunner = factory(store.clusters.requireByName("up"));
    expect((await shellOf(upRunner).execOk(["echo", "hi"])).stdout).toBe("hi\n");

    const shown = cliJson<Record<string, unknown>[]>(project, ["cluster", "list"]);
    const byName = new Map(shown.map((c) => [c.name, c]));
    expect(byName.get("down")).toMatchObject({ connection: "unreachable" });
    expect(String(byName.get("down")!.connection_error)).toMatch(
      /^cluster 'down': 127\.0\.0\.1:1 cannot be reached \(Connection refused\)/,
    );
    const since = Date.parse(String(byName.get("down")!.connection_since));
    expect(since).toBeGreaterThanOrEqual(t0 - 1000);
    expect(since).toBeLessThanOrEqual(Date.now());
    expect(byName.get("up")).toMatchObject({ connection: "connected", connection_error: null });
    await downRunner.close();
    await upRunner.close();
    store.close();
  });
});
