// A cluster's connection as a user should see it — connected, connecting, needs-auth (a one-time
// code or a trusted host key is wanted), unreachable — with the last error and since when, and the
// backoff that decides when a lost connection is tried again. Pure: the transport feeds it events
// and a clock; the store, the CLI (`cluster list --json`) and the TUI only read what it says.

export type ConnectionStatus = "connected" | "connecting" | "needs-auth" | "unreachable";

export interface ConnectionState {
  status: ConnectionStatus;
  /** When the status last changed (ms since the epoch). */
  since: number;
  /** The one-line error that led here (unreachable, needs-auth); null once connected. */
  lastError: string | null;
  /** Failed attempts in a row (0 once connected). */
  failures: number;
  /** Before this moment (ms since the epoch) a new attempt is not made: callers get lastError. */
  retryAt: number | null;
}

export type ConnectionEvent =
  | { kind: "connecting" }
  | { kind: "connected" }
  /** The server wants something only the user can give (a code, a trusted key); no retry by itself. */
  | { kind: "needs-auth"; error: string }
  /** Transient trouble (refused, timed out, dropped): retried after the backoff. */
  | { kind: "failed"; error: string }
  /** A connection that was up went away (the master died, the network dropped it). */
  | { kind: "dropped"; error: string }
  /** Closed on purpose (`cluster disconnect`): nothing is wrong, the next use connects again. */
  | { kind: "closed" };

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };

/** How long to wait after the n-th failure in a row (1-based): doubling from initialMs, capped. */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 30));
}

/** Before the first use: nothing known yet; shown as "connecting" until the first attempt ends. */
export function initialConnectionState(now: number): ConnectionState {
  return { status: "connecting", since: now, lastError: null, failures: 0, retryAt: null };
}

/** The state after an event. Unchanged status keeps its `since`. */
export function nextConnectionState(
  state: ConnectionState,
  event: ConnectionEvent,
  now: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): ConnectionState {
  const moveTo = (status: ConnectionStatus, rest: Omit<ConnectionState, "status" | "since">) => ({
    status,
    since: status === state.status ? state.since : now,
    ...rest,
  });
  switch (event.kind) {
    case "connecting":
      // an attempt while unreachable keeps showing unreachable (with its error) until it succeeds:
      // a flapping "connecting" would hide why jobs are not moving
      if (state.status === "unreachable" || state.status === "needs-auth") return state;
      return moveTo("connecting", { lastError: state.lastError, failures: state.failures, retryAt: null });
    case "connected":
      return moveTo("connected", { lastError: null, failures: 0, retryAt: null });
    case "needs-auth":
      return moveTo("needs-auth", { lastError: event.error, failures: state.failures + 1, retryAt: null });
    case "failed": {
      const failures = state.failures + 1;
      return moveTo("unreachable", {
        lastError: event.error,
        failures,
        retryAt: now + backoffDelay(failures, policy),
      });
    }
    case "dropped":
      // the first try after a drop is immediate (the master may simply have timed out)
      return moveTo("connecting", { lastError: event.error, failures: 0, retryAt: null });
    case "closed":
      return moveTo("connecting", { lastError: null, failures: 0, retryAt: null });
  }
}

/** Whether a new attempt may be made now (false while a backoff runs). */
export function mayAttempt(state: ConnectionState, now: number): boolean {
  return state.retryAt === null || now >= state.retryAt;
}
