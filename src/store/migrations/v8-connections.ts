// Version 8: what the clusters' connections are doing, shared by every process serving the project
// (issue 11): the connection state written by whichever process holds the connection (connected,
// connecting, needs-auth, unreachable, with the last error and since when), and the time of the
// last scheduler poll, which a process claims before it polls (one guarded UPDATE), so however many
// processes serve the project a cluster sees at most one poll per poll interval. Columns only: older
// programs ignore them, older rows have none (no state known yet, never polled).
import { addColumnIfMissing, type Migration } from "./types.js";

export const v8: Migration = {
  version: 8,
  description: "clusters: shared connection state and the last scheduler poll",
  up(db) {
    addColumnIfMissing(db, "clusters", "connection_status", "TEXT");
    addColumnIfMissing(db, "clusters", "connection_error", "TEXT");
    addColumnIfMissing(db, "clusters", "connection_since", "INTEGER");
    addColumnIfMissing(db, "clusters", "last_polled_at", "INTEGER");
  },
};
