// The cluster list's state rules, as a user meets them, with the expected states written out here.
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../src/domain/types.js";
import type { ClusterRow } from "../../src/tui/hooks/use-clusters.js";
import {
  type ClustersAction,
  type ClustersState,
  clustersReducer,
  INITIAL_CLUSTERS_STATE,
} from "../../src/tui/screens/clusters-state.js";

const run = (actions: ClustersAction[], from: ClustersState = INITIAL_CLUSTERS_STATE) =>
  actions.reduce(clustersReducer, from);

const hpc = {
  id: 1,
  name: "hpc",
  type: "slurm",
  hostname: "login.hpc.example",
  port: 22,
  username: "chem",
  config: {},
  status: "active",
  activeJobs: 0,
} as unknown as ClusterRow;
const hpcCluster = hpc as Cluster;

describe("cluster list state", () => {
  it("opens on the first cluster, no form, nothing asked", () => {
    expect(INITIAL_CLUSTERS_STATE).toEqual({ cursor: 0, form: null, pending: null });
  });

  it("the cursor moves one at a time and stays on the list", () => {
    expect(run([{ type: "move", by: 1, count: 3 }]).cursor).toBe(1);
    expect(run([{ type: "move", by: -1, count: 3 }]).cursor).toBe(0);
    const s = run([
      { type: "move", by: 1, count: 3 },
      { type: "move", by: 1, count: 3 },
      { type: "move", by: 1, count: 3 },
    ]);
    expect(s.cursor).toBe(2);
  });

  it("a cursor past the list's end (clusters gone) comes back to its last row on a move", () => {
    const s: ClustersState = { cursor: 5, form: null, pending: null };
    expect(clustersReducer(s, { type: "move", by: 1, count: 2 }).cursor).toBe(1);
    expect(clustersReducer(s, { type: "move", by: -1, count: 2 }).cursor).toBe(1);
  });

  it("a form open, or a question asked, blocks cursor moves", () => {
    const editing = run([
      { type: "move", by: 1, count: 3 },
      { type: "form", editing: null },
    ]);
    expect(clustersReducer(editing, { type: "move", by: 1, count: 3 })).toEqual({
      cursor: 1,
      form: { editing: null },
      pending: null,
    });
    const asked = run([{ type: "ask", pending: { kind: "delete", cluster: hpc } }]);
    expect(clustersReducer(asked, { type: "move", by: 1, count: 3 }).cursor).toBe(0);
  });

  it("the form opens for a new cluster or the chosen one, and closes back to the list", () => {
    expect(run([{ type: "form", editing: null }]).form).toEqual({ editing: null });
    const s = run([{ type: "form", editing: hpcCluster }]);
    expect(s.form).toEqual({ editing: hpcCluster });
    expect(clustersReducer(s, { type: "form done" })).toEqual({ cursor: 0, form: null, pending: null });
  });

  it("no form opens over a question", () => {
    const asked = run([{ type: "ask", pending: { kind: "delete", cluster: hpc } }]);
    expect(clustersReducer(asked, { type: "form", editing: null }).form).toBeNull();
  });

  it("a host key that arrives while the form is open is asked once the form is closed", () => {
    const trust = { kind: "trust", cluster: hpc, keyType: "ssh-ed25519", fingerprint: "SHA256:abc" } as const;
    const s = run([{ type: "form", editing: null }, { type: "ask", pending: trust }, { type: "form done" }]);
    expect(s).toEqual({
      cursor: 0,
      form: null,
      pending: { kind: "trust", cluster: hpc, keyType: "ssh-ed25519", fingerprint: "SHA256:abc" },
    });
  });

  it("removing a cluster (yes) puts the cursor on the row above; on the first row it stays", () => {
    const at2 = run([
      { type: "move", by: 1, count: 3 },
      { type: "move", by: 1, count: 3 },
      { type: "ask", pending: { kind: "delete", cluster: hpc } },
      { type: "answer", yes: true },
    ]);
    expect(at2).toEqual({ cursor: 1, form: null, pending: null });
    const at0 = run([
      { type: "ask", pending: { kind: "delete", cluster: hpc } },
      { type: "answer", yes: true },
    ]);
    expect(at0.cursor).toBe(0);
  });

  it("no to the removal, or any answer to trusting, leaves the cursor where it is", () => {
    const from: ClustersState = { cursor: 2, form: null, pending: { kind: "delete", cluster: hpc } };
    expect(clustersReducer(from, { type: "answer", yes: false })).toEqual({
      cursor: 2,
      form: null,
      pending: null,
    });
    const trust: ClustersState = {
      cursor: 2,
      form: null,
      pending: { kind: "trust", cluster: hpc, keyType: "ssh-ed25519", fingerprint: "SHA256:abc" },
    };
    expect(clustersReducer(trust, { type: "answer", yes: true })).toEqual({
      cursor: 2,
      form: null,
      pending: null,
    });
  });
});
