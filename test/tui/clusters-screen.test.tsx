// The Clusters screen: the list, add/edit with checks as you type, remove (asks), and the connection
// test run in the background with its progress — against a real (closed) loopback port.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { requireInfra } from "../helpers/infra.js";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const clusters = { name: "clusters" as const };

async function focus(mm: Mounted, label: string) {
  for (let i = 0; i < 20; i++) {
    if (new RegExp(`^› ${label}`, "m").test(mm.lastFrame())) return;
    await mm.press(KEY.down);
  }
  throw new Error(`no field ${label}:\n${mm.lastFrame()}`);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("clusters screen", () => {
  test("lists clusters with type, address, status and active jobs; says what to do when there are none", async () => {
    const store = makeStore();
    m = mount(store, { view: clusters, columns: 80, rows: 24 });
    await m.waitFor("No clusters yet");
    store.clusters.create({ name: "hpc", type: "slurm", hostname: "10.0.0.5", username: "chem", port: 2222 });
    store.clusters.create({
      name: "box",
      type: "ssh",
      hostname: "127.0.0.1",
      username: "chem",
      status: "inactive",
    });
    m.watcher.touch();
    const f = await m.waitFor("hpc");
    expect(f).toMatch(/box\s+ssh\s+chem@127\.0\.0\.1:22\s+○ inactive\s+—\s+0/);
    expect(f).toMatch(/hpc\s+slurm\s+chem@10\.0\.0\.5:2222\s+● active\s+—\s+0/);
    for (const l of f.split("\n")) expect([...l].length).toBeLessThanOrEqual(80);
  });

  test("shows each cluster's connection as the process holding it recorded it", async () => {
    const store = makeStore();
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "10.0.0.5", username: "chem" });
    m = mount(store, { view: clusters, columns: 80, rows: 24 });
    await m.waitFor("hpc");
    store.clusters.setConnection(hpc.id, {
      status: "unreachable",
      lastError: "cluster 'hpc': 10.0.0.5 cannot be reached",
      since: Date.now(),
    });
    m.watcher.touch();
    let f = await m.waitFor("unreachable");
    expect(f).toMatch(/hpc\s+slurm\s+chem@10\.0\.0\.5:22\s+● active\s+unreachable\s+0/);
    store.clusters.setConnection(hpc.id, { status: "connected", lastError: null, since: Date.now() });
    m.watcher.touch();
    f = await m.waitFor("connected");
    expect(f).toMatch(/● active\s+connected\s+0/);
  });

  test("a adds a cluster: each field is checked as you type; save stores it", async () => {
    const store = makeStore();
    m = mount(store, { view: clusters, columns: 100, rows: 30 });
    await m.waitFor("No clusters yet");
    await m.press("a");
    let f = await m.waitFor("Add a cluster");
    expect(f).toContain("a name is needed");
    expect(f.split("\n").at(-1)).toMatch(/ctrl\+s save.*esc back/);
    await m.type("hpc");
    await focus(m, "Host");
    await m.type("bad host!");
    await m.waitFor("is not a host name or address");
    for (let i = 0; i < 12; i++) await m.press(KEY.backspace);
    await m.type("127.0.0.1");
    await focus(m, "Port");
    await m.press(KEY.backspace, KEY.backspace);
    await m.type("99999");
    await m.waitFor("from 1 to 65535");
    for (let i = 0; i < 5; i++) await m.press(KEY.backspace);
    await m.type("2222");
    await focus(m, "User");
    await m.type("chem");
    await focus(m, "Partition");
    await m.type("short");
    await m.press(KEY.ctrlS);
    f = await m.waitFor("cluster hpc added");
    const c = store.clusters.requireByName("hpc");
    expect(c).toMatchObject({ type: "slurm", hostname: "127.0.0.1", port: 2222 });
    expect(c.config.partition).toBe("short");
    expect(f).toMatch(/hpc\s+slurm\s+\S+@127\.0\.0\.1:2222/);
  });

  test("e edits (the type stays), d removes after asking", async () => {
    const store = makeStore();
    store.clusters.create({ name: "hpc", type: "slurm", hostname: "10.0.0.5", username: "chem" });
    m = mount(store, { view: clusters });
    await m.waitFor("hpc");
    await m.press("e");
    await m.waitFor("Edit cluster hpc");
    await focus(m, "Type");
    await m.press(KEY.right);
    await m.waitFor("the type of a cluster cannot change");
    await focus(m, "Max jobs");
    await m.type("4");
    await m.press(KEY.ctrlS);
    await m.waitFor("cluster hpc saved");
    expect(store.clusters.requireByName("hpc").config.max_jobs).toBe(4);
    await m.press("d");
    await m.waitFor("[y/N] Remove cluster hpc?");
    await m.press("y");
    await m.waitFor("No clusters yet");
    expect(store.clusters.list()).toHaveLength(0);
  });

  test("t tests the connection in the background: progress while it runs, the outcome after", async () => {
    const store = makeStore();
    const port = await closedPort();
    store.clusters.create({ name: "gone", type: "ssh", hostname: "127.0.0.1", port, username: "chem" });
    m = mount(store, { view: clusters });
    await m.waitFor("gone");
    await m.press("t");
    // the screen answers while the check runs (it is another process)
    await m.waitFor(/testing gone…/, 5000);
    await m.press("?");
    await m.waitFor("Keys — clusters screen");
    await m.press("x");
    // the command's own one-line verdict (here: nothing to log in with, or nothing listening)
    await m.waitFor(/✖ testing gone: cluster 'gone'/, 30_000);
  });
});

const infra = await requireInfra("TUI clusters screen (trust + test against the test sshd)");

describe.skipIf(!infra)("clusters screen against the test sshd", () => {
  test("T shows the key the host offers and trusts exactly that one after y; t then passes the login", async () => {
    const store = makeStore();
    const knownHosts = path.join(store.projectDir, "known_hosts");
    fs.writeFileSync(knownHosts, "");
    store.clusters.create({
      name: "lab",
      type: "ssh",
      hostname: infra!.sshHost,
      port: infra!.sshPort,
      username: infra!.sshUser,
      config: { key_path: infra!.sshKey, known_hosts: knownHosts },
    });
    m = mount(store, { view: clusters, columns: 120, rows: 30 });
    await m.waitFor("lab");
    await m.press("T");
    const f = await m.waitFor(/\[y\/N\] \S+ offers \S+ SHA256:\S+ — trust it for lab\?/, 15_000);
    const fingerprint = /SHA256:\S+/.exec(f)![0];
    expect(fs.readFileSync(knownHosts, "utf8")).toBe("");
    await m.press("y");
    await m.waitFor(/✔ trusting lab's host key/, 30_000);
    const hostKey = fs.readFileSync(infra!.hostPubKey, "utf8").split(" ")[1]!;
    expect(fs.readFileSync(knownHosts, "utf8")).toContain(hostKey);
    expect(fingerprint).toMatch(/^SHA256:/);
    await m.press("t");
    // past the login and the host key: what is left is about CRYSTAL on the remote side (or nothing)
    const done = await m.waitFor(/[✔✖] testing lab/, 60_000);
    expect(done).toMatch(/✔ testing lab|✖ testing lab: cluster 'lab': crystalOMP/);
  });
});
