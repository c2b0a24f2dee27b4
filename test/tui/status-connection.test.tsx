// The status line names a cluster that cannot be reached (or waits for a login) and clears once
// it is connected again.
import { render } from "ink-testing-library";
import { describe, expect, test } from "vitest";
import { connectionNotice, StatusLine } from "../../src/tui/components/StatusLine.js";

const counts = { PENDING: 0, QUEUED: 0, RUNNING: 2, COMPLETED: 0, FAILED: 0, CANCELLED: 0 } as never;
const since = new Date(2026, 0, 5, 10, 42).getTime();

describe("status line connection notice", () => {
  test("an unreachable cluster is named with since when, the error and where to go", () => {
    const notice = connectionNotice([
      { name: "ok", connection: { status: "connected", lastError: null, since } },
      { name: "hpc", connection: { status: "unreachable", lastError: "connection refused", since } },
    ]);
    const r = render(
      <StatusLine engine="engine idle" counts={counts} flash={null} width={100} notice={notice} />,
    );
    const out = r.lastFrame() ?? "";
    expect(out).toContain("hpc unreachable since 10:42: connection refused");
    expect(out).toContain("press 3");
    r.unmount();
  });

  test("a login wanted is said too; connected again clears it", () => {
    expect(
      connectionNotice([{ name: "hpc", connection: { status: "needs-auth", lastError: null, since } }]),
    ).toContain("hpc waits for a login");
    const notice = connectionNotice([
      { name: "hpc", connection: { status: "connected", lastError: null, since } },
    ]);
    expect(notice).toBeNull();
    const r = render(
      <StatusLine engine="engine idle" counts={counts} flash={null} width={100} notice={notice} />,
    );
    expect(r.lastFrame()).not.toContain("hpc");
    expect(r.lastFrame()).toContain("engine idle");
    r.unmount();
  });
});
