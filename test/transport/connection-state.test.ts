// The connection state machine against a literal table written out by hand (not the code's switch),
// and its backoff against a reference formula; a property test that no sequence of events leaves a
// state the table does not allow.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  type ConnectionEvent,
  type ConnectionStatus,
  initialConnectionState,
  mayAttempt,
  nextConnectionState,
} from "../../src/transport/connection-state.js";

type Kind = ConnectionEvent["kind"];
// from-status → event → to-status, as a user should see it
const TABLE: Record<ConnectionStatus, Record<Kind, ConnectionStatus>> = {
  connecting: {
    connecting: "connecting",
    connected: "connected",
    "needs-auth": "needs-auth",
    failed: "unreachable",
    dropped: "connecting",
    closed: "connecting",
  },
  connected: {
    connecting: "connecting",
    connected: "connected",
    "needs-auth": "needs-auth",
    failed: "unreachable",
    dropped: "connecting",
    closed: "connecting",
  },
  "needs-auth": {
    connecting: "needs-auth", // keeps saying what the user must do until it works
    connected: "connected",
    "needs-auth": "needs-auth",
    failed: "unreachable",
    dropped: "connecting",
    closed: "connecting",
  },
  unreachable: {
    connecting: "unreachable", // keeps showing why, while retrying
    connected: "connected",
    "needs-auth": "needs-auth",
    failed: "unreachable",
    dropped: "connecting",
    closed: "connecting",
  },
};

const event = (kind: Kind): ConnectionEvent =>
  kind === "needs-auth" || kind === "failed" || kind === "dropped"
    ? ({ kind, error: `e-${kind}` } as ConnectionEvent)
    : ({ kind } as ConnectionEvent);

function stateIn(status: ConnectionStatus) {
  const s0 = initialConnectionState(0);
  const via: Record<ConnectionStatus, Kind> = {
    connecting: "connecting",
    connected: "connected",
    "needs-auth": "needs-auth",
    unreachable: "failed",
  };
  return nextConnectionState(s0, event(via[status]), 1);
}

describe("connection state machine", () => {
  for (const from of Object.keys(TABLE) as ConnectionStatus[]) {
    for (const kind of Object.keys(TABLE[from]) as Kind[]) {
      it(`${from} --${kind}--> ${TABLE[from][kind]}`, () => {
        const s = stateIn(from);
        expect(s.status).toBe(from);
        const next = nextConnectionState(s, event(kind), 100);
        expect(next.status).toBe(TABLE[from][kind]);
        // `since` moves only when the status does
        expect(next.since).toBe(next.status === from ? s.since : 100);
      });
    }
  }

  it("backoff doubles from the initial delay and stops at the cap", () => {
    const policy = { initialMs: 250, maxMs: 10_000 };
    const expected = [0, 250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000];
    expect(expected.map((_, n) => backoffDelay(n, policy))).toEqual(expected);
  });

  it("failures in a row push the next attempt out; success resets everything", () => {
    const policy = { initialMs: 1_000, maxMs: 60_000 };
    let s = initialConnectionState(0);
    s = nextConnectionState(s, { kind: "failed", error: "refused" }, 10, policy);
    expect(s).toMatchObject({ status: "unreachable", failures: 1, retryAt: 1_010, lastError: "refused" });
    expect(mayAttempt(s, 1_009)).toBe(false);
    expect(mayAttempt(s, 1_010)).toBe(true);
    s = nextConnectionState(s, { kind: "failed", error: "refused again" }, 1_010, policy);
    expect(s).toMatchObject({ failures: 2, retryAt: 3_010, since: 10, lastError: "refused again" });
    s = nextConnectionState(s, { kind: "connected" }, 3_100, policy);
    expect(s).toEqual({ status: "connected", since: 3_100, lastError: null, failures: 0, retryAt: null });
  });

  it("a drop is tried again at once and keeps its reason until connected", () => {
    let s = nextConnectionState(initialConnectionState(0), { kind: "connected" }, 5);
    s = nextConnectionState(s, { kind: "dropped", error: "master gone" }, 50);
    expect(s).toMatchObject({ status: "connecting", since: 50, lastError: "master gone", retryAt: null });
    expect(mayAttempt(s, 50)).toBe(true);
  });

  it("any sequence of events lands on the table's status, with an error exactly when one is due", () => {
    const kinds = Object.keys(TABLE.connecting) as Kind[];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { maxLength: 40 }), (seq) => {
        let s = initialConnectionState(0);
        let expected: ConnectionStatus = "connecting";
        seq.forEach((k, i) => {
          s = nextConnectionState(s, event(k), i + 1);
          expected = TABLE[expected][k];
          expect(s.status).toBe(expected);
          if (s.status === "connected") expect(s.lastError).toBeNull();
          if (s.status === "unreachable" || s.status === "needs-auth") expect(s.lastError).not.toBeNull();
          if (s.status !== "unreachable") expect(s.retryAt).toBeNull();
        });
      }),
    );
  });
});
