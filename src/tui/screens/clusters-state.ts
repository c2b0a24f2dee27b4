// The cluster list's own state, as one reducer: the cursor, the add / edit form, and the question
// asked. Pure, so what a user meets (the cursor stays on the list, nothing moves under a form or a
// question, removing a cluster puts the cursor on the one above) is tested without a terminal.
import type { Cluster } from "../../domain/types.js";
import type { ClusterRow } from "../hooks/use-clusters.js";

export type ClustersPending =
  | { kind: "delete"; cluster: ClusterRow }
  | { kind: "trust"; cluster: ClusterRow; keyType: string; fingerprint: string }
  | null;

export interface ClustersState {
  /** Index in the list; may be past its end when clusters go (the screen shows the last one). */
  cursor: number;
  /** The form shown instead of the list: a new cluster (editing null) or one to edit. */
  form: { editing: Cluster | null } | null;
  pending: ClustersPending;
}

export type ClustersAction =
  | { type: "move"; by: number; count: number }
  | { type: "form"; editing: Cluster | null }
  | { type: "form done" }
  | { type: "ask"; pending: ClustersPending }
  | { type: "answer"; yes: boolean };

export const INITIAL_CLUSTERS_STATE: ClustersState = { cursor: 0, form: null, pending: null };

export function clustersReducer(s: ClustersState, a: ClustersAction): ClustersState {
  const covered = s.form !== null || s.pending !== null;
  switch (a.type) {
    case "move":
      if (covered) return s;
      return { ...s, cursor: Math.max(0, Math.min(s.cursor + a.by, a.count - 1)) };
    case "form":
      return covered ? s : { ...s, form: { editing: a.editing } };
    case "form done":
      return { ...s, form: null };
    case "ask":
      // the host key arrives after its key press, maybe with the form opened meanwhile: the
      // question is kept and shown once the form is closed
      return { ...s, pending: a.pending };
    case "answer": {
      // the removed cluster's row goes, so the cursor steps up to stay on a row that is left (even
      // when the removal is then refused: the list is as it was, the cursor one up)
      const removed = a.yes && s.pending?.kind === "delete";
      return { ...s, pending: null, cursor: removed ? Math.max(0, s.cursor - 1) : s.cursor };
    }
  }
}
